// A stored run's picture without a live worker: its final weights (from the JSON export) through a small
// float64 forward pass over the boundary grid, the way the host's snapshot computes it while a run trains.
import { LEAKY_SLOPE } from '../../../engine/activations';
import type { BoundaryGrid, DataPreview, LayerSpec, ParamJSON } from '../api';
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

/** The network's output (outputs × m) for inputs A (in × m), row-major, in float64. */
export function forwardMatrix(arch: readonly LayerSpec[], params: readonly ParamJSON[], input: Float64Array<ArrayBuffer>, m: number): Float64Array<ArrayBuffer> {
  let A = input;
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
  });
  return A;
}

/** The network's output over a size×size grid spanning the data (5% margin), as BoundaryGrid. */
export function boundaryFromWeights(arch: readonly LayerSpec[], params: readonly ParamJSON[], data: DataPreview, size = 64): BoundaryGrid | null {
  if (data.features !== 2 || arch[0]?.input_dim !== 2) return null;
  const pad = ([lo, hi]: [number, number]): [number, number] => {
    const mg = (hi - lo || 1) * 0.05;
    return [lo - mg, hi + mg];
  };
  const x = pad(data.range[0]!), y = pad(data.range[1]!);
  const m = size * size;
  let A = new Float64Array(2 * m); // A: (in, m), column i = cell (r, c) with i = r·size + c, r from the bottom
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      A[r * size + c] = x[0] + ((x[1] - x[0]) * (c + 0.5)) / size;
      A[m + r * size + c] = y[0] + ((y[1] - y[0]) * (r + 0.5)) / size;
    }
  A = forwardMatrix(arch, params, A, m);
  const outputs = arch[arch.length - 1]!.output_dim;
  if (outputs === 1) return { size, x, y, kind: 'probability', values: Array.from(A) };
  const values: number[] = [], confidence: number[] = [];
  for (let j = 0; j < m; j++) {
    let best = 0;
    for (let r = 1; r < outputs; r++) if (A[r * m + j]! > A[best * m + j]!) best = r;
    values.push(best);
    confidence.push(A[best * m + j]!);
  }
  return { size, x, y, kind: 'class', values, confidence };
}
