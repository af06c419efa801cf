// Weight-space views, part two: the loss landscape around a run (Li et al., "Visualizing the Loss Landscape of
// Neural Nets", 2018): the cost on the plane θ + α·δ + β·η through its weights, along two seeded random directions
// normalised filter by filter (here: row by row of each W, one row per neuron).
//
// The directions, so that numpy repeats them: np.random.seed(seed); for each direction (δ, then η), for each layer,
// randn(out, in) — the weights only, in layer order. Each row is then scaled to the norm of the weights' row:
// d_i ← d_i · ‖W_i‖ / ‖d_i‖ (a row of zeros stays zero). Biases get no direction (zero), as the paper's code does
// with its default `ignore='biasbn'`, so every point of the plane has the run's biases.

import type { DataSplit } from './datasets/index';
import type { RunConfig } from './config';
import { ConfigError } from './config';
import type { Params } from './init';
import { checkParams, CostEvaluator } from './interpolate';
import { NumpyRandom } from './random';
import { LANDSCAPE_DEFAULTS } from './landscape-limits';
import { yieldNow } from './train';

export { LANDSCAPE_DEFAULTS } from './landscape-limits';

/**
 * The two filter-normalised directions for `params` from `seed` (see the file's comment for the draw order).
 * Each is a Params list shaped like `params`, with zero biases.
 */
export function landscapeDirections(params: Params, seed: number): [Params, Params] {
  const rng = new NumpyRandom(seed);
  const draw = (): Params =>
    params.map((p, i) => {
      const data = new Float64Array(p.data.length);
      if (i % 2 === 1) return { ...p, data }; // a bias: no direction
      for (let k = 0; k < data.length; k++) data[k] = rng.randn();
      for (let r = 0; r < p.rows; r++) {
        let dn = 0, wn = 0;
        for (let c = 0; c < p.cols; c++) {
          dn += data[r * p.cols + c]! ** 2;
          wn += p.data[r * p.cols + c]! ** 2;
        }
        const scale = dn > 0 ? Math.sqrt(wn) / Math.sqrt(dn) : 0;
        for (let c = 0; c < p.cols; c++) data[r * p.cols + c]! *= scale;
      }
      return { ...p, data };
    });
  const d1 = draw();
  return [d1, draw()];
}

/**
 * `grid` points from −span to span: ((2i − (grid − 1))/(grid − 1))·span, so both ends are ±span exactly, the list
 * is symmetric, and an odd grid has 0 (the run itself) exactly at its centre.
 */
export function landscapeAxis(grid: number, span: number): number[] {
  if (!(Number.isInteger(grid) && grid >= 2)) throw new ConfigError(`grid must be a whole number ≥ 2, got ${grid}`);
  if (!(Number.isFinite(span) && span > 0)) throw new ConfigError(`span must be a positive number, got ${span}`);
  const d = grid - 1;
  return Array.from({ length: grid }, (_, i) => ((2 * i - d) / d) * span);
}

/** θ + α·δ + β·η, element by element in that order (numpy's W + a * d1 + b * d2). */
export function planePoint(params: Params, d1: Params, d2: Params, alpha: number, beta: number): Params {
  return params.map((p, i) => {
    const x = d1[i]!.data, y = d2[i]!.data;
    const out = new Float64Array(p.data.length);
    for (let k = 0; k < out.length; k++) out[k] = p.data[k]! + alpha * x[k]! + beta * y[k]!;
    return { ...p, data: out };
  });
}

export interface LandscapeInput {
  /** The run's configuration (architecture, loss, L2) and data. */
  config: RunConfig;
  data: DataSplit;
  params: Params;
  grid?: number;
  span?: number;
  seed?: number;
  /** Longest stretch of work between yields to the event loop (default 25 ms). */
  yieldEveryMs?: number;
}

export interface LandscapeResult {
  grid: number;
  span: number;
  seed: number;
  /** The α (first direction) and β (second direction) of the grid's columns and rows. */
  alphas: number[];
  betas: number[];
  /** cost[j][i]: the train cost at (alphas[i], betas[j]), rows by β; null where the output is not finite. */
  cost: Array<Array<number | null>>;
  /** The same over the test set; absent without one. */
  testCost?: Array<Array<number | null>>;
  /** The two directions (for checks and drawing trajectories); not sent over the contract. */
  directions: [Params, Params];
}

/** The cost over the grid × grid plane through the run's weights. */
export async function landscape(input: LandscapeInput): Promise<LandscapeResult> {
  const grid = input.grid ?? LANDSCAPE_DEFAULTS.grid;
  const span = input.span ?? LANDSCAPE_DEFAULTS.span;
  const seed = input.seed ?? LANDSCAPE_DEFAULTS.seed;
  checkParams(input.params, input.config.architecture, 'the run');
  const axis = landscapeAxis(grid, span);
  const [d1, d2] = landscapeDirections(input.params, seed);
  const ev = new CostEvaluator(input.config, input.data);
  const yieldEvery = input.yieldEveryMs ?? 25;
  const cost: Array<Array<number | null>> = [];
  const testCost: Array<Array<number | null>> = [];
  try {
    let last = performance.now();
    for (const beta of axis) {
      const row: Array<number | null> = [], testRow: Array<number | null> = [];
      for (const alpha of axis) {
        const theta = planePoint(input.params, d1, d2, alpha, beta);
        row.push(ev.cost(theta, 'train'));
        if (ev.hasTest) testRow.push(ev.cost(theta, 'test'));
        if (performance.now() - last >= yieldEvery) {
          await yieldNow();
          last = performance.now();
        }
      }
      cost.push(row);
      if (ev.hasTest) testCost.push(testRow);
    }
  } finally {
    ev.free();
  }
  return { grid, span, seed, alphas: axis, betas: axis.slice(), cost, ...(testCost.length ? { testCost } : {}), directions: [d1, d2] };
}
