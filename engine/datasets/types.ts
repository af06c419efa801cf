// The shapes every dataset source produces, and the one error they throw.

import type { InputFeature, Task } from '../config';

/** X is row-major n×features, as sklearn's X; y holds class indices 0..classes-1 as numbers (a regression's target: real numbers). */
export interface Samples {
  X: Float64Array;
  y: Float64Array;
  n: number;
  features: number;
}

/** Samples split into a train and a test set, with what the trainer and the UI show about them. */
export interface DataSplit {
  train: Samples;
  test: Samples;
  /** Number of classes; 0 for regression. */
  classes: number;
  /** Columns of train.X and test.X: the network's inputs. */
  features: number;
  featureNames: string[];
  classNames: string[];
  /** classification (the default when absent) or regression (a real target, R² in place of accuracy). */
  task?: Task;
  /** The StandardScaler fitted on the train split (data.standardize), applied to the raw columns before the features. */
  scaler?: { mean: number[]; scale: number[] };
  /** The inputs computed from the two raw columns (data.features); absent: the columns themselves. */
  inputFeatures?: InputFeature[];
  /**
   * With data.features: the two columns x1, x2 the features are computed from (standardized if asked), for views
   * drawn over the input plane (the points, the decision boundary); absent otherwise (train/test are the columns).
   */
  columns?: { train: Samples; test: Samples };
}

/** A data specification or CSV file that cannot be used; the message names the value and the fix. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Rows `idx` of s, in that order (numpy's X[idx], y[idx]). */
export function takeRows(s: Samples, idx: ArrayLike<number>): Samples {
  const f = s.features;
  const n = idx.length;
  const X = new Float64Array(n * f);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = idx[i];
    for (let k = 0; k < f; k++) X[i * f + k] = s.X[j * f + k];
    y[i] = s.y[j];
  }
  return { X, y, n, features: f };
}
