// The service over a real store (a temporary SQLite file) and real training workers, driven through the
// in-memory transport the browser mode's framing uses: validation, the run lifecycle, batching into the store
// and the event stream, the runs table, compare, export/import, data preview, inspect and the gradient check.
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { readNpz } from '../../engine/export/npz';
import { decodeOnnx } from '../../engine/export/onnx';
import type { CommandName, EventName, EventPayload, RunConfigInput } from '../../electron/contract';
import { loadCurves } from '../../electron/store/index';
import { useService } from '../helpers/service';

const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 8, activation: 'relu' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];
const cfg = (training: RunConfigInput['training'] = {}, extra: Partial<RunConfigInput> = {}): RunConfigInput => ({
  architecture: SMALL,
  data: { samples: 200 },
  training: { epochs: 300, ...training },
  ...extra,
});

const h = useService('bpl-service-', { trainer: { snapshotIntervalMs: 100 } });
const { call } = h;
const events: Array<{ event: EventName; payload: any }> = [];

beforeAll(() => {
  for (const e of ['run.metrics', 'run.status', 'run.snapshot', 'runs.changed'] as const) {
    h.client.subscribe(e, (payload) => events.push({ event: e, payload }));
  }
});

const fail = async (command: CommandName, payload: unknown) => {
  const r = await h.client.invoke(command, payload);
  if (r.ok) throw new Error(`${command} was expected to fail`);
  return r.error;
};
const eventsOf = <E extends EventName>(event: E, runId: string): EventPayload<E>[] =>
  events.filter((e) => e.event === event && e.payload.runId === runId).map((e) => e.payload as EventPayload<E>);

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const ended = (runId: string) =>
  until(`run ${runId} to end`, () => eventsOf('run.status', runId).find((s) => ['finished', 'failed', 'stopped'].includes(s.status)));

describe('validation at the boundary', () => {
  it('answers an unknown command, a malformed payload and a bad config with error codes, never a throw', async () => {
    expect(await h.service.call('runs.explode', {})).toEqual({ ok: false, error: { code: 'unknown_command', message: expect.any(String) } });
    expect(await h.service.call('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    const e1 = await fail('runs.pause', { runId: 42 });
    expect(e1).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/^runs.pause: runId: /) });
    const e2 = await fail('runs.start', { config: cfg({ learningRate: -1 }) });
    expect(e2).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/config.training.learningRate/) });
    const e3 = await fail('runs.start', { config: { ...cfg(), evil: true } });
    expect(e3.code).toBe('invalid_payload');
    const e4 = await fail('runs.start', { config: cfg({}, { architecture: [{ input_dim: 3, output_dim: 1, activation: 'sigmoid' }] }) });
    expect(e4).toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/input_dim 3/) });
    const e5 = await fail('runs.start', { config: cfg({ momentum: 1.5 }) });
    expect(e5).toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/training.momentum/) });
    // nothing half-created
    expect(await call('runs.list', {})).toEqual([]);
  });

  it('app.info reports the version, the host, the backends and the seed experiment', async () => {
    const info = await call('app.info', {});
    expect(info.version).toBe('9.9.9');
    expect(info.host).toBe('browser');
    expect(info.backends.find((b) => b.name === 'cpu')?.available).toBe(true);
    expect(info.backends.find((b) => b.name === 'gpu')).toBeDefined();
    expect(info.defaultConfig.init.seed).toBe(101);
    expect(info.defaultConfig.training.learningRate).toBe(0.01);
  });
});

describe('a run from start to the store', () => {
  let fastId = '';

  it('a fast run of 3000 epochs: the events hold epochs exactly 0..2999 in batches, and the store has them all', async () => {
    const started = await call('runs.start', { config: cfg({ epochs: 3000 }), name: 'fast' });
    fastId = started.runId;
    expect(started.status).toBe('running');
    expect(started.backend.name).toBe('cpu');
    const status = await ended(fastId);
    expect(status).toMatchObject({ status: 'finished', epoch: 3000, final: { finalCost: expect.any(Number) } });
    const batches = eventsOf('run.metrics', fastId);
    const epochs = batches.flatMap((b) => b.metrics.map((m) => m.epoch));
    expect(epochs).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(batches.length).toBeLessThan(60);
    const [cost] = loadCurves(h.store, [fastId], { keys: ['train_cost'], maxPoints: 1_000_000 });
    expect(cost!.steps).toEqual(epochs);
    expect(cost!.values).toEqual(batches.flatMap((b) => b.metrics.map((m) => m.trainCost)));
    const rec = h.store.getRun(fastId);
    expect(rec).toMatchObject({ status: 'finished', name: 'fast', epochsDone: 3000, finalCost: status.final!.finalCost });
    expect(h.store.getWeights(fastId)!.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(eventsOf('run.snapshot', fastId).length).toBeGreaterThan(0);
    expect(eventsOf('runs.changed', fastId)[0]).toEqual({ runId: fastId, change: 'created' });
  });

  it('runs.get returns the run and its curves, downsampled on the host when asked', async () => {
    const { run, curves } = await call('runs.get', { runId: fastId, maxPoints: 100 });
    expect(run).toMatchObject({ id: fastId, name: 'fast', status: 'finished', architecture: '2-8-1', dataset: 'moons', epochsDone: 3000 });
    expect(run.config.training.epochs).toBe(3000);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(curves.trainCost!.total).toBe(3000);
    expect(curves.trainCost!.step.length).toBeLessThanOrEqual(100);
    expect(curves.trainCost!.step[0]).toBe(0);
    expect(curves.trainCost!.step.at(-1)).toBe(2999);
    expect(curves.testAccuracy!.total).toBe(3000);
    expect(curves.elapsedMs!.total).toBe(3000);
    expect((await fail('runs.get', { runId: 'no-such-run' })).code).toBe('not_found');
  });

  it('a diverging run (learning rate 100) is stored as failed with its reason', async () => {
    const { runId } = await call('runs.start', { config: { training: { epochs: 2000, learningRate: 100 } }, name: 'diverges' });
    const status = await ended(runId);
    expect(status.status).toBe('failed');
    expect(status.reason).toMatch(/^diverged at epoch \d+: /);
    const rec = h.store.getRun(runId);
    expect(rec.status).toBe('failed');
    expect(rec.error).toBe(status.reason);
    const exported = await fail('runs.export', { runId, format: 'npz' });
    expect(exported.code).toBe('conflict');
  });

  it('pause, step, resume and stop reach the worker; the store keeps the run running while paused', async () => {
    const { runId } = await call('runs.start', { config: cfg({ epochs: 1_000_000 }), name: 'controlled' });
    await until('some epochs', () => eventsOf('run.metrics', runId).length > 0);
    const paused = await call('runs.pause', { runId });
    expect(paused.status).toBe('paused');
    expect(h.store.getRun(runId).status).toBe('running');
    expect((await call('runs.list', { filter: { status: 'paused' } })).map((r) => r.id)).toEqual([runId]);
    const stepped = await call('runs.step', { runId });
    expect(stepped.epoch).toBe(paused.epoch + 1);
    expect((await call('runs.resume', { runId })).status).toBe('running');
    const stopped = await call('runs.stop', { runId });
    expect(stopped.status).toBe('stopped');
    const rec = h.store.getRun(runId);
    expect(rec.status).toBe('stopped');
    expect(rec.error).toMatch(/stopped by the user/);
    expect(h.store.getWeights(runId)).not.toBeNull();
    // an ended run cannot be paused; an unknown one is not found
    expect((await fail('runs.pause', { runId })).code).toBe('conflict');
    expect((await fail('runs.resume', { runId: 'nope' })).code).toBe('not_found');
  });
});

describe('the runs table and compare', () => {
  const ids: string[] = [];
  beforeAll(async () => {
    for (const lr of [0.05, 0.2]) {
      const { runId } = await call('runs.start', { config: cfg({ epochs: 200, learningRate: lr }), name: `sweep lr=${lr}` });
      ids.push(runId);
    }
    await Promise.all(ids.map(ended));
  });

  it('lists with filter and sort; rename, tag and note show up; delete removes', async () => {
    const all = await call('runs.list', {});
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(all[0]!.createdAt).toBeGreaterThanOrEqual(all.at(-1)!.createdAt); // newest first
    expect(all.every((r) => typeof r.architecture === 'string')).toBe(true);
    const sweep = await call('runs.list', { filter: { name: 'sweep' }, sort: { by: 'finalCost' } });
    expect(sweep.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(sweep[0]!.finalCost!).toBeLessThanOrEqual(sweep[1]!.finalCost!);
    // each row carries its whole configuration (the table's setting columns) and its sweep (none here)
    expect(sweep.map((r) => r.config?.training.learningRate).sort()).toEqual([0.05, 0.2]);
    expect(sweep.every((r) => r.sweep === null && r.config?.training.epochs === 200)).toBe(true);
    expect((await call('runs.list', { filter: { status: 'failed' } })).map((r) => r.name)).toEqual(['diverges']);

    const renamed = await call('runs.rename', { runId: ids[0]!, name: 'best so far' });
    expect(renamed.name).toBe('best so far');
    const tagged = await call('runs.tag', { runId: ids[0]!, tags: ['sweep', 'keep'] });
    expect(tagged.tags).toEqual(['keep', 'sweep']);
    expect((await call('runs.note', { runId: ids[0]!, notes: 'lr 0.05 is steady' })).notes).toBe('lr 0.05 is steady');
    expect((await call('runs.list', { filter: { tag: 'keep' } })).map((r) => r.id)).toEqual([ids[0]]);
    expect(eventsOf('runs.changed', ids[0]!).filter((e) => e.change === 'updated').length).toBeGreaterThanOrEqual(3);
  });

  it('curves of several runs, and a diff that can show only what differs, with the distance between weights', async () => {
    const curves = await call('runs.curves', { runIds: ids, keys: ['trainCost', 'testAccuracy'], maxPoints: 50 });
    expect(Object.keys(curves).sort()).toEqual([...ids].sort());
    expect(curves[ids[1]!]!.trainCost!.total).toBe(200);
    const diff = await call('runs.diff', { runIds: ids, onlyDifferences: true });
    expect(diff.rows).toEqual([{ path: 'training.learningRate', values: [0.05, 0.2], differs: true }]);
    expect(diff.final.map((f) => f.epochsDone)).toEqual([200, 200]);
    expect(diff.weightDistances).toHaveLength(1);
    expect(diff.weightDistances[0]!.distance).toBeGreaterThan(0);
    const full = await call('runs.diff', { runIds: ids });
    expect(full.rows.length).toBeGreaterThan(10);
    expect((await fail('runs.diff', { runIds: [ids[0]] })).code).toBe('invalid_payload');
  });

  it('exports JSON, .npz, ONNX, the notebook script and metrics CSV; imports the JSON and .npz back', async () => {
    const id = ids[1]!;
    const weights = h.store.getWeights(id)!;
    const json = await call('runs.export', { runId: id, format: 'json' });
    expect(json.filename).toMatch(/^sweep-lr-0\.2-[0-9a-f]{8}\.json$/);
    const doc = JSON.parse(Buffer.from(json.base64, 'base64').toString('utf8'));
    expect(doc.architecture).toEqual(SMALL);
    expect(doc.params.W1[0][0]).toBe(weights[0]!.data[0]);
    expect(doc.metrics.epochs).toBe(200);

    const npz = await call('runs.export', { runId: id, format: 'npz' });
    const back = readNpz(new Uint8Array(Buffer.from(npz.base64, 'base64')));
    expect(Array.from(back.params[2]!.data)).toEqual(Array.from(weights[2]!.data));

    const onnx = await call('runs.export', { runId: id, format: 'onnx' });
    expect(decodeOnnx(new Uint8Array(Buffer.from(onnx.base64, 'base64')))).toBeTypeOf('object');

    const py = Buffer.from((await call('runs.export', { runId: id, format: 'py' })).base64, 'base64').toString('utf8');
    expect(py).toMatch(/NN_ARCHITECTURE = \[/);

    const csv = Buffer.from((await call('runs.export', { runId: id, format: 'metrics-csv' })).base64, 'base64').toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms');
    expect(csv).toHaveLength(201);
    expect(csv[1]!.startsWith('0,')).toBe(true);

    const fromJson = await call('runs.importWeights', { filename: json.filename, base64: json.base64 });
    expect(fromJson.architecture).toEqual(SMALL);
    expect(fromJson.parameterCount).toBe(8 * 2 + 8 + 8 + 1);
    expect(fromJson.params[0]!.data).toEqual(Array.from(weights[0]!.data));
    expect(fromJson.config?.training.learningRate).toBe(0.2);
    const fromNpz = await call('runs.importWeights', { filename: 'w.npz', base64: npz.base64, architecture: SMALL });
    expect(fromNpz.params[3]!.data).toEqual(Array.from(weights[3]!.data));

    // start a run from imported weights: epoch 0's cost is the exported network's
    const { runId } = await call('runs.start', { config: cfg({ epochs: 1, learningRate: 0.2 }), initialParams: fromJson.params });
    await ended(runId);
    const first = eventsOf('run.metrics', runId)[0]!.metrics[0]!;
    const lastOfOriginal = h.store.getRun(id).finalCost!;
    expect(first.trainCost).toBeCloseTo(lastOfOriginal, 12);
  });

  it('refuses malformed or hostile imports with import_failed and a message', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect((await fail('runs.importWeights', { filename: 'w.json', base64: b64('{not json') })).code).toBe('import_failed');
    const proto = { architecture: SMALL, params: { __proto__: [[1]] } };
    const text = JSON.stringify(proto).replace('"params":{}', '"params":{"__proto__":[[1]]}');
    expect((await fail('runs.importWeights', { filename: 'w.json', base64: b64(text) })).code).toBe('import_failed');
    const wrongShape = { architecture: SMALL, params: { W1: [[1, 2]], b1: [[0]], W2: [[1]], b2: [[0]] } };
    const e = await fail('runs.importWeights', { filename: 'w.json', base64: b64(JSON.stringify(wrongShape)) });
    expect(e.code).toBe('import_failed');
    expect((await fail('runs.importWeights', { filename: 'w.exe', base64: b64('MZ') })).code).toBe('import_failed');
    expect((await fail('runs.importWeights', { filename: 'w.npz', base64: b64('PK\u0003\u0004garbage') })).code).toBe('import_failed');
    const bad = await fail('runs.start', { config: cfg(), initialParams: [{ name: 'W1', rows: 1, cols: 1, data: [0] }, { name: 'b1', rows: 1, cols: 1, data: [0] }] });
    expect(bad).toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/initialParams has 2 matrices/) });
  });

  it('inspects a finished run and checks its gradients, from its stored weights once its worker is gone', async () => {
    const id = ids[0]!;
    await h.service.trainers.release(id);
    expect(h.service.trainers.has(id)).toBe(false);
    const r = await call('net.inspect', { runId: id, point: [0.1, 0.9] });
    expect(r.layers).toHaveLength(2);
    expect(r.layers[1]!.A[0]).toBeGreaterThan(0);
    expect(r.layers[1]!.A[0]).toBeLessThan(1);
    const g = await call('net.gradCheck', { runId: id, maxPerParam: 5, samples: 64 });
    expect(g.relativeError).toBeLessThan(1e-6);
    expect((await fail('net.inspect', { runId: id, point: [1] })).code).toBe('invalid_config');
  });

  it('deletes a run with its metrics and tells the runs table', async () => {
    const id = ids[1]!;
    expect(await call('runs.delete', { runId: id })).toEqual({ deleted: id });
    expect(h.store.findRun(id)).toBeNull();
    expect(eventsOf('runs.changed', id).at(-1)).toEqual({ runId: id, change: 'deleted' });
    expect((await fail('runs.delete', { runId: id })).code).toBe('not_found');
  });
});

describe('data', () => {
  it('previews the seed dataset: 900 train and 100 test points of moons, with their range', async () => {
    const p = await call('data.preview', { data: {} });
    expect(p).toMatchObject({ features: 2, classes: 2, totalTrain: 900, totalTest: 100 });
    expect(p.train.n).toBe(900);
    expect(p.train.X).toHaveLength(1800);
    expect(p.range[0]![0]).toBeLessThan(-0.8);
    expect((await fail('data.preview', { data: { kind: 'spiral', noise: 3 } })).code).toBe('invalid_config');
  });

  it('caps a large preview at 5000 points per set', async () => {
    const p = await call('data.preview', { data: { kind: 'circles', samples: 20_000, testSize: 0 } });
    expect(p.totalTrain).toBe(20_000);
    expect(p.train.n).toBeLessThanOrEqual(5000);
  });

  it('parses a CSV: columns, rows and classes, or the errors', async () => {
    const ok = await call('data.parseCsv', { text: 'a,b,label\n1,2,0\n3,4,1\n5,6,1\n' });
    expect(ok).toMatchObject({ ok: true, columns: ['a', 'b', 'label'], labelColumn: 'label', rows: 3, featureNames: ['a', 'b'], errors: [] });
    const bad = await call('data.parseCsv', { text: 'a,b,label\n1,x,0\n3,4,1\n' });
    expect(bad.ok).toBe(false);
    expect(bad.columns).toEqual(['a', 'b', 'label']);
    expect(bad.errors[0]).toMatch(/line 2/);
    const preview = await call('data.preview', { data: { kind: 'csv', testSize: 0 }, csvText: 'a,b,label\n1,2,0\n3,4,1\n5,6,1\n' });
    expect(preview.featureNames).toEqual(['a', 'b']);
  });
});
