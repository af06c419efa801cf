// The loss landscape around a stored run (runs.landscape: the train cost on the plane θ* + α·δ + β·η through its final
// weights, along two seeded filter-normalised random directions; Li et al., 2018) as a heatmap with contour lines and
// a colour legend, the final weights at the centre and the training trajectory — its starting weights and periodic
// checkpoints projected on the plane — drawn over it. Computed on demand.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { BackpropLabApi, Landscape } from '../api';
import { LANDSCAPE_DEFAULTS, LANDSCAPE_LIMITS } from '../../../engine/landscape-limits';
import { fmtCost, fmtInt } from '../lib/format';
import { costColor, contourSegments, costLevels, type Rgb } from '../lib/landscape';
import { palette } from '../lib/theme';
import { NumberField } from './fields';
import '../styles/inspect.css';
import { sizedContext } from '../lib/canvas';

/** The contract's limits and the engine's defaults (one declaration: engine/landscape-limits.ts); seeds are uint32. */
const GRID = { min: LANDSCAPE_LIMITS.gridMin, max: LANDSCAPE_LIMITS.gridMax, initial: LANDSCAPE_DEFAULTS.grid };
const SPAN = { max: LANDSCAPE_LIMITS.spanMax, initial: LANDSCAPE_DEFAULTS.span };
const SEED_MAX = 0xffffffff;

export function LandscapeView({ api, runId, canCompute, why, theme }: { api: BackpropLabApi; runId: string; canCompute: boolean; why: string; theme: string }) {
  const [grid, setGrid] = useState<number | null>(GRID.initial);
  const [span, setSpan] = useState<number | null>(SPAN.initial);
  const [seed, setSeed] = useState<number | null>(LANDSCAPE_DEFAULTS.seed);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ runId: string; landscape: Landscape } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = result && result.runId === runId ? result.landscape : null;

  const valid = grid !== null && Number.isInteger(grid) && grid >= GRID.min && grid <= GRID.max && span !== null && span > 0 && span <= SPAN.max && seed !== null && Number.isInteger(seed) && seed >= 0 && seed <= SEED_MAX;

  const compute = async () => {
    if (!valid || busy) return;
    setBusy(true);
    setError(null);
    const at = runId;
    try {
      const r = await api.runs.landscape({ runId: at, grid: grid!, span: span!, seed: seed! });
      if (r.ok) setResult({ runId: at, landscape: r.value });
      else setError(r.error.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card landscape" data-testid="landscape">
      <header className="section-head">
        <h3>
          Loss landscape <span className="muted small">train cost on a plane through the final weights</span>
        </h3>
      </header>
      <form
        className="landscape-controls"
        onSubmit={(e) => {
          e.preventDefault();
          void compute();
        }}
      >
        <label>
          grid <NumberField value={grid} onChange={setGrid} integer min={GRID.min} max={GRID.max} field="Landscape grid" testId="landscape-grid" />
        </label>
        <label>
          span ± <NumberField value={span} onChange={setSpan} min={0} minExclusive max={SPAN.max} field="Landscape span" testId="landscape-span" />
        </label>
        <label>
          seed <NumberField value={seed} onChange={setSeed} integer min={0} max={SEED_MAX} field="Landscape seed" testId="landscape-seed" />
        </label>
        <button type="submit" className="btn small primary" disabled={!canCompute || !valid || busy} data-testid="landscape-compute" aria-busy={busy}>
          {busy ? 'Computing…' : shown ? 'Recompute' : 'Compute landscape'}
        </button>
      </form>
      {!canCompute && <p className="muted small">{why}</p>}
      {busy && (
        <p className="muted small" data-testid="landscape-busy">
          Evaluating the cost at {fmtInt((grid ?? 0) ** 2)} points of the plane…
        </p>
      )}
      {error && (
        <p className="inline-error" data-testid="landscape-error">
          {error}
        </p>
      )}
      {shown && <LandscapeMap landscape={shown} theme={theme} />}
    </section>
  );
}

const MAP = 340; // css px of the square map
const LEGEND_W = 14;

function LandscapeMap({ landscape: l, theme }: { landscape: Landscape; theme: string }) {
  const map = useRef<HTMLCanvasElement>(null);
  const legend = useRef<HTMLCanvasElement>(null);
  const levels = useMemo(() => costLevels(l.cost), [l]);
  const traj = useMemo(() => l.trajectory ?? [], [l]);
  const outside = traj.filter((t) => Math.abs(t.alpha) > l.span || Math.abs(t.beta) > l.span).length;
  const start = traj[0];

  useEffect(() => {
    const c = map.current, g = legend.current;
    if (!c || !g || !levels) return;
    const p = palette();
    const ctx = sizedContext(c, MAP, MAP);
    const n = l.grid;
    // heatmap: one cell per grid point, centred on it (β rows go up the canvas)
    const cell = MAP / n;
    const fg = hex(p.fg);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const v = l.cost[j]![i];
        const col: Rgb = v === null || v === undefined ? fg : costColor(levels.t(v));
        ctx.fillStyle = v === null || v === undefined ? `rgba(${col.join(',')},0.15)` : `rgb(${col.join(',')})`;
        ctx.fillRect(i * cell, MAP - (j + 1) * cell, cell + 0.5, cell + 0.5);
      }
    }
    // contour lines of log cost, between grid points (marching squares)
    const toPx = (gi: number, gj: number): [number, number] => [(gi + 0.5) * cell, MAP - (gj + 0.5) * cell];
    ctx.strokeStyle = 'rgba(255,255,255,0.55)';
    ctx.lineWidth = 0.9;
    ctx.beginPath();
    for (const level of levels.lines) {
      for (const [a, b] of contourSegments(l.cost, level, levels.f)) {
        const [x0, y0] = toPx(a[0], a[1]), [x1, y1] = toPx(b[0], b[1]);
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
      }
    }
    ctx.stroke();
    // (α, β) → px: grid point i sits at alphas[i]
    const span = l.span;
    const ax = (a: number) => ((a + span) / (2 * span)) * (MAP - cell) + cell / 2;
    const by = (b: number) => MAP - (((b + span) / (2 * span)) * (MAP - cell) + cell / 2);
    // the trajectory, clipped to the map
    if (traj.length > 0) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, 0, MAP, MAP);
      ctx.clip();
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2.6;
      ctx.beginPath();
      traj.forEach((t, k) => (k === 0 ? ctx.moveTo(ax(t.alpha), by(t.beta)) : ctx.lineTo(ax(t.alpha), by(t.beta))));
      ctx.lineTo(ax(0), by(0));
      ctx.stroke();
      ctx.strokeStyle = '#d6453d';
      ctx.lineWidth = 1.4;
      ctx.stroke();
      ctx.fillStyle = '#d6453d';
      for (const t of traj) {
        ctx.beginPath();
        ctx.arc(ax(t.alpha), by(t.beta), 1.8, 0, Math.PI * 2);
        ctx.fill();
      }
      if (start) {
        ctx.fillStyle = '#ffffff';
        ctx.strokeStyle = '#d6453d';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(ax(start.alpha), by(start.beta), 4, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
      ctx.restore();
    }
    // the final weights: the centre
    ctx.fillStyle = '#ffffff';
    ctx.strokeStyle = '#1b2030';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(ax(0), by(0) - 6);
    for (let k = 1; k <= 10; k++) {
      const r = k % 2 ? 2.6 : 6;
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      ctx.lineTo(ax(0) + r * Math.cos(a), by(0) + r * Math.sin(a));
    }
    ctx.fill();
    ctx.stroke();

    // the legend: low cost at the bottom
    const h = MAP;
    const gc = sizedContext(g, LEGEND_W, h);
    for (let y = 0; y < h; y++) {
      gc.fillStyle = `rgb(${costColor(1 - y / (h - 1)).join(',')})`;
      gc.fillRect(0, y, LEGEND_W, 1);
    }
  }, [l, levels, traj, start, theme]);

  if (!levels) return <p className="muted small">The cost is not finite anywhere on this plane; try a smaller span.</p>;
  const ticks = levels.ticks;
  return (
    <div className="landscape-body">
      <div className="landscape-figure">
        <span className="landscape-axis-y muted small">β ∈ [−{l.span}, {l.span}]</span>
        <canvas ref={map} style={{ width: MAP, height: MAP }} data-testid="landscape-map" data-grid={l.grid} data-trajectory={traj.length} />
        <span className="landscape-axis-x muted small">α ∈ [−{l.span}, {l.span}] (seed {l.seed})</span>
      </div>
      <div className="landscape-legend" data-testid="landscape-legend">
        <span className="small muted">cost</span>
        <div className="landscape-legend-bar">
          <canvas ref={legend} style={{ width: LEGEND_W, height: MAP }} />
          <div className="landscape-ticks tnum small">
            {ticks.map((t) => (
              <span key={t.at} style={{ bottom: `${t.at * 100}%` }}>
                {fmtCost(t.value)}
              </span>
            ))}
          </div>
        </div>
      </div>
      <div className="landscape-notes small">
        <p>
          <span className="key-star">★</span> final weights, cost {fmtCost(l.cost[(l.grid - 1) >> 1]?.[(l.grid - 1) >> 1] ?? null)}
          {l.grid % 2 === 0 ? ' (nearest grid point)' : ''}
        </p>
        {traj.length > 0 ? (
          <>
            <p data-testid="landscape-trajectory">
              <span className="key-path" /> trajectory: {fmtInt(traj.length)} stored weight sets from epoch {fmtInt(traj[0]!.epoch)} to {fmtInt(traj[traj.length - 1]!.epoch)}
              {start ? <> (○ the start)</> : null}
              {outside ? `; ${fmtInt(outside)} lie beyond ±${l.span}, off the map` : ''}
            </p>
            <p className="muted">
              The points are the nearest ones on this plane: the path lies {Math.round(median(traj.map((t) => t.offPlane)) * 100)} % off it (median), as
              random directions are nearly orthogonal to it — a larger span shows more of the path.
            </p>
          </>
        ) : (
          <p className="muted">No checkpoints stored for this run, so no trajectory (runs recorded before checkpoints existed).</p>
        )}
      </div>
    </div>
  );
}

function median(v: number[]): number {
  if (v.length === 0) return 0;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function hex(h: string): Rgb {
  const n = parseInt(h.replace('#', '').slice(0, 6), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
