// Backend choice: explicit requests, 'auto' by measurement on the real network, and the fall-back to the CPU
// when a gpu backend fails part-way through a run.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isThreaded, type Backend, type Tensor } from '../../../engine/backends/backend';
import { ParallelCpuBackend } from '../../../engine/backends/parallel';
import { threadedCpuFactory } from '../../../engine/backends/node';
import { CpuBackend } from '../../../engine/backends/cpu';
import { BackendUnavailableError, cpuF32Factory, cpuFactory, selectBackend, type BackendFactory } from '../../../engine/backends/index';
import { resolveConfig } from '../../../engine/config';
import { createTrainer } from '../../../engine/train';
import { referenceMoons } from '../../helpers/engine';

/** A backend that computes with the CPU backend but calls itself gpu; it can be slowed down or made to fail. */
function fakeGpu(opts: { slowMs?: number; failAfterGemms?: number } = {}): Backend {
  const cpu = new CpuBackend();
  let gemms = 0;
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  return {
    name: 'gpu',
    mode: 'fake',
    precision: 'float64',
    tolerance: cpu.tolerance,
    tensor: (r, c, d) => cpu.tensor(r, c, d),
    read: (t) => cpu.read(t),
    write: (t, d) => cpu.write(t, d),
    gemm: (a: Tensor, b: Tensor, out: Tensor, ta: boolean, tb: boolean, div: number) => {
      gemms++;
      if (opts.failAfterGemms !== undefined && gemms > opts.failAfterGemms) throw new Error('device lost (CONTEXT_LOST_WEBGL)');
      if (opts.slowMs) spin(opts.slowMs);
      cpu.gemm(a, b, out, ta, tb, div);
    },
    biasActivation: (z, b, act, a) => cpu.biasActivation(z, b, act, a),
    activationBackward: (dA, z, a, act, dz) => cpu.activationBackward(dA, z, a, act, dz),
    rowSums: (t, out, d) => cpu.rowSums(t, out, d),
    update: (p, g, s, r) => cpu.update(p, g, s, r),
    free: (t) => cpu.free(t),
  };
}

const factory = (make: () => Backend): BackendFactory => ({ name: 'gpu', create: async () => make() });
const failing: BackendFactory = { name: 'gpu', create: () => Promise.reject(new Error('gpu.js found no WebGL context')) };

/** A cpu backend (computing with CpuBackend) that calls itself threaded on two threads, or one-thread. */
function fakeCpu(threaded: boolean): Backend {
  const b = fakeGpu() as Backend & { threads?: number; activeThreads?: number; setThreads?: (n: number) => void };
  Object.assign(b, { name: 'cpu', mode: threaded ? 'fake-threads2' : 'fake' });
  if (threaded) Object.assign(b, { threads: 2, activeThreads: 2, setThreads: (n: number) => (b.activeThreads = n) });
  return b;
}

describe('backend selection', () => {
  it('an explicit backend that cannot start is an error naming the reason and the way out', async () => {
    await expect(selectBackend('gpu', { factories: [cpuFactory, failing] })).rejects.toThrow(BackendUnavailableError);
    await expect(selectBackend('gpu', { factories: [cpuFactory, failing] })).rejects.toThrow(
      'backend gpu cannot start: gpu.js found no WebGL context; use --backend cpu or auto',
    );
  });

  it('auto keeps the reason of a backend that cannot start', async () => {
    const { backend, info } = await selectBackend('auto', { factories: [cpuFactory, failing] });
    expect(backend.name).toBe('cpu');
    expect(info.reason).toContain('auto: cpu is the only backend that starts here; gpu unavailable (gpu.js found no WebGL context)');
  });

  it('auto measures every backend on the actual network and batch and keeps the faster, with the figures', async () => {
    const cfg = resolveConfig({ training: { epochs: 10 } });
    const slow = await createTrainer(cfg, { data: referenceMoons(), factories: [cpuFactory, factory(() => fakeGpu({ slowMs: 3 }))] });
    expect(slow.backendInfo.name).toBe('cpu');
    expect(slow.backendInfo.reason).toMatch(/^auto: measured on this network and batch: cpu \(wasm-simd-f64\) [\d.]+ ms\/step, gpu \(fake\) (first step [\d.]+ ms, not timed further|[\d.]+ ms\/step); cpu is faster/);

    // a "gpu" faster than the CPU (the CPU made slow by a fake of its own) wins
    const slowCpu: BackendFactory = { name: 'cpu', create: async () => ({ ...fakeGpu({ slowMs: 3 }), name: 'cpu', mode: 'slow' }) };
    const fast = await createTrainer(cfg, { data: referenceMoons(), factories: [slowCpu, factory(() => fakeGpu())] });
    expect(fast.backendInfo.name).toBe('gpu');
    expect(fast.backendInfo.reason).toContain('gpu is faster');
  });

  it('an explicit choice with several candidates (one-thread and threaded cpu) is measured too, never leaving that backend', async () => {
    const slowCpu: BackendFactory = { name: 'cpu', create: async () => ({ ...fakeGpu({ slowMs: 3 }), name: 'cpu', mode: 'slow' }) };
    const t = await createTrainer(resolveConfig({ backend: 'cpu', training: { epochs: 10 } }), {
      data: referenceMoons(),
      factories: [slowCpu, cpuFactory, factory(() => fakeGpu())],
    });
    expect(t.backendInfo.name).toBe('cpu');
    expect(t.backendInfo.mode).toBe('wasm-simd-f64');
    expect(t.backendInfo.reason).toMatch(/^cpu was asked for: measured on this network and batch: cpu \(slow\) .*, cpu \(wasm-simd-f64\) [\d.]+ ms\/step; cpu \(wasm-simd-f64\) is faster/);
    expect(t.backendInfo.reason).not.toContain('gpu');
  });

  it('a run limited to one thread (threads: 1) leaves the threaded backends out; a larger cap caps them', async () => {
    const data = referenceMoons();
    let asked: number | undefined = -1;
    const spy: BackendFactory = { ...threadedCpuFactory('float64'), create: (o) => ((asked = o?.threads), threadedCpuFactory('float64').create(o)) };
    const one = await createTrainer(resolveConfig({ backend: 'cpu', training: { epochs: 5 } }), { data, factories: [spy, cpuFactory], threads: 1 });
    expect(asked).toBe(-1);
    expect(one.backendInfo.mode).toBe('wasm-simd-f64');
    expect(one.threads).toBe(1);
    const two = await selectBackend('cpu', { factories: [spy], threads: 2 });
    expect(asked).toBe(2);
    expect(isThreaded(two.backend) && two.backend.threads).toBeLessThanOrEqual(2);
    await (two.backend as ParallelCpuBackend).dispose();
    await expect(selectBackend('cpu', { factories: [spy], threads: 0 })).rejects.toThrow(/threads must be a whole number ≥ 1/);
  });

  it('a threaded backend handed to the trainer is held to the threads cap', async () => {
    const B = await ParallelCpuBackend.create({ threads: 3 });
    try {
      const t = await createTrainer(resolveConfig({ backend: 'cpu', training: { epochs: 3 } }), {
        data: referenceMoons(),
        backend: { backend: B, info: { name: 'cpu', mode: B.mode, precision: 'float64', reason: 'test' } },
        threads: 2,
      });
      expect(B.activeThreads).toBe(2);
      expect(t.threads).toBe(2);
      expect((await t.run()).status).toBe('finished');
      expect(B.activeThreads).toBeLessThanOrEqual(2);
    } finally {
      await B.dispose();
    }
  });

  it('when one thread wins the calibration, the run uses the threaded twin held to one thread (so it can take threads back)', async () => {
    // a threaded cpu that is slow only while it runs on more than one thread
    const slowThreaded: BackendFactory = {
      name: 'cpu',
      threaded: true,
      create: async () => {
        const B = await ParallelCpuBackend.create({ threads: 2 });
        // (biasActivation: every forward pass calls it, split into two blocks of samples or not)
        const biasActivation = B.biasActivation.bind(B);
        B.biasActivation = (z, bias, act, a) => {
          if (B.activeThreads > 1) for (const end = performance.now() + 2; performance.now() < end; );
          return biasActivation(z, bias, act, a);
        };
        return B;
      },
    };
    const t = await createTrainer(resolveConfig({ backend: 'cpu', training: { epochs: 5 } }), { data: referenceMoons(), factories: [slowThreaded, cpuFactory] });
    expect(t.backendInfo.mode).toBe('wasm-simd-f64-threads2');
    expect(t.threads).toBe(1);
    expect(t.backendInfo.reason).toMatch(/cpu \(wasm-simd-f64\) is faster; it runs on one thread of cpu \(wasm-simd-f64-threads2\), which takes its other threads when they pay/);
    await (t.backend as ParallelCpuBackend).dispose();
  });

  it('hands the governor the calibration at the other thread count: one thread beside a threaded winner, the threads beside a one-thread winner', async () => {
    const pick = (threadedMs: number, oneMs: number) =>
      selectBackend('cpu', {
        factories: [{ name: 'cpu', threaded: true, create: async () => fakeCpu(true) }, { name: 'cpu', create: async () => fakeCpu(false) }],
        calibrate: async (b) => ({ msPerStep: isThreaded(b) ? threadedMs : oneMs }),
      });
    const threadsWin = await pick(1, 1.8);
    expect(threadsWin).toMatchObject({ msPerStep: 1, otherMsPerStep: 1.8 });
    expect(isThreaded(threadsWin.backend) && threadsWin.backend.activeThreads).toBe(2);
    const oneWins = await pick(2, 1);
    expect(oneWins).toMatchObject({ msPerStep: 1, otherMsPerStep: 2 });
    expect(isThreaded(oneWins.backend) && oneWins.backend.activeThreads).toBe(1);
  });

  it('times every candidate twice, A B then B A, and keeps the faster timing of each (a cold first timing does not decide)', async () => {
    // the threaded backend, measured first, is slow while the compilers warm up; the second round shows its speed
    const timings = { 'fake-threads2': [1.53, 0.8], fake: [1.24, 1.3] } as Record<string, number[]>;
    const order: string[] = [];
    const chosen = await selectBackend('cpu', {
      factories: [{ name: 'cpu', threaded: true, create: async () => fakeCpu(true) }, { name: 'cpu', create: async () => fakeCpu(false) }],
      calibrate: async (b) => {
        order.push(b.mode);
        return { msPerStep: timings[b.mode]!.shift()! };
      },
    });
    expect(order).toEqual(['fake-threads2', 'fake', 'fake', 'fake-threads2']);
    expect(chosen).toMatchObject({ msPerStep: 0.8, otherMsPerStep: 1.24 });
    expect(isThreaded(chosen.backend) && chosen.backend.activeThreads).toBe(2);
    expect(chosen.info.reason).toMatch(/cpu \(fake-threads2\) 0\.80 ms\/step, cpu \(fake\) 1\.24 ms\/step; cpu \(fake-threads2\) is faster/);
  });

  it('auto never trades float64 for speed: cpu-f32 runs only when asked for by name', async () => {
    const data = referenceMoons();
    const auto = await createTrainer(resolveConfig({ training: { epochs: 10 } }), { data, factories: [cpuFactory, cpuF32Factory] });
    expect(auto.backendInfo.precision).toBe('float64');
    const f32 = await createTrainer(resolveConfig({ backend: 'cpu-f32', training: { epochs: 100 } }), { data, factories: [cpuFactory, cpuF32Factory] });
    expect(f32.backendInfo).toMatchObject({ mode: 'wasm-simd-f32', precision: 'float32', reason: expect.stringMatching(/^cpu-f32 was asked for/) });
    const r = await f32.run();
    // float32 arithmetic, the float64 numpy cost after 100 epochs to single precision
    const ref = JSON.parse(readFileSync(new URL('../../fixtures/reference/cost_history.json', import.meta.url), 'utf8'));
    expect(Math.abs(r.finalCost - ref.cost[1]) / ref.cost[1]).toBeLessThan(1e-5);
  });

  it('measures with the configured batch size, not the whole data set', async () => {
    const seen: number[] = [];
    const spy: BackendFactory = {
      name: 'gpu',
      create: async () => {
        const b = fakeGpu();
        const tensor = b.tensor;
        b.tensor = (r, c, d) => (seen.push(c), tensor(r, c, d));
        return b;
      },
    };
    await createTrainer(resolveConfig({ training: { epochs: 10, batchSize: 64 } }), { data: referenceMoons(), factories: [cpuFactory, spy] });
    expect(seen).toContain(64);
    expect(seen).not.toContain(900);
  });
});

describe('fall-back to the CPU', () => {
  const cfg = (backend: 'auto' | 'gpu') => resolveConfig({ backend, training: { epochs: 12, optimizer: 'adam', learningRate: 0.01 } });

  it('under auto, a gpu that fails part-way hands the run to the CPU with its parameters and optimizer state, and says so', async () => {
    // an epoch makes 19 gemms (5 forward, 5 for the test set, 9 backward): fail inside epoch 3
    const gpu = fakeGpu({ failAfterGemms: 19 * 3 + 7 });
    const t = await createTrainer(cfg('auto'), { data: referenceMoons(), backend: { backend: gpu, info: { name: 'gpu', mode: 'fake', precision: 'float64', reason: 'auto: test' } } });
    const r = await t.run();
    expect(r.status).toBe('finished');
    expect(r.backend.name).toBe('cpu');
    expect(r.backend.reason).toBe('auto: test; gpu (fake) failed at epoch 3 (device lost (CONTEXT_LOST_WEBGL)), so the run continued on the cpu');
    // the same numbers as a run that was on the CPU all along: nothing was lost in the move, adam's moments included
    const ref = await (await createTrainer(cfg('auto'), { data: referenceMoons(), backend: { backend: new CpuBackend(), info: { name: 'cpu', mode: 'x', precision: 'float64', reason: 'x' } } })).run();
    expect(r.costHistory).toEqual(ref.costHistory);
    expect(r.finalCost).toBe(ref.finalCost);
  });

  it('an explicit gpu run that fails is an error, not a silent fall-back', async () => {
    const gpu = fakeGpu({ failAfterGemms: 20 });
    const t = await createTrainer(cfg('gpu'), { data: referenceMoons(), backend: { backend: gpu, info: { name: 'gpu', mode: 'fake', precision: 'float64', reason: 'gpu was asked for' } } });
    await expect(t.run()).rejects.toThrow('device lost');
  });
});
