// "Export as notebook": the numpy script, run with real numpy, reproduces the engine's final cost.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../../engine/config';
import { loadData } from '../../../engine/datasets/index';
import { exportRun } from '../../../engine/export/formats';
import { notebookScript } from '../../../engine/export/notebook';
import { initLayers, type Params } from '../../../engine/init';
import { cpuTrainer, relErr } from '../../helpers/engine';
import { runPython } from '../../helpers/numpy';
import { numpyPython, tempDir } from './support';

const L = (input_dim: number, output_dim: number, activation: string) => ({ input_dim, output_dim, activation }) as RunConfig['architecture'][number];

const CSV = ['x1,x2,species', ...Array.from({ length: 120 }, (_, i) => {
  const a = Math.sin(i * 1.7) * 2, b = Math.cos(i * 0.9) * 1.5;
  return `${a.toFixed(4)},${b.toFixed(4)},${a * b > 0 ? 'setosa' : 'versicolor'}`;
})].join('\n') + '\n';

const CONFIGS: Array<[string, DeepPartial<RunConfig>]> = [
  ['the seed notebook’s run (moons, 2-25-50-50-25-1, full-batch sgd), 300 epochs', { training: { epochs: 300 } }],
  ['circles, tanh + softmax, adam, mini-batches of 32', {
    architecture: [L(2, 16, 'tanh'), L(16, 2, 'softmax')],
    data: { kind: 'circles', samples: 400, noise: 0.05, factor: 0.5, seed: 11, testSize: 0.25, splitSeed: 9 },
    training: { epochs: 60, optimizer: 'adam', batchSize: 32, shuffleSeed: 5 },
  }],
  ['spiral, leaky_relu + linear, mse, momentum, L2, mini-batches of 50', {
    architecture: [L(2, 12, 'leaky_relu'), L(12, 1, 'linear')],
    data: { kind: 'spiral', samples: 300, noise: 0.3, seed: 4, testSize: 0.2, splitSeed: 1 },
    training: { epochs: 100, optimizer: 'momentum', learningRate: 0.02, l2: 0.001, batchSize: 50, shuffleSeed: 3 },
  }],
  ['xor with no test set, relu + sigmoid', {
    architecture: [L(2, 8, 'relu'), L(8, 1, 'sigmoid')],
    data: { kind: 'xor', samples: 200, noise: 0.2, seed: 3, testSize: 0, splitSeed: 1 },
    training: { epochs: 150, learningRate: 0.1 },
  }],
  ['gaussian, sigmoid layers, adam with L2', {
    architecture: [L(2, 6, 'sigmoid'), L(6, 1, 'sigmoid')],
    init: { seed: 12, scale: 0.5 },
    data: { kind: 'gaussian', samples: 200, noise: 0.5, seed: 8, testSize: 0.3, splitSeed: 2 },
    training: { epochs: 80, optimizer: 'adam', learningRate: 0.01, l2: 0.01 },
  }],
  ['a CSV file with string labels', {
    architecture: [L(2, 10, 'tanh'), L(10, 1, 'sigmoid')],
    data: { kind: 'csv', csv: { path: 'PLACEHOLDER' }, testSize: 0.2, splitSeed: 6 },
    training: { epochs: 120, learningRate: 0.2, batchSize: 16, shuffleSeed: 1 },
  }],
];

describe('notebook script', () => {
  it('names every setting of the run once, with the loss resolved and only the data generator it uses', () => {
    const config = resolveConfig({ architecture: [L(2, 4, 'tanh'), L(4, 1, 'sigmoid')], data: { kind: 'spiral', noise: 0.25 }, training: { epochs: 7, learningRate: 0.5, batchSize: 8, optimizer: 'momentum', l2: 0.125 } });
    const py = notebookScript(config, { title: 'my run' });
    expect(py.startsWith('#!/usr/bin/env python3\n"""my run — a Backprop Lab run as a numpy script.')).toBe(true);
    expect(py).toContain('{"input_dim": 2, "output_dim": 4, "activation": "tanh"},');
    for (const line of ['EPOCHS = 7', 'LEARNING_RATE = 0.5', 'BATCH_SIZE = 8', 'OPTIMIZER = "momentum"', 'L2 = 0.125', 'LOSS = "binary_cross_entropy"', 'NOISE = 0.25', 'INIT_SEED = 101', 'DATA_SEED = 100', 'SPLIT_SEED = 42', 'TEST_SIZE = 0.1']) {
      expect(py).toMatch(new RegExp(`^${line.replace(/[.()]/g, '\\$&')}\\s`, 'm'));
    }
    expect(py).toContain('def make_spiral(');
    expect(py).not.toContain('make_moons');
    expect(py).not.toContain('def make_xor(');
    expect(py).toMatch(/print\("final train cost:", repr\(/);
  });
});

if (!numpyPython) console.warn('notebook.test: no /usr/bin/python3 with numpy and scikit-learn (apt-get install python3-numpy python3-sklearn); running the exported scripts is skipped');

describe.runIf(numpyPython)('notebook script run with numpy', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp?.cleanup());

  it.each(CONFIGS)('reproduces the engine’s final train cost to 1e-9: %s', async (name, partial) => {
    let csvText: string | undefined;
    if (partial.data?.kind === 'csv') {
      csvText = CSV;
      partial = { ...partial, data: { ...partial.data, csv: { path: tmp.write('iris-ish.csv', CSV) } } };
    }
    const config = resolveConfig(partial);
    const trainer = await cpuTrainer(config, loadData(config.data, csvText));
    const result = await trainer.run();
    trainer.free();
    expect(result.status).toBe('finished');

    const script = tmp.write(`run-${CONFIGS.findIndex((c) => c[0] === name)}.py`, notebookScript(config));
    const out = execFileSync(numpyPython!, [script], { encoding: 'utf8', timeout: 120_000 });
    const cost = Number(/^final train cost: (\S+)$/m.exec(out)?.[1]);
    const accuracy = Number(/^final train accuracy: (\S+)$/m.exec(out)?.[1]);
    expect(relErr(cost, result.finalCost)).toBeLessThan(1e-9);
    expect(accuracy).toBe(result.trainAccuracy);
    if (result.testAccuracy !== null) expect(Number(/^test accuracy: (\S+)$/m.exec(out)?.[1])).toBe(result.testAccuracy);
  });
});

/** Weights with awkward doubles in them: -0, a subnormal, the largest double below 1, 0.1 + 0.2. */
function awkward(params: Params): Params {
  const out = params.map((p) => ({ ...p, data: Float64Array.from(p.data) }));
  const specials = [-0, 5e-324, 1 - 2 ** -53, 0.1 + 0.2, -1.0000000000000002];
  specials.forEach((v, i) => (out[0].data[i % out[0].data.length] = v));
  return out;
}

const hex = (a: Float64Array) => Array.from(new Uint8Array(Float64Array.from(a).buffer), (b) => b.toString(16).padStart(2, '0')).join('');

const STARTS: Array<[string, DeepPartial<RunConfig>, (c: RunConfig) => Promise<Params> | Params]> = [
  ['the seed notebook’s run continued from its own weights after 100 epochs (moons, full-batch sgd)', { training: { epochs: 200 } }, async (c) => {
    const first = await cpuTrainer(resolveConfig({ ...c, training: { ...c.training, epochs: 100 } }), loadData(c.data));
    await first.run();
    const p = first.params();
    first.free();
    return p;
  }],
  ['circles, tanh + softmax, adam, mini-batches, from other weights with awkward doubles', {
    architecture: [L(2, 8, 'tanh'), L(8, 2, 'softmax')],
    data: { kind: 'circles', samples: 300, noise: 0.05, factor: 0.5, seed: 3, testSize: 0.2, splitSeed: 4 },
    training: { epochs: 40, optimizer: 'adam', batchSize: 32, shuffleSeed: 2, l2: 0.001 },
  }, (c) => awkward(initLayers(c.architecture, 77, 0.7))],
];

describe.runIf(numpyPython)('notebook script of a run that started from imported weights', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp?.cleanup());

  it.each(STARTS)('embeds them bit for bit and reproduces the engine’s final train cost to 1e-9: %s', async (name, partial, startOf) => {
    const config = resolveConfig(partial);
    const start = await startOf(config);
    const trainer = await cpuTrainer(config, loadData(config.data), { params: start.map((p) => ({ ...p, data: Float64Array.from(p.data) })) });
    const result = await trainer.run();
    trainer.free();
    expect(result.status).toBe('finished');

    const i = STARTS.findIndex((c) => c[0] === name);
    const py = exportRun('py', { architecture: config.architecture, config, params: null, initialParams: start });
    expect(py).toBe(notebookScript(config, { initialParams: start }));
    const script = tmp.write(`start-${i}.py`, py as string);
    // the embedded weights, read back by numpy, are the very doubles the run started from
    const bytes = runPython('import runpy, sys\nm = runpy.run_path(sys.argv[1], run_name="check")\nfor k, v in m["initial_params"]().items(): print(k, v.shape, v.astype("<f8").tobytes().hex())', [script]);
    expect(bytes.trim().split('\n')).toEqual(start.map((p) => `${p.name} (${p.rows}, ${p.cols}) ${hex(p.data)}`));

    const out = execFileSync(numpyPython!, [script], { encoding: 'utf8', timeout: 120_000 });
    const cost = Number(/^final train cost: (\S+)$/m.exec(out)?.[1]);
    expect(relErr(cost, result.finalCost)).toBeLessThan(1e-9);
    expect(Number(/^final train accuracy: (\S+)$/m.exec(out)?.[1])).toBe(result.trainAccuracy);
    if (result.testAccuracy !== null) expect(Number(/^test accuracy: (\S+)$/m.exec(out)?.[1])).toBe(result.testAccuracy);

    // and the test can tell: the script from init_layers(seed) ends elsewhere
    const seeded = tmp.write(`seeded-${i}.py`, notebookScript(config));
    const seededCost = Number(/^final train cost: (\S+)$/m.exec(execFileSync(numpyPython!, [seeded], { encoding: 'utf8', timeout: 120_000 }))?.[1]);
    expect(relErr(seededCost, result.finalCost)).toBeGreaterThan(1e-6);
  });
});
