// The built-in datasets (iris, wine, breast_cancer, digits, diabetes) against scikit-learn 1.2's loaders, value for
// value: live where a Python with scikit-learn exists, and always against test/fixtures/datasets/builtin.json
// (sha256 of the float64 values, written by scripts/fixtures/make_builtin_datasets.py); StandardScaler fitted on
// the train split, bit for bit; the playground's regression sets and input features.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_KINDS, ConfigError, defaultConfig, resolveConfig, type DataSpec } from '../../engine/config';
import { DatasetError, loadData, makeMultiGaussian, makePlane, makeSamples, type Samples } from '../../engine/datasets/index';
import { npSin } from '../../engine/datasets/npmath';
import { findNumpyPython, runPython } from '../helpers/numpy';

const FIX = JSON.parse(readFileSync(new URL('../fixtures/datasets/builtin.json', import.meta.url), 'utf8'));
const spec = (over: Partial<DataSpec>): DataSpec => ({ ...defaultConfig().data, ...over });
const sha = (a: Float64Array) => {
  const bytes = new Uint8Array(a.length * 8);
  const v = new DataView(bytes.buffer);
  a.forEach((x, i) => v.setFloat64(8 * i, x, true));
  return createHash('sha256').update(bytes).digest('hex');
};
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`length ${a.length} ≠ ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length) && out.length < 5; i++) if (!Object.is(a[i], b[i])) out.push(`[${i}] ${a[i]} ≠ ${b[i]}`);
  return out;
}

const SHAPES = { iris: [150, 4, 3], wine: [178, 13, 3], breast_cancer: [569, 30, 2], digits: [1797, 64, 10], diabetes: [442, 10, 0] } as const;

describe('built-in datasets equal scikit-learn’s loaders (committed fixture)', () => {
  for (const kind of BUILTIN_KINDS) {
    it(`${kind}: load_${kind}()'s X and y, names and shape, value for value`, () => {
      const f = FIX.sets[kind];
      const { samples, classes, featureNames, classNames, task } = makeSamples(spec({ kind }));
      const [n, features, k] = SHAPES[kind];
      expect([samples.n, samples.features, classes]).toEqual([n, features, k]);
      expect(f.shape).toEqual([n, features]);
      expect(task).toBe(f.task);
      expect(featureNames).toEqual(f.featureNames);
      expect(classNames).toEqual(f.classNames);
      expect(mismatches(samples.X.subarray(0, features), f.firstRow)).toEqual([]);
      expect(sha(samples.X)).toBe(f.X);
      expect(sha(samples.y)).toBe(f.y);
    });
    it(`${kind}: train_test_split(0.1, 42) + StandardScaler fitted on train, bit for bit`, () => {
      const f = FIX.sets[kind].standardized;
      const d = loadData(spec({ kind, testSize: f.testSize, splitSeed: f.splitSeed, standardize: true }));
      expect(mismatches(d.scaler!.mean, f.mean)).toEqual([]);
      expect(mismatches(d.scaler!.scale, f.scale)).toEqual([]);
      expect(sha(d.train.X)).toBe(f.train);
      expect(sha(d.test.X)).toBe(f.test);
      expect(sha(d.train.y)).toBe(f.yTrain);
      expect(sha(d.test.y)).toBe(f.yTest);
    });
  }
  it('digits are 8×8 images of pixels 0..16; diabetes is regression (classes 0)', () => {
    const d = loadData(spec({ kind: 'digits', testSize: 0 }));
    expect(Math.max(...d.train.X)).toBe(16);
    expect(d.train.X.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(loadData(spec({ kind: 'diabetes' })).task).toBe('regression');
  });
});

const py = findNumpyPython();
describe.skipIf(!py)('built-in datasets against live scikit-learn', () => {
  it('each loader, and its standardized split (test_size 0.25, random_state 7), equal the engine’s exactly', () => {
    const out = JSON.parse(
      runPython(`
import json
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
r = {}
for name in ["iris", "wine", "breast_cancer", "digits", "diabetes"]:
    X, y = getattr(datasets, "load_" + name)(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=7)
    sc = StandardScaler().fit(Xtr)
    r[name] = {"X": X.ravel().tolist(), "y": y.astype(float).tolist(), "train": sc.transform(Xtr).ravel().tolist(), "test": sc.transform(Xte).ravel().tolist(), "ytrain": ytr.astype(float).tolist()}
print(json.dumps(r))
`),
    );
    for (const kind of BUILTIN_KINDS) {
      const raw = loadData(spec({ kind, testSize: 0 }));
      expect(mismatches(raw.train.X, out[kind].X), kind).toEqual([]);
      expect(mismatches(raw.train.y, out[kind].y), kind).toEqual([]);
      const d = loadData(spec({ kind, testSize: 0.25, splitSeed: 7, standardize: true }));
      expect(mismatches(d.train.X, out[kind].train), `${kind} train`).toEqual([]);
      expect(mismatches(d.test.X, out[kind].test), `${kind} test`).toEqual([]);
      expect(mismatches(d.train.y, out[kind].ytrain), `${kind} y`).toEqual([]);
    }
  }, 60_000);

  it('plane and multi-gaussian equal their numpy definitions (the .py export’s), with noise', () => {
    const out = JSON.parse(
      runPython(`
import json, numpy as np
BUMPS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
def draw(n, noise, seed, label):
    rng = np.random.RandomState(seed)
    level = noise / 2
    d = rng.uniform(-6, 6, size=(n, 4))
    x, y = d[:, 0], d[:, 1]
    t = label(x + d[:, 2] * level, y + d[:, 3] * level)
    o = rng.permutation(n)
    return {"X": np.column_stack([x, y])[o].ravel().tolist(), "y": t[o].tolist()}
def gauss(px, py):
    label = np.zeros(len(px))
    for cx, cy, s in BUMPS:
        dx, dy = px - cx, py - cy
        v = s * np.clip(1 - np.sqrt(dx * dx + dy * dy) / 2, 0, 1)
        label = np.where(np.abs(v) > np.abs(label), v, label)
    return label
print(json.dumps({"plane": draw(301, 0.4, 5, lambda a, b: (a + b) / 10), "mg": draw(301, 0.4, 5, gauss)}))
`),
    );
    const p = makePlane(301, 0.4, 5), g = makeMultiGaussian(301, 0.4, 5);
    expect(mismatches(p.X, out.plane.X)).toEqual([]);
    expect(mismatches(p.y, out.plane.y)).toEqual([]);
    expect(mismatches(g.X, out.mg.X)).toEqual([]);
    expect(mismatches(g.y, out.mg.y)).toEqual([]);
  }, 60_000);
});

describe('regression generators and input features', () => {
  it('plane: target (x + y)/10 without noise; multi-gaussian: ±1 at the bumps, 0 far away, in −1..1', () => {
    const p = makePlane(200, 0, 3);
    for (let i = 0; i < p.n; i++) expect(p.y[i]).toBe((p.X[2 * i] + p.X[2 * i + 1]) / 10);
    const g = makeMultiGaussian(500, 0, 3);
    expect(g.y.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(Math.max(...g.y)).toBeGreaterThan(0.8);
    expect(Math.min(...g.y)).toBeLessThan(-0.8);
    const d = loadData(spec({ kind: 'plane', samples: 100 }));
    expect([d.task, d.classes, d.classNames]).toEqual(['regression', 0, []]);
  });

  it('data.features computes x1, x2, x1², x2², x1·x2, sin x1, sin x2 of the two columns (after standardizing)', () => {
    const all = ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'] as const;
    const raw = loadData(spec({ kind: 'circles', samples: 50, standardize: true }));
    const d = loadData(spec({ kind: 'circles', samples: 50, standardize: true, features: [...all] }));
    expect(d.features).toBe(7);
    expect(d.featureNames).toEqual([...all]);
    const row = (s: Samples, i: number) => Array.from(s.X.subarray(i * s.features, (i + 1) * s.features));
    for (let i = 0; i < raw.train.n; i++) {
      const [a, b] = row(raw.train, i);
      expect(row(d.train, i)).toEqual([a, b, a * a, b * b, a * b, npSin(a), npSin(b)]);
    }
    const two = loadData(spec({ kind: 'circles', samples: 50, features: ['x1^2', 'x2^2'] }));
    expect(two.features).toBe(2);
  });

  it('refuses features out of order, repeated, unknown, or on data with more than two columns', () => {
    expect(() => resolveConfig({ data: { features: ['x2', 'x1'] } })).toThrow(/order/);
    expect(() => resolveConfig({ data: { features: ['x1', 'x1'] } })).toThrow(/twice/);
    expect(() => resolveConfig({ data: { features: ['x3' as never] } })).toThrow(ConfigError);
    expect(() => resolveConfig({ data: { kind: 'iris', features: ['x1'] } })).toThrow(/more columns/);
    expect(() => loadData(spec({ kind: 'csv', features: ['x1'] }), 'a,b,c,label\n1,2,3,0\n4,5,6,1\n')).toThrow(DatasetError);
  });
});
