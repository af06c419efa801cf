// Activation functions g(z) and their backward rules, written over flat float64 arrays.
// Formulas follow the seed notebook where it has them (relu, sigmoid) so results match numpy.

import type { Activation } from './architecture';

/** Slope of leaky_relu for z ≤ 0. */
export const LEAKY_SLOPE = 0.01;

/**
 * z += bias (one value per row, broadcast over the cols columns), then a = g(z), in place over rows×cols
 * row-major arrays. Returns false when an output is NaN or ±Infinity.
 */
export function biasActivate(z: Float64Array, bias: Float64Array, rows: number, cols: number, act: Activation, a: Float64Array): boolean {
  let check = 0; // a sum of the outputs times 0: NaN iff some output is NaN or infinite
  for (let r = 0; r < rows; r++) {
    const b = bias[r];
    const base = r * cols;
    const end = base + cols;
    switch (act) {
      case 'relu':
        for (let i = base; i < end; i++) {
          const v = z[i] + b;
          z[i] = v;
          // np.maximum(0, Z): NaN propagates, -0 stays as numpy gives it
          const o = v > 0 ? v : v !== v ? v : 0;
          a[i] = o;
          check += o;
        }
        break;
      case 'sigmoid':
        for (let i = base; i < end; i++) {
          const v = z[i] + b;
          z[i] = v;
          const o = 1 / (1 + Math.exp(-v));
          a[i] = o;
          check += o;
        }
        break;
      case 'tanh':
        for (let i = base; i < end; i++) {
          const v = z[i] + b;
          z[i] = v;
          const o = Math.tanh(v);
          a[i] = o;
          check += o;
        }
        break;
      case 'leaky_relu':
        for (let i = base; i < end; i++) {
          const v = z[i] + b;
          z[i] = v;
          const o = v > 0 ? v : LEAKY_SLOPE * v;
          a[i] = o;
          check += o;
        }
        break;
      case 'linear':
      case 'softmax':
        for (let i = base; i < end; i++) {
          const v = z[i] + b;
          z[i] = v;
          a[i] = v;
          check += v;
        }
        break;
    }
  }
  if (act === 'softmax') {
    softmaxColumns(z, rows, cols, a);
    check = 0;
    for (let i = 0; i < rows * cols; i++) check += a[i];
  }
  return check - check === 0;
}

/** a[:, j] = softmax(z[:, j]) for every column j, shifted by the column max for stability. */
function softmaxColumns(z: Float64Array, rows: number, cols: number, a: Float64Array): void {
  for (let j = 0; j < cols; j++) {
    let max = -Infinity;
    for (let r = 0; r < rows; r++) max = Math.max(max, z[r * cols + j]);
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const e = Math.exp(z[r * cols + j] - max);
      a[r * cols + j] = e;
      sum += e;
    }
    for (let r = 0; r < rows; r++) a[r * cols + j] /= sum;
  }
}

/** dz = dA ⊙ g'(z) over rows×cols row-major arrays; softmax uses a = softmax(z) for its Jacobian-vector product. */
export function activationBackward(dA: Float64Array, z: Float64Array, a: Float64Array, rows: number, cols: number, act: Activation, dz: Float64Array): void {
  const n = rows * cols;
  switch (act) {
    case 'relu':
      // notebook: dZ = copy(dA); dZ[Z <= 0] = 0
      for (let i = 0; i < n; i++) dz[i] = z[i] <= 0 ? 0 : dA[i];
      break;
    case 'sigmoid':
      // notebook: dA * sig * (1 - sig), with sig = sigmoid(Z), which is a
      for (let i = 0; i < n; i++) {
        const s = a[i];
        dz[i] = dA[i] * s * (1 - s);
      }
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) dz[i] = dA[i] * (1 - a[i] * a[i]);
      break;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) dz[i] = z[i] > 0 ? dA[i] : LEAKY_SLOPE * dA[i];
      break;
    case 'linear':
      dz.set(dA.subarray(0, n));
      break;
    case 'softmax':
      // dz_j = a_j · (dA_j − Σ_k dA_k a_k), column by column
      for (let j = 0; j < cols; j++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += dA[r * cols + j] * a[r * cols + j];
        for (let r = 0; r < rows; r++) dz[r * cols + j] = a[r * cols + j] * (dA[r * cols + j] - dot);
      }
      break;
  }
}

/** g(z) for one value (not softmax), for inspection and tests. */
export function activate(act: Exclude<Activation, 'softmax'>, v: number): number {
  switch (act) {
    case 'relu':
      return v > 0 ? v : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh(v);
    case 'leaky_relu':
      return v > 0 ? v : LEAKY_SLOPE * v;
    case 'linear':
      return v;
  }
}
