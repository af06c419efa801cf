// The plane a view of data with more than two features is drawn in: two chosen features with the others at their
// train means, or the first two principal components of the train set. A plane maps (a, b) to a full input row,
// and a row to its (a, b), so points and a decision-boundary grid can be drawn in it.

import type { Samples } from './types';

/** A plane: input = origin + a·u + b·v; (a, b) of a row = ((row − origin)·u, (row − origin)·v). */
/**
 * A numeric array that may be a number[] or a typed array: what crosses to the page (electron/frames.ts packs arrays
 * of 64+ numbers as typed arrays). Read it with index loops.
 */
export type NumericArray = ArrayLike<number> & Iterable<number>;

export interface Plane {
  kind: 'features' | 'pca';
  /** 'features': the two features' indices; absent for 'pca'. */
  features?: [number, number];
  /** The plane's origin: the train means ('features': with the two chosen features at 0, so a and b are their values). */
  origin: NumericArray;
  /** The two directions, one value per feature (unit vectors; for 'features', the two axes). */
  u: NumericArray;
  v: NumericArray;
  /** Axis labels: the features' names, or 'PC1', 'PC2'. */
  labels: [string, string];
  /** 'pca': the share of the train set's variance along u and v. */
  explained?: [number, number];
}

function means(s: Samples): number[] {
  const f = s.features, out = new Array<number>(f).fill(0);
  for (let i = 0; i < s.n; i++) for (let k = 0; k < f; k++) out[k]! += s.X[i * f + k]!;
  return out.map((x) => (s.n ? x / s.n : 0));
}

/** Features i and j vary; the others stay at their train means. */
export function featurePlane(train: Samples, i: number, j: number, names: readonly string[]): Plane {
  const f = train.features;
  if (!(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j >= 0 && i < f && j < f && i !== j)) {
    throw new RangeError(`the plane needs two different features from 0 to ${f - 1}, got ${i} and ${j}`);
  }
  const u = new Array<number>(f).fill(0), v = new Array<number>(f).fill(0);
  u[i] = 1;
  v[j] = 1;
  const origin = means(train);
  origin[i] = origin[j] = 0;
  return { kind: 'features', features: [i, j], origin, u, v, labels: [names[i] ?? `x${i + 1}`, names[j] ?? `x${j + 1}`] };
}

/**
 * The first two principal components of the train set (the covariance's top eigenvectors, by power iteration with
 * deflation; each signed so its largest-magnitude entry is positive, so the picture does not flip between runs).
 */
export function pcaPlane(train: Samples): Plane {
  const f = train.features, n = train.n;
  const mean = means(train);
  const C = Array.from({ length: f }, () => new Array<number>(f).fill(0));
  for (let r = 0; r < n; r++) {
    for (let a = 0; a < f; a++) {
      const da = train.X[r * f + a]! - mean[a]!;
      if (da === 0) continue;
      for (let b = a; b < f; b++) C[a]![b]! += da * (train.X[r * f + b]! - mean[b]!);
    }
  }
  for (let a = 0; a < f; a++) for (let b = a; b < f; b++) C[b]![a] = C[a]![b] = C[a]![b]! / Math.max(1, n);
  const total = C.reduce((s, row, a) => s + row[a]!, 0);
  const top = (): { vec: number[]; value: number } => {
    let vec = Array.from({ length: f }, (_, k) => 1 + k / f);
    let value = 0;
    for (let it = 0; it < 500; it++) {
      const next = C.map((row) => row.reduce((s, c, k) => s + c * vec[k]!, 0));
      const norm = Math.hypot(...next);
      if (norm === 0) return { vec: vec.map((_, k) => (k === 0 ? 1 : 0)), value: 0 };
      const moved = next.reduce((s, x, k) => s + Math.abs(x / norm - vec[k]!), 0);
      vec = next.map((x) => x / norm);
      value = norm;
      if (moved < 1e-13) break;
    }
    const big = vec.reduce((b, x, k) => (Math.abs(x) > Math.abs(vec[b]!) ? k : b), 0);
    return { vec: vec[big]! < 0 ? vec.map((x) => -x) : vec, value };
  };
  const first = top();
  for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) C[a]![b]! -= first.value * first.vec[a]! * first.vec[b]!;
  const second = top();
  return {
    kind: 'pca',
    origin: mean,
    u: first.vec,
    v: second.vec,
    labels: ['PC1', 'PC2'],
    explained: [total > 0 ? first.value / total : 0, total > 0 ? second.value / total : 0],
  };
}

/** (a, b) of each row in the plane, as a 2-column Samples (labels kept). */
export function toPlane(s: Samples, p: Plane): Samples {
  const f = s.features, X = new Float64Array(2 * s.n);
  for (let i = 0; i < s.n; i++) {
    let a = 0, b = 0;
    for (let k = 0; k < f; k++) {
      const d = s.X[i * f + k]! - p.origin[k]!;
      a += d * p.u[k]!;
      b += d * p.v[k]!;
    }
    X[2 * i] = a;
    X[2 * i + 1] = b;
  }
  return { X, y: s.y.slice(), n: s.n, features: 2 };
}

/** The full input rows of points (a, b) of the plane (2-column Samples) → n × features. */
export function fromPlane(points: Samples, p: Plane): Samples {
  const f = p.origin.length, X = new Float64Array(f * points.n);
  for (let i = 0; i < points.n; i++) {
    const a = points.X[2 * i]!, b = points.X[2 * i + 1]!;
    for (let k = 0; k < f; k++) X[i * f + k] = p.origin[k]! + a * p.u[k]! + b * p.v[k]!;
  }
  return { X, y: points.y.slice(), n: points.n, features: f };
}
