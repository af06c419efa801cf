// Test helpers: numpy fixtures as engine inputs, and a CPU trainer over given data.

import { readFileSync } from 'node:fs';
import { CpuBackend } from '../../engine/backends/cpu';
import type { RunConfig } from '../../engine/config';
import type { DataSplit, Samples } from '../../engine/datasets/index';
import { createTrainer, type Trainer, type TrainerOptions } from '../../engine/train';

const FIXTURES = new URL('../fixtures/', import.meta.url);

/** A JSON fixture under test/fixtures (e.g. 'reference/moons.json'). */
export function fixture<T = any>(path: string): T {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as T;
}

function samples(X: number[][], y: number[]): Samples {
  return { X: Float64Array.from(X.flat()), y: Float64Array.from(y), n: y.length, features: X[0]?.length ?? 0 };
}

/** A DataSplit from arrays as scikit-learn wrote them (X_train n×features, y_train labels, …). */
export function splitFromArrays(d: { X_train: number[][]; y_train: number[]; X_test: number[][]; y_test: number[] }): DataSplit {
  const classes = Math.max(...d.y_train, ...d.y_test) + 1;
  const features = d.X_train[0].length;
  return {
    train: samples(d.X_train, d.y_train),
    test: d.y_test.length ? samples(d.X_test, d.y_test) : { X: new Float64Array(0), y: new Float64Array(0), n: 0, features },
    classes,
    features,
    featureNames: Array.from({ length: features }, (_, i) => `x${i + 1}`),
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
  };
}

/** The seed reference's moons split, exactly as numpy/scikit-learn produced it. */
export function referenceMoons(): DataSplit {
  return splitFromArrays(fixture('reference/moons.json'));
}

/** A trainer on the float64 CPU backend over the given data. */
export function cpuTrainer(config: RunConfig, data: DataSplit, opts: TrainerOptions = {}): Promise<Trainer> {
  const backend = new CpuBackend();
  return createTrainer(config, { data, backend: { backend, info: { name: backend.name, mode: backend.mode, precision: backend.precision, reason: 'test' } }, ...opts });
}

/** max |a − b| / max |b|: the error of a whole array relative to its scale. */
export function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

export function relErr(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
}
