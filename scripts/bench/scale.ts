// The scale workload's data: 16384 samples × 64 standard-normal features, labelled by the sign of a fixed random
// projection, from numpy's RandomState(7). scripts/bench_numpy.py makes the same numbers with numpy itself:
//   rs = np.random.RandomState(7); X = rs.randn(16384, 64); w = rs.randn(64); y = (Σ_j X[:, j]·w[j] > 0)
// with the sum taken left to right from 0 in both, so the labels agree even where the sum is near zero.

import type { LayerSpec } from '../../engine/architecture';
import type { DataSplit } from '../../engine/datasets/index';
import { NumpyRandom } from '../../engine/random';

export const SCALE_SAMPLES = 16384;
export const SCALE_FEATURES = 64;
export const SCALE_DATA_SEED = 7;

/** 64-256-256-1, relu, relu, sigmoid. */
export const SCALE_ARCH: LayerSpec[] = [
  { input_dim: 64, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 1, activation: 'sigmoid' },
];

/** The architecture as bench_numpy.py's --arch (in:out:activation, …). */
export function archArg(arch: readonly LayerSpec[]): string {
  return arch.map((l) => `${l.input_dim}:${l.output_dim}:${l.activation}`).join(',');
}

export function scaleData(n = SCALE_SAMPLES, f = SCALE_FEATURES, seed = SCALE_DATA_SEED): DataSplit {
  const rng = new NumpyRandom(seed);
  const X = rng.randnArray(n * f);
  const w = rng.randnArray(f);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < f; j++) s += X[i * f + j] * w[j];
    y[i] = s > 0 ? 1 : 0;
  }
  const empty = { X: new Float64Array(0), y: new Float64Array(0), n: 0, features: f };
  return {
    train: { X, y, n, features: f },
    test: empty,
    classes: 2,
    features: f,
    featureNames: Array.from({ length: f }, (_, i) => `x${i + 1}`),
    classNames: ['0', '1'],
  };
}
