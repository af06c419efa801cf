// The axes of a sweep's plots: one per swept parameter (numbers on a linear or log scale, names as categories)
// and one for the metric, each mapping a trial to a position in [0, 1]. Shared by the parallel-coordinates plot,
// the scatter and the table's filter.
import type { LayerSpec, SweepTrialInfo } from '../api';
import { layerWidths } from '../../../engine/architecture';

export interface Axis {
  key: string;
  label: string;
  scale: 'linear' | 'log' | 'category';
  min: number;
  max: number;
  /** For 'category': the names in order (position i/(n−1)). */
  categories: string[];
  /** The axis of the metric (last). */
  metric: boolean;
}

/** The metric's value of a trial (null until it has one). */
export function metricValue(t: SweepTrialInfo, metric: string): number | null {
  const v = metric === 'cost' ? t.finalCost : metric === 'testCost' ? t.testCost : metric === 'testAccuracy' ? t.testAccuracy : null;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export const lowerIsBetter = (metric: string) => metric === 'cost' || metric === 'testCost';

/** How a parameter's value is shown: an arch list as its widths ("2-8-1"). */
export function paramText(v: unknown): string {
  if (Array.isArray(v)) return layerWidths(v as LayerSpec[]);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  return String(v);
}

export const PARAM_LABELS: Record<string, string> = { lr: 'learning rate', seed: 'init seed', arch: 'architecture', 'batch-size': 'batch size', l2: 'L2 λ' };

/** The axes for a sweep's trials: its parameters in the spec's order, then the metric. */
export function buildAxes(trials: readonly SweepTrialInfo[], metric: string, logKeys: ReadonlySet<string> = new Set()): Axis[] {
  const keys: string[] = [];
  for (const t of trials) for (const k of Object.keys(t.params)) if (!keys.includes(k)) keys.push(k);
  const axes: Axis[] = keys.map((key) => {
    const values = trials.map((t) => t.params[key]).filter((v) => v !== undefined);
    const numeric = values.length > 0 && values.every((v) => typeof v === 'number');
    if (numeric) {
      const nums = values as number[];
      let min = Math.min(...nums), max = Math.max(...nums);
      const log = (key === 'lr' || logKeys.has(key)) && min > 0;
      if (min === max) {
        min = log ? min / 2 : min - 1;
        max = log ? max * 2 : max + 1;
      }
      return { key, label: PARAM_LABELS[key] ?? key, scale: log ? 'log' : 'linear', min, max, categories: [], metric: false };
    }
    const categories: string[] = [];
    for (const v of values) {
      const s = paramText(v);
      if (!categories.includes(s)) categories.push(s);
    }
    return { key, label: PARAM_LABELS[key] ?? key, scale: 'category', min: 0, max: Math.max(1, categories.length - 1), categories, metric: false };
  });
  const mv = trials.map((t) => metricValue(t, metric)).filter((v): v is number => v !== null);
  let min = mv.length ? Math.min(...mv) : 0, max = mv.length ? Math.max(...mv) : 1;
  if (min === max) (min -= Math.abs(min) * 0.1 || 0.5), (max += Math.abs(max) * 0.1 || 0.5);
  axes.push({ key: '$metric', label: metric, scale: 'linear', min, max, categories: [], metric: true });
  return axes;
}

/** A value's position on the axis in [0, 1] (NaN when it has none). */
export function position(axis: Axis, v: unknown): number {
  if (v === undefined || v === null) return NaN;
  if (axis.scale === 'category') {
    const i = axis.categories.indexOf(paramText(v));
    return i < 0 ? NaN : axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return NaN;
  if (axis.scale === 'log') return (Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
  return (v - axis.min) / (axis.max - axis.min);
}

/** Every trial's position on every axis, row-major (trial · axes + axis), for drawing and filtering. */
export function positions(trials: readonly SweepTrialInfo[], axes: readonly Axis[], metric: string): Float32Array {
  const out = new Float32Array(trials.length * axes.length);
  trials.forEach((t, i) => {
    axes.forEach((a, j) => {
      out[i * axes.length + j] = position(a, a.metric ? metricValue(t, metric) : t.params[a.key]);
    });
  });
  return out;
}

/** Ticks to label an axis: [position, text]. */
export function axisTicks(axis: Axis): Array<[number, string]> {
  if (axis.scale === 'category') return axis.categories.map((c, i) => [axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1), c]);
  const fmt = (v: number) => (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(0) : String(Number(v.toPrecision(3))));
  if (axis.scale === 'log') {
    // powers of ten; 1-2-5 steps as well when the range spans little more than a decade
    const lo = Math.floor(Math.log10(axis.min)), hi = Math.ceil(Math.log10(axis.max));
    const inside = (v: number) => v >= axis.min * (1 - 1e-9) && v <= axis.max * (1 + 1e-9);
    const decades: number[] = [], steps: number[] = [];
    for (let e = lo; e <= hi; e++) {
      const d = Number((10 ** e).toPrecision(12));
      if (inside(d)) decades.push(d);
      for (const m of [1, 2, 5]) if (inside(Number((m * 10 ** e).toPrecision(12)))) steps.push(Number((m * 10 ** e).toPrecision(12)));
    }
    const chosen = decades.length >= 3 ? decades : steps.length >= 2 ? steps : [];
    if (chosen.length < 2) return [[0, fmt(axis.min)], [1, fmt(axis.max)]];
    return chosen.map((v) => [position(axis, v), fmt(v)]);
  }
  return [0, 0.5, 1].map((p) => [p, fmt(axis.min + p * (axis.max - axis.min))]);
}

/** 64 colours from good (0) to bad (1): green → amber → red, readable on both themes. */
export const METRIC_COLOURS: string[] = Array.from({ length: 64 }, (_, i) => {
  const t = i / 63;
  const hue = 150 - 140 * t;
  return `hsl(${hue.toFixed(0)} 70% 45%)`;
});

/** A trial's colour index (0 = best) from its metric position on the metric axis. */
export function colourIndex(metricPos: number, metric: string): number {
  if (!Number.isFinite(metricPos)) return -1;
  const goodness = lowerIsBetter(metric) ? metricPos : 1 - metricPos;
  return Math.max(0, Math.min(63, Math.round(goodness * 63)));
}

/** Brushes by axis key: [low, high] positions in [0, 1]. */
export type Brushes = Record<string, [number, number]>;

/** The indices of the trials whose positions lie inside every brush (null: no brush). */
export function passingTrials(pos: Float32Array, axes: readonly Axis[], brushes: Brushes): Set<number> | null {
  const active = axes.map((a, j) => [j, brushes[a.key]] as const).filter(([, b]) => b);
  if (active.length === 0) return null;
  const n = axes.length ? pos.length / axes.length : 0;
  const out = new Set<number>();
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (const [j, b] of active) {
      const p = pos[i * axes.length + j]!;
      if (!(p >= b![0] - 1e-6 && p <= b![1] + 1e-6)) {
        ok = false;
        break;
      }
    }
    if (ok) out.add(i);
  }
  return out;
}
