// The gpu.js backend beyond single ops: how it starts (or says why it cannot), that training on it agrees with
// the float64 reference, and that a diverging run still stops although its biasActivation cannot see NaN.
// Ops themselves are in conformance.test.ts. headlessgl runs when the `gl` module is built and a display exists
// (scripts/setup-headlessgl.sh, then xvfb-run -a npx vitest run test/engine/backends).

import { afterAll, describe, expect, it } from 'vitest';
import { createGpuBackend, GPU_MODES, type GpuBackend } from '../../../engine/backends/gpu';
import { gpuFactory } from '../../../engine/backends/index';

const gpuBackendFactory = gpuFactory();
import { explainHeadlessGL } from '../../../engine/backends/gpu-node';
import { resolveConfig } from '../../../engine/config';
import { createTrainer } from '../../../engine/train';
import { fixture, referenceMoons, relErr } from '../../helpers/engine';

const opened: GpuBackend[] = [];
async function open(mode: 'webasm' | 'headlessgl'): Promise<GpuBackend | string> {
  try {
    const b = await createGpuBackend({ mode, explainHeadlessGL });
    opened.push(b);
    return b;
  } catch (e) {
    return (e as Error).message;
  }
}
const modes = { webasm: await open('webasm'), headlessgl: await open('headlessgl') };
afterAll(async () => {
  for (const b of opened) await b.dispose();
});

/** The reference configuration on a gpu backend; `epochs` replaces the 10000 of resolveConfig(). */
async function referenceRun(backend: GpuBackend, epochs: number) {
  const t = await createTrainer(resolveConfig({ training: { epochs } }), {
    data: referenceMoons(),
    backend: { backend, info: { name: backend.name, mode: backend.mode, precision: backend.precision, reason: backend.modeReason } },
    evalTestEvery: 0,
  });
  return { t, r: await t.run() };
}

/** The CPU float64 (numpy) final cost of the reference configuration after 10000 epochs. */
const CPU_FINAL_COST = 0.07428642641970275;
/** Epochs of the default agreement run: 10000 take ~40–50 ms each on webasm here (7–8 minutes), too long for every run. */
const AGREEMENT_EPOCHS = 300;
const FULL = process.env['BACKPROP_GPU_FULL'] === '1';

describe('starting the gpu backend', () => {
  it('gpuBackendFactory.create() resolves to a float32 gpu backend that says which mode and why, or rejects with the reason', async () => {
    let backend: GpuBackend | null = null;
    let error: Error | null = null;
    try {
      backend = (await gpuBackendFactory.create()) as GpuBackend;
    } catch (e) {
      error = e as Error;
    }
    if (backend) {
      opened.push(backend);
      expect(backend.name).toBe('gpu');
      expect(backend.precision).toBe('float32');
      expect(GPU_MODES).toContain(backend.mode);
      expect(backend.modeReason).toMatch(new RegExp(backend.mode));
      // headlessgl outranks webasm: auto takes it whenever it starts, and otherwise says why not
      if (typeof modes.headlessgl !== 'string') expect(backend.mode).toBe('headlessgl');
      else expect(backend.modeReason).toMatch(/headlessgl is unavailable: .*gl/);
      // with the Node explanation, auto's reason names the missing step
      const explained = (await gpuFactory({ explainHeadlessGL }).create()) as GpuBackend;
      opened.push(explained);
      if (typeof modes.headlessgl === 'string') expect(explained.modeReason).toContain(explainHeadlessGL()!);
    } else {
      expect(error).toBeInstanceOf(Error);
      expect(error!.message).toMatch(/^gpu\.js has no mode that runs here: .*webasm/);
    }
  });

  it('an explicit mode that cannot start rejects with the reason and the way out', async () => {
    if (typeof modes.headlessgl === 'string') {
      // gpu.js alone knows only "unsupported"; explainHeadlessGL says which step is missing
      expect(modes.headlessgl).toMatch(/gpu\.js mode headlessgl is unavailable: .*(setup-headlessgl\.sh|xvfb-run)/);
      await expect(createGpuBackend({ mode: 'headlessgl' })).rejects.toThrow(/headlessgl is unavailable: .*setup-headlessgl\.sh.*xvfb-run/);
    } else {
      expect(modes.headlessgl.mode).toBe('headlessgl');
      expect(explainHeadlessGL()).toBeNull();
    }
    await expect(createGpuBackend({ mode: 'webgl2' })).rejects.toThrow(/gpu\.js mode webgl2 is unavailable: no WebGL2 here/);
  });

  it('records the gpu.js mode, and keeps data on the device only on the GL modes', () => {
    for (const b of opened.filter((x) => x.mode === 'webasm' || x.mode === 'headlessgl')) {
      expect(b.resident).toBe(b.mode === 'headlessgl');
      if (b.mode === 'webasm') expect(b.modeReason).toMatch(/one thread/);
    }
  });
});

for (const mode of ['webasm', 'headlessgl'] as const) {
  const b = modes[mode];
  const skip = typeof b === 'string' ? ` (skipped: ${b})` : '';
  describe.skipIf(typeof b === 'string')(`training on gpu ${mode}${skip}`, () => {
    const backend = b as GpuBackend;

    it(`follows numpy's float64 cost history of the reference configuration for ${AGREEMENT_EPOCHS} epochs to 1e-3`, async () => {
      const { r } = await referenceRun(backend, AGREEMENT_EPOCHS);
      const ref = fixture('reference/cost_history.json');
      expect(r.status).toBe('finished');
      expect(r.backend.mode).toBe(mode);
      let worst = 0;
      ref.epochs.forEach((e: number, i: number) => {
        if (e >= AGREEMENT_EPOCHS) return;
        const err = relErr(r.costHistory[e], ref.cost[i]);
        worst = Math.max(worst, err);
        expect(err, `epoch ${e}`).toBeLessThan(1e-3);
      });
      // the cost after the last update is the fixture's cost at epoch AGREEMENT_EPOCHS
      const at = ref.epochs.indexOf(AGREEMENT_EPOCHS);
      expect(relErr(r.finalCost, ref.cost[at])).toBeLessThan(1e-3);
      console.info(`gpu ${mode}: ${AGREEMENT_EPOCHS} epochs at ${r.msPerEpoch.toFixed(1)} ms/epoch, worst relative cost error ${worst.toExponential(2)}`);
    }, 300_000);

    it.runIf(FULL)('ends all 10000 epochs within 1e-3 of the CPU float64 final cost (BACKPROP_GPU_FULL=1)', async () => {
      const { r } = await referenceRun(backend, 10000);
      expect(r.status).toBe('finished');
      expect(relErr(r.finalCost, CPU_FINAL_COST)).toBeLessThan(1e-3);
      console.info(`gpu ${mode}: 10000 epochs, final cost ${r.finalCost} (relative error ${relErr(r.finalCost, CPU_FINAL_COST).toExponential(2)}), ${r.msPerEpoch.toFixed(1)} ms/epoch`);
    }, 1_800_000);

    it('stops a diverging run although biasActivation cannot see NaN: the cost check catches it', async () => {
      expect(backend.biasActivation(backend.tensor(1, 1, [NaN]), backend.tensor(1, 1), 'relu', backend.tensor(1, 1))).toBe(true);
      const t = await createTrainer(resolveConfig({ training: { epochs: 200, learningRate: 1e4 } }), {
        data: referenceMoons(),
        backend: { backend, info: { name: 'gpu', mode, precision: 'float32', reason: 'test' } },
        evalTestEvery: 0,
      });
      const r = await t.run();
      expect(r.status).toBe('diverged');
      expect(r.reason).toMatch(/^diverged at epoch \d+: /);
    });

    it('names the tensor used after free()', () => {
      const x = backend.tensor(2, 3);
      backend.free(x);
      expect(() => backend.read(x)).toThrow(/a 2×3 tensor was used after free\(\)/);
    });
  });
}
