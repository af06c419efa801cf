// The distribution of a layer's weights (or of their gradient) in a few numbers, as TensorBoard's distributions
// chart draws them: min, p10, p25, median, p75, p90 and max. Percentiles interpolate linearly between the sorted
// values, as numpy.percentile does by default; values that are not finite are left out.

import type { Params } from './init';

/** The percentiles a distribution holds, in order: 0 (min), 10, 25, 50 (median), 75, 90, 100 (max). */
export const DISTRIBUTION_PERCENTILES = [0, 10, 25, 50, 75, 90, 100] as const;

/** One layer's distributions: percentiles (DISTRIBUTION_PERCENTILES) of W and of its latest gradient dW. */
export interface LayerDistribution {
  /** 1-based, as W1 is layer 1. */
  layer: number;
  weights: number[];
  /** null before the first update (no gradient yet) and where none was kept (a stored run's checkpoints). */
  grads: number[] | null;
}

/** numpy.percentile(values, DISTRIBUTION_PERCENTILES) over the finite values; NaNs when there are none. */
export function percentiles(values: ArrayLike<number>): number[] {
  const sorted = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) sorted[n++] = values[i]!;
  const v = sorted.subarray(0, n).sort();
  return DISTRIBUTION_PERCENTILES.map((q) => {
    if (n === 0) return NaN;
    const at = ((n - 1) * q) / 100;
    const lo = Math.floor(at), hi = Math.ceil(at);
    return lo === hi ? v[lo]! : v[lo]! + (v[hi]! - v[lo]!) * (at - lo);
  });
}

/** Per layer (W1, W2, …): the percentiles of its weights and, when given, of its gradient (dW1, dW2, …). */
export function layerDistributions(params: Params, grads: Params | null = null): LayerDistribution[] {
  const out: LayerDistribution[] = [];
  for (let i = 0; i < params.length; i += 2) {
    const dW = grads?.[i];
    out.push({ layer: i / 2 + 1, weights: percentiles(params[i]!.data), grads: dW ? percentiles(dW.data) : null });
  }
  return out;
}
