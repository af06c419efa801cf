// engine/interpolate.ts and engine/landscape.ts: the α list and the grid, the cost of given parameters against the
// trainer's own figures, and — with the data handed over as it is — numpy's evaluation of the interpolation and of
// the landscape (its directions drawn by np.random.seed/randn) on a softmax network with L2, to 1e-12.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig, type RunConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import type { Params } from '../../engine/init';
import { CostEvaluator, interpolate, interpolationAlphas } from '../../engine/interpolate';
import { landscape, landscapeAxis, landscapeDirections } from '../../engine/landscape';
import { cpuTrainer } from '../helpers/engine';
import { findNumpyPython, runPython } from '../helpers/numpy';

const python = findNumpyPython();
const tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-weight-space-engine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const plain = (ps: Params) => ps.map((p) => ({ name: p.name, rows: p.rows, cols: p.cols, data: Array.from(p.data) }));

describe('the α list and the grid', () => {
  it('holds −0.5..1.5 in 41 steps by default, with 0 and 1 exactly at indices 10 and 30', () => {
    const a = interpolationAlphas();
    expect(a).toHaveLength(41);
    expect([a[0], a[10], a[30], a[40]]).toEqual([-0.5, 0, 1, 1.5]);
    for (let i = 1; i < a.length; i++) expect(a[i]! - a[i - 1]!).toBeCloseTo(0.05, 14);
  });

  it('always includes 0 and 1 exactly: snapped when a point rounds near them, added when outside the range', () => {
    const a = interpolationAlphas(-0.3, 1.1, 15);
    expect(a).toHaveLength(15);
    expect(a).toContain(0);
    expect(a).toContain(1);
    expect(interpolationAlphas(0.2, 0.8, 3)).toEqual([0, 0.2, 0.5, 0.8, 1]);
    expect(interpolationAlphas(2, 3, 2)).toEqual([0, 1, 2, 3]);
    expect(() => interpolationAlphas(1, 0, 5)).toThrow('from must be less than to');
  });

  it('spans −span..span symmetrically, with the run itself (0) at the centre of an odd grid', () => {
    const axis = landscapeAxis(7, 0.3);
    expect(axis[0]).toBe(-0.3);
    expect(axis[6]).toBe(0.3);
    expect(axis[3]).toBe(0);
    for (let i = 0; i < 7; i++) expect(axis[i]! + axis[6 - i]!).toBe(0);
    expect(landscapeAxis(4, 1)).not.toContain(0);
    expect(() => landscapeAxis(5, 0)).toThrow('span must be a positive number');
  });
});

/** Iris (4 features, 3 classes, standardized) on 4-5-3 with softmax, adam and L2: a few epochs of two seeds. */
async function irisRuns(): Promise<{ config: RunConfig; a: Params; b: Params; finalA: { cost: number; test: number } }> {
  const config = resolveConfig({
    architecture: [{ input_dim: 4, output_dim: 5, activation: 'tanh' }, { input_dim: 5, output_dim: 3, activation: 'softmax' }],
    data: { kind: 'iris', standardize: true, testSize: 0.2 },
    training: { epochs: 30, optimizer: 'adam', learningRate: 0.05, l2: 0.01 },
  });
  const data = loadData(config.data);
  const ta = await cpuTrainer(config, data);
  const ra = await ta.run();
  const tb = await cpuTrainer({ ...config, init: { ...config.init, seed: 7 } }, data);
  await tb.run();
  const out = { config, a: ta.params(), b: tb.params(), finalA: { cost: ra.finalCost, test: ra.testCost! } };
  ta.free();
  tb.free();
  return out;
}

describe('the cost of given parameters', () => {
  it('is the trainer’s cost (loss plus L2) at a run’s final weights: α = 0 and the landscape’s centre give it', async () => {
    const { config, a, b, finalA } = await irisRuns();
    const data = loadData(config.data);
    const ev = new CostEvaluator(config, data);
    expect(Math.abs(ev.cost(a, 'train')! - finalA.cost)).toBeLessThan(1e-15);
    expect(Math.abs(ev.cost(a, 'test')! - finalA.test)).toBeLessThan(1e-15);
    ev.free();
    const line = await interpolate({ config, data, a, b, steps: 5, from: 0, to: 1 });
    expect(line.alphas).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Math.abs(line.trainCost[0]! - finalA.cost)).toBeLessThan(1e-15);
    const plane = await landscape({ config, data, params: a, grid: 3, span: 0.5, seed: 1 });
    expect(Math.abs(plane.cost[1]![1]! - finalA.cost)).toBeLessThan(1e-15);
    expect(plane.testCost).toHaveLength(3);
  });

  it('refuses parameters of another architecture with a one-line message', async () => {
    const config = resolveConfig({ architecture: [{ input_dim: 2, output_dim: 3, activation: 'tanh' }, { input_dim: 3, output_dim: 1, activation: 'sigmoid' }] });
    const data = loadData({ ...config.data, samples: 50 });
    const p: Params = [
      { name: 'W1', rows: 4, cols: 2, data: new Float64Array(8) },
      { name: 'b1', rows: 4, cols: 1, data: new Float64Array(4) },
      { name: 'W2', rows: 1, cols: 4, data: new Float64Array(4) },
      { name: 'b2', rows: 1, cols: 1, data: new Float64Array(1) },
    ];
    await expect(interpolate({ config, data, a: p, b: p })).rejects.toThrow('run A: W1 is 4×2 and b1 4×1, but layer 1 needs 3×2 and 3×1');
  });

  it('a direction has zero biases and each W row the norm of the weights’ row (filter normalisation)', () => {
    const params: Params = [
      { name: 'W1', rows: 2, cols: 3, data: Float64Array.from([1, 2, 2, 0, 0, 0]) },
      { name: 'b1', rows: 2, cols: 1, data: Float64Array.from([5, 6]) },
    ];
    const [d1, d2] = landscapeDirections(params, 0);
    for (const d of [d1, d2]) {
      expect(Array.from(d[1]!.data)).toEqual([0, 0]);
      const row0 = Math.hypot(...d[0]!.data.subarray(0, 3));
      expect(row0).toBeCloseTo(3, 14);
      expect(Array.from(d[0]!.data.subarray(3)).every((v) => v === 0)).toBe(true); // a row of zero weights gets no direction (±0)
    }
    expect(d1[0]!.data[0]).not.toBe(d2[0]!.data[0]);
  });
});

describe('against numpy', () => {
  it('numpy repeats the directions (np.random.seed, randn) and evaluates the interpolation and the landscape to 1e-12', async () => {
    if (!python) {
      console.warn('SKIPPED: no /usr/bin/python3 with numpy (apt-get install python3-numpy python3-sklearn); the numpy checks of the weight-space views did not run');
      return;
    }
    const { config, a, b } = await irisRuns();
    const data = loadData(config.data);
    const line = await interpolate({ config, data, a, b, steps: 9 });
    const plane = await landscape({ config, data, params: a, grid: 5, span: 1, seed: 11 });
    const input = {
      a: plain(a), b: plain(b), l2: config.training.l2, alphas: line.alphas, axis: plane.alphas, seed: 11,
      Xtr: Array.from(data.train.X), ytr: Array.from(data.train.y), Xte: Array.from(data.test.X), yte: Array.from(data.test.y), features: data.features,
    };
    const out = JSON.parse(runPython(String.raw`
import json, sys
import numpy as np
s = json.load(open(sys.argv[1]))
mat = lambda p: np.array(p['data'], dtype=np.float64).reshape(p['rows'], p['cols'])
PA = [(mat(s['a'][i]), mat(s['a'][i + 1])) for i in range(0, len(s['a']), 2)]
PB = [(mat(s['b'][i]), mat(s['b'][i + 1])) for i in range(0, len(s['b']), 2)]
f = s['features']
Xtr, Xte = np.array(s['Xtr']).reshape(-1, f), np.array(s['Xte']).reshape(-1, f)
ytr, yte = np.array(s['ytr'], dtype=int), np.array(s['yte'], dtype=int)
def cost(P, X, y):
    A = X.T
    (W1, b1), (W2, b2) = P
    A = np.tanh(W1 @ A + b1)
    Z = W2 @ A + b2
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    S = E / E.sum(axis=0, keepdims=True)
    m = X.shape[0]
    return float(-np.log(S[y, np.arange(m)]).sum() / m) + s['l2'] * 0.5 * sum(float((W ** 2).sum()) for W, _ in P)
np.random.seed(s['seed'])
def direction():
    out = []
    for W, b in PA:
        r = np.random.randn(*W.shape)
        out.append((r * (np.linalg.norm(W, axis=1, keepdims=True) / np.linalg.norm(r, axis=1, keepdims=True)), np.zeros_like(b)))
    return out
D1, D2 = direction(), direction()
res = {'train': [], 'test': []}
for a in s['alphas']:
    P = [((1 - a) * WA + a * WB, (1 - a) * bA + a * bB) for (WA, bA), (WB, bB) in zip(PA, PB)]
    res['train'].append(cost(P, Xtr, ytr)); res['test'].append(cost(P, Xte, yte))
pt = lambda a, b: [(W + a * dW + b * eW, bb + a * db + b * eb) for (W, bb), (dW, db), (eW, eb) in zip(PA, D1, D2)]
res['plane'] = [[cost(pt(a, b), Xtr, ytr) for a in s['axis']] for b in s['axis']]
res['planeTest'] = [[cost(pt(a, b), Xte, yte) for a in s['axis']] for b in s['axis']]
res['d1'] = [W.ravel().tolist() for W, _ in D1]
res['d2'] = [W.ravel().tolist() for W, _ in D2]
print(json.dumps(res))
`, [writeTemp(JSON.stringify(input))]));
    const maxDiff = (x: Array<number | null>, y: number[]) => Math.max(...x.map((v, i) => Math.abs(v! - y[i]!)));
    const dirDiff = Math.max(
      ...plane.directions[0].filter((_, i) => i % 2 === 0).map((p, l) => maxDiff(Array.from(p.data), out.d1[l])),
      ...plane.directions[1].filter((_, i) => i % 2 === 0).map((p, l) => maxDiff(Array.from(p.data), out.d2[l])),
    );
    const errors = {
      directions: dirDiff,
      train: maxDiff(line.trainCost, out.train),
      test: maxDiff(line.testCost, out.test),
      landscape: maxDiff(plane.cost.flat(), out.plane.flat()),
      landscapeTest: maxDiff(plane.testCost!.flat(), out.planeTest.flat()),
    };
    console.log(`iris softmax + L2 against numpy, max |engine − numpy|: ${JSON.stringify(errors)}`);
    for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-12);
  });
});

/** The input for numpy as a file in a temp folder removed after the tests. */
function writeTemp(text: string): string {
  const file = join(tmp, 'input.json');
  writeFileSync(file, text);
  return file;
}
