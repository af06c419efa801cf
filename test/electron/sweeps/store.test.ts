// Sweeps in the run store: migration 2 on a database written by schema 1, a sweep's record, its runs linked in
// trial order, a trial recorded as 'pruned', and deleting a sweep with or without its runs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import {
  createSweep,
  deleteSweep,
  finishSweep,
  getSweep,
  linkRun,
  listRuns,
  listSweeps,
  migrate,
  MIGRATIONS,
  openStore,
  pruneRun,
  recoverInterruptedSweeps,
  StoreError,
  sweepIdsOf,
  sweepRuns,
} from '../../../electron/store/index';

const dir = mkdtempSync(join(tmpdir(), 'bplab-sweep-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbPath = () => join(dir, `runs-${n++}.db`);
// what the core passes on a run's end: the figures, without the cost history (the metrics table holds it)
const result = (epochs: number) => ({ status: 'stopped' as const, epochs, finalCost: 0.5, trainAccuracy: 0.8, testCost: 0.6, testAccuracy: 0.75 }) as never;

describe('migration 2', () => {
  it('upgrades a schema-1 database holding a run with metrics: its runs kept, sweeps added, pruned accepted, other statuses still refused', () => {
    const path = dbPath();
    const db = new Database(path);
    migrate(db, MIGRATIONS.slice(0, 1));
    // a run with metrics as schema 1 holds it (written with SQL: today's Store writes today's schema)
    const run = { id: '0f0e0d0c-0000-4000-8000-000000000001' };
    const now = Date.now();
    const rid = db
      .prepare("INSERT INTO runs (id, name, status, dataset, config, created_at, started_at, heartbeat_at, writer_id, writer_pid, writer_host) VALUES (?, 'old', 'running', 'moons', ?, ?, ?, ?, 'gone', 1, 'elsewhere')")
      .run(run.id, JSON.stringify(resolveConfig({})), now, now, now).lastInsertRowid;
    db.prepare("INSERT INTO metrics (run_id, key, step, value, ts) VALUES (?, 'train_cost', 0, 0.7, ?)").run(rid, now);
    db.close();

    const store = openStore({ path });
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(2);
    expect(store.integrityCheck()).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    expect(store.readMetrics(run.id)).toEqual([expect.objectContaining({ key: 'train_cost', step: 0, value: 0.7 })]);
    expect(() => store.db.prepare("UPDATE runs SET status = 'bogus' WHERE id = ?").run(run.id)).toThrow(/CHECK constraint failed/);
    pruneRun(store, run.id, { result: result(1), reason: 'pruned at rung 1 (epoch 1): cost 0.7 not in the top 1/3 of 4 trials at that rung' });
    const pruned = store.getRun(run.id);
    expect(pruned.status).toBe('pruned');
    expect(pruned.error).toContain('rung 1');
    expect(pruned.finalCost).toBe(0.5);
    expect(listRuns(store, { status: 'pruned' }).map((r) => r.id)).toEqual([run.id]);
    store.close();
  });
});

describe('sweeps in the store', () => {
  it('creates a sweep, links its runs in trial order with their worker, finishes it, and lists it', () => {
    const store = openStore({ path: dbPath() });
    const sweep = createSweep(store, { name: 'lr × seed', spec: { base: { epochs: 20 }, grid: { lr: [0.1, 0.2] } }, trials: 2 });
    expect(sweep).toMatchObject({ name: 'lr × seed', status: 'running', trials: 2, queue: null, epochsSaved: 0, spec: { grid: { lr: [0.1, 0.2] } } });
    const a = store.createRun(resolveConfig({ training: { learningRate: 0.2 } }));
    const b = store.createRun(resolveConfig({ training: { learningRate: 0.1 } }));
    const lone = store.createRun(resolveConfig({}));
    linkRun(store, a.id, sweep.id, 1, 'worker-2');
    linkRun(store, b.id, sweep.id, 0);
    expect(sweepRuns(store, sweep.id).map((r) => [r.id, r.trialIndex, r.worker])).toEqual([
      [b.id, 0, null],
      [a.id, 1, 'worker-2'],
    ]);
    expect(sweepIdsOf(store, [a.id, lone.id, b.id])).toEqual(new Map([[a.id, sweep.id], [b.id, sweep.id]]));
    const done = finishSweep(store, sweep.id, { status: 'finished', epochsSaved: 17 });
    expect(done).toMatchObject({ status: 'finished', epochsSaved: 17, error: null });
    expect(done.endedAt).toBeGreaterThanOrEqual(done.createdAt);
    expect(listSweeps(store).map((s) => s.id)).toEqual([sweep.id]);
    expect(() => getSweep(store, 'nope')).toThrow(StoreError);
    store.close();
  });

  it('deletes a sweep keeping its runs (unlinked), or with its runs; a running sweep only with force', () => {
    const store = openStore({ path: dbPath() });
    const keep = createSweep(store, { name: 'keep', spec: {}, trials: 1 });
    const gone = createSweep(store, { name: 'gone', spec: {}, trials: 1 });
    const r1 = store.createRun(resolveConfig({}));
    const r2 = store.createRun(resolveConfig({}));
    linkRun(store, r1.id, keep.id, 0);
    linkRun(store, r2.id, gone.id, 0);
    expect(() => deleteSweep(store, keep.id)).toThrow(/still running; stop it first/);
    finishSweep(store, keep.id, { status: 'stopped', error: 'stopped by the user' });
    expect(deleteSweep(store, keep.id)).toEqual({ deletedRuns: [] });
    expect(store.getRun(r1.id).id).toBe(r1.id);
    expect(sweepIdsOf(store, [r1.id]).size).toBe(0);

    finishSweep(store, gone.id, { status: 'finished' });
    expect(() => deleteSweep(store, gone.id, { deleteRuns: true })).toThrow(/1 running trial/);
    store.stopRun(r2.id);
    expect(deleteSweep(store, gone.id, { deleteRuns: true })).toEqual({ deletedRuns: [r2.id] });
    expect(store.findRun(r2.id)).toBeNull();
    expect(listSweeps(store)).toEqual([]);
    store.close();
  });

  it('a sweep whose process is gone is marked interrupted by a later start-up', () => {
    const path = dbPath();
    const store = openStore({ path });
    const s = createSweep(store, { name: 'orphan', spec: {}, trials: 3 });
    // as if another process on this host (now dead) ran it
    store.db.prepare('UPDATE sweeps SET writer_id = ?, writer_pid = ? WHERE id = ?').run('someone-else', 2 ** 22 + 12345, s.id);
    expect(recoverInterruptedSweeps(store)).toEqual([s.id]);
    expect(getSweep(store, s.id)).toMatchObject({ status: 'interrupted' });
    store.close();
  });
});
