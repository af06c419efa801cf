// Exports of runs that standardize and compute input features: onnxruntime on the raw (x1, x2) gives the app's
// output (the graph computes the StandardScaler and the features); the ONNX reader still imports the weights;
// the JSON and .npz name the pipeline; the .py export computes the same data (live numpy where installed).

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type RunConfig } from '../../../engine/config';
import { loadData } from '../../../engine/datasets/index';
import { exportRun } from '../../../engine/export/formats';
import { importWeights } from '../../../engine/export/index';
import { inputPipeline } from '../../../engine/export/inputs';
import { cpuTrainer } from '../../helpers/engine';
import { findNumpyPython, runPython } from '../../helpers/numpy';
import { enginePredictions } from './support';

const ALL = ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'] as const;

async function trained(config: RunConfig) {
  const data = loadData(config.data);
  const t = await cpuTrainer(config, data);
  await t.run();
  return { t, data };
}

/** The raw rows of the test split (before standardizing and features): what a user feeds the exported model. */
function rawTestRows(config: RunConfig): number[][] {
  const raw = loadData({ ...config.data, standardize: false, features: undefined });
  return Array.from({ length: raw.test.n }, (_, i) => Array.from(raw.test.X.subarray(i * raw.features, (i + 1) * raw.features)));
}
function preparedRows(s: { X: Float64Array; n: number; features: number }): number[][] {
  return Array.from({ length: s.n }, (_, i) => Array.from(s.X.subarray(i * s.features, (i + 1) * s.features)));
}

async function ortRun(model: Uint8Array, rows: number[][], type: 'float32' | 'float64'): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(model);
  const flat = rows.flat();
  const input = new ort.Tensor(type, type === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat), [rows.length, rows[0]!.length]);
  const { output } = await session.run({ input });
  await session.release();
  return Float64Array.from(output!.data as Float32Array | Float64Array);
}

const worst = (a: Float64Array, b: Float64Array) => a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))), 0);

describe('exports carry the input pipeline', () => {
  const config = resolveConfig({
    architecture: [{ input_dim: 7, output_dim: 6, activation: 'tanh' }, { input_dim: 6, output_dim: 1, activation: 'sigmoid' }],
    data: { kind: 'circles', samples: 200, noise: 0.1, factor: 0.5, seed: 3, testSize: 0.25, standardize: true, features: [...ALL] },
    training: { epochs: 200, learningRate: 0.5 },
  });

  it('onnxruntime on raw (x1, x2) gives the app’s output: float64 to 1e-12, float32 to 1e-5', async () => {
    const { t, data } = await trained(config);
    const want = enginePredictions(t, preparedRows(data.test));
    const raw = rawTestRows(config);
    expect(raw[0]!.length).toBe(2);
    for (const [precision, tol] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
      const model = exportRun('onnx', { architecture: config.architecture, config, params: t.params(), onnxPrecision: precision }) as Uint8Array;
      expect(worst(await ortRun(model, raw, precision), want), precision).toBeLessThan(tol);
    }
    // the weights import back from the file (the input block is skipped), architecture and all
    const model = exportRun('onnx', { architecture: config.architecture, config, params: t.params(), onnxPrecision: 'float64' }) as Uint8Array;
    const back = importWeights(model, { fileName: 'run.onnx' });
    expect(back.architecture).toEqual(config.architecture);
    back.params.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(t.params()[i]!.data)));
  }, 60_000);

  it('a one-unit network on x1², x2² exported to ONNX separates circles from raw points', async () => {
    const c = resolveConfig({
      architecture: [{ input_dim: 2, output_dim: 1, activation: 'sigmoid' }],
      data: { kind: 'circles', samples: 300, noise: 0.05, factor: 0.5, seed: 3, testSize: 0.2, splitSeed: 4, features: ['x1^2', 'x2^2'] },
      training: { epochs: 2000, learningRate: 1 },
    });
    const { t, data } = await trained(c);
    const final = t.evaluate('test')!;
    expect(final.accuracy).toBeGreaterThanOrEqual(0.99);
    const y = await ortRun(exportRun('onnx', { architecture: c.architecture, config: c, params: t.params() }) as Uint8Array, rawTestRows(c), 'float32');
    const right = Array.from(y).filter((p, i) => (p > 0.5 ? 1 : 0) === data.test.y[i]).length;
    expect(right / y.length).toBeGreaterThanOrEqual(0.99);
  }, 60_000);

  it('JSON and .npz name the features and the scaler; a run without them has none', async () => {
    const { t } = await trained({ ...config, training: { ...config.training, epochs: 2 } });
    const pipe = inputPipeline(config)!;
    expect(pipe.features).toEqual([...ALL]);
    expect(pipe.rawInputs).toBe(2);
    expect(pipe.scaler!.mean).toEqual(loadData(config.data).scaler!.mean);
    const json = JSON.parse(exportRun('json', { architecture: config.architecture, config, params: t.params() }) as string);
    expect(json.inputs).toEqual(JSON.parse(JSON.stringify(pipe)));
    expect(json.config.data.features).toEqual([...ALL]);
    const npz = exportRun('npz', { architecture: config.architecture, config, params: t.params() }) as Uint8Array;
    expect(importWeights(npz, { fileName: 'w.npz' }).config!.data.features).toEqual([...ALL]);
    expect(new TextDecoder('latin1').decode(npz)).toContain('inputs.npy');
    expect(inputPipeline(resolveConfig({}))).toBeNull();
  }, 60_000);

  const py = findNumpyPython();
  it.runIf(py)('the .py export standardizes and computes the features as the engine does (live numpy)', () => {
    const c = resolveConfig({ ...config, training: { ...config.training, epochs: 30 } });
    const script = exportRun('py', { architecture: c.architecture, config: c, params: null }) as string;
    const out = runPython(
      `import json, sys, types\nsrc = sys.stdin.read() if False else ${JSON.stringify(script)}\nm = types.ModuleType("run")\nexec(compile(src.replace('if __name__ == "__main__":', 'if False:'), "run", "exec"), m.__dict__)\nXtr, Xte, ytr, yte = m.load_data()\nXtr, Xte = m.prepare(Xtr, Xte)\nprint(json.dumps({"train": Xtr.ravel().tolist(), "test": Xte.ravel().tolist()}))`,
    );
    const r = JSON.parse(out);
    const d = loadData(c.data);
    expect(Math.max(...Array.from(d.train.X).map((v, i) => Math.abs(v - r.train[i])))).toBeLessThan(1e-15);
    expect(Math.max(...Array.from(d.test.X).map((v, i) => Math.abs(v - r.test[i])))).toBeLessThan(1e-15);
  }, 60_000);
});
