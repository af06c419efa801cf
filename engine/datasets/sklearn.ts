// scikit-learn 1.2's make_moons and make_circles, bit for bit (numpy 1.24 on an AVX-512 CPU;
// see npmath.ts for sin/cos): the same points in the same order for the same random_state.

import { NumpyRandom } from '../random';
import { linspace, npCos, npSin } from './npmath';
import { DatasetError, takeRows, type Samples } from './types';

/**
 * sklearn.utils.shuffle(X, y, random_state=rng): `indices = arange(n); rng.shuffle(indices)`,
 * then X[indices], y[indices] (resample without replacement).
 */
export function utilShuffle(s: Samples, rng: NumpyRandom): Samples {
  return takeRows(s, rng.permutation(s.n));
}

/** Stacks two labelled point sets as sklearn's vstack/append/hstack does: first label 0, then 1. */
function twoClasses(x0: ArrayLike<number>, y0: ArrayLike<number>, x1: ArrayLike<number>, y1: ArrayLike<number>): Samples {
  const n0 = x0.length;
  const n = n0 + x1.length;
  const X = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n0; i++) {
    X[2 * i] = x0[i];
    X[2 * i + 1] = y0[i];
  }
  for (let i = n0; i < n; i++) {
    X[2 * i] = x1[i - n0];
    X[2 * i + 1] = y1[i - n0];
    y[i] = 1;
  }
  return { X, y, n, features: 2 };
}

/** The tail both generators share: optional shuffle, then X += rng.normal(scale=noise, size=X.shape). */
function finish(s: Samples, rng: NumpyRandom, noise: number | null, shuffle: boolean): Samples {
  const out = shuffle ? utilShuffle(s, rng) : s;
  if (noise !== null) {
    // row-major draw order, as numpy fills an (n, 2) array; loc + scale·gauss with loc = 0
    for (let i = 0; i < out.X.length; i++) out.X[i] += rng.normal(0, noise);
  }
  return out;
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new DatasetError(`n_samples must be a non-negative integer, got ${n}`);
}

/**
 * sklearn.datasets.make_moons(n_samples=n, noise=noise, random_state=randomState, shuffle):
 * two interleaving half circles, n//2 points in the upper one (label 0), the rest in the lower
 * one (label 1). noise = null means none (no draws), as sklearn's None.
 */
export function makeMoons(n: number, noise: number | null, randomState: number, shuffle = true): Samples {
  checkN(n);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const rng = new NumpyRandom(randomState);
  const tOut = linspace(0, Math.PI, nOut);
  const tIn = linspace(0, Math.PI, nIn);
  const outerX = tOut.map(npCos);
  const outerY = tOut.map(npSin);
  const innerX = tIn.map((t) => 1 - npCos(t));
  const innerY = tIn.map((t) => 1 - npSin(t) - 0.5);
  return finish(twoClasses(outerX, outerY, innerX, innerY), rng, noise, shuffle);
}

/**
 * sklearn.datasets.make_circles(n_samples=n, noise, random_state, factor, shuffle): a large
 * circle (n//2 points, label 0) around a smaller one of radius `factor` (the rest, label 1),
 * angles from linspace(0, 2π, ·, endpoint=False).
 */
export function makeCircles(n: number, noise: number | null, factor: number, randomState: number, shuffle = true): Samples {
  checkN(n);
  if (!(factor >= 0 && factor < 1)) throw new DatasetError(`factor must be between 0 and 1 (0 ≤ factor < 1), got ${factor}`);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const rng = new NumpyRandom(randomState);
  const tOut = linspace(0, 2 * Math.PI, nOut, false);
  const tIn = linspace(0, 2 * Math.PI, nIn, false);
  const outerX = tOut.map(npCos);
  const outerY = tOut.map(npSin);
  const innerX = tIn.map((t) => npCos(t) * factor);
  const innerY = tIn.map((t) => npSin(t) * factor);
  return finish(twoClasses(outerX, outerY, innerX, innerY), rng, noise, shuffle);
}
