// Parameter initialisation exactly as the notebook's init_layers: np.random.seed(seed), then for each
// layer W = randn(out, in) · scale and b = randn(out) · scale, drawn in that order.

import type { LayerSpec } from './architecture';
import { NumpyRandom } from './random';

/** One parameter matrix, row-major: W is (out, in), b is (out, 1), as in the notebook. */
export interface Param {
  name: string;
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Parameters in the notebook's order: W1, b1, W2, b2, … */
export type Params = Param[];

export function initLayers(arch: readonly LayerSpec[], seed = 101, scale = 0.1): Params {
  const rng = new NumpyRandom(seed);
  const params: Params = [];
  arch.forEach((layer, idx) => {
    const i = idx + 1;
    const W = new Float64Array(layer.output_dim * layer.input_dim);
    for (let k = 0; k < W.length; k++) W[k] = rng.randn() * scale;
    const b = new Float64Array(layer.output_dim);
    for (let k = 0; k < b.length; k++) b[k] = rng.randn() * scale;
    params.push({ name: `W${i}`, rows: layer.output_dim, cols: layer.input_dim, data: W });
    params.push({ name: `b${i}`, rows: layer.output_dim, cols: 1, data: b });
  });
  return params;
}

/** Nested arrays in the export format: W as (out, in) rows, b as (out, 1). */
export function paramsToJSON(params: Params): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const p of params) {
    const rows: number[][] = [];
    for (let r = 0; r < p.rows; r++) rows.push(Array.from(p.data.subarray(r * p.cols, (r + 1) * p.cols)));
    out[p.name] = rows;
  }
  return out;
}
