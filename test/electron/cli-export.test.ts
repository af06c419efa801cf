// Exports from the command line (`runs export`, `train --export FILE.ext`) checked by the programs that read
// them — numpy's np.load, onnxruntime-node, the numpy script run by /usr/bin/python3 — and imports back in
// (`train --init-from`, `runs import`). Real SQLite files in a temp folder, the real engine.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { resolveConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import { metricsFromJSON } from '../../engine/export/index';
import { main, type CliIO } from '../../electron/cli';
import { findNumpyPython } from '../helpers/numpy';

const tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-cli-export-'));
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
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

async function train(...args: string[]): Promise<any> {
  const r = await cli(['train', '--db', DB, '--json', '-q', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r.stdout);
}

async function exportRun(id: string, ...args: string[]): Promise<string> {
  const r = await cli(['runs', 'export', id, '--db', DB, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Runs a Python script with /usr/bin/python3 (numpy, scikit-learn); stdout. */
function py(code: string, ...args: string[]): string {
  const file = join(tmp, `check-${Math.random().toString(36).slice(2)}.py`);
  writeFileSync(file, code);
  return execFileSync(python!, [file, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

/** Skips visibly where there is no Python with numpy. */
function needsPython(): boolean {
  if (python) return true;
  console.warn('SKIPPED: no /usr/bin/python3 with numpy and scikit-learn (apt-get install python3-numpy python3-sklearn); the numpy checks of the exports did not run');
  return false;
}

/** The network's output for sample rows (n × features), float64, from weights as the JSON export holds them. */
function forward(arch: readonly LayerSpec[], params: Record<string, number[][]>, rows: number[][]): number[][] {
  const act: Record<string, (z: number[]) => number[]> = {
    relu: (z) => z.map((v) => (v > 0 ? v : 0)),
    sigmoid: (z) => z.map((v) => 1 / (1 + Math.exp(-v))),
    tanh: (z) => z.map(Math.tanh),
    linear: (z) => z,
  };
  return rows.map((x) => {
    let a = x;
    arch.forEach((l, i) => {
      const W = params[`W${i + 1}`]!, b = params[`b${i + 1}`]!;
      // z:(out) = W:(out,in) · a:(in) + b:(out,1)
      const z = W.map((row, o) => row.reduce((s, w, k) => s + w * a[k]!, 0) + b[o]![0]!);
      a = act[l.activation]!(z);
    });
    return a;
  });
}

describe('runs export of a trained run', () => {
  let run: any;
  let jsonFile: string;
  beforeAll(async () => {
    run = await train('--epochs', '50', '--name', 'for export');
    jsonFile = join(tmp, 'run.json');
    await exportRun(run.runId, '--format', 'json', '--out', jsonFile);
  });

  it('json: the format, architecture, config, the final metrics and the run’s weights', () => {
    const saved = JSON.parse(readFileSync(jsonFile, 'utf8'));
    expect(saved).toMatchObject({ format: 'backprop-lab-weights', version: 1, config: run.config, architecture: run.config.architecture });
    expect(saved.metrics).toMatchObject({ status: 'finished', epochs: 50, finalCost: run.finalCost, testAccuracy: run.testAccuracy });
    expect(Object.keys(saved.params)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4', 'W5', 'b5']);
  });

  it('npz: np.load (no allow_pickle) gives W1 (25, 2) float64, every array equal bit for bit to the JSON export, and the run’s cost', async () => {
    const npz = join(tmp, 'run.npz');
    const r = await cli(['runs', 'export', run.runId.slice(0, 8), '--db', DB, '--format', 'npz', '--out', npz, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: run.runId, format: 'npz', out: npz });
    expect(readFileSync(npz).subarray(0, 2).toString('latin1')).toBe('PK');
    if (!needsPython()) return;
    const out = JSON.parse(
      py(
        `
import json, sys
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
z = np.load(sys.argv[1])
j = json.load(open(sys.argv[2]))
res = {"files": sorted(z.files), "arrays": {}}
for k, v in j["params"].items():
    a = z[k]
    b = np.array(v, dtype=np.float64)
    res["arrays"][k] = {"shape": list(a.shape), "dtype": str(a.dtype), "same_bits": a.tobytes() == b.tobytes()}
arch = json.loads(str(z["architecture"]))
res["architecture"] = arch
# the notebook's forward pass over the run's training data, and its cross-entropy
X, y = make_moons(n_samples=1000, noise=0.2, random_state=100)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.1, random_state=42)
A = X_train.T
for i, layer in enumerate(arch, 1):
    Z = z["W%d" % i] @ A + z["b%d" % i]
    A = np.maximum(0, Z) if layer["activation"] == "relu" else 1 / (1 + np.exp(-Z))
cost = -np.mean(y_train * np.log(A[0]) + (1 - y_train) * np.log(1 - A[0]))
res["cost"] = float(cost)
print(json.dumps(res))
`,
        npz,
        jsonFile,
      ),
    );
    expect(out.files).toEqual(['W1', 'W2', 'W3', 'W4', 'W5', 'architecture', 'b1', 'b2', 'b3', 'b4', 'b5', 'config']);
    expect(out.arrays.W1).toEqual({ shape: [25, 2], dtype: 'float64', same_bits: true });
    expect(out.arrays.b1).toEqual({ shape: [25, 1], dtype: 'float64', same_bits: true });
    for (const k of Object.keys(out.arrays)) expect(out.arrays[k].same_bits).toBe(true);
    expect(out.architecture).toEqual(run.config.architecture);
    expect(relErr(out.cost, run.finalCost)).toBeLessThan(1e-12);
  });

  it('onnx: the file exists and onnxruntime-node runs it to the network’s outputs (within 1e-6, float32)', async () => {
    const file = join(tmp, 'run.onnx');
    await exportRun(run.runId, '--format', 'onnx', '--out', file);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(readFileSync(file));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const data = loadData(resolveConfig(run.config).data);
    const rows: number[][] = [];
    for (let i = 0; i < data.test.n; i++) rows.push([data.test.X[2 * i]!, data.test.X[2 * i + 1]!]);
    const feeds = { input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 2]) };
    const got = (await session.run(feeds)).output!.data as Float32Array;
    const saved = JSON.parse(readFileSync(jsonFile, 'utf8'));
    const want = forward(saved.architecture, saved.params, rows);
    expect(got.length).toBe(rows.length);
    want.forEach((w, i) => expect(Math.abs(got[i]! - w[0]!)).toBeLessThan(1e-6));
  });

  it('metrics-csv and metrics-json on stdout: one row per epoch, the costs as recorded', async () => {
    const csv = await exportRun(run.runId, '--format', 'metrics-csv');
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms');
    expect(lines).toHaveLength(51);
    expect(lines.slice(1).map((l) => Number(l.split(',')[1]))).toEqual(run.costHistory);
    const doc = await exportRun(run.runId, '--format', 'metrics-json');
    const metrics = metricsFromJSON(doc);
    expect(metrics.map((m) => m.trainCost)).toEqual(run.costHistory);
    expect(metrics.map((m) => m.epoch)).toEqual([...Array(50).keys()]);
    expect(JSON.parse(doc).run).toEqual({ id: run.runId, name: 'for export', status: 'finished' });
  });

  it('picks the format from --out’s extension and refuses what cannot work', async () => {
    await exportRun(run.runId, '--out', 'by-ext.csv');
    expect(readFileSync(join(tmp, 'by-ext.csv'), 'utf8')).toMatch(/^epoch,train_cost/);
    const bad: [string[], string][] = [
      [['--format', 'npz'], 'npz is binary and is not written to the terminal; give the file: --out FILE.npz'],
      [['--format', 'hdf5'], '--format must be one of json, npz, onnx, py, metrics-csv, metrics-json, got "hdf5"'],
      [['--out', 'x.txt'], '--out x.txt: the extension does not say which format to write'],
      [[], 'runs export needs the format'],
      [['--out', 'no/such/dir/x.json'], '--out: folder not found'],
    ];
    for (const [args, message] of bad) {
      const r = await cli(['runs', 'export', run.runId, '--db', DB, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

describe('the .py export', () => {
  it('runs with /usr/bin/python3 and prints the run’s final cost to 1e-9', async () => {
    const run = await train('--epochs', '200');
    const file = join(tmp, 'run.py');
    await exportRun(run.runId, '--format', 'py', '--out', file);
    expect(readFileSync(file, 'utf8')).toMatch(/^#!\/usr\/bin\/env python3\n"""moons · lr 0\.01 · sgd(?: #\d+)? — a Backprop Lab run/);
    if (!needsPython()) return;
    const out = execFileSync(python!, [file], { encoding: 'utf8', timeout: 120_000 });
    const m = /final train cost: (\S+)/.exec(out);
    expect(m, out).not.toBeNull();
    const stored = (JSON.parse((await cli(['runs', 'list', '--db', DB, '--json'])).stdout) as any[]).find((r) => r.id === run.runId);
    expect(stored.finalCost).toBe(run.finalCost);
    expect(relErr(Number(m![1]), stored.finalCost)).toBeLessThan(1e-9);
  });
});

describe('train --export FILE chooses the format by extension', () => {
  it('writes .json, .npz, .onnx and .py', async () => {
    const files = { json: 'w.json', npz: 'w.npz', onnx: 'w.onnx', py: 'w.py' };
    for (const [format, name] of Object.entries(files)) {
      const out = await train('--epochs', '3', '--export', name);
      expect(out.export).toBe(join(tmp, name));
      const bytes = readFileSync(join(tmp, name));
      if (format === 'json') expect(JSON.parse(bytes.toString('utf8')).format).toBe('backprop-lab-weights');
      if (format === 'npz') expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 3, 4]));
      if (format === 'onnx') expect(bytes.includes(Buffer.from('backprop-lab'))).toBe(true);
      if (format === 'py') expect(bytes.toString('utf8')).toContain('EPOCHS = 3');
    }
  });
});

describe('starting from imported weights', () => {
  let base: any;
  let saved: any;
  beforeAll(async () => {
    base = await train('--epochs', '50', '--export', 'base.json');
    saved = JSON.parse(readFileSync(join(tmp, 'base.json'), 'utf8'));
  });

  it('train --init-from a JSON export reproduces the exported params at epoch 0 (same cost, same weights)', async () => {
    const r = await cli(['train', '--init-from', 'base.json', '--epochs', '0', '--db', DB, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`starting from the weights in ${join(tmp, 'base.json')}`);
    const out = lastJson(r.stdout);
    expect(out.finalCost).toBe(saved.metrics.finalCost);
    expect(out.finalCost).toBe(base.finalCost);
    expect(out.testAccuracy).toBe(base.testAccuracy);
    const again = JSON.parse(await exportRun(out.runId, '--format', 'json'));
    expect(again.params).toEqual(saved.params);
    // the numpy script embeds the starting weights, so it repeats this run too (not init_layers(seed)'s)
    const file = join(tmp, 'from-import.py');
    const script = await cli(['runs', 'export', out.runId, '--db', DB, '--format', 'py', '--out', file]);
    expect(script.code, script.stderr).toBe(0);
    if (needsPython()) {
      const printed = /final train cost: (\S+)/.exec(execFileSync(python!, [file], { encoding: 'utf8', timeout: 120_000 }));
      expect(relErr(Number(printed![1]), out.finalCost)).toBeLessThan(1e-9);
    }
    const show = JSON.parse((await cli(['runs', 'show', out.runId, '--db', DB, '--json'])).stdout);
    expect(show.notes).toBe(`started from the weights in ${join(tmp, 'base.json')}`);
  });

  it('train --init-from an .npz export goes on training from those weights', async () => {
    await exportRun(base.runId, '--format', 'npz', '--out', 'base.npz');
    const zero = await train('--init-from', 'base.npz', '--epochs', '0');
    expect(zero.finalCost).toBe(base.finalCost);
    const more = await train('--init-from', 'base.npz', '--epochs', '10');
    expect(more.costHistory[0]).toBe(base.finalCost);
    expect(more.finalCost).toBeLessThan(base.finalCost);
  });

  it('the file’s architecture is used; --arch must agree; a bad file is refused before anything is recorded', async () => {
    const same = await cli(['train', '--init-from', 'base.json', '--arch', 'base.json', '--epochs', '0', '--db', DB, '--json', '-q']);
    expect(same.code).toBe(0);
    const before = JSON.parse((await cli(['runs', 'list', '--db', DB, '--json', '--limit', '10000'])).stdout).length;
    const other = await cli(['train', '--init-from', 'base.json', '--arch', '[{"input_dim":2,"output_dim":4,"activation":"tanh"},{"input_dim":4,"output_dim":1,"activation":"sigmoid"}]', '--db', DB]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('holds a 2-25-50-50-25-1 (relu, relu, relu, relu, sigmoid) network but --arch says 2-4-1 (tanh, sigmoid)');
    writeFileSync(join(tmp, 'evil.json'), '{"architecture":[{"input_dim":2,"output_dim":1,"activation":"sigmoid"}],"params":{"__proto__":{}}}');
    const evil = await cli(['train', '--init-from', 'evil.json', '--db', DB]);
    expect(evil.code).toBe(2);
    expect(evil.stderr).toMatch(/^backprop-lab: --init-from: .*evil\.json has a key named "__proto__"/);
    const missing = await cli(['train', '--init-from', 'nope.npz', '--db', DB]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--init-from: file not found');
    expect(JSON.parse((await cli(['runs', 'list', '--db', DB, '--json', '--limit', '10000'])).stdout)).toHaveLength(before);
  });

  it('runs import stores the weights as a finished run, evaluated on its dataset, with the same weights', async () => {
    await exportRun(base.runId, '--format', 'npz', '--out', 'for-import.npz');
    const r = await cli(['runs', 'import', 'for-import.npz', '--name', 'imported base', '--tag', 'imported', '--db', DB, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const imp = JSON.parse(r.stdout);
    expect(imp).toMatchObject({ name: 'imported base', status: 'finished', finalCost: base.finalCost, testAccuracy: base.testAccuracy });
    const again = JSON.parse(await exportRun(imp.id, '--format', 'json'));
    expect(again.params).toEqual(saved.params);
    expect(again.config).toEqual(saved.config);
    const [listed] = JSON.parse((await cli(['runs', 'list', '--db', DB, '--json', '--tag', 'imported'])).stdout);
    expect(listed).toMatchObject({ id: imp.id, epochs: 0, status: 'finished' });

    // an ONNX export (float32) imports back as the same network within float32's precision
    await exportRun(base.runId, '--format', 'onnx', '--out', 'for-import.onnx');
    const o = await cli(['runs', 'import', 'for-import.onnx', '--db', DB, '--json']);
    expect(o.code, o.stderr).toBe(0);
    const fromOnnx = JSON.parse(await exportRun(JSON.parse(o.stdout).id, '--format', 'json'));
    for (const [name, rows] of Object.entries(saved.params as Record<string, number[][]>)) {
      rows.flat().forEach((v, k) => expect(fromOnnx.params[name].flat()[k]).toBe(Math.fround(v)));
    }

    writeFileSync(join(tmp, 'bad-shape.json'), JSON.stringify({ ...saved, params: { ...saved.params, W1: [[1, 2, 3]] } }));
    const bad = await cli(['runs', 'import', 'bad-shape.json', '--db', DB]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^backprop-lab: runs import: .*params\.W1 has shape \(1, 3\) but layer 1/);
  });
});
