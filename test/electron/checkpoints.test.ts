// Periodic checkpoints through the one recording path, over a real store file and real training workers: every 1 % of
// the epochs (at most 100, fewer for a wide network), never epoch 0 (a run's given starting weights), the weights at
// epoch k equal to a run trained k epochs (bit for bit, same seeds), and exports that do not change because of them.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { initLayers } from '../../engine/init';
import { FORMAT_NAMES } from '../../engine/export/format-table';
import type { CommandInput, RunConfigInput } from '../../electron/contract';
import { exportStoredRun } from '../../electron/core/index';
import { Recording } from '../../electron/core/recording';
import { resolveConfig } from '../../engine/config';
import { holdLock } from '../helpers/processes';
import { openStore } from '../../electron/store/index';
import { CHECKPOINT_HOLD_MS, checkpointEvery, isCheckpointEpoch, MAX_CHECKPOINT_BYTES, MAX_CHECKPOINTS } from '../../electron/trainer/checkpoints';
import { paramsToPlain } from '../../electron/trainer/snapshot';
import { useService } from '../helpers/service';

const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 6, activation: 'tanh' },
  { input_dim: 6, output_dim: 1, activation: 'sigmoid' },
];
const cfg = (training: RunConfigInput['training'] = {}): RunConfigInput => ({ architecture: SMALL, data: { samples: 120 }, backend: 'cpu', training });

const h = useService('bpl-checkpoints-');
const { ends, call } = h;


async function train(payload: CommandInput<'runs.start'>): Promise<string> {
  const { runId } = await call('runs.start', payload);
  const t0 = Date.now();
  while (!ends.has(runId)) {
    if (Date.now() - t0 > 60_000) throw new Error(`run ${runId} did not end`);
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(ends.get(runId)!.status).toBe('finished');
  return runId;
}
const checkpointEpochs = (id: string) => h.store.getRun(id).weights.filter((w) => w.kind === 'checkpoint').map((w) => w.epoch);
const flat = (p: { data: Float64Array }[] | null) => p!.flatMap((m) => Array.from(m.data));

describe('the checkpoint schedule', () => {
  it('keeps every 1 % of the epochs, at most 100, never epoch 0', () => {
    expect(checkpointEvery(10, 100)).toBe(1);
    expect(checkpointEvery(250, 100)).toBe(3);
    expect(checkpointEvery(10_000, 100)).toBe(100);
    for (const total of [1, 7, 99, 100, 101, 250, 999, 10_000, 1_000_001]) {
      let n = 0;
      for (let e = 0; e <= total; e++) if (isCheckpointEpoch(e, total, 100)) n++;
      expect(n).toBeLessThanOrEqual(MAX_CHECKPOINTS);
      expect(n).toBeGreaterThanOrEqual(Math.min(total, 50)); // never far below the 100 a long run gets
      expect(isCheckpointEpoch(0, total, 100)).toBe(false);
    }
  });

  it('keeps fewer of a wide network, within MAX_CHECKPOINT_BYTES', () => {
    const wide = 132_609; // 2-256-256-256-1
    const every = checkpointEvery(10_000, wide);
    expect(Math.floor(10_000 / every) * wide * 8).toBeLessThanOrEqual(MAX_CHECKPOINT_BYTES);
    // most of the budget is used: 14 checkpoints of 1.06 MB within 16 MB
    expect(Math.floor(10_000 / every) * wide * 8).toBeGreaterThan(0.85 * MAX_CHECKPOINT_BYTES);
  });
});

describe('periodic checkpoints of a training run', () => {
  it('stores the weights after every epoch of a 10-epoch run, equal bit for bit to runs trained 3 and 7 epochs', async () => {
    const training = { optimizer: 'adam', learningRate: 0.02, batchSize: 32, shuffleSeed: 5 } as const;
    const id = await train({ config: cfg({ ...training, epochs: 10 }) });
    expect(checkpointEpochs(id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const k of [3, 7]) {
      const short = await train({ config: cfg({ ...training, epochs: k }) });
      expect(flat(h.store.getWeights(id, { kind: 'checkpoint', epoch: k }))).toEqual(flat(h.store.getWeights(short)));
    }
    // the last checkpoint is the final weights (no early stopping)
    expect(flat(h.store.getWeights(id, { kind: 'checkpoint', epoch: 10 }))).toEqual(flat(h.store.getWeights(id)));
  });

  it('bounds a longer run to every 3rd of 250 epochs (83 checkpoints), the 6th equal to a 6-epoch run', async () => {
    const training = { optimizer: 'momentum', learningRate: 0.1 } as const;
    const id = await train({ config: cfg({ ...training, epochs: 250 }) });
    expect(checkpointEpochs(id)).toEqual(Array.from({ length: 83 }, (_, i) => 3 * (i + 1)));
    const six = await train({ config: cfg({ ...training, epochs: 6 }) });
    expect(flat(h.store.getWeights(id, { kind: 'checkpoint', epoch: 6 }))).toEqual(flat(h.store.getWeights(six)));
  });

  it('leaves the epoch-0 checkpoint of imported starting weights as they were given; exports do not depend on checkpoints', async () => {
    const start = initLayers(SMALL, 99, 0.5);
    const id = await train({ config: cfg({ epochs: 5, learningRate: 0.05 }), initialParams: paramsToPlain(start) });
    expect(checkpointEpochs(id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(flat(h.store.getWeights(id, { kind: 'checkpoint', epoch: 0 }))).toEqual(flat(start));
    expect(flat(h.store.getWeights(id, { kind: 'checkpoint', epoch: 1 }))).not.toEqual(flat(start));
    const formats = [...FORMAT_NAMES];
    const before = formats.map((f) => exportStoredRun(h.store, id, f, '9.9.9').base64);
    // the .py export embeds the starting weights: the epoch-0 checkpoint, whatever later checkpoints exist
    const py = Buffer.from(before[formats.indexOf('py')]!, 'base64').toString('utf8');
    const w1 = start[0]!.data;
    expect(py).toContain(Buffer.from(w1.buffer, w1.byteOffset, w1.byteLength).toString('base64').slice(0, 48)); // "<f8" bytes, base64
    // without the periodic checkpoints (as a run recorded before they existed) every export is the same, byte for byte
    const db = new Database(h.dbPath);
    db.prepare("DELETE FROM weights WHERE kind = 'checkpoint' AND epoch > 0").run();
    db.close();
    expect(checkpointEpochs(id)).toEqual([0]);
    expect(formats.map((f) => exportStoredRun(h.store, id, f, '9.9.9').base64)).toEqual(before);
  });
});

describe('the CLI', () => {
  it('train --epochs 200 --db stores 100 checkpoints (every 2nd epoch) through the same core', async () => {
    const { main } = await import('../../electron/cli');
    const db = join(h.dir, 'cli.db');
    let stdout = '';
    const code = await main(['train', '--epochs', '200', '--samples', '100', '--db', db, '--json', '-q'], {
      stdout: (t) => void (stdout += t),
      stderr: () => {},
      isTTY: false,
      cwd: h.dir,
      env: { BACKPROP_LAB_DATA_DIR: join(h.dir, 'default-data') },
    });
    expect(code).toBe(0);
    const { runId } = JSON.parse(stdout.trimEnd().split('\n').pop()!) as { runId: string };
    let shown = '';
    await main(['runs', 'show', runId, '--db', db], { stdout: (t) => void (shown += t), stderr: () => {}, isTTY: false, cwd: h.dir, env: { BACKPROP_LAB_DATA_DIR: join(h.dir, 'default-data') } });
    expect(shown).toMatch(/^weights {3}final \(epoch 200\), 100 checkpoints \(epochs 2–200\)$/m);
    const s = openStore({ path: db });
    try {
      const w = s.getRun(runId).weights;
      expect(w.filter((x) => x.kind === 'checkpoint').map((x) => x.epoch)).toEqual(Array.from({ length: 100 }, (_, i) => 2 * (i + 1)));
      expect(flat(s.getWeights(runId, { kind: 'checkpoint', epoch: 200 }))).toEqual(flat(s.getWeights(runId)));
    } finally {
      s.close();
    }
  });
});

describe('a Recording', () => {
  it('keeps checkpoints while another program locks the database and writes them all before the run’s end', async () => {
    const path = join(h.dir, 'locked.db');
    const s = openStore({ path, busyTimeoutMs: 0 });
    try {
      const run = s.createRun(resolveConfig({ architecture: SMALL }));
      const rec = new Recording(s, run.id, () => {}, { flushEveryMs: 60_000, endWaitMs: 30_000, checkpointHoldMs: 0 });
      const w = (k: number) => initLayers(SMALL, k, 0.5);
      rec.checkpoint(1, w(1));
      const holder = holdLock(path, 'write');
      await holder.locked;
      rec.checkpoint(2, w(2)); // BUSY: kept, the run goes on
      rec.checkpoint(3, w(3));
      expect(rec.lost).toBeNull();
      expect(s.getRun(run.id).weights.map((x) => x.epoch)).toEqual([1]);
      const ended = rec.end(() => s.finishRun(run.id, { status: 'finished', epochs: 3, finalCost: 0.5, trainAccuracy: 0.5, testCost: null, testAccuracy: null, msPerEpoch: 1 }, w(3)));
      await new Promise((r) => setTimeout(r, 100));
      await holder.release();
      await ended;
      expect(rec.lost).toBeNull();
      expect(s.getRun(run.id).weights.map((x) => `${x.kind} ${x.epoch}`)).toEqual(['checkpoint 1', 'checkpoint 2', 'checkpoint 3', 'final 3']);
      expect(flat(s.getWeights(run.id, { kind: 'checkpoint', epoch: 2 }))).toEqual(flat(w(2)));
      expect(() => rec.checkpoint(0, w(0))).toThrow('a periodic checkpoint’s epoch must be a whole number ≥ 1, got 0');
    } finally {
      s.close();
    }
  });

  it(`holds checkpoints in memory (up to CHECKPOINT_HOLD_MS = ${CHECKPOINT_HOLD_MS} ms), writes them at a pause and all before the run’s end`, async () => {
    const s = openStore({ path: join(h.dir, 'held.db') });
    try {
      const run = s.createRun(resolveConfig({ architecture: SMALL }));
      const rec = new Recording(s, run.id, () => {}, { flushEveryMs: 60_000 });
      const w = (k: number) => initLayers(SMALL, k, 0.5);
      const stored = () => s.getRun(run.id).weights.map((x) => `${x.kind} ${x.epoch}`);
      rec.checkpoint(1, w(1));
      rec.checkpoint(2, w(2));
      expect(stored()).toEqual([]);
      rec.flushCheckpoints();
      expect(stored()).toEqual(['checkpoint 1', 'checkpoint 2']);
      rec.checkpoint(3, w(3));
      expect(stored()).toEqual(['checkpoint 1', 'checkpoint 2']);
      await rec.end(() => s.finishRun(run.id, { status: 'finished', epochs: 3, finalCost: 0.5, trainAccuracy: 0.5, testCost: null, testAccuracy: null, msPerEpoch: 1 }, w(3)));
      expect(rec.lost).toBeNull();
      expect(stored()).toEqual(['checkpoint 1', 'checkpoint 2', 'checkpoint 3', 'final 3']);
      expect(flat(s.getWeights(run.id, { kind: 'checkpoint', epoch: 3 }))).toEqual(flat(w(3)));
    } finally {
      s.close();
    }
  });

  it('a paused run has every checkpoint up to its epoch in the store', async () => {
    const statuses: { runId: string; status: string; epoch: number }[] = [];
    const off = h.client.subscribe('run.status', (p) => statuses.push(p as (typeof statuses)[number]));
    const progress = new Map<string, number>();
    const offMetrics = h.client.subscribe('run.metrics', (p) => {
      const { runId, metrics } = p as { runId: string; metrics: { epoch: number }[] };
      progress.set(runId, metrics[metrics.length - 1]!.epoch);
    });
    try {
      const epochs = 1_000_000;
      const every = checkpointEvery(epochs, 25); // 10,000
      const { runId } = await call('runs.start', { config: cfg({ epochs }) });
      // waits on the run's progress (not the clock): three checkpoints behind it
      while ((progress.get(runId) ?? 0) < 3 * every) {
        if (ends.has(runId)) throw new Error(`run ${runId} ended before its third checkpoint`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await call('runs.pause', { runId });
      const paused = () => statuses.find((x) => x.runId === runId && x.status === 'paused');
      while (!paused()) await new Promise((r) => setTimeout(r, 20));
      const at = paused()!.epoch;
      expect(at).toBeGreaterThanOrEqual(3 * every);
      expect(checkpointEpochs(runId)).toEqual(Array.from({ length: Math.floor(at / every) }, (_, i) => every * (i + 1)));
      await call('runs.stop', { runId });
      while (!ends.has(runId)) await new Promise((r) => setTimeout(r, 20));
    } finally {
      off();
      offMetrics();
    }
  });
});
