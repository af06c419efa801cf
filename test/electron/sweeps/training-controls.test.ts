// Sweeps over the training controls: a schedule, warm-up and early stopping are sweep keys (the one option table),
// checked like train's flags, and a trial's configuration is what `train` with the trial's argv resolves to.

import { describe, expect, it } from 'vitest';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../../engine/config';
import { parseTrainArgs } from '../../../electron/cli/train';
import { checkSweepSpec, optionsToConfig, parseSweepSpec } from '../../../electron/sweeps/spec';
import { generateTrials, trialArgv } from '../../../electron/sweeps/trials';

describe('sweeping the schedule and early stopping', () => {
  it('grids over schedules and patience; each trial resolves as train resolves its argv', () => {
    const spec = parseSweepSpec({
      base: { epochs: 50, 'early-stop-metric': 'cost', 'min-delta': 0.001 },
      grid: { 'lr-schedule': ['constant', 'step:10:0.5', 'cosine:0.001'], warmup: [0, 5], 'early-stop': [0, 8] },
    });
    const trials = generateTrials(spec);
    expect(trials).toHaveLength(12);
    for (const t of trials) {
      const fromSweep = resolveConfig(optionsToConfig(t.options) as DeepPartial<RunConfig>);
      const fromTrain = parseTrainArgs(trialArgv(t.options)).config;
      expect(fromSweep.training).toEqual(fromTrain.training);
      expect(fromSweep.training.lrSchedule).toBe(t.options['lr-schedule']);
      expect(fromSweep.training.earlyStopMetric).toBe('cost');
    }
  });

  it('refuses a schedule or a metric it cannot use, naming the value', () => {
    const r = checkSweepSpec({ grid: { 'lr-schedule': ['constant', 'exp:x'], 'early-stop-metric': ['testAccuracy'] } });
    expect(r.ok).toBe(false);
    const problems = (r as { problems: string[] }).problems.join('\n');
    expect(problems).toContain('"exp:x" has GAMMA "x", not a number');
    expect(problems).toContain('must be one of auto, testCost, cost, got "testAccuracy"');
  });
});
