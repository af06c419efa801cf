// The TensorFlow Playground's input features, computed from the two columns x1, x2 of 2-D data: a run picks any
// of them (data.features) and its first layer takes that many inputs. Every export computes the same values.

import type { InputFeature } from '../config';
import { npSin } from './npmath';
import { DatasetError, type Samples } from './types';

/** The value of one feature at (x1, x2). sin is numpy's (npmath), so the .py export computes the same doubles. */
export function featureValue(name: InputFeature, x1: number, x2: number): number {
  switch (name) {
    case 'x1':
      return x1;
    case 'x2':
      return x2;
    case 'x1^2':
      return x1 * x1;
    case 'x2^2':
      return x2 * x2;
    case 'x1*x2':
      return x1 * x2;
    case 'sin(x1)':
      return npSin(x1);
    case 'sin(x2)':
      return npSin(x2);
  }
}

/** The chosen features of 2-column samples, as a new n × features.length set. */
export function applyFeatures(s: Samples, features: readonly InputFeature[]): Samples {
  if (s.features !== 2) {
    throw new DatasetError(`data.features (x1, x2, x1^2, …) need data with two columns, but this data has ${s.features}; drop data.features (--features) for it`);
  }
  const f = features.length;
  const X = new Float64Array(s.n * f);
  for (let i = 0; i < s.n; i++) {
    const x1 = s.X[2 * i], x2 = s.X[2 * i + 1];
    for (let k = 0; k < f; k++) X[i * f + k] = featureValue(features[k]!, x1, x2);
  }
  return { X, y: s.y.slice(), n: s.n, features: f };
}
