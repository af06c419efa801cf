// A run's weights over time, through the service over a real store and real training workers: runs.distributions
// (the percentiles of every layer's weights at its starting weights and periodic checkpoints), the trajectory
// runs.landscape projects on its plane, and the distributions every live snapshot carries — each checked against
// numpy (numpy.percentile; numpy.linalg.lstsq for the plane's coordinates).
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { DISTRIBUTION_PERCENTILES, layerDistributions, percentiles } from '../../engine/distribution';
import { initLayers } from '../../engine/init';
import { landscapeDirections } from '../../engine/landscape';
import type { CommandInput, RunSnapshotEvent } from '../../electron/contract';
import { paramsFromPlain } from '../../electron/trainer/snapshot';
import { findNumpyPython, runPython } from '../helpers/numpy';
import { useService } from '../helpers/service';

const ARCH: LayerSpec[] = [
  { input_dim: 2, output_dim: 7, activation: 'tanh' },
  { input_dim: 7, output_dim: 5, activation: 'relu' },
  { input_dim: 5, output_dim: 1, activation: 'sigmoid' },
];
const EPOCHS = 40;
const python = findNumpyPython();

const svc = useService('bpl-weight-history-');
const { ends, call } = svc;
const snapshots: RunSnapshotEvent[] = [];
let runId: string;


beforeAll(async () => {
  svc.client.subscribe('run.snapshot', (p) => void snapshots.push(p as RunSnapshotEvent));
  ({ runId } = await call('runs.start', { config: { architecture: ARCH, data: { samples: 150 }, backend: 'cpu', training: { epochs: EPOCHS, learningRate: 0.3 } } }));
  const t0 = Date.now();
  while (!ends.has(runId)) {
    if (Date.now() - t0 > 60_000) throw new Error('the run did not end');
    await new Promise((r) => setTimeout(r, 20));
  }
}, 90_000);

const flat = (a: ArrayLike<number>) => Array.from(a);

describe('percentiles', () => {
  it.skipIf(!python)('equal numpy.percentile (linear) to 1e-15 relative, ignoring non-finite values', () => {
    const sets = [[3], [2, -1], [5, 1, 4, 1, 5, 9, 2, 6], Array.from({ length: 257 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1)];
    const want = JSON.parse(runPython(`import json,sys,numpy as np\nprint(json.dumps([np.percentile(np.array(s), ${JSON.stringify(DISTRIBUTION_PERCENTILES)}).tolist() for s in json.loads(sys.argv[1])]))`, [JSON.stringify(sets)])) as number[][];
    sets.forEach((s, i) => percentiles(s).forEach((v, k) => expect(Math.abs(v - want[i]![k]!)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(v)))));
    expect(percentiles([NaN, 1, Infinity, 3])).toEqual(percentiles([1, 3]));
    expect(percentiles([]).every(Number.isNaN)).toBe(true);
  });
});

describe('percentiles by partial selection', () => {
  it('equal those of a full sort, bit for bit, with ties, on sizes around the selection’s cut-over', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rand() * 400);
      const v = Array.from({ length: n }, () => (rand() < 0.3 ? Math.round(rand() * 5) : rand() * 10 - 5));
      const s = [...v].sort((a, b) => a - b);
      const want = DISTRIBUTION_PERCENTILES.map((q) => {
        const x = ((n - 1) * q) / 100, lo = Math.floor(x), hi = Math.ceil(x);
        return lo === hi ? s[lo]! : s[lo]! + (s[hi]! - s[lo]!) * (x - lo);
      });
      expect(percentiles(v)).toEqual(want);
    }
  });
});

describe('runs.distributions', () => {
  it('holds the starting weights (init_layers(seed)) and every checkpoint, each layer as numpy.percentile of its W', async () => {
    const h = await call('runs.distributions', { runId });
    expect(h.percentiles).toEqual([0, 10, 25, 50, 75, 90, 100]);
    // 40 epochs: a checkpoint after every one; the last is the final weights, so they are not repeated
    expect(h.points.map((p) => p.epoch)).toEqual(Array.from({ length: EPOCHS + 1 }, (_, i) => i));
    const rec = svc.store.getRun(runId);
    const start = initLayers(ARCH, rec.config.init.seed, rec.config.init.scale);
    expect(h.points[0]!.layers).toEqual(layerDistributions(start));
    const at = (e: number) => svc.store.getWeights(runId, { kind: 'checkpoint', epoch: e })!;
    expect(h.points[EPOCHS]!.layers.map((l) => l.weights)).toEqual(layerDistributions(svc.store.getWeights(runId)!).map((l) => l.weights));
    expect(h.points.every((p) => p.layers.length === 3 && p.layers.every((l) => l.grads === null))).toBe(true);
    if (python) {
      const Ws = [1, 17, EPOCHS].map((e) => at(e).filter((_, i) => i % 2 === 0).map((p) => flat(p.data)));
      const want = JSON.parse(runPython(`import json,sys,numpy as np\nprint(json.dumps([[np.percentile(np.array(w), [0,10,25,50,75,90,100]).tolist() for w in ws] for ws in json.loads(sys.argv[1])]))`, [JSON.stringify(Ws)])) as number[][][];
      [1, 17, EPOCHS].forEach((e, i) => h.points[e]!.layers.forEach((l, k) => l.weights.forEach((v, q) => expect(Math.abs(v - want[i]![k]![q]!)).toBeLessThan(1e-15))));
    }
  });

  it('of a continued run: its own checkpoints only (it starts from its parent’s state); a re-run starts at init_layers(seed)', async () => {
    const train = async (payload: CommandInput<'runs.start'>) => {
      const { runId: id } = await call('runs.start', payload);
      const t0 = Date.now();
      while (!ends.has(id)) {
        if (Date.now() - t0 > 60_000) throw new Error('the run did not end');
        await new Promise((r) => setTimeout(r, 20));
      }
      return id;
    };
    const cont = await train({ config: {}, from: { runId, mode: 'continue', epochs: 10 } });
    const h = await call('runs.distributions', { runId: cont });
    expect(h.points.map((p) => p.epoch)).toEqual(Array.from({ length: 10 }, (_, i) => EPOCHS + 1 + i));
    const rerun = await train({ config: {}, from: { runId, mode: 'rerun' } });
    const r = await call('runs.distributions', { runId: rerun });
    expect(r.points).toEqual((await call('runs.distributions', { runId })).points);
  });

  it('answers not_found for an unknown run', async () => {
    const r = await svc.client.invoke('runs.distributions', { runId: 'nope' });
    expect(r.ok ? null : r.error.code).toBe('not_found');
  });
});

describe('runs.landscape trajectory', () => {
  it.skipIf(!python)('projects the starting weights and checkpoints on the plane as numpy.linalg.lstsq does; the final weights at the centre', async () => {
    const l = await call('runs.landscape', { runId, grid: 3, span: 1, seed: 4 });
    const t = l.trajectory!;
    expect(t.map((p) => p.epoch)).toEqual(Array.from({ length: EPOCHS + 1 }, (_, i) => i));
    // the last checkpoint is the final weights: the plane's centre, on it
    expect(t[EPOCHS]).toEqual({ epoch: EPOCHS, alpha: 0, beta: 0, offPlane: 0 });
    const final = svc.store.getWeights(runId)!;
    const [d1, d2] = landscapeDirections(final, 4);
    const vec = (p: { data: Float64Array }[]) => p.flatMap((m) => flat(m.data));
    const thetas = [0, 5, 20].map((e) => vec(e === 0 ? initLayers(ARCH, svc.store.getRun(runId).config.init.seed, svc.store.getRun(runId).config.init.scale) : svc.store.getWeights(runId, { kind: 'checkpoint', epoch: e })!));
    const want = JSON.parse(
      runPython(
        `import json,sys,numpy as np
c,a,b,ts = json.loads(sys.argv[1])
D = np.stack([np.array(a), np.array(b)], axis=1)
out = []
for t in ts:
    d = np.array(t) - np.array(c)
    x = np.linalg.lstsq(D, d, rcond=None)[0]
    out.append([x[0], x[1], float(np.linalg.norm(d - D @ x) / np.linalg.norm(d))])
print(json.dumps(out))`,
        [JSON.stringify([vec(final), vec(d1), vec(d2), thetas])],
      ),
    ) as number[][];
    [0, 5, 20].forEach((e, i) => {
      expect(t[e]!.alpha).toBeCloseTo(want[i]![0]!, 10);
      expect(t[e]!.beta).toBeCloseTo(want[i]![1]!, 10);
      expect(t[e]!.offPlane).toBeCloseTo(want[i]![2]!, 7);
    });
    // the start lies well away from the final weights on the plane, and mostly off it (random directions)
    expect(Math.hypot(t[0]!.alpha, t[0]!.beta)).toBeGreaterThan(0);
    expect(t[0]!.offPlane).toBeGreaterThan(0.5);
  });
});

describe('live snapshots', () => {
  it('carry each layer’s weight and gradient percentiles, those of the weights they send', () => {
    expect(snapshots.length).toBeGreaterThan(0);
    for (const s of snapshots) {
      const d = s.distributions!;
      expect(d.map((l) => l.weights)).toEqual(layerDistributions(paramsFromPlain(s.weights!)).map((l) => l.weights));
      if (s.epoch > 0) expect(d.every((l) => l.grads !== null && l.grads.length === 7 && l.grads[0]! <= l.grads[6]!)).toBe(true);
    }
    expect(snapshots.some((s) => s.epoch > 0)).toBe(true);
  });
});
