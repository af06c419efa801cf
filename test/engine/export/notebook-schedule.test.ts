// The exported numpy script repeats learning-rate schedules, warm-up and early stopping: run with real numpy, it
// prints the engine's final cost, and stops at the engine's epoch with the engine's best weights.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../../engine/config';
import { loadData } from '../../../engine/datasets/index';
import { notebookScript } from '../../../engine/export/notebook';
import { cpuTrainer, relErr } from '../../helpers/engine';
import { numpyPython, tempDir } from './support';

const L = (input_dim: number, output_dim: number, activation: string) => ({ input_dim, output_dim, activation }) as RunConfig['architecture'][number];
const arch = [L(2, 16, 'relu'), L(16, 1, 'sigmoid')];
const data = { kind: 'moons' as const, samples: 200, noise: 0.3, seed: 5, testSize: 0.25, splitSeed: 2 };

const CONFIGS: Array<[string, DeepPartial<RunConfig>]> = [
  ['step schedule with warm-up, full batch sgd', { architecture: arch, data, training: { epochs: 80, learningRate: 0.3, lrSchedule: 'step:20:0.5', warmup: 5 } }],
  ['exp schedule, adam, mini-batches', { architecture: arch, data, training: { epochs: 30, optimizer: 'adam', learningRate: 0.02, batchSize: 32, shuffleSeed: 3, lrSchedule: 'exp:0.97', warmup: 3 } }],
  ['cosine to a minimum, momentum', { architecture: arch, data, training: { epochs: 60, optimizer: 'momentum', learningRate: 0.05, lrSchedule: 'cosine:0.005', warmup: 10 } }],
  ['early stopping on the test cost, adam', { architecture: [L(2, 32, 'relu'), L(32, 32, 'relu'), L(32, 1, 'sigmoid')], data: { ...data, samples: 120, noise: 0.35 }, training: { epochs: 600, optimizer: 'adam', learningRate: 0.02, earlyStop: 15, minDelta: 1e-4 } }],
  ['early stopping on the train cost, mini-batches', { architecture: arch, data, training: { epochs: 400, optimizer: 'momentum', learningRate: 0.5, batchSize: 50, shuffleSeed: 3, earlyStop: 5, earlyStopMetric: 'cost', minDelta: 1e-3 } }],
];

describe('notebook script settings', () => {
  it('names the schedule, the warm-up and early stopping once each', () => {
    const py = notebookScript(resolveConfig({ training: { lrSchedule: 'cosine:0.001', warmup: 4, earlyStop: 9, minDelta: 0.5 } }));
    for (const line of ['LR_SCHEDULE = "cosine:0.001"', 'WARMUP = 4', 'EARLY_STOP = 9', 'EARLY_STOP_METRIC = "test_cost"', 'MIN_DELTA = 0.5']) {
      expect(py).toMatch(new RegExp(`^${line.replace(/[.()]/g, '\\$&')}\\s`, 'm'));
    }
  });
});

describe.runIf(numpyPython)('notebook script with schedules and early stopping, run with numpy', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp?.cleanup());

  it.each(CONFIGS)('reproduces the engine’s final train cost to 1e-9: %s', async (name, partial) => {
    const config = resolveConfig(partial);
    const trainer = await cpuTrainer(config, loadData(config.data));
    const result = await trainer.run();
    trainer.free();
    expect(result.status).toBe('finished');
    const script = tmp.write(`schedule-${CONFIGS.findIndex((c) => c[0] === name)}.py`, notebookScript(config));
    const out = execFileSync(numpyPython!, [script], { encoding: 'utf8', timeout: 120_000 });
    const cost = Number(/^final train cost: (\S+)$/m.exec(out)?.[1]);
    expect(relErr(cost, result.finalCost)).toBeLessThan(1e-9);
    expect(Number(/^test accuracy: (\S+)$/m.exec(out)?.[1])).toBe(result.testAccuracy);
    if (config.training.earlyStop > 0) {
      expect(result.stoppedEarly).toBe(true);
      expect(out).toContain(`stopped early at epoch ${result.epochs}; the weights are epoch ${result.bestEpoch}'s`);
    }
  }, 120_000);
});
