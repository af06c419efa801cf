// A run's life in the store: created running, metrics in batches, finished / failed / stopped, recovered as
// interrupted when its process died; values and weights read back bit for bit; edits, deletes and imports.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import type { Params } from '../../../engine/init';
import type { TrainResult } from '../../../engine/train';
import { MAX_NAME_LENGTH, MAX_TAG_LENGTH, RUN_ID_PATTERN } from '../../../electron/limits';
import { MetricsRecorder, openStore, reasonLine, runDurationMs, type Store } from '../../../electron/store/index';
import { cpuTrainer, referenceMoons } from '../../helpers/engine';
import { tempDir, storeError } from './helpers';

const dir = tempDir();
let n = 0;
let store: Store;
beforeEach(() => {
  store = openStore({ path: join(dir, `runs-${n++}.db`) });
  return () => store.close();
});

const cpu = { name: 'cpu', mode: 'js', precision: 'float64', reason: 'cpu was asked for' };
const result = (over: Partial<TrainResult> = {}): TrainResult => ({
  status: 'finished',
  epochs: 3,
  finalCost: 0.25,
  trainAccuracy: 0.9,
  testCost: 0.3,
  testAccuracy: 0.875,
  costHistory: [1, 0.5, 0.3],
  msPerEpoch: 1,
  backend: cpu,
  ...over,
});
const params = (): Params => [
  { name: 'W1', rows: 2, cols: 3, data: Float64Array.from([1.5, -0, NaN, Infinity, -Infinity, 5e-324]) },
  { name: 'b1', rows: 2, cols: 1, data: Float64Array.from([Number.MAX_VALUE, -Number.MIN_VALUE]) },
];
const bytes = (p: Params) => p.map((x) => Array.from(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength)));
describe('creating a run', () => {
  it('records it as running, owned by this process, with the resolved config, the backend and a readable default name', () => {
    const run = store.createRun(resolveConfig({ training: { learningRate: 0.05 } }), { backend: cpu, tags: ['baseline', ' baseline ', 'moons'] });
    expect(run.status).toBe('running');
    expect(run.name).toBe('moons · lr 0.05 · sgd');
    expect(run.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.config.training.learningRate).toBe(0.05);
    expect(run.dataset).toBe('moons');
    expect(run.backend).toEqual(cpu);
    expect(run.tags).toEqual(['baseline', 'moons']);
    expect(run.writer).toMatchObject({ pid: process.pid });
    expect(run.startedAt).toBe(run.createdAt);
    expect(run.epochsDone).toBe(0);
  });

  it('refuses a bad configuration or option with an error that names the value', () => {
    expect(() => store.createRun(null as never)).toThrow(/config must be a run configuration object/);
    expect(() => store.createRun({ training: { learningRate: -1 } } as never)).toThrow('createRun: config: training.learningRate must be a positive number, got -1');
    expect(() => store.createRun(resolveConfig({}), { name: '   ' })).toThrow('createRun: options.name must not be empty, got "   "');
    expect(() => store.createRun(resolveConfig({}), { tags: ['a,b'] })).toThrow('createRun: options.tags[0] must not contain commas or control characters, got "a,b"');
    expect(() => store.createRun(resolveConfig({}), { colour: 'red' } as never)).toThrow(/createRun: options has unknown field colour/);
  });
});

describe('automatic names', () => {
  const moons = resolveConfig({ training: { learningRate: 0.01 } });
  it('a second run with the same settings and no name is "… #2", the next "#3"; other settings start their own count', () => {
    expect(store.createRun(moons).name).toBe('moons · lr 0.01 · sgd');
    expect(store.createRun(moons).name).toBe('moons · lr 0.01 · sgd #2');
    expect(store.createRun(moons, { backend: cpu }).name).toBe('moons · lr 0.01 · sgd #3');
    expect(store.createRun(resolveConfig({ training: { learningRate: 0.01, optimizer: 'adam' } })).name).toBe('moons · lr 0.01 · adam');
    expect(store.createRun(resolveConfig({ data: { kind: 'circles' } })).name).toBe('circles · lr 0.01 · sgd');
    // it reads the names in the file (inside the insert's transaction), so it holds for every process: a reopened store
    const path = store.path;
    store.close();
    store = openStore({ path });
    expect(store.createRun(moons).name).toBe('moons · lr 0.01 · sgd #4');
  });

  it('keeps a typed name exactly, duplicates allowed, and counts it when it is the automatic name', () => {
    expect(store.createRun(moons, { name: 'baseline' }).name).toBe('baseline');
    expect(store.createRun(moons, { name: 'baseline' }).name).toBe('baseline');
    expect(store.createRun(moons, { name: 'moons · lr 0.01 · sgd' }).name).toBe('moons · lr 0.01 · sgd');
    expect(store.createRun(moons).name).toBe('moons · lr 0.01 · sgd #2');
    // names that only look alike do not count: another suffix, another base
    store.createRun(moons, { name: 'moons · lr 0.01 · sgd #x' });
    store.createRun(moons, { name: 'moons · lr 0.01 · sgd #7 copy' });
    store.createRun(moons, { name: 'moons · lr 0.01 · sgdx #9' });
    expect(store.createRun(moons).name).toBe('moons · lr 0.01 · sgd #3');
  });

  it('never hands a deleted run\'s number to a newer run: one past the highest number taken', () => {
    const a = store.createRun(moons);
    store.createRun(moons);
    const c = store.createRun(moons);
    expect(c.name).toBe('moons · lr 0.01 · sgd #3');
    store.deleteRun(a.id, { force: true });
    expect(store.createRun(moons).name).toBe('moons · lr 0.01 · sgd #4');
    store.renameRun(c.id, 'kept');
    expect(store.createRun(moons).name).toBe('moons · lr 0.01 · sgd #5');
  });

  it('an imported run without a name gets the same rule', () => {
    store.createRun(moons);
    expect(store.importRun({ config: moons }).name).toBe('moons · lr 0.01 · sgd #2');
    expect(store.importRun({ config: moons, name: 'mine' }).name).toBe('mine');
  });
});

describe('metrics', () => {
  it('reads back NaN, Infinity, -Infinity, -0 and extreme values exactly as written', () => {
    const id = store.createRun(resolveConfig({})).id;
    const values = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -Number.MAX_VALUE, 0.1 + 0.2, 1, 1e300];
    store.appendMetrics(id, values.map((value, step) => ({ key: 'train_cost', step, value })));
    const back = store.readMetrics(id).map((r) => r.value);
    expect(back.length).toBe(values.length);
    back.forEach((v, i) => expect(Object.is(v, values[i]), `value ${i}: ${values[i]} read back as ${v}`).toBe(true));
    expect(store.db.prepare('SELECT typeof(value) FROM metrics ORDER BY step').pluck().all()).toEqual(['null', ...Array(9).fill('real')]);
  });

  it('writes a batch in one transaction: a row the database rejects leaves none of the batch behind', () => {
    const id = store.createRun(resolveConfig({})).id;
    store.appendMetrics(id, [{ key: 'train_cost', step: 0, value: 1 }]);
    store.db.exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON main.metrics WHEN NEW.step = 5 BEGIN SELECT RAISE(ABORT, 'boom'); END");
    expect(() => store.appendMetrics(id, Array.from({ length: 10 }, (_, i) => ({ key: 'train_cost', step: i + 1, value: i })))).toThrow('boom');
    expect(store.readMetrics(id).map((r) => r.step)).toEqual([0]);
    expect(store.getRun(id).epochsDone).toBe(1);
  });

  it('checks every row and names the first bad one', () => {
    const id = store.createRun(resolveConfig({})).id;
    expect(() => store.appendMetrics(id, [{ key: 'ok', step: 0, value: 1 }, { key: 'train cost', step: 1, value: 1 }])).toThrow(/appendMetrics: rows\[1\]\.key must be letters, digits/);
    expect(() => store.appendMetrics(id, [{ key: 'a', step: -1, value: 1 }])).toThrow('appendMetrics: rows[0].step must be an integer ≥ 0, got -1');
    expect(() => store.appendMetrics(id, [{ key: 'a', step: 0, value: '1' as never }])).toThrow('appendMetrics: rows[0].value must be a number (NaN and ±Infinity are kept), got "1"');
    expect(() => store.appendMetrics('nope', [])).toThrow(/appendMetrics: there is no run with id "nope"/);
    expect(store.readMetrics(id)).toEqual([]);
  });

  it('replaces a row written again for the same key and epoch', () => {
    const id = store.createRun(resolveConfig({})).id;
    store.appendMetrics(id, [{ key: 'a', step: 0, value: 1, ts: 10 }]);
    store.appendMetrics(id, [{ key: 'a', step: 0, value: 2, ts: 20 }]);
    expect(store.readMetrics(id)).toEqual([{ key: 'a', step: 0, value: 2, ts: 20 }]);
  });
});

describe('ending a run', () => {
  it('finishRun records the final metrics, the backend that ran and the final weights bit for bit', () => {
    const id = store.createRun(resolveConfig({})).id;
    const gpu = { name: 'gpu', mode: 'webgl', precision: 'float32', reason: 'auto: first that started' };
    const run = store.finishRun(id, result({ backend: gpu }), params());
    expect(run).toMatchObject({ status: 'finished', error: null, finalCost: 0.25, trainAccuracy: 0.9, testCost: 0.3, testAccuracy: 0.875, epochsDone: 3, backend: gpu });
    expect(run.endedAt).toBeGreaterThanOrEqual(run.createdAt);
    expect(run.weights).toEqual([{ kind: 'final', epoch: 3, values: 8 }]);
    const back = store.getWeights(id)!;
    expect(back.map((p) => [p.name, p.rows, p.cols])).toEqual([['W1', 2, 3], ['b1', 2, 1]]);
    expect(back[0]!.data).toBeInstanceOf(Float64Array);
    expect(bytes(back)).toEqual(bytes(params()));
  });

  it('a diverged result ends the run as failed with the engine’s reason; failRun and stopRun say why', () => {
    const a = store.createRun(resolveConfig({})).id;
    const diverged = store.finishRun(a, result({ status: 'diverged', finalCost: NaN, trainAccuracy: NaN, testCost: null, testAccuracy: null, reason: 'diverged at epoch 812: cost is NaN; try a smaller learning rate' }));
    expect(diverged).toMatchObject({ status: 'failed', error: 'diverged at epoch 812: cost is NaN; try a smaller learning rate', finalCost: null, testAccuracy: null });

    const b = store.createRun(resolveConfig({})).id;
    expect(store.failRun(b, 'diverged at epoch 812: cost is NaN')).toMatchObject({ status: 'failed', error: 'diverged at epoch 812: cost is NaN' });
    expect(() => store.failRun(store.createRun(resolveConfig({})).id, '')).toThrow('failRun: reason must say why, got ""');

    const c = store.createRun(resolveConfig({})).id;
    expect(store.stopRun(c, { result: result({ status: 'stopped', reason: 'stopped by the user at epoch 3' }), params: params() })).toMatchObject({
      status: 'stopped',
      error: 'stopped by the user at epoch 3',
      finalCost: 0.25,
    });
    expect(store.getWeights(c)).not.toBeNull();
    const d = store.createRun(resolveConfig({})).id;
    expect(store.stopRun(d)).toMatchObject({ status: 'stopped', error: 'stopped by the user' });
  });

  it('an ended run takes no more metrics and cannot end twice', () => {
    const id = store.createRun(resolveConfig({})).id;
    store.finishRun(id, result());
    const err = storeError(() => store.finishRun(id, result()));
    expect(err.code).toBe('STATE');
    expect(err.message).toBe(`finishRun: run ${id} is already finished; only a running run takes new metrics or a final state`);
    expect(storeError(() => store.appendMetrics(id, [{ key: 'a', step: 9, value: 1 }])).code).toBe('STATE');
  });

  it('records a real engine run: train_cost equals the cost history and the weights equal the trainer’s, bit for bit', async () => {
    const config = resolveConfig({ training: { epochs: 40 } });
    const trainer = await cpuTrainer(config, referenceMoons());
    const id = store.createRun(config, { backend: trainer.backendInfo }).id;
    const flushes: number[] = [];
    const rec = new MetricsRecorder(store, id, { flushEveryRows: 50, onFlush: (b) => flushes.push(b.rows) });
    const res = await trainer.run({ onEpoch: (m) => rec.record(m) });
    const run = rec.finish(res, trainer.params());
    expect(run.status).toBe('finished');
    expect(run.epochsDone).toBe(40);
    expect(run.finalCost).toBe(res.finalCost);
    const cost = store.readMetrics(id, { keys: ['train_cost'] }).map((r) => r.value);
    expect(cost).toEqual(res.costHistory);
    expect(store.getRun(id).metricKeys).toEqual(['elapsed_ms', 'learning_rate', 'test_accuracy', 'test_cost', 'train_accuracy', 'train_cost']);
    expect(bytes(store.getWeights(id)!)).toEqual(bytes(trainer.params()));
    expect(flushes.length).toBeGreaterThanOrEqual(4); // 40 epochs × 6 keys in batches of ≥ 50 rows, not 240 single writes
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(240);
    trainer.free();
  });

  it('keeps checkpoints beside the final weights', () => {
    const id = store.createRun(resolveConfig({})).id;
    store.saveCheckpoint(id, 10, params());
    const p2 = params();
    p2[0]!.data[0] = 2;
    store.saveCheckpoint(id, 20, p2);
    expect(store.getWeights(id)).toBeNull();
    expect(store.getWeights(id, { kind: 'checkpoint' })![0]!.data[0]).toBe(2);
    expect(store.getWeights(id, { kind: 'checkpoint', epoch: 10 })![0]!.data[0]).toBe(1.5);
    expect(store.getRun(id).weights.map((w) => w.epoch)).toEqual([10, 20]);
    expect(() => store.saveCheckpoint(id, 1, [{ name: 'W1', rows: 2, cols: 2, data: new Float64Array(3) }])).toThrow('saveCheckpoint: params[0] (W1) has 3 values but is 2×2 = 4');
  });
});

describe('start-up recovery', () => {
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
  const setWriter = (id: string, w: { writer_id?: string; writer_pid?: number | null; writer_host?: string; heartbeat_at?: number | null }) => {
    const sets = Object.keys(w).map((k) => `${k} = @${k}`).join(', ');
    store.db.prepare(`UPDATE runs SET ${sets} WHERE id = @id`).run({ ...w, id });
  };

  it('marks runs whose process is gone interrupted, keeps their epochs, and leaves live writers’ runs alone', () => {
    const mine = store.createRun(resolveConfig({})).id;
    const dead = store.createRun(resolveConfig({}), { name: 'dead' }).id;
    const reused = store.createRun(resolveConfig({}), { name: 'reused pid' }).id;
    const live = store.createRun(resolveConfig({}), { name: 'live' }).id;
    const liveStale = store.createRun(resolveConfig({}), { name: 'live pid, stale heartbeat' }).id;
    const remote = store.createRun(resolveConfig({}), { name: 'other host' }).id;
    const remoteStale = store.createRun(resolveConfig({}), { name: 'other host, stale' }).id;
    const finished = store.createRun(resolveConfig({})).id;
    store.finishRun(finished, result());
    store.appendMetrics(dead, [0, 1, 2].map((step) => ({ key: 'train_cost', step, value: 1 / (step + 1) })));
    const now = Date.now();
    setWriter(dead, { writer_id: 'other', writer_pid: deadPid() });
    setWriter(reused, { writer_id: 'a previous process', writer_pid: process.pid });
    setWriter(live, { writer_id: 'other', writer_pid: process.ppid, heartbeat_at: now });
    setWriter(liveStale, { writer_id: 'other', writer_pid: process.ppid, heartbeat_at: now - 3_600_000 });
    setWriter(remote, { writer_id: 'other', writer_host: 'elsewhere', heartbeat_at: now });
    setWriter(remoteStale, { writer_id: 'other', writer_host: 'elsewhere', heartbeat_at: now - 3_600_000 });

    const recovered = store.recoverInterrupted();
    expect(recovered.map((r) => r.name).sort()).toEqual(['dead', 'live pid, stale heartbeat', 'other host, stale', 'reused pid']);
    expect(recovered.find((r) => r.id === dead)).toMatchObject({ epochsDone: 3 });
    const d = store.getRun(dead);
    expect(d.status).toBe('interrupted');
    expect(d.error).toMatch(/^interrupted: the process training it \(pid \d+\) ended before the run finished; the 3 epochs recorded before that are kept$/);
    expect(store.readMetrics(dead).length).toBe(3);
    expect(store.getRun(remoteStale).error).toMatch(/pid \d+ on elsewhere/);
    for (const id of [mine, live, remote]) expect(store.getRun(id).status).toBe('running');
    expect(store.getRun(finished).status).toBe('finished');
    expect(store.recoverInterrupted({ staleAfterMs: 0 }).map((r) => r.id).sort()).toEqual([live, remote].sort());
    expect(store.getRun(mine).status).toBe('running');
  });

  it('a run given up on comes back to running when its own writer writes again, and can still finish', () => {
    const id = store.createRun(resolveConfig({})).id;
    setWriter(id, { writer_host: 'elsewhere', heartbeat_at: 0 });
    // this process wrote it, but pretend another process's recovery saw it stale
    store.db.prepare("UPDATE runs SET status = 'interrupted', error = 'interrupted: …', ended_at = 1 WHERE id = ?").run(id);
    store.appendMetrics(id, [{ key: 'train_cost', step: 0, value: 1 }]);
    expect(store.getRun(id)).toMatchObject({ status: 'running', error: null, endedAt: null });
    expect(store.finishRun(id, result()).status).toBe('finished');
  });
});

describe('editing, deleting, importing', () => {
  it('renames, tags and notes a run, validating each', () => {
    const id = store.createRun(resolveConfig({})).id;
    expect(store.renameRun(id, '  wide net ').name).toBe('wide net');
    expect(store.setTags(id, ['b', 'a', 'b']).tags).toEqual(['a', 'b']);
    expect(store.setTags(id, []).tags).toEqual([]);
    expect(store.setNotes(id, 'lr too high?').notes).toBe('lr too high?');
    expect(() => store.renameRun(id, 'x'.repeat(201))).toThrow(/renameRun: name must be at most 200 characters/);
    expect(() => store.setTags(id, 'a' as never)).toThrow('setTags: tags must be an array, got "a"');
    expect(() => store.setNotes(id, 5 as never)).toThrow('setNotes: notes must be a string, got 5');
    expect(storeError(() => store.renameRun('missing-id', 'x')).code).toBe('NOT_FOUND');
  });

  it('deletes a run with its tags, metrics and weights (cascade), but not a running one unless forced', () => {
    const id = store.createRun(resolveConfig({}), { tags: ['t'] }).id;
    store.appendMetrics(id, [{ key: 'a', step: 0, value: 1 }]);
    store.saveCheckpoint(id, 0, params());
    expect(storeError(() => store.deleteRun(id)).message).toBe(`run ${id} is still running; stop it first (or delete with force)`);
    store.finishRun(id, result(), params());
    store.deleteRun(id);
    expect(store.findRun(id)).toBeNull();
    for (const t of ['runs', 'run_tags', 'metrics', 'weights']) expect(store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(0);
    const other = store.createRun(resolveConfig({})).id;
    store.deleteRun(other, { force: true });
    expect(store.findRun(other)).toBeNull();
  });

  it('resolves a unique id prefix for the command line', () => {
    const a = store.createRun(resolveConfig({})).id;
    expect(store.resolveRunId(a)).toBe(a);
    expect(store.resolveRunId(a.slice(0, 8))).toBe(a);
    expect(storeError(() => store.resolveRunId('zzzz')).code).toBe('NOT_FOUND');
    store.importRun({ id: 'abc-1', config: resolveConfig({}) });
    store.importRun({ id: 'abc-2', config: resolveConfig({}) });
    expect(() => store.resolveRunId('abc')).toThrow('"abc" matches several runs (abc-1, abc-2); give more of the id');
    expect(storeError(() => store.getRun('nope')).message).toBe('there is no run with id "nope"; list them with `backprop-lab runs list`'); // no server path: it may reach a web page
  });

  it('imports a whole run in one transaction: all of it, or nothing when any part is bad', () => {
    const config = resolveConfig({ data: { kind: 'circles' } });
    const good = store.importRun({
      id: 'imported-1',
      name: 'from a file',
      config,
      createdAt: 1000,
      tags: ['imported'],
      final: { epochs: 2, finalCost: 0.1, testAccuracy: 0.95 },
      metrics: [{ key: 'train_cost', step: 0, value: 1 }, { key: 'train_cost', step: 1, value: NaN }],
      weights: params(),
    });
    expect(good).toMatchObject({ id: 'imported-1', status: 'finished', dataset: 'circles', createdAt: 1000, epochsDone: 2, finalCost: 0.1, tags: ['imported'] });
    expect(bytes(store.getWeights('imported-1')!)).toEqual(bytes(params()));
    expect(store.readMetrics('imported-1')[1]!.value).toBeNaN();
    // the same id again gets a new one
    expect(store.importRun({ id: 'imported-1', config }).id).not.toBe('imported-1');
    const before = store.db.prepare('SELECT count(*) FROM runs').pluck().get();
    expect(() => store.importRun({ config, metrics: [{ key: 'ok', step: 0, value: 1 }, { key: '', step: 1, value: 1 }] })).toThrow(/importRun: metrics: rows\[1\]\.key/);
    expect(() => store.importRun({ config, weights: [{ name: 'W1', rows: 1, cols: 1, data: [1] as never }] })).toThrow('importRun: weights: params[0] (W1) data must be a Float64Array, got [1]');
    expect(() => store.importRun({ config: { ...config, architecture: [] } })).toThrow(/importRun: config: /);
    expect(store.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(before);
  });
});

describe('runDurationMs: one meaning of a run’s duration', () => {
  const at = { createdAt: 0 };
  it('is end − start once ended, now − start while running (or paused), null without a start', () => {
    expect(runDurationMs({ ...at, status: 'finished', startedAt: 1000, endedAt: 4500 }, 99_999)).toBe(3500);
    expect(runDurationMs({ ...at, status: 'running', startedAt: 1000, endedAt: null }, 7000)).toBe(6000);
    expect(runDurationMs({ ...at, status: 'paused', startedAt: 1000, endedAt: null }, 7000)).toBe(6000);
    expect(runDurationMs({ ...at, status: 'finished', startedAt: null, endedAt: 4500 }, 7000)).toBeNull();
    // an imported run that ended without saying when: unknown, not "until now"
    expect(runDurationMs({ ...at, status: 'finished', startedAt: 1000, endedAt: null }, 7000)).toBeNull();
    // a clock set back does not give a negative duration
    expect(runDurationMs({ ...at, status: 'running', startedAt: 9000, endedAt: null }, 7000)).toBe(0);
  });

  it('measures a stored run: growing while it runs, fixed once it ends', () => {
    const run = store.createRun(resolveConfig({}));
    const t = run.startedAt!;
    expect(runDurationMs(store.getRun(run.id), t + 250)).toBe(250);
    const ended = store.failRun(run.id, 'stopped for the test');
    expect(runDurationMs(ended, t + 10_000_000)).toBe(ended.endedAt! - t);
  });
});

describe('limits come from electron/limits.ts', () => {
  it('names and tags are held to MAX_NAME_LENGTH and MAX_TAG_LENGTH, ids to RUN_ID_PATTERN', () => {
    const run = store.createRun(resolveConfig({}), { name: 'x'.repeat(MAX_NAME_LENGTH), tags: ['t'.repeat(MAX_TAG_LENGTH)] });
    expect(() => store.renameRun(run.id, 'x'.repeat(MAX_NAME_LENGTH + 1))).toThrow(`renameRun: name must be at most ${MAX_NAME_LENGTH} characters`);
    expect(() => store.setTags(run.id, ['t'.repeat(MAX_TAG_LENGTH + 1)])).toThrow(`setTags: tags[0] must be at most ${MAX_TAG_LENGTH} characters`);
    expect(RUN_ID_PATTERN.test(run.id)).toBe(true);
    expect(() => store.getRun('a'.repeat(65))).toThrow(/getRun: id must be a run id/);
  });
});

describe('stored reasons', () => {
  it('are one line without a stack trace, whatever the caller passes', () => {
    const err = new Error('worker crashed: out of memory\nwhile allocating the batch');
    const a = store.failRun(store.createRun(resolveConfig({})).id, err.stack!);
    expect(a.error).toBe('Error: worker crashed: out of memory while allocating the batch');
    expect(a.error).not.toMatch(/\n|\bat .*runs\.test\.ts/);
    const b = store.stopRun(store.createRun(resolveConfig({})).id, { reason: '\n    at Object.<anonymous> (/srv/app/main.js:1:1)\n' });
    expect(b.error).toBe('stopped');
    const c = store.importRun({ config: resolveConfig({}), status: 'failed', error: 'boom\n    at x (/home/u/y.js:2:3)' });
    expect(c.error).toBe('boom');
    expect(reasonLine('diverged at epoch 812: cost is NaN')).toBe('diverged at epoch 812: cost is NaN');
  });
});

describe('SQLite’s errors on an open store', () => {
  it('a full database is FULL (one line, no path), and the batch that did not fit leaves nothing behind', () => {
    const run = store.createRun(resolveConfig({}));
    store.appendMetrics(run.id, [{ key: 'train_cost', step: 0, value: 1 }]);
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages + 2}`); // the file may grow by two pages: "the disk is full" beyond that
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ key: 'train_cost', step: i + 1, value: i }));
    const e = storeError(() => store.appendMetrics(run.id, rows));
    expect(e.code).toBe('FULL');
    expect(e.message).toBe('the disk that holds the run database is full; free some space and try again');
    expect(store.readMetrics(run.id).length).toBe(1);
    expect(store.getRun(run.id).epochsDone).toBe(1);
  });
});
