// Continuing a run: N epochs, the trainer's state exported (and through its JSON form), then M more epochs from it,
// give the N+M epochs of one run bit for bit — parameters, optimizer state and the mini-batch shuffle included.

import { describe, expect, it } from 'vitest';
import { resolveConfig, type OptimizerName } from '../../engine/config';
import { parseTrainerState, serializeTrainerState } from '../../engine/state';
import type { Params } from '../../engine/init';
import { cpuTrainer, referenceMoons } from '../helpers/engine';

const flat = (p: Params) => p.flatMap((x) => Array.from(x.data));

describe('continue training from an exported state', () => {
  for (const optimizer of ['sgd', 'momentum', 'adam'] as OptimizerName[]) {
    for (const batchSize of [null, 64]) {
      it(`${optimizer}, ${batchSize === null ? 'full batch' : 'mini-batches of 64'}: 7 epochs then 5 more equal 12 in one go, bit for bit`, async () => {
        const data = referenceMoons();
        const training = { optimizer, batchSize, learningRate: optimizer === 'adam' ? 0.005 : 0.05, shuffleSeed: 9, lrSchedule: 'step:4:0.5', warmup: 2 };
        const whole = await cpuTrainer(resolveConfig({ training: { ...training, epochs: 12 } }), data);
        const all = await whole.run();

        const first = await cpuTrainer(resolveConfig({ training: { ...training, epochs: 7 } }), data);
        const part1 = await first.run();
        // through the stored form, as the store keeps it
        const state = parseTrainerState(serializeTrainerState(first.exportState()));
        expect(state.epoch).toBe(7);
        const second = await cpuTrainer(resolveConfig({ training: { ...training, epochs: 12 } }), data, { state });
        const part2 = await second.run();

        expect(part2.epochs).toBe(12);
        expect([...part1.costHistory, ...part2.costHistory]).toEqual(all.costHistory);
        expect(flat(second.params())).toEqual(flat(whole.params()));
        expect(flat(second.net.optimizerState())).toEqual(flat(whole.net.optimizerState()));
        expect(second.exportState().steps).toBe(whole.exportState().steps);
        expect(second.exportState().shuffle).toEqual(whole.exportState().shuffle);
        expect(part2.finalCost).toBe(all.finalCost);
        expect(part2.testCost).toBe(all.testCost);
      }, 60_000);
    }
  }

  it('re-running the same configuration (same seeds) is bit-identical', async () => {
    const cfg = resolveConfig({ training: { epochs: 15, optimizer: 'adam', learningRate: 0.01, batchSize: 50, shuffleSeed: 4, lrSchedule: 'cosine:0.001' } });
    const a = await (await cpuTrainer(cfg, referenceMoons())).run();
    const tb = await cpuTrainer(cfg, referenceMoons());
    const b = await tb.run();
    expect(b.costHistory).toEqual(a.costHistory);
    expect(b.finalCost).toBe(a.finalCost);
  });

  it('refuses a state saved by another optimizer, naming the fix', async () => {
    const t = await cpuTrainer(resolveConfig({ training: { epochs: 2, optimizer: 'adam' } }), referenceMoons());
    await t.run();
    await expect(cpuTrainer(resolveConfig({ training: { epochs: 4, optimizer: 'sgd' } }), referenceMoons(), { state: t.exportState() })).rejects.toThrow(
      "the saved state is adam's but training.optimizer is sgd; continue with --optimizer adam",
    );
  });
});
