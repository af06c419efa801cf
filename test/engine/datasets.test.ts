// engine/datasets against scikit-learn 1.2 / numpy 1.24: the seed notebook's reference split,
// committed fixtures (always), live sklearn (where a Python with it exists); the playground
// sets' invariants; CSV parsing and its error messages.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type DataSpec } from '../../engine/config';
import {
  DatasetError,
  linspace,
  loadData,
  makeCircles,
  makeGaussian,
  makeMoons,
  makeSamples,
  makeSpiral,
  makeXor,
  npCos,
  npSin,
  parseCsv,
  trainTestSplit,
  type Samples,
} from '../../engine/datasets/index';
import { findNumpyPython, runPython } from '../helpers/numpy';

const fixture = (rel: string) => JSON.parse(readFileSync(new URL(`../fixtures/${rel}`, import.meta.url), 'utf8'));
const SK = fixture('datasets/sklearn.json');

function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`length ${a.length} ≠ ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length) && out.length < 5; i++) {
    if (!Object.is(a[i], b[i])) out.push(`[${i}] ${a[i]} ≠ ${b[i]}`);
  }
  return out;
}

const spec = (over: Partial<DataSpec>): DataSpec => ({ ...defaultConfig().data, ...over });
const rowsOf = (s: Samples) => Array.from({ length: s.n }, (_, i) => Array.from(s.X.subarray(i * s.features, (i + 1) * s.features)));

describe('the seed notebook’s data', () => {
  it('loadData(defaultConfig().data) is moons.json bit for bit: make_moons(1000, 0.2, 100) + train_test_split(0.1, 42)', () => {
    const ref = fixture('reference/moons.json');
    const d = loadData(defaultConfig().data);
    expect(d.train.n).toBe(900);
    expect(d.test.n).toBe(100);
    expect(mismatches(d.train.X, ref.X_train.flat())).toEqual([]);
    expect(mismatches(d.train.y, ref.y_train)).toEqual([]);
    expect(mismatches(d.test.X, ref.X_test.flat())).toEqual([]);
    expect(mismatches(d.test.y, ref.y_test)).toEqual([]);
    expect(d).toMatchObject({ classes: 2, features: 2, featureNames: ['x1', 'x2'], classNames: ['0', '1'] });
  });
});

describe('numpy arithmetic under make_moons/make_circles (fixtures from numpy 1.24, AVX-512)', () => {
  it('npSin/npCos equal np.sin/np.cos on 807 float64 inputs bit for bit (SVML, not libm)', () => {
    expect(mismatches(SK.sincos.x.map(npSin), SK.sincos.sin)).toEqual([]);
    expect(mismatches(SK.sincos.x.map(npCos), SK.sincos.cos)).toEqual([]);
    // Math.sin/Math.cos differ from numpy on many of them: why npmath exists
    const differ = SK.sincos.x.filter((x: number, i: number) => Math.sin(x) !== SK.sincos.sin[i]).length;
    expect(differ).toBeGreaterThan(100);
  });

  it('linspace equals np.linspace, with and without the endpoint, for 0, 1, 2 … 333 points', () => {
    for (const c of SK.linspace) {
      expect(mismatches(linspace(c.start, c.stop, c.num, c.endpoint), c.values), JSON.stringify({ ...c, values: undefined })).toEqual([]);
    }
  });
});

describe('sklearn generators and split (fixtures from scikit-learn 1.2)', () => {
  it('makeMoons equals make_moons for n 2…120, noise none/0/0.05…0.3, shuffled or not', () => {
    for (const c of SK.moons) {
      const s = makeMoons(c.n, c.noise, c.seed, c.shuffle);
      const what = `make_moons(${c.n}, noise=${c.noise}, random_state=${c.seed}, shuffle=${c.shuffle})`;
      expect(mismatches(s.X, c.X), what).toEqual([]);
      expect(mismatches(s.y, c.y), what).toEqual([]);
    }
  });

  it('makeCircles equals make_circles for n 2…151, factor 0…0.8, odd and even n', () => {
    for (const c of SK.circles) {
      const s = makeCircles(c.n, c.noise, c.factor, c.seed, c.shuffle);
      const what = `make_circles(${c.n}, noise=${c.noise}, factor=${c.factor}, random_state=${c.seed})`;
      expect(mismatches(s.X, c.X), what).toEqual([]);
      expect(mismatches(s.y, c.y), what).toEqual([]);
    }
  });

  it('trainTestSplit picks the same rows as train_test_split (test_size 0.1, 0.2, 0.25, 0.33, 0.5; odd n)', () => {
    for (const c of SK.train_test_split) {
      const idx: Samples = { X: Float64Array.from({ length: c.n }, (_, i) => i), y: new Float64Array(c.n), n: c.n, features: 1 };
      const { train, test } = trainTestSplit(idx, c.test_size, c.seed);
      const what = `n ${c.n}, test_size ${c.test_size}, random_state ${c.seed}`;
      expect(Array.from(test.X), what).toEqual(c.test);
      expect(Array.from(train.X), what).toEqual(c.train);
    }
  });

  it('trainTestSplit with testSize 0 keeps every sample, in order, and an empty test set', () => {
    const s = makeMoons(9, 0.1, 1);
    const { train, test } = trainTestSplit(s, 0, 5);
    expect(Array.from(train.X)).toEqual(Array.from(s.X));
    expect(test).toMatchObject({ n: 0, features: 2 });
    expect(test.X.length).toBe(0);
  });

  it('trainTestSplit refuses a split that leaves no training sample, naming the sizes', () => {
    const s = makeMoons(2, 0.1, 1);
    expect(() => trainTestSplit(s, 0.9, 0)).toThrow(
      new DatasetError('testSize 0.9 of 2 samples leaves no training samples (2 go to the test set); lower testSize or use more samples'),
    );
    expect(() => trainTestSplit(s, 1, 0)).toThrow(/testSize must be a fraction from 0 up to \(not including\) 1, got 1/);
  });

  it('keeps rows and labels together through shuffle and split', () => {
    const s = makeMoons(200, null, 3);
    const { train, test } = trainTestSplit(s, 0.25, 8);
    // noise-free moons: label 0 points lie on the unit circle's upper half, label 1 on the shifted lower one
    for (const part of [train, test]) {
      rowsOf(part).forEach(([x, y], i) => {
        const [cx, cy] = part.y[i] === 0 ? [0, 0] : [1, 0.5];
        expect(Math.hypot(x - cx, y - cy)).toBeCloseTo(1, 12);
      });
    }
  });
});

describe('playground datasets (xor, spiral, gaussian)', () => {
  const makers = { xor: makeXor, spiral: makeSpiral, gaussian: makeGaussian };

  it.each(Object.entries(makers))('%s: n points, 2 features, labels 0/1 balanced, mixed, same seed → same data', (_, make) => {
    const a = make(301, 0.3, 17);
    expect(a).toMatchObject({ n: 301, features: 2 });
    expect(a.X.length).toBe(602);
    expect(a.X.every(Number.isFinite)).toBe(true);
    expect(a.y.every((v) => v === 0 || v === 1)).toBe(true);
    const ones = a.y.reduce((s, v) => s + v, 0);
    expect(ones).toBeGreaterThan(100);
    expect(ones).toBeLessThan(200);
    // shuffled: the first 50 rows hold both classes
    expect(new Set(a.y.subarray(0, 50)).size).toBe(2);
    expect(Array.from(make(301, 0.3, 17).X)).toEqual(Array.from(a.X));
    expect(Array.from(make(301, 0.3, 18).X)).not.toEqual(Array.from(a.X));
  });

  it('xor without noise labels each point by the sign of x·y, and keeps 0.3 away from the axes', () => {
    const s = makeXor(500, 0, 4);
    rowsOf(s).forEach(([x, y], i) => {
      expect(s.y[i]).toBe(x * y >= 0 ? 1 : 0);
      expect(Math.abs(x)).toBeGreaterThanOrEqual(0.3);
      expect(Math.abs(x)).toBeLessThanOrEqual(5.3);
      expect(Math.abs(y)).toBeGreaterThanOrEqual(0.3);
    });
    // with noise, some labels near the axes disagree with the stored point's sign
    const noisy = makeXor(2000, 1, 4);
    const flipped = rowsOf(noisy).filter(([x, y], i) => noisy.y[i] !== (x * y >= 0 ? 1 : 0)).length;
    expect(flipped).toBeGreaterThan(0);
  });

  it('gaussian: class 1 centred at (2, 2), class 0 at (−2, −2), spread growing with noise', () => {
    const spread = (noise: number) => {
      const s = makeGaussian(4000, noise, 1);
      const sums = [0, 0, 0, 0];
      const sq = [0, 0];
      rowsOf(s).forEach(([x, y], i) => {
        const c = s.y[i];
        sums[2 * c] += x;
        sums[2 * c + 1] += y;
        sq[c] += (x - (c ? 2 : -2)) ** 2;
      });
      expect(sums[2] / 2000).toBeCloseTo(2, 0);
      expect(sums[0] / 2000).toBeCloseTo(-2, 0);
      return sq[1] / 2000; // variance of x in class 1
    };
    expect(spread(0)).toBeCloseTo(0.5, 1);
    expect(spread(1)).toBeCloseTo(4, 0);
  });

  it('spiral without noise puts every point on its arm: radius 5·i/m', () => {
    const s = makeSpiral(200, 0, 2);
    const radii = rowsOf(s).map(([x, y]) => Math.hypot(x, y));
    expect(Math.max(...radii)).toBeLessThan(5);
    expect(Math.min(...radii)).toBe(0);
    const expected = new Set(Array.from({ length: 100 }, (_, i) => ((i / 100) * 5).toFixed(9)));
    expect(radii.every((r) => expected.has(r.toFixed(9)))).toBe(true);
  });
});

describe('makeSamples / loadData validate the spec', () => {
  it.each([
    [{ samples: 1 }, 'data.samples must be an integer ≥ 2, got 1'],
    [{ samples: 10.5 }, 'data.samples must be an integer ≥ 2, got 10.5'],
    [{ samples: 2_000_000 }, 'data.samples must be at most 1000000, got 2000000'],
    [{ noise: -0.1 }, 'data.noise must be a number ≥ 0, got -0.1'],
    [{ noise: Number.NaN }, 'data.noise must be a number ≥ 0, got NaN'],
    [{ kind: 'xor', noise: 1.5 }, "data.noise must be a level from 0 to 1 for xor (1 is the playground's 50%), got 1.5"],
    [{ kind: 'circles', factor: 1 }, 'data.factor must be a number from 0 up to (not including) 1: the inner circle’s radius relative to the outer one, got 1'],
    [{ seed: -1 }, 'data.seed must be an integer from 0 to 4294967295 (numpy seeds are 32-bit), got -1'],
    [{ splitSeed: 2 ** 32 }, 'data.splitSeed must be an integer from 0 to 4294967295 (numpy seeds are 32-bit), got 4294967296'],
    [{ testSize: 1 }, 'data.testSize must be a fraction from 0 up to (not including) 1, got 1'],
    [{ kind: 'csv', csv: { path: '/data/x.csv' } }, 'data.kind is csv but no CSV text was given; read the file "/data/x.csv" and pass its text'],
  ] as [Partial<DataSpec>, string][])('%j → %s', (over, message) => {
    expect(() => makeSamples(spec(over))).toThrow(new DatasetError(message));
    try {
      makeSamples(spec(over));
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      expect((e as Error).name).toBe('DatasetError');
    }
  });

  it('builds every kind from a spec, split by testSize', () => {
    for (const kind of ['moons', 'circles', 'xor', 'spiral', 'gaussian'] as const) {
      const d = loadData(spec({ kind, samples: 101, noise: 0.1, testSize: 0.33 }));
      expect(d.train.n + d.test.n, kind).toBe(101);
      expect(d.test.n, kind).toBe(34);
      expect(d).toMatchObject({ classes: 2, features: 2 });
    }
    const c = loadData(spec({ kind: 'circles', samples: 100, noise: 0.05, factor: 0.8, seed: 11, testSize: 0 }));
    const ref = SK.circles.find((x: { n: number; seed: number }) => x.n === 100 && x.seed === 11);
    expect(mismatches(c.train.X, ref.X)).toEqual([]);
  });

  it('loads a CSV spec from its text, naming the file by its base name in errors', () => {
    const d = loadData(spec({ kind: 'csv', testSize: 0.5, csv: { path: '/home/u/iris.csv', labelColumn: 'species' } }), 'a,species,b\n1,x,2\n3,y,4\n5,x,6\n7,y,8\n');
    expect(d).toMatchObject({ classes: 2, features: 2, featureNames: ['a', 'b'], classNames: ['x', 'y'] });
    expect(d.train.n + d.test.n).toBe(4);
    expect(() => loadData(spec({ kind: 'csv', csv: { path: 'C:\\data\\iris.csv' } }), 'a,b\n1,2\n')).toThrow(
      'iris.csv has only 1 data row; at least 2 are needed',
    );
  });
});

describe('parseCsv', () => {
  const name = 'data.csv';
  const err = (text: string, labelColumn?: string) => {
    try {
      parseCsv(text, { name, labelColumn });
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      return (e as Error).message;
    }
    throw new Error('parseCsv did not throw');
  };

  it('reads numeric features and integer labels as class indices (classes = max + 1)', () => {
    const d = parseCsv('x1,x2,label\n0.5,-1,0\n1e-3,2.5,2\n.25,+3,1\n', { name });
    expect(d.featureNames).toEqual(['x1', 'x2']);
    expect(Array.from(d.samples.X)).toEqual([0.5, -1, 0.001, 2.5, 0.25, 3]);
    expect(Array.from(d.samples.y)).toEqual([0, 2, 1]);
    expect(d).toMatchObject({ classes: 3, classNames: ['0', '1', '2'] });
    expect(d.samples).toMatchObject({ n: 3, features: 2 });
  });

  it('maps string labels, sorted, to 0..K−1, and takes the label column by name from anywhere', () => {
    const d = parseCsv('kind,w,h\nsetosa,1,2\nvirginica,3,4\nsetosa,5,6\nversicolor,7,8\n', { name, labelColumn: 'kind' });
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(d.samples.y)).toEqual([0, 2, 0, 1]);
    expect(d.featureNames).toEqual(['w', 'h']);
    expect(Array.from(d.samples.X)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // negative or fractional labels are names, not indices
    expect(parseCsv('a,y\n1,-1\n2,1\n', { name }).classNames).toEqual(['-1', '1']);
    expect(parseCsv('a,y\n1,0.5\n2,1\n', { name }).classNames).toEqual(['0.5', '1']);
  });

  it('handles quoted fields (commas, "" and line breaks inside), CRLF, a BOM and blank lines', () => {
    const text = '\ufeff"x, first",x2,"the ""label"""\r\n"1.5",2,"a,b"\r\n\r\n3,"4","line\r\nbreak"\r\n  \r\n5,6,"a,b"\r\n\r\n\r\n';
    const d = parseCsv(text, { name });
    expect(d.featureNames).toEqual(['x, first', 'x2']);
    expect(Array.from(d.samples.X)).toEqual([1.5, 2, 3, 4, 5, 6]);
    expect(d.classNames).toEqual(['a,b', 'line\r\nbreak']);
    expect(Array.from(d.samples.y)).toEqual([0, 1, 0]);
    // line numbers count physical lines, so a later error points at the right one
    expect(err('a,b,y\n1,2,"x\ny"\n3,oops,z\n')).toBe('data.csv line 4, column "b": "oops" is not a number; feature columns must be numeric');
  });

  it.each([
    ['', 'data.csv is empty; it needs a header row (the column names) and at least 2 rows of samples'],
    ['\n\n  \n', 'data.csv is empty; it needs a header row (the column names) and at least 2 rows of samples'],
    ['x1,x2,y\n', 'data.csv has a header but no data rows; add at least 2 rows of samples below it'],
    ['x1,x2,y\r\n\r\n', 'data.csv has a header but no data rows; add at least 2 rows of samples below it'],
    ['x1,x2,y\n1,2,0\n', 'data.csv has only 1 data row; at least 2 are needed'],
    ['x1,x2,x3,y\n1,2,3,0\n1,2,3,1\n4,5,6,1\n1,2,3,0\n0,0,0,1\n1,1,1,0\n7,8,1\n', 'data.csv line 8 has 3 fields but the header has 4; every row needs one value per column'],
    ['x1,x2,y\n1,2,0\n3,4,1,9\n', 'data.csv line 3 has 4 fields but the header has 3; every row needs one value per column'],
    ['x1,x2,y\n1,2,0\n1,2,1\n1,2,1\n1,2,0\n1,2,0\n3,abc,1\n', 'data.csv line 7, column "x2": "abc" is not a number; feature columns must be numeric'],
    ['x1,x2,y\n1,,0\n2,3,1\n', 'data.csv line 2, column "x2": the value is missing; feature columns must be numeric (fill it in or remove the row)'],
    ['x1,x2,y\n0x10,1,0\n2,3,1\n', 'data.csv line 2, column "x1": "0x10" is not a number; feature columns must be numeric'],
    ['x1,x2,y\n1e999,1,0\n2,3,1\n', 'data.csv line 2, column "x1": 1e999 is too large for a 64-bit float; feature columns must be finite numbers'],
    ['x1,x2,y\n1,2,\n2,3,1\n', 'data.csv line 2, column "y": the label is empty; every row needs a label'],
    ['x1,x2,y\n1,2,0\n2,3,0\n', 'data.csv: every row has the label "0"; a classifier needs at least 2 classes in column "y"'],
    ['y\n0\n1\n', 'data.csv has only the column "y"; it needs at least one feature column besides the label'],
    ['x1,x1,y\n1,2,0\n2,3,1\n', 'data.csv line 1: the column name "x1" appears twice (columns 1 and 2); give every column a distinct name'],
    ['x1,,y\n1,2,0\n2,3,1\n', 'data.csv line 1: column 2 has no name; give every column a name in the header row'],
    ['x1,x2,y\n1,"2,0\n2,3,1\n', 'data.csv line 2: a quoted field is never closed; add the closing " (or remove the stray one)'],
    ['x1,x2,y\n1,"2"x,0\n', 'data.csv line 2: unexpected text after a closing quote in field 2; a quoted field must end at a comma or the end of the line'],
    ['x1,x2,y\n1,2,0\n2,3,5000\n', 'data.csv: the label 5000 in column "y" is too large; integer labels are class indices from 0 to 999 (is "y" the label column?)'],
  ])('%j → %s', (text, message) => {
    expect(err(text)).toBe(message);
  });

  it('refuses a label column with a single class whatever its value (all 1s is not two classes), naming the column and the value', () => {
    // integer labels are class indices 0..max: a column of 1s alone used to read as classes 0 and 1 and train to 100 %
    expect(err('x1,x2,y\n1,2,1\n2,3,1\n4,5,1\n')).toBe('data.csv: every row has the label "1"; a classifier needs at least 2 classes in column "y"');
    expect(err('x1,x2,y\n1,2,0\n2,3,0\n')).toBe('data.csv: every row has the label "0"; a classifier needs at least 2 classes in column "y"');
    expect(err('x1,x2,y\n1,2,7\n2,3,7\n')).toBe('data.csv: every row has the label "7"; a classifier needs at least 2 classes in column "y"');
    expect(err('x1,x2,y\n1,2,1\n2,3,1.0\n')).toBe('data.csv: every row has the label "1"; a classifier needs at least 2 classes in column "y"');
    expect(err('kind,x\nsetosa,1\nsetosa,2\n', 'kind')).toBe('data.csv: every row has the label "setosa"; a classifier needs at least 2 classes in column "kind"');
    // two distinct classes, even with a gap in the indices, are still accepted
    expect(parseCsv('x1,y\n1,1\n2,3\n', { name }).classes).toBe(4);
  });

  it('names the columns when the label column does not exist', () => {
    expect(err('x1,x2,y\n1,2,0\n2,3,1\n', 'label')).toBe(
      'data.csv has no column "label"; its columns are "x1", "x2", "y" — set the label column to one of them',
    );
  });

  it('reads a larger file exactly (numbers parsed as Python’s float does)', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${(i * 0.1).toString()},${(1 / (i + 1)).toPrecision(17)},${i % 3}`);
    const d = parseCsv(`a,b,c\n${rows.join('\n')}`, { name });
    expect(d.samples.n).toBe(5000);
    expect(d.samples.X[2 * 4999]).toBe(4999 * 0.1);
    expect(d.samples.X[2 * 4999 + 1]).toBe(1 / 5000);
    expect(d.classes).toBe(3);
  });
});

const py = findNumpyPython();
const svml = py
  ? runPython('from numpy.core._multiarray_umath import __cpu_features__ as f; print(int(bool(f.get("AVX512_SKX"))))').trim() === '1'
  : false;
if (!py) {
  console.warn('datasets.test.ts: no Python with numpy/sklearn (tried /usr/bin/python3, python3); the live scikit-learn cross-checks are SKIPPED — the fixture tests still ran');
} else if (!svml) {
  console.warn('datasets.test.ts: numpy here computes sin/cos with libm, not AVX-512 SVML, so live make_moons/make_circles are compared to within 1e-15 (1–2 ulp) instead of bit for bit');
}

describe('against live scikit-learn', () => {
  it.runIf(py)('make_moons, make_circles and train_test_split for sizes and seeds chosen now', () => {
    const pick = (n: number) => Math.floor(Math.random() * n);
    const cases = Array.from({ length: 4 }, () => ({
      n: 2 + pick(1500),
      noise: [0, 0.05, 0.2, 0.35][pick(4)],
      factor: [0.1, 0.5, 0.8, 0.95][pick(4)],
      seed: pick(2 ** 32),
      splitSeed: pick(1000),
      testSize: [0.1, 0.25, 0.33, 0.5][pick(4)],
    }));
    const out = JSON.parse(
      runPython(
        `import sys, json
from sklearn.datasets import make_moons, make_circles
from sklearn.model_selection import train_test_split
res = []
for c in json.loads(sys.argv[1]):
    Xm, ym = make_moons(c["n"], noise=c["noise"], random_state=c["seed"])
    Xc, yc = make_circles(c["n"], noise=c["noise"], factor=c["factor"], random_state=c["seed"])
    Xtr, Xte, ytr, yte = train_test_split(Xm, ym, test_size=c["testSize"], random_state=c["splitSeed"])
    res.append({"moons": Xm.ravel().tolist(), "ym": ym.tolist(), "circles": Xc.ravel().tolist(), "yc": yc.tolist(),
                "Xtr": Xtr.ravel().tolist(), "Xte": Xte.ravel().tolist(), "ytr": ytr.tolist(), "yte": yte.tolist()})
print(json.dumps(res))`,
        [JSON.stringify(cases)],
      ),
    );
    cases.forEach((c, k) => {
      const what = JSON.stringify(c);
      const moons = makeMoons(c.n, c.noise, c.seed);
      const circles = makeCircles(c.n, c.noise, c.factor, c.seed);
      const split = loadData(spec({ kind: 'moons', samples: c.n, noise: c.noise, seed: c.seed, testSize: c.testSize, splitSeed: c.splitSeed }));
      expect(mismatches(moons.y, out[k].ym), what).toEqual([]);
      expect(mismatches(circles.y, out[k].yc), what).toEqual([]);
      expect(mismatches(split.train.y, out[k].ytr), what).toEqual([]);
      expect(mismatches(split.test.y, out[k].yte), what).toEqual([]);
      if (svml) {
        expect(mismatches(moons.X, out[k].moons), what).toEqual([]);
        expect(mismatches(circles.X, out[k].circles), what).toEqual([]);
        expect(mismatches(split.train.X, out[k].Xtr), what).toEqual([]);
        expect(mismatches(split.test.X, out[k].Xte), what).toEqual([]);
      } else {
        const maxDiff = (a: ArrayLike<number>, b: number[]) => Math.max(0, ...b.map((v, i) => Math.abs(v - a[i])));
        expect(maxDiff(moons.X, out[k].moons), what).toBeLessThanOrEqual(1e-15);
        expect(maxDiff(circles.X, out[k].circles), what).toBeLessThanOrEqual(1e-15);
      }
    });
  });
});
