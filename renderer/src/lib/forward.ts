// A stored run's picture without a live worker: its final weights (from the JSON export) through a small
// float64 forward pass over the boundary grid (and the per-neuron maps), the way the host's snapshot computes them
// while a run trains.
import { LEAKY_SLOPE } from '../../../engine/activations';
import { mapCells, quantizeMaps } from '../../../engine/neuron-maps';
import type { BoundaryGrid, DataPreview, LayerSpec, ParamJSON, RunSnapshotEvent, SnapshotParam } from '../api';
import { base64ToBytes } from './download';

/** The params of a Backprop Lab weights JSON document (params: { W1: [[…]], b1: [[…]], … }). */
export function paramsFromWeightsJson(base64: string): ParamJSON[] {
  const doc = JSON.parse(new TextDecoder().decode(base64ToBytes(base64))) as { params: Record<string, number[][] | number[]> };
  const out: ParamJSON[] = [];
  for (let l = 1; doc.params[`W${l}`]; l++) {
    for (const name of [`W${l}`, `b${l}`]) {
      const v = doc.params[name]!;
      const rows = v.length;
      const flat = (v as unknown[]).flat() as number[];
      out.push({ name, rows, cols: flat.length / rows, data: flat });
    }
  }
  return out;
}

type NeuronMaps = NonNullable<RunSnapshotEvent['neurons']>;

function activate(z: Float64Array, act: string, rows: number, m: number): void {
  switch (act) {
    case 'relu':
      for (let i = 0; i < z.length; i++) if (z[i]! < 0) z[i] = 0;
      break;
    case 'leaky_relu':
      for (let i = 0; i < z.length; i++) if (z[i]! <= 0) z[i] = z[i]! * LEAKY_SLOPE;
      break;
    case 'sigmoid':
      for (let i = 0; i < z.length; i++) z[i] = 1 / (1 + Math.exp(-z[i]!));
      break;
    case 'tanh':
      for (let i = 0; i < z.length; i++) z[i] = Math.tanh(z[i]!);
      break;
    case 'softmax':
      for (let j = 0; j < m; j++) {
        let mx = -Infinity;
        for (let r = 0; r < rows; r++) mx = Math.max(mx, z[r * m + j]!);
        let s = 0;
        for (let r = 0; r < rows; r++) s += z[r * m + j] = Math.exp(z[r * m + j]! - mx);
        for (let r = 0; r < rows; r++) z[r * m + j] = z[r * m + j]! / s;
      }
      break;
    default:
      break; // linear
  }
}

/** A data range with the 5 % margin the boundary views draw around it. */
export function padRange([lo, hi]: readonly [number, number]): [number, number] {
  const mg = (hi - lo || 1) * 0.05;
  return [lo - mg, hi + mg];
}

/** The grid's points as the network's input A: (2 × size²), cell (r, c) at column r·size + c, r from the bottom. */
function gridInput(data: DataPreview, size: number): { A: Float64Array; x: [number, number]; y: [number, number] } {
  const x = padRange(data.range[0]!), y = padRange(data.range[1]!);
  const m = size * size;
  const A = new Float64Array(2 * m);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      A[r * size + c] = x[0] + ((x[1] - x[0]) * (c + 0.5)) / size;
      A[m + r * size + c] = y[0] + ((y[1] - y[0]) * (r + 0.5)) / size;
    }
  return { A, x, y };
}

/** The network's output (outputs × m) for inputs A (in × m), row-major, in float64. */
export function forwardMatrix(arch: readonly LayerSpec[], params: readonly SnapshotParam[], input: Float64Array, m: number): Float64Array {
  return forwardAll(arch, params, input, m, false).pop()!;
}

/** Every layer's output for the m columns of A: [A, A1, …, AL], each (units × m); only [A, AL] unless `every`. */
function forwardAll(arch: readonly LayerSpec[], params: readonly SnapshotParam[], A0: Float64Array, m: number, every = true): Float64Array[] {
  const out = [A0];
  let A = A0;
  arch.forEach((l, k) => {
    const W = params[2 * k]!, b = params[2 * k + 1]!;
    // W:(out,in) · A:(in,m) + b → Z:(out,m)
    const Z = new Float64Array(l.output_dim * m);
    for (let o = 0; o < l.output_dim; o++) {
      const zrow = o * m;
      Z.fill(b.data[o]!, zrow, zrow + m);
      for (let i = 0; i < l.input_dim; i++) {
        const w = W.data[o * l.input_dim + i]!;
        if (w === 0) continue;
        const arow = i * m;
        for (let j = 0; j < m; j++) Z[zrow + j] += w * A[arow + j]!;
      }
    }
    activate(Z, l.activation, l.output_dim, m);
    A = Z;
    if (every || k === arch.length - 1) out.push(Z);
  });
  return out;
}

/** The network's output over a size×size grid spanning the data (5% margin), as BoundaryGrid. */
export function boundaryFromWeights(arch: readonly LayerSpec[], params: readonly SnapshotParam[], data: DataPreview, size = 64): BoundaryGrid | null {
  if (data.features !== 2 || arch[0]?.input_dim !== 2) return null;
  const m = size * size;
  const { A: A0, x, y } = gridInput(data, size);
  return gridOfOutputs(forwardMatrix(arch, params, A0, m), size, x, y);
}

/** A size×size grid's network outputs (outputs × size²) as a BoundaryGrid: the probability, or each cell's class and its confidence. */
export function gridOfOutputs(out: Float64Array, size: number, x: [number, number], y: [number, number]): BoundaryGrid {
  const m = size * size;
  const outputs = out.length / m;
  if (outputs === 1) return { size, x, y, kind: 'probability', values: Array.from(out) };
  const values: number[] = [], confidence: number[] = [];
  for (let j = 0; j < m; j++) {
    let best = 0;
    for (let r = 1; r < outputs; r++) if (out[r * m + j]! > out[best * m + j]!) best = r;
    values.push(best);
    confidence.push(out[best * m + j]!);
  }
  return { size, x, y, kind: 'class', values, confidence };
}

/**
 * The per-neuron maps of a stored run, as the trainer's snapshot makes them from its 40-cell boundary grid
 * (engine/neuron-maps.ts): the forward pass runs over the map's cells of that grid only (20², not 40²).
 */
export function neuronMapsFromWeights(arch: readonly LayerSpec[], params: readonly SnapshotParam[], data: DataPreview, gridSize = 40): NeuronMaps | null {
  if (data.features !== 2 || arch[0]?.input_dim !== 2) return null;
  const { A: grid } = gridInput(data, gridSize);
  const { stride, offset, size } = mapCells(gridSize);
  const G = gridSize * gridSize, cells = size * size;
  const A = new Float64Array(2 * cells); // the grid's points at the map's cells
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const i = (offset + r * stride) * gridSize + offset + c * stride;
      A[r * size + c] = grid[i]!;
      A[cells + r * size + c] = grid[G + i]!;
    }
  return { size, columns: quantizeMaps(forwardAll(arch, params, A, cells), cells), inputs: data.featureNames.slice(0, 2) };
}
