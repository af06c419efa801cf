// A regression run's test set: each sample's prediction against its true target, with the line y = x where a perfect
// model's points would lie. Predictions are the snapshot's weights through the renderer's forward pass.
import { useEffect, useMemo, useRef } from 'react';
import type { InputFeature } from '../../../engine/config';
import type { DataPreview, LayerSpec, SnapshotParam } from '../api';
import { predict, targetRange } from '../lib/data-views';
import { fmtVal } from '../lib/format';
import { palette } from '../lib/theme';
import { sizedContext, useWidth } from '../lib/canvas';

export function PredictedVsTrue({
  preview,
  architecture,
  weights,
  features,
  theme,
}: {
  preview: DataPreview;
  architecture: readonly LayerSpec[];
  weights: readonly SnapshotParam[] | null;
  features?: readonly InputFeature[] | undefined;
  theme: string;
}) {
  const set = preview.test.n > 0 ? preview.test : preview.train;
  const which = preview.test.n > 0 ? 'test' : 'train';
  const predicted = useMemo(() => (weights ? predict(architecture, weights, preview, set, features) : null), [architecture, weights, preview, set, features]);
  const range = useMemo((): [number, number] => {
    let [lo, hi] = targetRange(preview);
    if (predicted) for (const v of predicted) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const m = (hi - lo) * 0.04;
    return [lo - m, hi + m];
  }, [preview, predicted]);
  const canvas = useRef<HTMLCanvasElement>(null);
  const px = useWidth(canvas);
  useEffect(() => {
    const el = canvas.current;
    if (!el || px === 0) return;
    const w = px, h = el.clientHeight || px;
    const ctx = sizedContext(el, w, h);
    const p = palette();
    ctx.fillStyle = p.card;
    ctx.fillRect(0, 0, w, h);
    const [lo, hi] = range;
    const sx = (v: number) => ((v - lo) / (hi - lo)) * w;
    const sy = (v: number) => h - ((v - lo) / (hi - lo)) * h;
    ctx.strokeStyle = p.line;
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    // y = x: where every point of a perfect model lies
    ctx.strokeStyle = p.muted;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(sx(lo), sy(lo));
    ctx.lineTo(sx(hi), sy(hi));
    ctx.stroke();
    ctx.setLineDash([]);
    if (!predicted) return;
    ctx.fillStyle = p.test;
    ctx.globalAlpha = 0.75;
    for (let i = 0; i < set.n; i++) {
      const v = predicted[i]!;
      if (!Number.isFinite(v)) continue;
      ctx.beginPath();
      ctx.arc(sx(set.y[i]!), sy(Math.min(hi, Math.max(lo, v))), 2.4, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }, [predicted, range, set, px, theme]);
  return (
    <div className="pred-true">
      <div className="pred-true-plot">
        <span className="axis-label y muted small">predicted</span>
        <canvas
          ref={canvas}
          className="pred-true-canvas"
          data-testid="pred-vs-true"
          data-points={predicted ? set.n : 0}
          role="img"
          aria-label={`predicted against true target on the ${which} set`}
        />
      </div>
      <div className="axis-ticks muted small tnum">
        <span>{fmtVal(range[0])}</span>
        <span>true ({which} set)</span>
        <span>{fmtVal(range[1])}</span>
      </div>
    </div>
  );
}
