// scikit-learn 1.2's StandardScaler, bit for bit: fitted on one set (the train split), applied to others.

import type { Samples } from './types';

/** A fitted StandardScaler: x' = (x − mean) / scale, column by column. */
export interface Scaler {
  mean: number[];
  scale: number[];
}

const EPS = 2 ** -52; // np.finfo(np.float64).eps

/**
 * StandardScaler().fit(X): sklearn's _incremental_mean_and_var from nothing seen: s = Σx (numpy's axis-0 sum: row
 * by row), mean = s/n, then the corrected two-pass variance var = (Σ(x − T)² − (Σ(x − T))²/n)/n with T = s/n;
 * scale = √var, or 1 where the column is constant (var ≤ n·ε·var + (n·mean·ε)², _is_constant_feature).
 */
export function fitScaler(s: Samples): Scaler {
  const { n, features: f, X } = s;
  const mean: number[] = [], scale: number[] = [];
  for (let k = 0; k < f; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += X[i * f + k];
    const m = (0 + sum) / n; // (last_sum + new_sum) / count with last_sum = 0
    const T = sum / n;
    let correction = 0, sq = 0;
    for (let i = 0; i < n; i++) {
      const d = X[i * f + k] - T;
      correction += d;
      sq += d ** 2;
    }
    const variance = (sq - correction ** 2 / n) / n;
    const constant = variance <= n * EPS * variance + (n * m * EPS) ** 2;
    mean.push(m);
    scale.push(constant ? 1 : Math.sqrt(variance));
  }
  return { mean, scale };
}

/** scaler.transform(X): X − mean, then / scale (numpy's in-place -= and /=), into new arrays. */
export function applyScaler(s: Samples, sc: Scaler): Samples {
  const f = s.features;
  const X = new Float64Array(s.X.length);
  for (let i = 0; i < s.n; i++) for (let k = 0; k < f; k++) X[i * f + k] = (s.X[i * f + k] - sc.mean[k]) / sc.scale[k];
  return { X, y: s.y.slice(), n: s.n, features: f };
}
