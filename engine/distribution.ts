// The distribution of a layer's weights (or of their gradient) in a few numbers, as TensorBoard's distributions
// chart draws them: min, p10, p25, median, p75, p90 and max. Percentiles interpolate linearly between the order
// statistics, as numpy.percentile does by default; values that are not finite are left out.

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
  const v = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) v[n++] = values[i]!;
  if (n === 0) return DISTRIBUTION_PERCENTILES.map(() => NaN);
  // only the order statistics the percentiles need are put in place (a partial quickselect, not a full sort: the W
  // and dW of a 132,609-parameter network take ~11 ms per snapshot instead of ~25)
  const at = DISTRIBUTION_PERCENTILES.map((q) => ((n - 1) * q) / 100);
  const ranks = [...new Set(at.flatMap((x) => [Math.floor(x), Math.ceil(x)]))].sort((a, b) => a - b);
  selectRanks(v, 0, n - 1, ranks);
  return at.map((x) => {
    const lo = Math.floor(x), hi = Math.ceil(x);
    return lo === hi ? v[lo]! : v[lo]! + (v[hi]! - v[lo]!) * (x - lo);
  });
}

/** Rearranges a[lo..hi] so that a[k] is the value a sorted copy has at k, for every k of `ranks` (ascending). */
function selectRanks(a: Float64Array, lo: number, hi: number, ranks: number[]): void {
  while (ranks.length > 0) {
    if (hi - lo < 32) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    // median of three as the pivot, then a three-way partition: < pivot | = pivot | > pivot
    const mid = (lo + hi) >> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo, i = lo, gt = hi;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) (a[i] = a[lt]!), (a[lt] = v), lt++, i++;
      else if (v > pivot) (a[i] = a[gt]!), (a[gt] = v), gt--;
      else i++;
    }
    // ranks in [lt, gt] hold the pivot already; the rest are found on their side
    const left = ranks.filter((k) => k < lt), right = ranks.filter((k) => k > gt);
    if (left.length > 0) selectRanks(a, lo, lt - 1, left);
    lo = gt + 1;
    ranks = right;
  }
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
