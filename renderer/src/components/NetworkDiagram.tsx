// The network as neurons in columns and every weight as an edge: width ∝ |w|, colour by sign
// (blue positive, red negative). Canvas, because the seed network alone has 5,000 edges.
import { useEffect, useRef, useState } from 'react';
import type { LayerSpec, SnapshotParam } from '../api';
import { palette } from '../lib/theme';

export function NetworkDiagram({ architecture, weights, theme }: { architecture: LayerSpec[]; weights: SnapshotParam[] | null; theme: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<[number, number]>([0, 0]);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize([el.clientWidth, el.clientHeight]));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current;
    const [w, h] = size;
    if (!el || w === 0 || h === 0 || architecture.length === 0) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = Math.round(w * dpr);
    el.height = Math.round(h * dpr);
    const ctx = el.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const p = palette();
    const widths = [architecture[0]!.input_dim, ...architecture.map((l) => l.output_dim)];
    const padX = 26, padTop = 18, padBottom = 22;
    const colX = (c: number) => padX + (c * (w - 2 * padX)) / Math.max(1, widths.length - 1);
    const rowY = (c: number, i: number) => {
      const n = widths[c]!;
      const span = Math.min(h - padTop - padBottom, n * 14);
      const top = padTop + (h - padTop - padBottom - span) / 2;
      return n === 1 ? padTop + (h - padTop - padBottom) / 2 : top + (i * span) / (n - 1);
    };
    // The weights by layer; a shape mismatch (a stale snapshot of another architecture) draws no weights.
    const Ws = weights?.filter((q) => q.name.startsWith('W')) ?? [];
    const fits = Ws.length === architecture.length && architecture.every((l, i) => Ws[i]!.rows === l.output_dim && Ws[i]!.cols === l.input_dim);
    for (let l = 0; l < architecture.length; l++) {
      // scaled per layer: a wide layer's many small weights would otherwise vanish next to a narrow layer's few
      let maxAbs = 0;
      if (fits) for (const v of Ws[l]!.data) maxAbs = Math.max(maxAbs, Math.abs(v));
      const nin = widths[l]!, nout = widths[l + 1]!;
      const x0 = colX(l), x1 = colX(l + 1);
      if (!fits || maxAbs === 0) {
        ctx.strokeStyle = p.line;
        ctx.lineWidth = 0.5;
        ctx.beginPath();
        for (let j = 0; j < nout; j++) for (let i = 0; i < nin; i++) {
          ctx.moveTo(x0, rowY(l, i));
          ctx.lineTo(x1, rowY(l + 1, j));
        }
        ctx.stroke();
        continue;
      }
      const W = Ws[l]!;
      // two passes (negative, positive) with edges bucketed by strength: few state changes, strong ones on top
      const buckets = 8;
      const dense = nin * nout > 400; // thin the crowd: weak edges of big layers fade out
      for (const sign of [-1, 1]) {
        for (let k = 0; k < buckets; k++) {
          const lo = k / buckets, hi = (k + 1) / buckets;
          ctx.beginPath();
          let any = false;
          for (let j = 0; j < nout; j++) for (let i = 0; i < nin; i++) {
            const v = W.data[j * nin + i]!;
            const s = Math.abs(v) / maxAbs;
            if (Math.sign(v) !== sign || s < lo || s >= hi + (k === buckets - 1 ? 1e-9 : 0)) continue;
            ctx.moveTo(x0, rowY(l, i));
            ctx.lineTo(x1, rowY(l + 1, j));
            any = true;
          }
          if (!any) continue;
          const mid = (lo + hi) / 2;
          ctx.strokeStyle = sign > 0 ? p.pos : p.neg;
          ctx.globalAlpha = dense ? 0.02 + 0.75 * mid * mid : 0.1 + 0.8 * mid;
          ctx.lineWidth = (dense ? 0.25 : 0.5) + (dense ? 2.2 : 3.2) * mid;
          ctx.stroke();
        }
      }
      ctx.globalAlpha = 1;
    }
    for (let c = 0; c < widths.length; c++) {
      const n = widths[c]!;
      const r = Math.max(1.6, Math.min(5, (h - padTop - padBottom) / n / 2.6));
      ctx.fillStyle = p.card;
      ctx.strokeStyle = p.muted;
      ctx.lineWidth = 1;
      for (let i = 0; i < n; i++) {
        ctx.beginPath();
        ctx.arc(colX(c), rowY(c, i), r, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
      ctx.fillStyle = p.muted;
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      const label = c === 0 ? `in ${n}` : `${n} ${architecture[c - 1]!.activation}`;
      ctx.fillText(label, colX(c), h - 6);
    }
  }, [architecture, weights, size, theme]);

  return <canvas ref={canvas} className="network" data-testid="network-diagram" data-weighted={weights ? 'yes' : 'no'} role="img" aria-label="network diagram: edge width is |w|, colour its sign" />;
}
