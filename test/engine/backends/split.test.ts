// A full batch on the threaded CPU backends is trained as two blocks of samples at once (engine/backends/split.ts),
// one per thread, each block in chunks that a thread held up leaves to the other. The blocks are cut where numpy's
// pairwise summation cuts the sample axis and the kernels sum dW and db over the two sides of that cut, so the
// split run must give the one-thread backend's bits: every epoch's train and test cost and the final parameters, in
// float64 and float32, on 2 threads, on 1, switching between them mid-run, and whichever thread ran which chunk.
// (The test set's forward pass runs with the batch's, in two halves.)

import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../engine/backends/backend';
import { CpuBackend } from '../../../engine/backends/cpu';
import { CpuF32Backend } from '../../../engine/backends/cpu-f32';
import { ParallelCpuBackend } from '../../../engine/backends/parallel';
import { SampleSplit } from '../../../engine/backends/split';
import { initLayers } from '../../../engine/init';
import { Network } from '../../../engine/network';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../../engine/config';
import { loadData } from '../../../engine/datasets/index';

type RunConfigInput = DeepPartial<RunConfig>;
import { createTrainer, DivergenceError, type Trainer } from '../../../engine/train';

const made: ParallelCpuBackend[] = [];
afterAll(async () => {
  await Promise.all(made.map((b) => b.dispose()));
});

async function threaded(precision: 'float64' | 'float32', threads = 2): Promise<ParallelCpuBackend> {
  const B = await ParallelCpuBackend.create({ precision, threads });
  made.push(B);
  return B;
}

function trainer(input: RunConfigInput, B: Backend): Promise<Trainer> {
  return createTrainer(resolveConfig({ backend: 'cpu', ...input }), { backend: { backend: B, info: { name: B.name, mode: B.mode, precision: B.precision, reason: 'test' } } });
}

/** Every epoch's train and test cost, then the final parameters, as one list of numbers. */
async function outcome(t: Trainer, between?: (epoch: number) => void): Promise<number[]> {
  const out: number[] = [];
  for (let e = 0; e < t.config.training.epochs; e++) {
    between?.(e);
    const m = t.step();
    out.push(m.trainCost, m.testCost ?? NaN);
  }
  for (const p of t.net.params()) out.push(...p.data);
  t.free();
  return out;
}

/** 2,700 training samples: blocks of three chunks. */
const threeChunks: RunConfigInput = { data: { kind: 'moons', samples: 3000, noise: 0.2, seed: 2, testSize: 0.1, splitSeed: 2 } };

/** Each block's chunks (samples in each): about 512 samples a chunk, on multiples of 16, at most 8 a block. */
const cases: { name: string; input: RunConfigInput; blocks: number[][] }[] = [
  // the notebook's network on its 900 training samples: relu hidden layers, a sigmoid output (dZ from the loss)
  { name: 'the seed network (adam)', input: { training: { epochs: 40, optimizer: 'adam', learningRate: 0.01 } }, blocks: [[448], [452]] },
  {
    // softmax over 10 classes, leaky_relu and linear hidden layers, momentum with L2; an odd sample count
    name: 'digits, softmax, leaky_relu + linear, momentum + L2',
    input: {
      data: { kind: 'digits', testSize: 0.25, splitSeed: 3 },
      architecture: [
        { input_dim: 64, output_dim: 40, activation: 'leaky_relu' },
        { input_dim: 40, output_dim: 24, activation: 'linear' },
        { input_dim: 24, output_dim: 10, activation: 'softmax' },
      ],
      training: { epochs: 25, optimizer: 'momentum', learningRate: 0.05, l2: 0.001 },
    },
    blocks: [[672], [675]],
  },
  {
    // regression: a linear output and the squared error, whose gradient is dA (the output's backward runs here)
    name: 'plane regression (sgd, dA at the output)',
    input: {
      data: { kind: 'plane', samples: 700, noise: 0.2, seed: 5, testSize: 0.2, splitSeed: 5 },
      architecture: [
        { input_dim: 2, output_dim: 16, activation: 'relu' },
        { input_dim: 16, output_dim: 1, activation: 'linear' },
      ],
      training: { epochs: 30, learningRate: 0.05 },
    },
    blocks: [[280], [280]],
  },
  {
    // no test set; the smallest batch that splits (blocks of 128 or more)
    name: 'moons without a test set',
    input: { data: { kind: 'moons', samples: 280, noise: 0.2, seed: 1, testSize: 0, splitSeed: 1 }, training: { epochs: 20 } },
    blocks: [[136], [144]],
  },
  {
    // a larger batch: blocks of three chunks
    name: 'moons, 2700 training samples (3 chunks a block)',
    input: { ...threeChunks, training: { epochs: 6, optimizer: 'adam', learningRate: 0.01 } },
    blocks: [
      [448, 448, 448],
      [464, 448, 444],
    ],
  },
  {
    // a large batch: the most chunks a block has
    name: 'moons, 7740 training samples (8 chunks a block)',
    input: { data: { kind: 'moons', samples: 8600, noise: 0.2, seed: 2, testSize: 0.1, splitSeed: 2 }, training: { epochs: 3, optimizer: 'adam', learningRate: 0.01 } },
    blocks: [
      [496, 496, 480, 480, 480, 480, 480, 472],
      [496, 496, 496, 480, 480, 480, 480, 468],
    ],
  },
];

describe.each(['float64', 'float32'] as const)('a full batch split in two blocks of samples, %s', (precision) => {
  const one = (): Backend => (precision === 'float64' ? new CpuBackend() : new CpuF32Backend());

  it.each(cases)('$name: the one-thread bits on 2 threads, on 1, and switching mid-run', async ({ input, blocks }) => {
    const ref = await outcome(await trainer(input, one()));
    const B = await threaded(precision);
    const two = await trainer(input, B);
    expect(two.sampleBlocks).toEqual(blocks);
    expect(await outcome(two)).toEqual(ref);
    B.setThreads(1);
    expect(await outcome(await trainer(input, B))).toEqual(ref);
    const switching = await trainer(input, B);
    expect(await outcome(switching, (e) => B.setThreads(e % 3 === 0 ? 1 : 2))).toEqual(ref);
    B.setThreads(2);
  });
});

describe('when the split applies', () => {
  it('a run that blows up stops at the same epoch with the same reason as on one thread', async () => {
    const input: RunConfigInput = { training: { epochs: 200, learningRate: 40 } };
    const failure = async (B: Backend) => {
      const t = await trainer(input, B);
      try {
        for (;;) t.step();
      } catch (e) {
        expect(e).toBeInstanceOf(DivergenceError);
        return [t.epoch, (e as Error).message];
      } finally {
        t.free();
      }
    };
    const B = await threaded('float64');
    const split = await trainer(input, B);
    expect(split.sampleBlocks).not.toBeNull();
    split.free();
    expect(await failure(B)).toEqual(await failure(new CpuBackend()));
  });

  it('not for mini-batches, small batches, hidden tanh or sigmoid layers, or one-thread backends', async () => {
    const B = await threaded('float64');
    const blocks = async (input: RunConfigInput, backend: Backend = B) => {
      const t = await trainer(input, backend);
      const b = t.sampleBlocks;
      t.free();
      return b;
    };
    expect(await blocks({})).toEqual(cases[0]!.blocks);
    expect(await blocks({ training: { batchSize: 64 } })).toBeNull();
    // 280 training samples: the blocks would be 136 and 144, and a block needs 128 or more
    expect(await blocks({ data: { kind: 'moons', samples: 280, noise: 0.2, seed: 1, testSize: 0, splitSeed: 1 } })).toEqual([[136], [144]]);
    expect(await blocks({ data: { kind: 'moons', samples: 250, noise: 0.2, seed: 1, testSize: 0, splitSeed: 1 } })).toBeNull();
    const tanh = [{ input_dim: 2, output_dim: 8, activation: 'tanh' as const }, { input_dim: 8, output_dim: 1, activation: 'sigmoid' as const }];
    expect(await blocks({ architecture: tanh })).toBeNull();
    expect(await blocks({}, new CpuBackend())).toBeNull();
  });
});

/** The seed experiment's full batch (X, Xt: features × samples) and initial parameters, on other data if given. */
function seedExperiment(input: RunConfigInput = {}) {
  const cfg = resolveConfig({ backend: 'cpu', ...input });
  const data = loadData(cfg.data);
  const byRows = (s: { X: Float64Array; n: number; features: number }) => Float64Array.from({ length: s.X.length }, (_, i) => s.X[(i % s.n) * s.features + Math.floor(i / s.n)]!);
  return { cfg, X: byRows(data.train), Xt: byRows(data.test), n: data.train.n, nt: data.test.n, params: initLayers(cfg.architecture, cfg.init.seed, cfg.init.scale) };
}

type Exports = Record<string, (...a: number[]) => number>;

/** A split of the seed experiment's batch on B, whose kernels on this thread `patch` may replace (given the cut). */
function seedSplit(B: ParallelCpuBackend, patch: (exports: Exports, original: Exports, cut: number) => void = () => {}, input: RunConfigInput = {}) {
  const { cfg, X, Xt, n, nt, params } = seedExperiment(input);
  const net = new Network(B, cfg.architecture, params, 'sgd');
  const host = B.blockHost();
  const cut = host.exports.sample_cut_at!(n);
  const exports = { ...host.exports };
  patch(exports, host.exports, cut);
  return { net, host, split: new SampleSplit(net, { ...host, exports }, X, n, cut, Xt, nt) };
}

describe('a thread held up', () => {
  // The calling thread is held at its first chunk of block 0 (2,700 training samples: three chunks a block) until
  // the worker has taken every other chunk of it (after doing its own block): the worker then runs both blocks but that one chunk at most, and the results are
  // the bits of a pass where each thread ran its own block.
  it.each(['float64', 'float32'] as const)('%s: leaves the rest of its block to the other thread, with the same bits', async (precision) => {
    const B = await threaded(precision);

    const pass = (hold: boolean) => {
      // chunks of block 0 this thread ran: its forward's first layer (K = 2 inputs), its backward's last (K = 1 output)
      const ran = { forward: 0, backward: 0 };
      let armed = false;
      let holdUntilTaken = () => {};
      const { net, host, split } = seedSplit(B, (exports, original, cut) => {
        if (!hold) return;
        const wrap = (name: 'gemm_nn_cols' | 'gemm_tn_cols', K: number, count: 'forward' | 'backward') => {
          const f = original[name]!;
          exports[name] = (...a: number[]) => {
            if (a[4] === K && a[5] === cut) {
              ran[count]++;
              if (armed) {
                armed = false;
                holdUntilTaken();
              }
            }
            return f(...a);
          };
        };
        wrap('gemm_nn_cols', 2, 'forward');
        wrap('gemm_tn_cols', 1, 'backward');
      }, threeChunks);
      const C = split.chunks[0]!.length;
      holdUntilTaken = () => {
        const until = Date.now() + 20_000;
        while (Atomics.load(host.sync, 0) < C) if (Date.now() > until) throw new Error("the worker never took block 0's other chunks");
      };
      split.withTest = true;
      armed = true;
      expect(split.forward()).toBeNull();
      const yhat = split.output(), ytest = split.test!.output();
      armed = true;
      split.backward(Float64Array.from(yhat, (v, i) => v - (i % 2)), 'dZ');
      const grads = [...net.dW, ...net.db].map((t) => Array.from(B.read(t)));
      split.free();
      net.free();
      return { out: [Array.from(yhat), Array.from(ytest), ...grads], ran, chunks: C };
    };

    const own = pass(false);
    const held = pass(true);
    expect(held.chunks).toBeGreaterThan(1);
    // this thread ran at most one chunk of its block in each pass (none when the worker got there first): the
    // worker ran the others as well as its own block
    expect(held.ran.forward).toBeLessThanOrEqual(1);
    expect(held.ran.backward).toBeLessThanOrEqual(1);
    expect(held.out).toEqual(own.out);
  });
});

describe('a failure in the middle of a pass', () => {
  it('on the calling thread is thrown, not waited on: the worker finishes without the chunks it left', async () => {
    const B = await threaded('float64');
    // the calling thread fails in its first chunk of the backward pass; the worker's sums of block 0 need that chunk
    let calls = 0;
    const { net, split } = seedSplit(B, (exports) => {
      exports['gemm_tn_cols'] = () => {
        calls++;
        throw new Error('a kernel failed');
      };
    });
    // on a busy machine the worker may take every chunk before the calling thread takes one (then the pass simply
    // succeeds): passes are run until the calling thread has run a chunk, and that pass must throw
    let threw = 0;
    for (let attempt = 0; attempt < 50 && calls === 0; attempt++) {
      expect(split.forward()).toBeNull();
      try {
        split.backward(Float64Array.from(split.output(), (v, i) => v - (i % 2)), 'dZ');
      } catch (e) {
        expect((e as Error).message).toBe('a kernel failed');
        threw++;
      }
    }
    expect(calls).toBe(1);
    expect(threw).toBe(1);
    // the worker is free again: the next pass runs
    expect(split.forward()).toBeNull();
    split.free();
    net.free();
  });
});
