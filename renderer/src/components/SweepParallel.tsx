// The parallel-coordinates plot of a sweep: one vertical axis per hyperparameter (a log axis for the learning rate)
// and one for the metric, one line per trial coloured by its metric. Dragging along an axis brushes a range; the
// trials whose lines pass every brush stay coloured and the others fade (onFilter tells the table).
// Three stacked canvases: the bottom one holds every line in grey and the top one the axes and their labels, both
// drawn only when the trials, the size or the theme change; the middle one holds the brushed lines, the best trial
// and the brushes, and is redrawn (at most once per animation frame) while a brush moves.
import { useEffect, useRef } from 'react';
import { axisTicks, colourIndex, METRIC_COLOURS, passingTrials, type Axis, type Brushes } from '../lib/sweep-axes';
import { palette } from '../lib/theme';

const PAD = { top: 40, bottom: 22, left: 46, right: 46 };
/** The best trial's line: the table's ★ colour. */
const BEST = '#d4a106';

interface Props {
  axes: Axis[];
  /** Row-major positions (trial · axes + axis), from sweep-axes' positions(). */
  pos: Float32Array;
  metric: string;
  /** Index (in the trials array) of the best trial, or -1. */
  best: number;
  theme: string;
  /** Called with the indices of the trials that pass every brush, or null when nothing is brushed. */
  onFilter: (passing: Set<number> | null) => void;
}

export function SweepParallel({ axes, pos, metric, best, theme, onFilter }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const top = useRef<HTMLCanvasElement>(null);
  const labels = useRef<HTMLCanvasElement>(null);
  const brushes = useRef<Brushes>({});
  const frames = useRef(0);
  const drawMs = useRef(0);
  const onFilterRef = useRef(onFilter);
  useEffect(() => {
    onFilterRef.current = onFilter;
  }, [onFilter]);

  useEffect(() => {
    const el = box.current, b = base.current, t = top.current, l = labels.current;
    if (!el || !b || !t || !l) return;
    // brushes on axes that no longer exist are dropped
    for (const k of Object.keys(brushes.current)) if (!axes.some((a) => a.key === k)) delete brushes.current[k];
    const n = axes.length ? pos.length / axes.length : 0;
    let w = 0, h = 0, dpr = 1;
    const xOf = (j: number) => PAD.left + (axes.length > 1 ? (j * (w - PAD.left - PAD.right)) / (axes.length - 1) : (w - PAD.left - PAD.right) / 2);
    const yOf = (p: number) => PAD.top + (1 - p) * (h - PAD.top - PAD.bottom);
    const pOf = (y: number) => Math.max(0, Math.min(1, 1 - (y - PAD.top) / (h - PAD.top - PAD.bottom)));
    const colours = new Int8Array(n);
    const mj = axes.findIndex((a) => a.metric);
    for (let i = 0; i < n; i++) colours[i] = colourIndex(mj >= 0 ? pos[i * axes.length + mj]! : NaN, metric);

    const trace = (ctx: CanvasRenderingContext2D, i: number) => {
      let pen = false;
      for (let j = 0; j < axes.length; j++) {
        const p = pos[i * axes.length + j]!;
        if (!Number.isFinite(p)) {
          pen = false;
          continue;
        }
        const x = xOf(j), y = yOf(p);
        if (pen) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        pen = true;
      }
    };

    const drawBase = () => {
      const p = palette();
      const ctx = b.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      // every line, faint: one path
      ctx.strokeStyle = p.muted;
      ctx.globalAlpha = n > 300 ? 0.12 : 0.22;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i < n; i++) trace(ctx, i);
      ctx.stroke();
      ctx.globalAlpha = 1;
    };

    // the axes, their titles and ticks: a layer above the lines (so no line hides a label), drawn with the base
    const drawLabels = () => {
      const p = palette();
      const ctx = l.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      const spacing = axes.length > 1 ? (w - PAD.left - PAD.right) / (axes.length - 1) : w;
      // titles alternate between two rows when the axes are close, and are cut to the room they have
      const stagger = spacing < 120;
      const fit = (text: string, room: number) => {
        if (ctx.measureText(text).width <= room) return text;
        let s = text;
        while (s.length > 1 && ctx.measureText(s + '…').width > room) s = s.slice(0, -1);
        return s + '…';
      };
      ctx.lineJoin = 'round';
      axes.forEach((a, j) => {
        const x = xOf(j);
        ctx.strokeStyle = p.fg;
        ctx.globalAlpha = 0.55;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(Math.round(x) + 0.5, yOf(1));
        ctx.lineTo(Math.round(x) + 0.5, yOf(0));
        ctx.stroke();
        ctx.globalAlpha = 1;
        // the end axes' titles lean inwards so they stay inside the canvas
        ctx.textAlign = axes.length > 1 && j === 0 ? 'left' : axes.length > 1 && j === axes.length - 1 ? 'right' : 'center';
        ctx.font = '600 11.5px system-ui, sans-serif';
        ctx.fillStyle = p.fg;
        const title = fit(a.label + (a.scale === 'log' ? ' (log)' : ''), (stagger ? 2 : 1) * spacing - 10);
        ctx.fillText(title, ctx.textAlign === 'left' ? x - 10 : ctx.textAlign === 'right' ? x + 10 : x, stagger && j % 2 ? 26 : 12);
        ctx.font = '10.5px system-ui, sans-serif';
        const ticks = axisTicks(a);
        const every = Math.max(1, Math.ceil(ticks.length / Math.max(2, Math.floor((h - PAD.top - PAD.bottom) / 16))));
        ticks.forEach(([tp, text], k) => {
          if (k % every) return;
          const y = yOf(tp);
          ctx.fillStyle = p.fg;
          ctx.fillRect(Math.round(x) - 3, Math.round(y), 7, 1);
          ctx.textAlign = j === axes.length - 1 ? 'left' : 'right';
          const label = fit(text, Math.max(30, Math.min(90, spacing - 14)));
          const tx = j === axes.length - 1 ? x + 6 : x - 6;
          // a halo in the card's colour keeps the label legible over the lines
          ctx.strokeStyle = p.card;
          ctx.lineWidth = 3;
          ctx.strokeText(label, tx, y + 3.5);
          ctx.fillStyle = p.muted;
          ctx.fillText(label, tx, y + 3.5);
        });
      });
    };

    const drawTop = () => {
      const started = performance.now();
      frames.current++;
      el.dataset['frames'] = String(frames.current);
      const p = palette();
      const ctx = t.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      const passing = passingTrials(pos, axes, brushes.current);
      // one path per colour: 64 strokes at most whatever the number of trials
      ctx.lineWidth = n > 300 ? 1 : 1.6;
      ctx.globalAlpha = n > 300 ? 0.55 : 0.85;
      for (let c = -1; c < 64; c++) {
        ctx.beginPath();
        let any = false;
        for (let i = 0; i < n; i++) {
          if (colours[i] !== c || (passing && !passing.has(i))) continue;
          trace(ctx, i);
          any = true;
        }
        if (!any) continue;
        ctx.strokeStyle = c < 0 ? p.muted : METRIC_COLOURS[c]!;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      if (best >= 0 && best < n && (!passing || passing.has(best))) {
        ctx.lineWidth = 4;
        ctx.strokeStyle = p.card;
        ctx.beginPath();
        trace(ctx, best);
        ctx.stroke();
        ctx.lineWidth = 2.2;
        ctx.strokeStyle = BEST;
        ctx.beginPath();
        trace(ctx, best);
        ctx.stroke();
      }
      // the brushes
      axes.forEach((a, j) => {
        const br = brushes.current[a.key];
        if (!br) return;
        const x = xOf(j), y0 = yOf(br[1]), y1 = yOf(br[0]);
        ctx.fillStyle = p.train;
        ctx.globalAlpha = 0.18;
        ctx.fillRect(x - 8, y0, 16, Math.max(2, y1 - y0));
        ctx.globalAlpha = 1;
        ctx.strokeStyle = p.train;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x - 8 + 0.5, y0 + 0.5, 15, Math.max(2, y1 - y0) - 1);
      });
      el.dataset['shown'] = String(passing ? passing.size : n);
      // what the redraws cost, for scripts/bench-sweep-ui.ts
      drawMs.current += performance.now() - started;
      el.dataset['drawMs'] = drawMs.current.toFixed(1);
      return passing;
    };

    // redraws of the top layer: at most one per frame; the table hears of it at most every 120 ms, and at the end
    let frame = 0, lastSent = 0, pendingSend: ReturnType<typeof setTimeout> | null = null;
    const send = (passing: Set<number> | null) => {
      const now = performance.now();
      if (pendingSend) clearTimeout(pendingSend);
      pendingSend = null;
      if (now - lastSent >= 120) {
        lastSent = now;
        onFilterRef.current(passing);
      } else pendingSend = setTimeout(() => send(passingTrials(pos, axes, brushes.current)), 120 - (now - lastSent));
    };
    const schedule = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        send(drawTop());
      });
    };

    const resize = () => {
      dpr = window.devicePixelRatio || 1;
      w = el.clientWidth;
      h = el.clientHeight;
      for (const c of [b, t, l]) {
        c.width = Math.max(1, Math.round(w * dpr));
        c.height = Math.max(1, Math.round(h * dpr));
      }
      drawBase();
      drawLabels();
      drawTop();
    };
    resize();
    onFilterRef.current(passingTrials(pos, axes, brushes.current));
    const ro = new ResizeObserver(resize);
    ro.observe(el);

    // brushing: press on an axis, drag along it; a click without a drag clears that axis' brush
    let drag: { key: string; from: number; moved: boolean } | null = null;
    const local = (e: PointerEvent) => {
      const r = l.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const down = (e: PointerEvent) => {
      const { x, y } = local(e);
      if (y < PAD.top - 8 || y > h - PAD.bottom + 8) return;
      let j = -1, dist = 20;
      axes.forEach((_, k) => {
        const d = Math.abs(xOf(k) - x);
        if (d < dist) (dist = d), (j = k);
      });
      if (j < 0) return;
      drag = { key: axes[j]!.key, from: pOf(y), moved: false };
      l.setPointerCapture(e.pointerId);
      e.preventDefault();
    };
    const move = (e: PointerEvent) => {
      if (!drag) return;
      const p = pOf(local(e).y);
      if (Math.abs(yOf(p) - yOf(drag.from)) < 3 && !drag.moved) return;
      drag.moved = true;
      brushes.current[drag.key] = [Math.min(drag.from, p), Math.max(drag.from, p)];
      schedule();
    };
    const up = () => {
      if (!drag) return;
      if (!drag.moved) delete brushes.current[drag.key];
      drag = null;
      if (frame) cancelAnimationFrame(frame), (frame = 0);
      const passing = drawTop();
      if (pendingSend) clearTimeout(pendingSend), (pendingSend = null);
      lastSent = performance.now();
      onFilterRef.current(passing);
    };
    const clearAll = () => {
      brushes.current = {};
      up();
      const passing = drawTop();
      onFilterRef.current(passing);
    };
    l.addEventListener('pointerdown', down);
    l.addEventListener('pointermove', move);
    l.addEventListener('pointerup', up);
    l.addEventListener('pointercancel', up);
    l.addEventListener('dblclick', clearAll);
    return () => {
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
      if (pendingSend) clearTimeout(pendingSend);
      l.removeEventListener('pointerdown', down);
      l.removeEventListener('pointermove', move);
      l.removeEventListener('pointerup', up);
      l.removeEventListener('pointercancel', up);
      l.removeEventListener('dblclick', clearAll);
    };
  }, [axes, pos, metric, best, theme]);

  return (
    <div className="parcoords" ref={box} data-testid="sweep-parcoords">
      <canvas ref={base} aria-hidden="true" />
      <canvas ref={top} aria-hidden="true" />
      <canvas ref={labels} role="img" aria-label="parallel coordinates: one line per trial; drag along an axis to filter, double-click to clear" />
    </div>
  );
}
