// digits: the test images the network gets wrong, as 8×8 thumbnails with their true and predicted digits. The
// pixels (0–16) come from the data preview: the run's own when it is not standardized, else the same split unscaled
// (standardizing happens after the split, so the indices are the same samples).
import { useEffect, useRef, useState } from 'react';
import type { BackpropLabApi, DataPreview, RunConfig } from '../api';
import { fmtInt } from '../lib/format';
import { palette } from '../lib/theme';
import type { Confusion } from './ConfusionMatrix';

/** Thumbnails shown at most. */
const MAX_THUMBS = 60;
/** digits' images are 8×8 with pixel values 0..16. */
const SIDE = 8;
const MAX_PIXEL = 16;

export function DigitsMisclassified({ confusion, data, preview, api, theme }: { confusion: Confusion; data: RunConfig['data']; preview: DataPreview | null; api: BackpropLabApi; theme: string }) {
  const [raw, setRaw] = useState<DataPreview | null>(null);
  const key = JSON.stringify({ ...data, standardize: false });
  useEffect(() => {
    if (!data.standardize) return;
    let live = true;
    void api.data.preview({ data: { ...data, standardize: false } }).then((r) => {
      if (live && r.ok) setRaw(r.value);
    });
    return () => {
      live = false;
    };
    // the spec's content, not its identity
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, api]);
  const pixels = data.standardize ? raw : preview;
  const set = pixels?.[confusion.set];
  const complete = pixels && set && set.n === (confusion.set === 'test' ? pixels.totalTest : pixels.totalTrain) && pixels.features === SIDE * SIDE;
  const shown = confusion.misclassified.slice(0, MAX_THUMBS);
  return (
    <div className="digits-wrong" data-testid="digits-misclassified" data-wrong={confusion.wrong}>
      <p className="muted small">
        {fmtInt(confusion.wrong)} of {fmtInt(confusion.samples)} {confusion.set} images wrong
        {confusion.wrong > shown.length ? ` · the first ${shown.length}` : ''} · true → predicted
      </p>
      {confusion.wrong === 0 ? (
        <p className="muted small">none</p>
      ) : !complete ? (
        <p className="muted small">loading the images…</p>
      ) : (
        <div className="digit-grid">
          {shown.map((m) => (
            <figure key={m.index} className="digit" data-testid="digit-thumb" title={`${confusion.set} image ${m.index}: a ${m.actual}, predicted ${m.predicted}`}>
              <Digit pixels={set.X.slice(m.index * SIDE * SIDE, (m.index + 1) * SIDE * SIDE)} theme={theme} />
              <figcaption className="tnum">
                {m.actual}→<span className="wrong">{m.predicted}</span>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </div>
  );
}

/** One 8×8 image, ink in the text colour over the card. */
function Digit({ pixels, theme }: { pixels: number[]; theme: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const p = palette();
    const rgb = (hex: string) => {
      const n = parseInt(hex.replace('#', '').slice(0, 6), 16);
      return [(n >> 16) & 255, (n >> 8) & 255, n & 255] as const;
    };
    const bg = rgb(p.card), ink = rgb(p.fg);
    const img = new ImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const a = Math.min(1, Math.max(0, pixels[i]! / MAX_PIXEL));
      for (let c = 0; c < 3; c++) img.data[4 * i + c] = bg[c]! + (ink[c]! - bg[c]!) * a;
      img.data[4 * i + 3] = 255;
    }
    el.getContext('2d')!.putImageData(img, 0, 0);
  }, [pixels, theme]);
  return <canvas ref={ref} width={SIDE} height={SIDE} role="img" aria-label="8×8 digit image" />;
}
