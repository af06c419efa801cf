// A trial is `backprop-lab train` with the same options: its argv, read by train's own parser, gives the same
// RunConfig as the sweep's option → config table. Both tables come from one (electron/sweeps/options.ts); this
// test holds train's parser and the sweep's optionsToConfig to the same meaning of each option.

import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import { parseTrainArgs, TRAIN_OPTIONS } from '../../../electron/cli/train';
import { NOT_SWEEPABLE, optionsToConfig, parseSweepSpec, SWEEP_OPTIONS } from '../../../electron/sweeps/spec';
import { generateTrials, trialArgv } from '../../../electron/sweeps/trials';

describe('the sweep option table and train’s', () => {
  it('name the same options: each of train’s is sweepable or refused with a reason', () => {
    const trainNames = TRAIN_OPTIONS.map((o) => o.flag.replace(/^--/, ''));
    const sweepNames = SWEEP_OPTIONS.map((o) => o.name);
    expect(sweepNames.filter((n) => !trainNames.includes(n))).toEqual([]);
    expect(trainNames.filter((n) => !sweepNames.includes(n) && !(n in NOT_SWEEPABLE))).toEqual([]);
    // and in train's usage order, which trialArgv follows
    expect(trainNames.filter((n) => sweepNames.includes(n))).toEqual(sweepNames);
  });
});

describe('trialArgv read by train’s parser', () => {
  it('gives every trial of a mixed sweep the configuration the sweep meant, bit for bit', () => {
    const spec = parseSweepSpec({
      base: {
        epochs: 300,
        dataset: 'circles',
        factor: 0.5,
        arch: [
          { input_dim: 2, output_dim: 6, activation: 'tanh' },
          { input_dim: 6, output_dim: 1, activation: 'sigmoid' },
        ],
      },
      grid: { optimizer: ['sgd', 'momentum', 'adam'], 'batch-size': [16, 'full'] },
      random: {
        lr: { log_uniform: [1e-6, 1] },
        l2: { uniform: [0, 1e-3] },
        momentum: { uniform: [0.5, 0.99] },
        seed: { int: [0, 4294967295] },
        'init-scale': { log_uniform: [1e-3, 2] },
        noise: { choice: [0, 0.1, 0.35] },
      },
      trials: 12,
      seed: 9,
    });
    const trials = generateTrials(spec);
    expect(trials).toHaveLength(72);
    for (const t of trials) {
      const fromArgv = parseTrainArgs(trialArgv(t.options), { cwd: '/nowhere' }).config;
      expect(fromArgv).toEqual(resolveConfig(optionsToConfig(t.options)));
      expect(Object.is(fromArgv.training.learningRate, t.options.lr)).toBe(true);
    }
  });

  it('a csv dataset differs only by train resolving its path against its working folder', () => {
    const options = { dataset: 'csv:data/x.csv', 'label-column': 'y', lr: 0.3 };
    const fromArgv = parseTrainArgs(trialArgv(options), { cwd: '/work' }).config;
    const meant = resolveConfig(optionsToConfig(options));
    expect(fromArgv.data.csv).toEqual({ path: '/work/data/x.csv', labelColumn: 'y' });
    expect({ ...fromArgv, data: { ...fromArgv.data, csv: meant.data.csv } }).toEqual(meant);
  });
});
