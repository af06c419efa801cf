// The .py export of runs on the built-in datasets, regression data and input features: run with real numpy and
// scikit-learn, it prints the engine's final train cost (to 1e-9) and accuracy, or R² for regression.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../../engine/config';
import { loadData } from '../../../engine/datasets/index';
import { notebookScript } from '../../../engine/export/notebook';
import { cpuTrainer, relErr } from '../../helpers/engine';
import { numpyPython, tempDir } from './support';

const L = (input_dim: number, output_dim: number, activation: string) => ({ input_dim, output_dim, activation }) as RunConfig['architecture'][number];

const CONFIGS: Array<[string, DeepPartial<RunConfig>]> = [
  ['iris, standardized, softmax, adam', {
    architecture: [L(4, 8, 'tanh'), L(8, 3, 'softmax')],
    data: { kind: 'iris', testSize: 0.2, splitSeed: 3, standardize: true },
    training: { epochs: 60, optimizer: 'adam' },
  }],
  ['diabetes, standardized, linear output, mse (R²), mini-batches', {
    architecture: [L(10, 6, 'relu'), L(6, 1, 'linear')],
    data: { kind: 'diabetes', testSize: 0.2, splitSeed: 1, standardize: true },
    training: { epochs: 40, optimizer: 'adam', learningRate: 0.05, batchSize: 64, shuffleSeed: 2 },
  }],
  ['multi-gaussian with all seven input features (R²)', {
    architecture: [L(7, 8, 'tanh'), L(8, 1, 'linear')],
    data: { kind: 'multi-gaussian', samples: 200, noise: 0.2, seed: 4, testSize: 0.2, features: ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'] },
    training: { epochs: 50, optimizer: 'adam', learningRate: 0.01 },
  }],
  ['plane, standardized, with x1·x2 (R²)', {
    architecture: [L(3, 4, 'tanh'), L(4, 1, 'linear')],
    data: { kind: 'plane', samples: 150, noise: 0.3, seed: 2, testSize: 0.2, standardize: true, features: ['x1', 'x2', 'x1*x2'] },
    training: { epochs: 50, learningRate: 0.05 },
  }],
];

if (!numpyPython) console.warn('notebook-data.test: no /usr/bin/python3 with numpy and scikit-learn; running the exported scripts is skipped');

describe.runIf(numpyPython)('.py export of built-in, regression and feature runs, run with numpy', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp?.cleanup());

  it.each(CONFIGS)('reproduces the engine’s final train cost to 1e-9 and its accuracy or R²: %s', async (name, partial) => {
    const config = resolveConfig(partial);
    const trainer = await cpuTrainer(config, loadData(config.data));
    const result = await trainer.run();
    trainer.free();
    expect(result.status).toBe('finished');
    const script = tmp.write(`data-${CONFIGS.findIndex((c) => c[0] === name)}.py`, notebookScript(config));
    const out = execFileSync(numpyPython!, [script], { encoding: 'utf8', timeout: 120_000 });
    const cost = Number(/^final train cost: (\S+)$/m.exec(out)?.[1]);
    expect(relErr(cost, result.finalCost)).toBeLessThan(1e-9);
    const regression = config.data.kind === 'diabetes' || config.data.kind === 'plane' || config.data.kind === 'multi-gaussian';
    if (regression) {
      expect(Math.abs(Number(/^final train R²: (\S+)$/m.exec(out)?.[1]) - result.trainAccuracy)).toBeLessThan(1e-9);
      expect(Math.abs(Number(/^test R²: (\S+)$/m.exec(out)?.[1]) - result.testAccuracy!)).toBeLessThan(1e-9);
    } else {
      expect(Number(/^final train accuracy: (\S+)$/m.exec(out)?.[1])).toBe(result.trainAccuracy);
      expect(Number(/^test accuracy: (\S+)$/m.exec(out)?.[1])).toBe(result.testAccuracy);
    }
  }, 120_000);
});
