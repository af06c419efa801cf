// `runs interpolate` and `runs landscape` end to end: tiny runs trained by `backprop-lab train` into a real SQLite
// file, the core's answers through the command line, and the same α list and landscape grid evaluated in numpy on
// the runs' exported .npz weights and scikit-learn's make_moons split (agreement to 1e-12).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../electron/cli';
import { createCore, unwrap } from '../../electron/core/index';
import { openStore } from '../../electron/store/index';
import { findNumpyPython } from '../helpers/numpy';

const tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-weight-space-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
process.env['BACKPROP_LAB_DATA_DIR'] = join(tmp, 'default-data');
const DB = join(tmp, 'runs.db');
const python = findNumpyPython();

async function cli(argv: string[], io: Partial<CliIO> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const env = { BACKPROP_LAB_DATA_DIR: join(tmp, 'default-data') };
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, cwd: tmp, env, ...io });
  return { code, stdout, stderr };
}
const lastJson = (stdout: string): any => JSON.parse(stdout.trimEnd().split('\n').pop()!);

const ARCH = JSON.stringify([{ input_dim: 2, output_dim: 4, activation: 'tanh' }, { input_dim: 4, output_dim: 1, activation: 'sigmoid' }]);
const OTHER = JSON.stringify([{ input_dim: 2, output_dim: 3, activation: 'tanh' }, { input_dim: 3, output_dim: 1, activation: 'sigmoid' }]);
const COMMON = ['--samples', '200', '--epochs', '100', '--lr', '0.5', '--l2', '0.001'];

async function train(...args: string[]): Promise<any> {
  const r = await cli(['train', '--db', DB, '--json', '-q', ...COMMON, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r.stdout);
}

let A: any, B: any, C: any;
beforeAll(async () => {
  A = await train('--arch', ARCH, '--seed', '1');
  B = await train('--arch', ARCH, '--seed', '2');
  C = await train('--arch', OTHER, '--seed', '3');
}, 120_000);

/** Max |a − b| over two arrays of numbers (nulls must match). */
function maxDiff(a: Array<number | null>, b: Array<number | null>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  a.forEach((v, i) => {
    expect(v === null).toBe(b[i] === null);
    if (v !== null) d = Math.max(d, Math.abs(v - b[i]!));
  });
  return d;
}

/** numpy's evaluation of the runs' exported weights on make_moons(config.data): interpolation and landscape. */
const NUMPY = String.raw`
import json, sys
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
spec = json.load(open(sys.argv[1]))
d, l2 = spec['data'], spec['l2']
X, y = make_moons(n_samples=d['samples'], noise=d['noise'], random_state=d['seed'])
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=d['testSize'], random_state=d['splitSeed'])
def load(path):
    z = np.load(path)
    arch = json.loads(str(z['architecture']))
    return arch, [(z['W%d' % (i + 1)], z['b%d' % (i + 1)]) for i in range(len(arch))]
arch, PA = load(spec['a'])
_, PB = load(spec['b'])
act = {'tanh': np.tanh, 'sigmoid': lambda z: 1 / (1 + np.exp(-z))}
def cost(P, X, y):
    A = X.T
    for (W, b), l in zip(P, arch):
        A = act[l['activation']](W @ A + b)
    Y = y.reshape(1, -1)
    m = Y.shape[1]
    c = -1 / m * (Y @ np.log(A).T + (1 - Y) @ np.log(1 - A).T)
    return float(np.squeeze(c)) + l2 * 0.5 * sum(float((W ** 2).sum()) for W, _ in P)
out = {'train': [], 'test': []}
for a in spec['alphas']:
    P = [((1 - a) * WA + a * WB, (1 - a) * bA + a * bB) for (WA, bA), (WB, bB) in zip(PA, PB)]
    out['train'].append(cost(P, Xtr, ytr))
    out['test'].append(cost(P, Xte, yte))
# Li et al.'s filter-normalised directions: np.random.seed(seed), randn per W (layer order), rows scaled to W's rows
np.random.seed(spec['seed'])
def direction():
    ds = []
    for W, b in PA:
        r = np.random.randn(*W.shape)
        ds.append((r * (np.linalg.norm(W, axis=1, keepdims=True) / np.linalg.norm(r, axis=1, keepdims=True)), np.zeros_like(b)))
    return ds
D1, D2 = direction(), direction()
out['landscape'] = [[cost([(W + a * dW + b_ * eW, bb + a * db + b_ * eb) for (W, bb), (dW, db), (eW, eb) in zip(PA, D1, D2)], Xtr, ytr)
                     for a in spec['grid']] for b_ in spec['grid']]
out['landscapeTest'] = [[cost([(W + a * dW + b_ * eW, bb + a * db + b_ * eb) for (W, bb), (dW, db), (eW, eb) in zip(PA, D1, D2)], Xte, yte)
                         for a in spec['grid']] for b_ in spec['grid']]
print(json.dumps(out))
`;

describe('runs interpolate', () => {
  it('gives the train and test cost along θ(α), with 0 and 1 in the α list, and the runs’ own final costs there', async () => {
    const r = await cli(['runs', 'interpolate', A.runId.slice(0, 8), B.runId.slice(0, 8), '--db', DB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['alphas', 'testCost', 'trainCost']);
    expect(out.alphas).toHaveLength(41);
    expect(out.alphas[0]).toBe(-0.5);
    expect(out.alphas[40]).toBe(1.5);
    const i0 = out.alphas.indexOf(0), i1 = out.alphas.indexOf(1);
    expect(i0).toBe(10);
    expect(i1).toBe(30);
    // α = 0 is run A, α = 1 run B (same data and L2): their recorded final costs, to the last bit or two
    expect(Math.abs(out.trainCost[i0] - A.finalCost)).toBeLessThan(1e-15);
    expect(Math.abs(out.testCost[i0] - A.testCost)).toBeLessThan(1e-15);
    expect(Math.abs(out.trainCost[i1] - B.finalCost)).toBeLessThan(1e-15);
    // the line between two minima rises between them
    expect(Math.max(...out.trainCost.slice(i0, i1 + 1))).toBeGreaterThan(Math.max(A.finalCost, B.finalCost));
  });

  it('--steps, --from and --to choose the α list; 0 and 1 are added when outside it; the text output is a table with sparklines', async () => {
    const r = await cli(['runs', 'interpolate', A.runId, B.runId, '--db', DB, '--json', '--steps', '3', '--from', '0.25', '--to', '0.75']);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout).alphas).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const t = await cli(['runs', 'interpolate', A.runId, B.runId, '--db', DB, '--steps', '5']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^train [▁▂▃▄▅▆▇█]+$/m);
    expect(t.stdout).toMatch(/^test {2}[▁▂▃▄▅▆▇█]+$/m);
    expect(t.stdout).toMatch(/ALPHA\s+TRAIN COST\s+TEST COST/);
  });

  it('refuses runs of different architectures, one run twice, and bad values, with one line naming the value', async () => {
    const diff = await cli(['runs', 'interpolate', A.runId, C.runId, '--db', DB]);
    expect(diff.code).toBe(2);
    expect(diff.stderr.trim().split('\n')).toHaveLength(1);
    expect(diff.stderr).toContain('different architectures (2-4-1 (tanh, sigmoid) vs 2-3-1 (tanh, sigmoid)); interpolate between two runs of one architecture');
    const same = await cli(['runs', 'interpolate', A.runId, A.runId, '--db', DB]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('a and b are the same run');
    const steps = await cli(['runs', 'interpolate', A.runId, B.runId, '--db', DB, '--steps', '1']);
    expect(steps.code).toBe(2);
    expect(steps.stderr.trim()).toBe('backprop-lab: runs.interpolate: steps: must be from 2 to 1001, got 1');
    const order = await cli(['runs', 'interpolate', A.runId, B.runId, '--db', DB, '--from', '1', '--to', '0']);
    expect(order.stderr.trim()).toBe('backprop-lab: runs.interpolate: to: from must be less than to, got from 1 and to 0');
    const text = await cli(['runs', 'interpolate', A.runId, B.runId, '--db', DB, '--to', 'x']);
    expect(text.stderr.trim()).toBe('backprop-lab: --to must be a number, got "x"');
    const unknown = await cli(['runs', 'interpolate', A.runId, 'ffffffff', '--db', DB]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run matches "ffffffff"');
  });
});

describe('runs landscape', () => {
  it('gives the cost on the grid × grid plane, rows by β, the run itself at the centre', async () => {
    const r = await cli(['runs', 'landscape', A.runId.slice(0, 8), '--db', DB, '--json', '--grid', '5', '--span', '0.5', '--seed', '7']);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    expect(out).toMatchObject({ grid: 5, span: 0.5, seed: 7, alphas: [-0.5, -0.25, 0, 0.25, 0.5], betas: [-0.5, -0.25, 0, 0.25, 0.5] });
    expect(out.cost).toHaveLength(5);
    expect(out.cost.every((row: number[]) => row.length === 5)).toBe(true);
    expect(out.testCost).toHaveLength(5);
    expect(Math.abs(out.cost[2][2] - A.finalCost)).toBeLessThan(1e-15);
    // the same seed gives the same plane; another seed another one
    const again = lastJson((await cli(['runs', 'landscape', A.runId, '--db', DB, '--json', '--grid', '5', '--span', '0.5', '--seed', '7'])).stdout);
    expect(again.cost).toEqual(out.cost);
    const other = lastJson((await cli(['runs', 'landscape', A.runId, '--db', DB, '--json', '--grid', '5', '--span', '0.5', '--seed', '8'])).stdout);
    expect(other.cost[0][0]).not.toBe(out.cost[0][0]);
    const text = await cli(['runs', 'landscape', A.runId, '--db', DB, '--grid', '7']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('at the run (O)');
    const bad = await cli(['runs', 'landscape', A.runId, '--db', DB, '--span', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('backprop-lab: runs.landscape: span: must be a number above 0 and at most 100, got 0');
  });

  it('is the same command in the core: a run without weights or on CSV data is a conflict, an unknown one not_found', async () => {
    const store = openStore({ path: DB });
    const core = createCore({ store, host: 'cli', version: 'test' });
    try {
      const bare = store.createRun(store.getRun(A.runId).config, { name: 'no weights' });
      store.failRun(bare.id, 'test: no weights');
      const r = await core.invoke('runs.landscape', { runId: bare.id });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.code).toBe('conflict');
      expect(!r.ok && r.error.message).toContain('has no stored weights');
      const missing = await core.invoke('runs.interpolate', { a: A.runId, b: 'no-such-run' });
      expect(!missing.ok && missing.error.code).toBe('not_found');
      // a CSV run's data is not stored: nothing to evaluate its weights on
      const cfg = store.getRun(A.runId).config;
      const csv = store.createRun({ ...cfg, data: { ...cfg.data, kind: 'csv', csv: { path: 'points.csv' } } }, { name: 'csv' });
      store.failRun(csv.id, 'test: weights only', { params: store.getWeights(A.runId)! });
      const c = await core.invoke('runs.landscape', { runId: csv.id });
      expect(!c.ok && c.error.code).toBe('conflict');
      expect(!c.ok && c.error.message).toContain('trained on a CSV file whose data is not stored');
      store.deleteRun(csv.id);
      const small = unwrap(await core.invoke('runs.landscape', { runId: A.runId, grid: 2 }));
      expect(small.alphas).toEqual([-1, 1]);
      store.deleteRun(bare.id);
    } finally {
      await core.close();
      store.close();
    }
  });
});

describe('against numpy on the exported weights', () => {
  it('numpy evaluates the same α list and the same landscape grid (directions from np.random.seed) to 1e-12', async () => {
    if (!python) {
      console.warn('SKIPPED: no /usr/bin/python3 with numpy and scikit-learn (apt-get install python3-numpy python3-sklearn); the numpy checks of interpolate and landscape did not run');
      return;
    }
    const npz = (run: any) => {
      const file = join(tmp, `${run.runId}.npz`);
      return cli(['runs', 'export', run.runId, '--db', DB, '--format', 'npz', '--out', file]).then((r) => (expect(r.code, r.stderr).toBe(0), file));
    };
    const interp = lastJson((await cli(['runs', 'interpolate', A.runId, B.runId, '--db', DB, '--json', '--steps', '9'])).stdout);
    const land = lastJson((await cli(['runs', 'landscape', A.runId, '--db', DB, '--json', '--grid', '5', '--span', '1', '--seed', '3'])).stdout);
    const spec = { a: await npz(A), b: await npz(B), data: A.config.data, l2: A.config.training.l2, alphas: interp.alphas, grid: land.alphas, seed: 3 };
    expect(spec.l2).toBe(0.001);
    const file = join(tmp, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const script = join(tmp, 'weight_space.py');
    writeFileSync(script, NUMPY);
    const np = JSON.parse(execFileSync(python, [script, file], { encoding: 'utf8', timeout: 120_000 }));
    const errors = {
      train: maxDiff(interp.trainCost, np.train),
      test: maxDiff(interp.testCost, np.test),
      landscape: maxDiff(land.cost.flat(), np.landscape.flat()),
      landscapeTest: maxDiff(land.testCost.flat(), np.landscapeTest.flat()),
    };
    console.log(`weight-space views against numpy, max |engine − numpy|: ${JSON.stringify(errors)}`);
    for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-12);
  });
});
