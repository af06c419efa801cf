// Toy sets in the style of the TensorFlow Playground (xor, spiral, gaussian; plane and multi-gaussian for
// regression), seeded by NumpyRandom so that a seed always gives the same points on every platform (sin and cos
// are npmath's, not the JS engine's). Labels: the playground's +1 is class 1, −1 is class 0.
//
// `noise` is 0…1 here, the playground's 0…50% slider scaled: its noise value is noise/2.
// Draw order (documented because it defines the data): points are generated class by class as
// below, then shuffled as sklearn.utils.shuffle does (rng.shuffle of arange(n)), so that the
// classes are mixed; the same rng is used throughout.

import { NumpyRandom } from '../random';
import { utilShuffle } from './sklearn';
import { npCos, npSin } from './npmath';
import type { Samples } from './types';

function build(n: number, fill: (X: Float64Array, y: Float64Array) => void, rng: NumpyRandom): Samples {
  const X = new Float64Array(2 * n);
  const y = new Float64Array(n);
  fill(X, y);
  return utilShuffle({ X, y, n, features: 2 }, rng);
}

/**
 * Two Gaussian clusters: n − n//2 points around (2, 2) (class 1), then n//2 around (−2, −2)
 * (class 0). Each point draws x then y from normal(centre, sd) with the playground's
 * variance = 0.5 + 7·(noise/2), i.e. 0.5 (noise 0) to 4 (noise 1), sd = √variance.
 */
export function makeGaussian(n: number, noise: number, seed: number): Samples {
  const rng = new NumpyRandom(seed);
  const sd = Math.sqrt(0.5 + 7 * (noise / 2));
  const nPos = n - Math.floor(n / 2);
  return build(
    n,
    (X, y) => {
      for (let i = 0; i < n; i++) {
        const c = i < nPos ? 2 : -2;
        X[2 * i] = rng.normal(c, sd);
        X[2 * i + 1] = rng.normal(c, sd);
        y[i] = i < nPos ? 1 : 0;
      }
    },
    rng,
  );
}

/**
 * Two interleaved spirals, m points each (n − n//2 for class 1, then n//2 for class 0). Point i
 * of a spiral of m: r = 5·i/m, t = 1.75·2π·i/m + δ (δ = 0 for class 1, π for class 0),
 * x = r·sin t + u₁·(noise/2), y = r·cos t + u₂·(noise/2) with u₁, u₂ = uniform(−1, 1) drawn in that order.
 */
export function makeSpiral(n: number, noise: number, seed: number): Samples {
  const rng = new NumpyRandom(seed);
  const level = noise / 2;
  const nPos = n - Math.floor(n / 2);
  return build(
    n,
    (X, y) => {
      let row = 0;
      const spiral = (m: number, deltaT: number, label: number) => {
        for (let i = 0; i < m; i++, row++) {
          const r = (i / m) * 5;
          const t = ((1.75 * i) / m) * 2 * Math.PI + deltaT;
          X[2 * row] = r * npSin(t) + rng.uniform(-1, 1) * level;
          X[2 * row + 1] = r * npCos(t) + rng.uniform(-1, 1) * level;
          y[row] = label;
        }
      };
      spiral(nPos, 0, 1);
      spiral(n - nPos, Math.PI, 0);
    },
    rng,
  );
}

/**
 * XOR: each point draws x, y = uniform(−5, 5), each pushed 0.3 away from its axis (the
 * playground's padding), then noise offsets nx, ny = uniform(−5, 5)·(noise/2); the label is
 * class 1 when (x + nx)·(y + ny) ≥ 0, else class 0. The stored point is (x, y) without the
 * offsets, so noise shows up as mislabelled points near the axes, as in the playground.
 */
export function makeXor(n: number, noise: number, seed: number): Samples {
  const rng = new NumpyRandom(seed);
  const level = noise / 2;
  const padding = 0.3;
  return build(
    n,
    (X, y) => {
      for (let i = 0; i < n; i++) {
        let px = rng.uniform(-5, 5);
        px += px > 0 ? padding : -padding;
        let py = rng.uniform(-5, 5);
        py += py > 0 ? padding : -padding;
        const nx = rng.uniform(-5, 5) * level;
        const ny = rng.uniform(-5, 5) * level;
        X[2 * i] = px;
        X[2 * i + 1] = py;
        y[i] = (px + nx) * (py + ny) >= 0 ? 1 : 0;
      }
    },
    rng,
  );
}

// Regression sets (the playground's "plane" and "multi gaussian"). The target y is a real number in −1…1; points
// lie in the square [−6, 6]², drawn as the playground draws them: for each point x = uniform(−6, 6), y =
// uniform(−6, 6), then noise offsets nx, ny = uniform(−6, 6)·(noise/2), in that order; the target is taken at
// (x + nx, y + ny) while the stored point is (x, y). Then the same sklearn-style shuffle as above.

function regression(n: number, noise: number, seed: number, label: (x: number, y: number) => number): Samples {
  const rng = new NumpyRandom(seed);
  const level = noise / 2;
  const radius = 6;
  return build(
    n,
    (X, y) => {
      for (let i = 0; i < n; i++) {
        const px = rng.uniform(-radius, radius);
        const py = rng.uniform(-radius, radius);
        const nx = rng.uniform(-radius, radius) * level;
        const ny = rng.uniform(-radius, radius) * level;
        X[2 * i] = px;
        X[2 * i + 1] = py;
        y[i] = label(px + nx, py + ny);
      }
    },
    rng,
  );
}

/** Playground's regressPlane: target (x + y)/10 (its d3 scale from [−10, 10] to [−1, 1]). */
export function makePlane(n: number, noise: number, seed: number): Samples {
  return regression(n, noise, seed, (x, y) => (x + y) / 10);
}

/** The six Gaussian bumps of the playground's regressGaussian: centre (cx, cy) and sign. */
export const MULTI_GAUSSIAN_BUMPS: ReadonlyArray<readonly [number, number, number]> = [
  [-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
  [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1],
];

/**
 * Playground's regressGaussian: for each bump, sign·max(0, 1 − d/2) with d the distance to its centre (its d3 scale
 * from [0, 2] to [1, 0], clamped); the target is the one of largest magnitude (the first on a tie), 0 far from all.
 */
export function makeMultiGaussian(n: number, noise: number, seed: number): Samples {
  return regression(n, noise, seed, (x, y) => {
    let label = 0;
    for (const [cx, cy, sign] of MULTI_GAUSSIAN_BUMPS) {
      const dx = x - cx, dy = y - cy;
      const d = Math.sqrt(dx * dx + dy * dy);
      const v = sign * Math.min(1, Math.max(0, 1 - d / 2));
      if (Math.abs(v) > Math.abs(label)) label = v;
    }
    return label;
  });
}
