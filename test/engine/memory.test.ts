// The working memory a run needs, worked out before it starts (engine/memory.ts), and the chunked evaluation that
// keeps big sets within it (Trainer.evaluate): chunks give the one-piece evaluation's cost and accuracy.

import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config';
import { EVAL_CHUNK, memoryProblem, runMemoryBytes, RUN_MEMORY_LIMIT_BYTES } from '../../engine/memory';
import { createTrainer } from '../../engine/train';
import { relErr } from '../helpers/engine';

describe('runMemoryBytes', () => {
  it('counts the workspaces (input + Z, A, dA, dZ per layer), parameters with optimizer slots, and the data', () => {
    const config = resolveConfig({ architecture: [{ input_dim: 2, output_dim: 3, activation: 'relu' }, { input_dim: 3, output_dim: 1, activation: 'sigmoid' }], training: { optimizer: 'adam' } });
    // full batch of 100 train, 20 test: ws(100) + ws(20), params 13 × (1 + grad + 2 adam slots), data 120 × (2 + 1)
    const ws = (m: number) => (2 + 4 * (3 + 1)) * m;
    expect(runMemoryBytes(config, 100, 20)).toBe((ws(100) + ws(20) + 13 * 4 + 120 * 3) * 8);
    // mini-batches of 10: the batch, then the train set evaluated (at most EVAL_CHUNK at a time) and the test set
    const mb = resolveConfig({ ...config, training: { ...config.training, batchSize: 10 } });
    expect(runMemoryBytes(mb, 100, 20)).toBe((ws(10) + ws(100) + ws(20) + 13 * 4 + 120 * 3) * 8);
    expect(runMemoryBytes(mb, 10 * EVAL_CHUNK, 0)).toBe((ws(10) + ws(EVAL_CHUNK) + 13 * 4 + 10 * EVAL_CHUNK * 3) * 8);
  });

  it('refuses a full batch that does not fit with the figure and a batch size that does', () => {
    const seed = resolveConfig({});
    expect(memoryProblem(seed, 900, 100)).toBeNull();
    const why = memoryProblem(seed, 320_000, 80_000)!;
    expect(why).toMatch(/^training\.batchSize: a full batch of 320,000 training samples need about 1\.\d GB of working memory, over the 1\.1 GB a run may use; train in mini-batches: set training\.batchSize to (\d+) \(about \d+ MB\)$/);
    const batch = Number(/set training\.batchSize to (\d+)/.exec(why)![1]);
    expect(runMemoryBytes(resolveConfig({ training: { batchSize: batch } }), 320_000, 80_000)).toBeLessThanOrEqual(RUN_MEMORY_LIMIT_BYTES);
  });
});

describe('Trainer.evaluate in chunks', () => {
  it(`a set over ${EVAL_CHUNK} samples evaluated in chunks equals the one-piece evaluation (cost to 1e-12, accuracy exactly)`, async () => {
    const n = 2 * EVAL_CHUNK + 1234;
    const base = { architecture: [{ input_dim: 2, output_dim: 8, activation: 'tanh' as const }, { input_dim: 8, output_dim: 1, activation: 'sigmoid' as const }], data: { samples: n, testSize: 0 }, backend: 'cpu' as const };
    // full batch: the train set is the training workspace, evaluated in one piece; mini-batches: in chunks
    const whole = await createTrainer(resolveConfig({ ...base, training: { epochs: 0 } }));
    const chunked = await createTrainer(resolveConfig({ ...base, training: { epochs: 0, batchSize: 256 } }));
    try {
      const a = whole.evaluate('train')!, b = chunked.evaluate('train')!;
      expect(relErr(b.cost, a.cost)).toBeLessThan(1e-12);
      expect(b.accuracy).toBe(a.accuracy);
    } finally {
      whole.free();
      chunked.free();
    }
  });
});
