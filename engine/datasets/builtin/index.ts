// scikit-learn's toy datasets, built in: load_iris, load_wine, load_breast_cancer, load_digits, load_diabetes,
// value for value (the modules are generated from the loaders; see ./sklearn/NOTICE.md for the data's license
// and sources). Pure TypeScript: the data is in the modules, nothing is read from disk.

import { DatasetError, type Samples } from '../types';
import { BREAST_CANCER } from './breast_cancer';
import { DIABETES } from './diabetes';
import { DIGITS } from './digits';
import { IRIS } from './iris';
import type { BuiltinData } from './types';
import { WINE } from './wine';

export type { BuiltinData } from './types';

/** The built-in datasets by the name `data.kind` uses. */
export const BUILTIN_DATASETS = { iris: IRIS, wine: WINE, breast_cancer: BREAST_CANCER, digits: DIGITS, diabetes: DIABETES } as const;
export type BuiltinName = keyof typeof BUILTIN_DATASETS;

export function isBuiltin(kind: string): kind is BuiltinName {
  return Object.prototype.hasOwnProperty.call(BUILTIN_DATASETS, kind);
}

function decode(d: BuiltinData): Samples {
  const { n, features: f } = d;
  if (d.rows.length !== n) throw new DatasetError(`built-in dataset ${d.name} is damaged: ${d.rows.length} rows, expected ${n}`);
  const X = new Float64Array(n * f);
  for (let i = 0; i < n; i++) {
    const row = d.rows[i]!;
    if (d.encoding === 'base17') {
      for (let k = 0; k < f; k++) X[i * f + k] = parseInt(row[k]!, 17);
    } else {
      const values = row.split(',');
      for (let k = 0; k < f; k++) X[i * f + k] = Number(values[k]);
    }
  }
  const y = new Float64Array(n);
  if (d.task === 'classification') for (let i = 0; i < n; i++) y[i] = parseInt(d.y[i]!, 17);
  else d.y.split(',').forEach((v, i) => (y[i] = Number(v)));
  return { X, y, n, features: f };
}

const cache = new Map<BuiltinName, Samples>();

/**
 * sklearn.datasets.load_<name>(): X (n × features, row-major) and y (class indices, or the regression target),
 * with the feature and class names. Each call returns fresh arrays (decoded once, then copied).
 */
export function loadBuiltin(name: BuiltinName): { samples: Samples; data: BuiltinData } {
  const d = BUILTIN_DATASETS[name];
  let s = cache.get(name);
  if (!s) cache.set(name, (s = decode(d)));
  return { samples: { X: s.X.slice(), y: s.y.slice(), n: s.n, features: s.features }, data: d };
}
