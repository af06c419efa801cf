// What the Train page draws of real data beyond two columns, of regression and of multi-class runs, computed in the
// renderer from the data preview and a snapshot's weights: the plane a view of many features is drawn in, the
// decision grid over a plane of two chosen features, the test set's predictions, and the chance level of a run.
import { applyFeatures } from '../../../engine/datasets/features';
import { featurePlane, fromPlane, pcaPlane, toPlane, type Plane } from '../../../engine/datasets/plane';
import type { Samples } from '../../../engine/datasets/types';
import type { InputFeature } from '../../../engine/config';
import type { BoundaryGrid, DataPreview, LayerSpec, SnapshotParam } from '../api';

type PointSet = DataPreview['train'];
import { forwardMatrix, gridOfOutputs, padRange } from './forward';

/** The plane a view of data with more than two features shows: the first two principal components, or two features. */
export type PlaneChoice = { kind: 'pca' } | { kind: 'features'; features: [number, number] };

/** A preview's points as engine Samples. */
export function samplesOf(set: PointSet, features: number): Samples {
  return { X: Float64Array.from(set.X), y: Float64Array.from(set.y), n: set.n, features };
}

/** The plane of a choice over a preview's train set (engine/datasets/plane.ts: the host's rule), or null for 2-D data. */
export function previewPlane(preview: DataPreview, choice: PlaneChoice): Plane | null {
  if (preview.features <= 2) return null;
  const train = samplesOf(preview.train, preview.features);
  if (choice.kind === 'pca') return pcaPlane(train);
  const [i, j] = choice.features;
  return featurePlane(train, i, j, preview.featureNames);
}

/** The points of a set in a plane's (a, b) coordinates, row-major n × 2. */
export function projectPoints(set: PointSet, features: number, plane: Plane): number[] {
  return Array.from(toPlane(samplesOf(set, features), plane).X);
}

/** [min, max] of a plane's coordinates over the preview's train and test points. */
export function planeRange(preview: DataPreview, plane: Plane): Array<[number, number]> {
  const out: Array<[number, number]> = [
    [Infinity, -Infinity],
    [Infinity, -Infinity],
  ];
  for (const set of [preview.train, preview.test]) {
    const p = projectPoints(set, preview.features, plane);
    for (let i = 0; i < set.n; i++)
      for (let k = 0; k < 2; k++) {
        const v = p[2 * i + k]!;
        if (v < out[k]![0]) out[k]![0] = v;
        if (v > out[k]![1]) out[k]![1] = v;
      }
  }
  return out.map(([lo, hi]) => (lo <= hi ? [lo, hi] : [0, 1]));
}

/**
 * The network's output over a size × size grid of a plane (5% margin around the points, as the host's planeGrid):
 * cell (r, c) is the input row origin + a·u + b·v. null when the weights do not take the data's features.
 */
export function planeGridFromWeights(arch: readonly LayerSpec[], params: readonly SnapshotParam[], preview: DataPreview, plane: Plane, size = 48): BoundaryGrid | null {
  const f = preview.features;
  if (arch[0]?.input_dim !== f || params.length !== 2 * arch.length || params[0]?.cols !== f) return null;
  const [rx, ry] = planeRange(preview, plane);
  const x = padRange(rx!), y = padRange(ry!);
  const m = size * size;
  const points = new Float64Array(2 * m);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      points[2 * (r * size + c)] = x[0] + ((x[1] - x[0]) * (c + 0.5)) / size;
      points[2 * (r * size + c) + 1] = y[0] + ((y[1] - y[0]) * (r + 0.5)) / size;
    }
  const rows = fromPlane({ X: points, y: new Float64Array(m), n: m, features: 2 }, plane);
  const A = new Float64Array(f * m); // (features × m), as the network reads its input
  for (let i = 0; i < m; i++) for (let k = 0; k < f; k++) A[k * m + i] = rows.X[i * f + k]!;
  return { ...gridOfOutputs(forwardMatrix(arch, params, A, m), size, x, y), plane: { ...plane } };
}

/**
 * The network's outputs (outputs × n) on a preview's set, its input features computed from the two columns when the
 * run has them; null when the weights do not fit the data.
 */
export function predict(arch: readonly LayerSpec[], params: readonly SnapshotParam[], preview: DataPreview, set: PointSet, features?: readonly InputFeature[]): Float64Array | null {
  let s = samplesOf(set, preview.features);
  if (features) s = applyFeatures(s, features);
  const f = s.features, n = s.n;
  if (n === 0 || arch[0]?.input_dim !== f || params.length !== 2 * arch.length || params[0]?.cols !== f) return null;
  const A = new Float64Array(f * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < f; k++) A[k * n + i] = s.X[i * f + k]!;
  return forwardMatrix(arch, params, A, n);
}

/** [min, max] of a regression's targets over the preview's train and test sets: the colour scale of its views. */
export function targetRange(preview: DataPreview): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const set of [preview.train, preview.test])
    for (const v of set.y) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return lo < hi ? [lo, hi] : lo === hi && Number.isFinite(lo) ? [lo - 1, hi + 1] : [0, 1];
}

/**
 * Chance level of a classifier: the share of the most common class among the samples measured (what a network that
 * always answers that class scores). One rule for the whole dashboard.
 */
export function chanceLevel(classCounts: readonly number[]): number | null {
  const total = classCounts.reduce((a, b) => a + b, 0);
  return total > 0 ? Math.max(...classCounts) / total : null;
}

/** Samples per class of a confusion matrix (its rows' sums). */
export function rowTotals(matrix: readonly (readonly number[])[]): number[] {
  return matrix.map((row) => row.reduce((a, b) => a + b, 0));
}

/** Samples per class among a set's labels. */
export function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (k >= 0 && k < classes) out[k]!++;
  }
  return out;
}

/**
 * Whether a run's train cost was still falling when it ended: it ends below where it started, and over its last
 * tenth of epochs it fell by more than 0.01 %. A run at chance accuracy that is still learning (the seed experiment
 * after a few hundred epochs at lr 0.01: 0.6926 → 0.6893, still going down) needs more epochs, not a smaller learning
 * rate; a collapsed one (lr 5) sits flat at the cost of answering the base rate, above where it started.
 * `epochs` and `costs` are a run's series (thinned series keep their epoch numbers).
 */
export function stillFalling(epochs: readonly number[], costs: readonly number[]): boolean {
  const n = costs.length;
  if (n < 3) return false;
  const last = costs[n - 1]!, end = epochs[n - 1]!;
  const from = end - Math.max(1, Math.floor(end / 10));
  let j = n - 2;
  while (j > 0 && epochs[j]! > from) j--;
  const before = costs[j]!;
  return Number.isFinite(last) && Number.isFinite(before) && before - last > 1e-4 * Math.abs(last) && last < costs[0]!;
}

/** Whether an accuracy is no better than chance (the network answers the majority class, or worse). */
export function atChance(accuracy: number | null, chance: number | null): boolean {
  return accuracy !== null && chance !== null && Number.isFinite(accuracy) && accuracy <= chance + 1e-12;
}
