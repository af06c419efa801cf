// What the dashboard draws of a network while it trains, computed in the training worker from its Trainer:
// the decision boundary over the data's range, what each neuron outputs over it, the weights, and per-layer
// gradient norms and dead-ReLU share.

import type { BoundaryGrid, LayerHealth, NeuronMaps, ParamJSON, RunConfusion, RunSnapshotEvent, SnapshotParam } from '../contract';
import { confusionMatrix, predictedClasses } from '../../engine/confusion';
import { layerDistributions } from '../../engine/distribution';
import { fromPlane, pcaPlane, planeToInputs, toPlane, type DataSplit, type Plane } from '../../engine/datasets/index';
import type { Params } from '../../engine/init';
import type { Workspace } from '../../engine/network';
import { sampleMaps } from '../../engine/neuron-maps';
import type { Trainer } from '../../engine/train';

/** Params with typed arrays → plain numbers (what crosses JSON and the contract). */
export function paramsToPlain(params: Params): ParamJSON[] {
  return params.map((p) => ({ name: p.name, rows: p.rows, cols: p.cols, data: Array.from(p.data) }));
}

/** Plain params → typed (what the engine takes). */
export function paramsFromPlain(params: readonly SnapshotParam[]): Params {
  return params.map((p) => ({ name: p.name, rows: p.rows, cols: p.cols, data: Float64Array.from(p.data) }));
}

/** A grid's cells as the network's inputs (k × size², cell (r, c) at column r·size + c) and the range it spans. */
type Grid = { X: Float64Array; x: [number, number]; y: [number, number]; plane?: Plane };

/** [min, max] of every feature over the train and test samples. */
export function featureRanges(data: DataSplit): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let f = 0; f < data.features; f++) {
    let lo = Infinity, hi = -Infinity;
    for (const s of [data.train, data.test]) {
      for (let i = 0; i < s.n; i++) {
        const v = s.X[i * s.features + f];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    out.push(lo <= hi ? [lo, hi] : [0, 1]);
  }
  return out;
}

/** The grid's inputs as the network sees them: X (2 × size²), cell (row r, column c) at column r·size + c. */
export function gridInputs(range: Array<[number, number]>, size: number): { X: Float64Array; x: [number, number]; y: [number, number] } {
  // 5% margin on each side so points on the edge are inside the picture
  const pad = ([lo, hi]: [number, number]): [number, number] => {
    const m = (hi - lo || 1) * 0.05;
    return [lo - m, hi + m];
  };
  const x = pad(range[0]!), y = pad(range[1]!);
  const m = size * size;
  const X = new Float64Array(2 * m);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      X[i] = x[0] + ((x[1] - x[0]) * (c + 0.5)) / size; // row 0 of X: feature 1
      X[m + i] = y[0] + ((y[1] - y[0]) * (r + 0.5)) / size; // row 1: feature 2
    }
  }
  return { X, x, y };
}

/**
 * The boundary grid of a run's data: over its two columns (x1, x2), and, when the run computes input features from
 * them, with the features of each grid point as the network's inputs (so the boundary is drawn in the input plane,
 * as the Playground draws it). null when the data has more than two columns.
 */
export function dataGrid(data: DataSplit, size: number): Grid | null {
  const plane = data.columns ? { ...data, ...data.columns, features: 2 } : data;
  if (plane.features > 2) return planeGrid(data, pcaPlane(data.train), size);
  if (plane.features !== 2) return null;
  const g = gridInputs(featureRanges(plane), size);
  if (!data.inputFeatures) return g;
  const m = size * size;
  const points = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) (points[2 * i] = g.X[i]!), (points[2 * i + 1] = g.X[m + i]!);
  const inputs = planeToInputs({ X: points, y: new Float64Array(m), n: m, features: 2 }, data);
  // (k × m), as the network reads its input
  const k = inputs.features;
  const X = new Float64Array(k * m);
  for (let i = 0; i < m; i++) for (let f = 0; f < k; f++) X[f * m + i] = inputs.X[i * k + f]!;
  return { ...g, X };
}

/**
 * Data with more than two features: the grid spans a plane of the input space (engine/datasets/plane.ts: the first
 * two principal components of the train set, or two features with the others at their train means) over the range
 * of the train and test points projected on it; each cell's network input is the plane's point.
 */
export function planeGrid(data: DataSplit, p: Plane, size: number): { X: Float64Array; x: [number, number]; y: [number, number]; plane: Plane } {
  const projected = { ...data, train: toPlane(data.train, p), test: toPlane(data.test, p), features: 2 };
  const g = gridInputs(featureRanges(projected), size);
  const m = size * size;
  const points = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) (points[2 * i] = g.X[i]!), (points[2 * i + 1] = g.X[m + i]!);
  const rows = fromPlane({ X: points, y: new Float64Array(m), n: m, features: 2 }, p);
  const k = rows.features;
  const X = new Float64Array(k * m);
  for (let i = 0; i < m; i++) for (let f = 0; f < k; f++) X[f * m + i] = rows.X[i * k + f]!;
  return { ...g, X, plane: p };
}

/** The network's forward pass over the grid's cells (every layer's output in ws.A); null when the grid does not fit its inputs. */
export function gridPass(trainer: Trainer, grid: Grid, size: number): Workspace | null {
  const m = size * size;
  // the grid holds the network's inputs for each cell: two columns, or the features computed from them (dataGrid)
  if (grid.X.length !== trainer.data.features * m) return null;
  const net = trainer.net;
  const ws = net.workspace(m, 'boundary');
  net.backend.write(ws.A[0]!, grid.X);
  net.forward(ws);
  return ws;
}

/** The network's output over the grid: P(class 1) for one output unit, else the argmax class and its probability. */
export function boundary(trainer: Trainer, grid: Grid, size: number, ws = gridPass(trainer, grid, size)): BoundaryGrid | null {
  if (!ws) return null;
  const m = size * size;
  const out = trainer.net.output(ws); // (outputs × m)
  const outputs = out.length / m;
  const plane = grid.plane ? { plane: { ...grid.plane } } : {};
  if (outputs === 1) return { size, x: grid.x, y: grid.y, kind: 'probability', values: Array.from(out), ...plane };
  const values: number[] = new Array(m);
  const confidence: number[] = new Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let k = 1; k < outputs; k++) if (out[k * m + i]! > out[best * m + i]!) best = k;
    values[i] = best;
    confidence[i] = out[best * m + i]!;
  }
  return { size, x: grid.x, y: grid.y, kind: 'class', values, confidence, ...plane };
}

/**
 * Per-neuron heatmaps (TensorFlow Playground's): each input's and each unit's output over the plane, read from the
 * boundary's own forward pass (no second pass) and sampled by engine/neuron-maps.ts.
 */
export function neuronMaps(trainer: Trainer, grid: Grid, size: number, ws = gridPass(trainer, grid, size)): NeuronMaps | null {
  if (!ws) return null;
  const maps = sampleMaps(ws.A.map((t) => trainer.net.backend.read(t)), size);
  return { ...maps, inputs: trainer.data.featureNames.slice(0, trainer.data.features) };
}

/** Samples of the test set (or, without one, the train set) the confusion matrix is measured on, at most. */
export const CONFUSION_SAMPLES = 10_000;

/**
 * The confusion matrix of a classification run at its current parameters, on its test set (the train set when there
 * is none; the first CONFUSION_SAMPLES samples), with per-class accuracy and the first 100 misclassified samples'
 * indices (digits' thumbnails). null for regression, or when the forward pass is not finite.
 */
export function confusionOf(trainer: Trainer): RunConfusion | null {
  const d = trainer.data;
  if (d.task === 'regression' || d.classes < 2) return null;
  const set = d.test.n > 0 ? 'test' : 'train';
  const s = d[set];
  const m = Math.min(s.n, CONFUSION_SAMPLES);
  if (m === 0) return null;
  const f = s.features;
  const X = new Float64Array(f * m); // (features × m), as the network reads it
  for (let i = 0; i < m; i++) for (let k = 0; k < f; k++) X[k * m + i] = s.X[i * f + k]!;
  const net = trainer.net;
  const ws = net.workspace(m, 'confusion');
  net.backend.write(ws.A[0]!, X);
  if (net.forward(ws)) return null;
  const out = net.output(ws);
  return { set, samples: m, ...confusionMatrix(predictedClasses(out, out.length / m, m), s.y.subarray(0, m), d.classes) };
}

const norm = (a: Float64Array): number => {
  let s = 0;
  for (const v of a) s += v * v;
  return Math.sqrt(s);
};

/** At most this many training samples are run through the network to count dead ReLUs. */
export const HEALTH_SAMPLES = 2000;

/**
 * Per layer: ‖dW‖ and ‖db‖ of the latest update, and for relu layers the share of units that output exactly 0
 * for every one of (up to HEALTH_SAMPLES) training samples.
 */
export function layerHealth(trainer: Trainer): LayerHealth[] {
  const arch = trainer.config.architecture;
  const grads = trainer.grads();
  const { X, m: n } = trainer.trainMatrices();
  const m = Math.min(n, HEALTH_SAMPLES);
  let dead: Array<number | null> = arch.map(() => null);
  if (m > 0 && arch.some((l) => l.activation === 'relu')) {
    const features = arch[0]!.input_dim;
    // X is (features × n): the first m columns
    const Xm = new Float64Array(features * m);
    for (let f = 0; f < features; f++) Xm.set(X.subarray(f * n, f * n + m), f * m);
    const net = trainer.net;
    const ws = net.workspace(m, 'health');
    net.backend.write(ws.A[0]!, Xm);
    net.forward(ws);
    dead = arch.map((l, i) => {
      if (l.activation !== 'relu') return null;
      const A = net.backend.read(ws.A[i + 1]!); // (units × m)
      let deadUnits = 0;
      for (let u = 0; u < l.output_dim; u++) {
        let alive = false;
        for (let j = 0; j < m && !alive; j++) if (A[u * m + j] !== 0) alive = true;
        if (!alive) deadUnits++;
      }
      return deadUnits / l.output_dim;
    });
  }
  return arch.map((_, i) => ({
    layer: i + 1,
    gradNormW: norm(grads[2 * i]!.data),
    gradNormB: norm(grads[2 * i + 1]!.data),
    deadShare: dead[i] ?? null,
  }));
}

/**
 * Everything the Train and Inspect pages draw, for the trainer's current parameters. `weights`: exact (float64), as
 * float32 (a running wide network's: half the bytes, for drawing), or none (the page keeps the last it had).
 */
export function snapshot(trainer: Trainer, grid: Grid | null, size: number, weights: 'exact' | 'float32' | 'none' = 'exact'): Omit<RunSnapshotEvent, 'runId'> {
  const params = trainer.params();
  const ws = grid ? gridPass(trainer, grid, size) : null;
  return {
    epoch: trainer.epoch,
    boundary: grid && ws ? boundary(trainer, grid, size, ws) : null,
    neurons: grid && ws ? neuronMaps(trainer, grid, size, ws) : null,
    // typed copies, not number[]: 132,609 weights of a wide network cost a memcpy to post to the host and to frame
    // for the page (electron/frames.ts), where Array.from and a structured clone of numbers cost tens of ms each
    ...(weights === 'none' ? {} : { weights: params.map((p) => ({ name: p.name, rows: p.rows, cols: p.cols, data: weights === 'exact' ? p.data.slice() : Float32Array.from(p.data) })) }),
    layers: layerHealth(trainer),
    confusion: confusionOf(trainer),
    distributions: layerDistributions(params, trainer.epoch > 0 ? trainer.grads() : null),
  };
}
