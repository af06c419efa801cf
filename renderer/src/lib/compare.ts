// Compare's pure parts: the x axes of the overlaid curves (epoch, share of the run's training 0–100 %, wall time,
// epochs on a log scale, so a 300-epoch run is not squashed beside a 10,000-epoch one) and the name of the score the
// accuracy fields hold (R² for regression runs).
import type { Curve, RunDiff } from '../api';

/** The accuracy fields hold R² for regression runs: "acc", "R²" when every run is regression, "acc / R²" for a mix. */
export function scoreName(tasks: ReadonlyArray<RunDiff['final'][number]['task']>): string {
  const regression = tasks.filter((t) => t === 'regression').length;
  return regression === 0 ? 'acc' : regression === tasks.length ? 'R²' : 'acc / R²';
}

export type XAxis = 'epoch' | 'share' | 'time' | 'log';

export const X_AXES: ReadonlyArray<{ value: XAxis; label: string; title: string }> = [
  { value: 'epoch', label: 'Epoch', title: 'epoch' },
  { value: 'share', label: '% of run', title: 'share of training (%)' },
  { value: 'time', label: 'Wall time', title: 'wall time (s)' },
  { value: 'log', label: 'Log epochs', title: 'epochs done (log)' },
];

export const xTitle = (axis: XAxis): string => X_AXES.find((a) => a.value === axis)!.title;

/**
 * y at x on the polyline through (xs, ys) (xs increasing): linear between points, the end value beyond either end,
 * NaN when there are no points. Curves are downsampled per key, so a run's elapsed-time curve need not have a point
 * at every epoch its cost curve has; the wall clock is close to linear between two kept points.
 */
export function valueAt(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let lo = 0, hi = n - 1; // xs[lo] < x < xs[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - xs[lo]!) / (xs[hi]! - xs[lo]!);
  return ys[lo]! + t * (ys[hi]! - ys[lo]!);
}

/**
 * The x of each recorded epoch (0-based steps, as the trainer numbers them) on the chosen axis:
 * epoch → the step; log → epochs done (step + 1, so the first epoch sits at 1 on a log axis); share → epochs done as
 * a percentage of the run's epochsDone (its last epoch at 100 %); time → seconds since the run started, read from its
 * elapsedMs curve (NaN without one: that point is not drawn).
 */
export function xValues(axis: XAxis, steps: readonly number[], run: { epochsDone: number; elapsedMs?: Curve | undefined }): number[] {
  switch (axis) {
    case 'epoch':
      return [...steps];
    case 'log':
      return steps.map((s) => s + 1);
    case 'share': {
      const total = run.epochsDone > 0 ? run.epochsDone : steps.length ? steps[steps.length - 1]! + 1 : 1;
      return steps.map((s) => (100 * (s + 1)) / total);
    }
    case 'time': {
      const e = run.elapsedMs;
      return steps.map((s) => (e ? valueAt(e.step, e.value, s) / 1000 : NaN));
    }
  }
}
