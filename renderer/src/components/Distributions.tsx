// Weight and gradient distributions over time, per layer, as TensorBoard's distributions chart draws them: nested
// bands min–max, p10–p90 and p25–p75 around the median, by epoch. A live run's come from its snapshots (weights and
// gradients); a stored run's from its starting weights and periodic checkpoints (runs.distributions: weights only).
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ChartDataset } from 'chart.js';
import type { BackpropLabApi, LayerDistribution, WeightHistory } from '../api';
import { Chart, lineOptions, withAlpha } from '../lib/charts';
import { fmtInt } from '../lib/format';
import { palette } from '../lib/theme';
import { isActive, type LiveRun } from '../live/run';
import { Segmented } from './fields';
import '../styles/inspect.css';
import { useAfterPaint } from '../lib/draw-scheduler';

type Kind = 'weights' | 'grads';
const KINDS: ReadonlyArray<{ value: Kind; label: string }> = [
  { value: 'weights', label: 'Weights W' },
  { value: 'grads', label: 'Gradients dW' },
];

/** The points to draw: epochs and, per epoch, every layer's distributions. */
interface Points {
  epoch: number[];
  points: LayerDistribution[][];
  /** Where they come from, in words. */
  source: string;
}

/** The live series' length, as a React store value (re-render when a snapshot added a point). */
function useLiveCount(run: LiveRun): number {
  return useSyncExternalStore(
    (l) => run.onSnapshot(l),
    () => run.distributions.epoch.length,
  );
}

export function Distributions({ run, api, runId, theme }: { run: LiveRun; api: BackpropLabApi; runId: string; theme: string }) {
  const liveCount = useLiveCount(run);
  const phase = useSyncExternalStore(run.subscribe, () => run.getView().phase);
  const [stored, setStored] = useState<{ runId: string; history: WeightHistory } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<Kind>('weights');
  const live = run.distributions;
  const ended = !isActive(phase);

  // once the run has ended: its stored weight sets (start, every checkpoint, final), usually more than the snapshots seen
  useEffect(() => {
    if (!ended) return;
    let gone = false;
    void api.runs.distributions({ runId }).then((r) => {
      if (gone) return;
      if (r.ok) {
        setStored({ runId, history: r.value });
        setError(null);
      } else setError(r.error.message);
    });
    return () => {
      gone = true;
    };
  }, [api, runId, ended]);

  // one object per new point (the live arrays grow in place): the charts rebuild when it changes, not every render
  const liveData: Points | null = useMemo(
    () => (liveCount > 0 ? { epoch: live.epoch, points: live.points, source: `${fmtInt(liveCount)} snapshots of this run` } : null),
    [live, liveCount],
  );
  const storedData: Points | null = useMemo(
    () =>
      stored && stored.runId === runId
        ? { epoch: stored.history.points.map((p) => p.epoch), points: stored.history.points.map((p) => p.layers), source: `${fmtInt(stored.history.points.length)} stored weight sets (start, checkpoints, final)` }
        : null,
    [stored, runId],
  );
  // weights: the stored sets when they are more than the snapshots; gradients: only the snapshots carry them
  const hasGrads = Boolean(liveData?.points.some((p) => p.some((l) => l.grads !== null)));
  const shown: Kind = kind === 'grads' && !hasGrads ? 'weights' : kind;
  const weightsData = storedData && storedData.epoch.length >= liveCount ? storedData : liveData;
  const data = shown === 'grads' ? liveData : weightsData;
  const layers = data?.points.at(-1)?.length ?? 0;

  return (
    <section className="card distributions" data-testid="distributions">
      <header className="section-head">
        <h3>
          Distributions over time <span className="muted small">{data ? data.source : ''}</span>
        </h3>
        <Segmented<Kind>
          value={shown}
          options={hasGrads ? KINDS : KINDS.slice(0, 1)}
          onChange={setKind}
          testId="dist-kind"
        />
      </header>
      <p className="muted small">
        Per layer: min–max, p10–p90 and p25–p75 bands around the median, by epoch.
        {data && !hasGrads ? ' Gradients come from the snapshots while a run trains in this window; a stored run keeps its weights only.' : ''}
      </p>
      {error && <p className="inline-error">{error}</p>}
      {!data || data.epoch.length === 0 ? (
        <p className="muted small" data-testid="dist-empty">
          {isActive(phase) ? 'Waiting for the first snapshot…' : error ? '' : 'Loading the stored weights…'}
        </p>
      ) : (
        <div className="dist-grid">
          {Array.from({ length: layers }, (_, i) => (
            <LayerChart key={i} layer={i} data={data} kind={shown} theme={theme} count={data.epoch.length} />
          ))}
        </div>
      )}
    </section>
  );
}

type Pt = { x: number; y: number | null };

const BANDS: Array<[lo: number, hi: number, alpha: number]> = [
  [0, 6, 0.14], // min–max
  [1, 5, 0.22], // p10–p90
  [2, 4, 0.34], // p25–p75
];

/** One layer's bands and median over the epochs. */
function LayerChart({ layer, data, kind, theme, count }: { layer: number; data: Points; kind: Kind; theme: string; count: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', Pt[]> | null>(null);
  const painted = useAfterPaint();
  // built once per layer, kind and theme, after the page first painted; a new point (a live run's snapshot, a few a
  // second) only refills its data
  useEffect(() => {
    if (!painted || !canvas.current) return;
    const p = palette();
    const color = p.series[layer % p.series.length]!;
    const datasets: ChartDataset<'line', Pt[]>[] = [];
    for (const [lo, hi, alpha] of BANDS) {
      datasets.push({ label: `p${lo}`, data: [], borderColor: 'transparent', backgroundColor: 'transparent', borderWidth: 0, fill: false });
      datasets.push({ label: `p${hi}`, data: [], borderColor: 'transparent', backgroundColor: withAlpha(color, alpha), borderWidth: 0, fill: '-1' });
    }
    datasets.push({ label: 'median', data: [], borderColor: color, backgroundColor: color, borderWidth: 1.6, fill: false });
    const options = lineOptions({ xTitle: 'epoch', yTitle: kind === 'weights' ? `W${layer + 1}` : `dW${layer + 1}`, legend: false });
    options.plugins!.tooltip = { ...options.plugins!.tooltip, filter: (item) => item.dataset.label === 'median' };
    const c = new Chart(canvas.current, { type: 'line', data: { datasets }, options });
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, [layer, kind, theme, painted]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const series = (q: number) =>
      data.epoch.map((x, k) => {
        const d = data.points[k]?.[layer];
        const v = d ? (kind === 'weights' ? d.weights : d.grads)?.[q] : undefined;
        return { x, y: v === undefined || !Number.isFinite(v) ? null : v };
      });
    // the datasets in the order built above: each band's low and high percentile, then the median
    const quantiles = [...BANDS.flatMap(([lo, hi]) => [lo, hi]), 3];
    quantiles.forEach((q, i) => (c.data.datasets[i]!.data = series(q)));
    c.update('none');
  }, [layer, data, kind, theme, count, painted]);
  return (
    <figure className="dist-chart" data-testid="dist-chart" data-layer={layer + 1} data-points={count}>
      <figcaption className="small muted">Layer {layer + 1}</figcaption>
      <div className="mini-chart">
        <canvas ref={canvas} />
      </div>
    </figure>
  );
}
