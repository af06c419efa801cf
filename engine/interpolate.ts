// Weight-space views, part one: the cost of any parameters on a run's data (CostEvaluator, float64), and the
// linear interpolation between two runs' weights, θ(α) = (1 − α)·θA + α·θB (Goodfellow, Vinyals & Saxe, 2015).

import { describeLayers, type LayerSpec } from './architecture';
import { CpuBackend } from './backends/cpu';
import type { RunConfig } from './config';
import { ConfigError } from './config';
import type { DataSplit, Samples } from './datasets/index';
import type { Params } from './init';
import { cost, defaultLoss, type Loss } from './losses';
import { EVAL_CHUNK } from './memory';
import { Network } from './network';
import { yieldNow } from './train';

/** Default α range and number of evenly spaced points (Δα = 0.05). */
export const INTERPOLATION_DEFAULTS = { from: -0.5, to: 1.5, steps: 41 } as const;

/** One set as the network sees it: X (features × n) and Y (outputs × n), row-major. */
interface Matrices {
  X: Float64Array;
  Y: Float64Array;
  n: number;
}

/**
 * The cost of given parameters on a run's train or test set: the run's loss plus its L2 term (λ/2·ΣW²), exactly as
 * training records a cost (so θ = the run's final weights gives its recorded final cost), on the float64 CPU
 * backend. Sets larger than EVAL_CHUNK are evaluated in chunks (the size-weighted mean), as the trainer does.
 * A network whose output is NaN or ±Infinity has no cost: null. A cross-entropy on an output saturated at exactly
 * 0 or 1 stays finite as the engine's cost() defines it (log 0 taken as log of the smallest double, ≈ −744.4).
 */
export class CostEvaluator {
  readonly loss: Loss;
  private readonly net: Network;
  private readonly outputs: number;
  private readonly sets: { train: Matrices; test: Matrices };

  constructor(readonly config: RunConfig, data: DataSplit) {
    const arch = config.architecture;
    const last = arch[arch.length - 1]!;
    if (data.features !== arch[0]!.input_dim) {
      throw new ConfigError(`layer 1 has input_dim ${arch[0]!.input_dim} but the data has ${data.features} features; evaluate on the run's own data`);
    }
    this.outputs = last.output_dim;
    this.loss = config.training.loss === 'auto' ? defaultLoss(last.activation) : config.training.loss;
    this.sets = { train: this.matrices(data.train), test: this.matrices(data.test) };
    this.net = new Network(new CpuBackend(), arch, zeroParams(arch));
  }

  /** Whether there is a test set to evaluate. */
  get hasTest(): boolean {
    return this.sets.test.n > 0;
  }

  private matrices(s: Samples): Matrices {
    const X = new Float64Array(s.n * s.features);
    for (let i = 0; i < s.n; i++) for (let f = 0; f < s.features; f++) X[f * s.n + i] = s.X[i * s.features + f]!;
    const Y = new Float64Array(this.outputs * s.n);
    for (let i = 0; i < s.n; i++) {
      if (this.outputs === 1) Y[i] = s.y[i]!;
      else Y[s.y[i]! * s.n + i] = 1; // one-hot columns for a softmax output
    }
    return { X, Y, n: s.n };
  }

  /** The cost of `params` (W1, b1, … of this architecture) on the set; null when the output is not finite or the set is empty. */
  cost(params: Params, set: 'train' | 'test'): number | null {
    const { X, Y, n } = this.sets[set];
    if (n === 0) return null;
    this.net.setParams(params);
    const features = this.config.architecture[0]!.input_dim, outputs = this.outputs;
    let total = 0;
    for (let start = 0; start < n; start += EVAL_CHUNK) {
      const k = Math.min(EVAL_CHUNK, n - start);
      const ws = this.net.workspace(k, `cost-${set}`);
      if (k === n) this.net.backend.write(ws.A[0]!, X);
      else {
        // columns start..start+k of X:(features, n) and Y:(outputs, n)
        const Xc = new Float64Array(features * k);
        for (let r = 0; r < features; r++) Xc.set(X.subarray(r * n + start, r * n + start + k), r * k);
        this.net.backend.write(ws.A[0]!, Xc);
      }
      if (this.net.forward(ws)) return null;
      let Yc = Y;
      if (k !== n) {
        Yc = new Float64Array(outputs * k);
        for (let r = 0; r < outputs; r++) Yc.set(Y.subarray(r * n + start, r * n + start + k), r * k);
      }
      const c = cost(this.loss, this.net.output(ws), Yc, outputs, k);
      total += k === n ? c : (c * k) / n;
    }
    if (this.config.training.l2 > 0) total += this.config.training.l2 * this.net.weightSquares();
    return Number.isFinite(total) ? total : null;
  }

  free(): void {
    this.net.free();
  }
}

function zeroParams(arch: readonly LayerSpec[]): Params {
  return arch.flatMap((l, i) => [
    { name: `W${i + 1}`, rows: l.output_dim, cols: l.input_dim, data: new Float64Array(l.output_dim * l.input_dim) },
    { name: `b${i + 1}`, rows: l.output_dim, cols: 1, data: new Float64Array(l.output_dim) },
  ]);
}

/** Refuses parameters that are not W1, b1, … of `arch` (a one-line message naming the first mismatch). */
export function checkParams(params: Params, arch: readonly LayerSpec[], what: string): void {
  if (params.length !== arch.length * 2) {
    throw new ConfigError(`${what} has ${params.length} parameter matrices but ${describeLayers(arch)} needs ${arch.length * 2}`);
  }
  arch.forEach((l, i) => {
    const W = params[2 * i]!, b = params[2 * i + 1]!;
    if (W.rows !== l.output_dim || W.cols !== l.input_dim || b.rows !== l.output_dim || b.cols !== 1) {
      throw new ConfigError(`${what}: W${i + 1} is ${W.rows}×${W.cols} and b${i + 1} ${b.rows}×${b.cols}, but layer ${i + 1} needs ${l.output_dim}×${l.input_dim} and ${l.output_dim}×1`);
    }
  });
}

/**
 * `steps` evenly spaced α from `from` to `to` (both exact), α_i = ((steps−1−i)·from + i·to)/(steps−1), with 0 and 1
 * (the two runs themselves) always in the list: a point within 1e-12 of them is snapped to them, and where neither
 * is near a point they are inserted in order. The default −0.5..1.5 in 41 steps holds 0 and 1 as grid points.
 */
export function interpolationAlphas(from: number = INTERPOLATION_DEFAULTS.from, to: number = INTERPOLATION_DEFAULTS.to, steps: number = INTERPOLATION_DEFAULTS.steps): number[] {
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) throw new ConfigError(`from must be less than to (both finite), got from ${from}, to ${to}`);
  if (!(Number.isInteger(steps) && steps >= 2)) throw new ConfigError(`steps must be a whole number ≥ 2, got ${steps}`);
  const d = steps - 1;
  const alphas = Array.from({ length: steps }, (_, i) => (i === 0 ? from : i === d ? to : ((d - i) * from + i * to) / d));
  const tol = 1e-12 * Math.max(1, to - from);
  for (const anchor of [0, 1]) {
    const k = alphas.findIndex((a) => Math.abs(a - anchor) <= tol);
    if (k >= 0) alphas[k] = anchor;
    else alphas.push(anchor);
  }
  return alphas.sort((a, b) => a - b);
}

/** θ(α) = (1 − α)·θA + α·θB, element by element (numpy's (1 - alpha) * A + alpha * B gives the same doubles). */
export function interpolateParams(a: Params, b: Params, alpha: number): Params {
  return a.map((p, i) => {
    const q = b[i]!.data;
    const out = new Float64Array(p.data.length);
    for (let k = 0; k < out.length; k++) out[k] = (1 - alpha) * p.data[k]! + alpha * q[k]!;
    return { ...p, data: out };
  });
}

export interface InterpolationInput {
  /** Run A's configuration: its architecture, loss and L2; the data is A's. */
  config: RunConfig;
  data: DataSplit;
  a: Params;
  b: Params;
  steps?: number;
  from?: number;
  to?: number;
  /** Longest stretch of work between yields to the event loop (default 25 ms), so a host stays responsive. */
  yieldEveryMs?: number;
}

export interface InterpolationResult {
  alphas: number[];
  /** Train cost at each α; null where the network's output is not finite. */
  trainCost: Array<number | null>;
  /** Test cost at each α; null without a test set (or where the output is not finite). */
  testCost: Array<number | null>;
}

/** Train and test cost along θ(α) for the α list of interpolationAlphas. */
export async function interpolate(input: InterpolationInput): Promise<InterpolationResult> {
  const arch = input.config.architecture;
  checkParams(input.a, arch, 'run A');
  checkParams(input.b, arch, 'run B');
  const alphas = interpolationAlphas(input.from, input.to, input.steps);
  const ev = new CostEvaluator(input.config, input.data);
  const yieldEvery = input.yieldEveryMs ?? 25;
  const trainCost: Array<number | null> = [], testCost: Array<number | null> = [];
  try {
    let last = performance.now();
    for (const alpha of alphas) {
      const theta = interpolateParams(input.a, input.b, alpha);
      trainCost.push(ev.cost(theta, 'train'));
      testCost.push(ev.hasTest ? ev.cost(theta, 'test') : null);
      if (performance.now() - last >= yieldEvery) {
        await yieldNow();
        last = performance.now();
      }
    }
  } finally {
    ev.free();
  }
  return { alphas, trainCost, testCost };
}
