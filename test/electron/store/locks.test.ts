// Another program holding the database's lock, for real: a second node process (lock-holder.mjs) that keeps a write
// transaction open. A write must then fail at once with BUSY (no busy wait on the caller's thread beyond
// busyTimeoutMs), leave nothing half-written, and succeed when retried after the lock is gone; openStore must
// wait a little for a lock at start-up and then give one line that names the file.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { TrainResult } from '../../../engine/train';
import { isTransient, listRuns, MetricsRecorder, openStore, StoreError, type Store } from '../../../electron/store/index';
import { tempDir, storeError } from './helpers';
import { holdLock } from '../../helpers/processes';


const cpu = { name: 'cpu', mode: 'js', precision: 'float64', reason: 'cpu was asked for' };
const result: TrainResult = { status: 'finished', epochs: 4, finalCost: 0.2, trainAccuracy: 0.9, testCost: 0.3, testAccuracy: 0.8, costHistory: [], msPerEpoch: 1, backend: cpu };
const params = [
  { name: 'W1', rows: 1, cols: 2, data: Float64Array.from([1, 2]) },
  { name: 'b1', rows: 1, cols: 1, data: Float64Array.from([3]) },
];
const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: 'train_cost', step: from + i, value: 1 / (from + i + 1) }));
const metricCount = (store: Store) => store.db.prepare('SELECT count(*) FROM metrics').pluck().get() as number;

describe('a lock held by another process while the store is open', () => {
  it('every write fails at once with BUSY and writes nothing; reads go on; the same calls succeed once the lock is gone', async () => {
    const path = join(tempDir(), 'runs.db');
    const store = openStore({ path, busyTimeoutMs: 0 });
    try {
      const run = store.createRun({} as never, { name: 'under lock' });
      store.appendMetrics(run.id, rows(0, 2));
      const rec = new MetricsRecorder(store, run.id, { flushEveryMs: 60_000, onError: () => {} });
      const holder = holdLock(path, 'write');
      await holder.locked;

      // each returns while the other process still holds the lock (it lets go only when told to, below)
      const busy = [
        storeError(() => store.appendMetrics(run.id, rows(2, 4))),
        storeError(() => store.finishRun(run.id, result, params)),
        storeError(() => store.failRun(run.id, 'diverged at epoch 3: cost is NaN')),
        storeError(() => store.stopRun(run.id)),
        storeError(() => store.createRun({} as never)),
        storeError(() => store.renameRun(run.id, 'renamed')),
        storeError(() => store.heartbeat(run.id)),
      ];
      for (const e of busy) {
        expect(e.code).toBe('BUSY');
        expect(isTransient(e)).toBe(true);
        expect(e.message).toBe('the run database is locked by another program; nothing was written, try again in a moment');
        expect(e.detail).toMatch(/database is locked/);
      }
      rec.recordRows(rows(2, 4));
      expect(() => rec.flush()).toThrow(expect.objectContaining({ code: 'BUSY' }));
      expect(rec.pending).toBe(2); // kept for the next try

      // nothing half-written, and readers are not blocked by the writer (WAL)
      const during = store.getRun(run.id);
      expect(during).toMatchObject({ status: 'running', name: 'under lock', epochsDone: 2, weights: [] });
      expect(metricCount(store)).toBe(2);
      expect(listRuns(store).map((r) => r.id)).toEqual([run.id]);

      await holder.release();
      expect(rec.flush()).toBe(2);
      expect(store.appendMetrics(run.id, rows(4, 6))).toBe(2);
      const done = store.finishRun(run.id, result, params);
      expect(done.status).toBe('finished');
      expect(done.epochsDone).toBe(6);
      expect(done.weights).toEqual([{ kind: 'final', epoch: 4, values: 3 }]);
      expect(store.readMetrics(run.id).map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(store.integrityCheck()).toBe('ok');
      rec.close();
    } finally {
      store.close();
    }
  });

  it('keeps the busy timeout it was given: 5000 ms by default, busyTimeoutMs when set', () => {
    const dir = tempDir();
    const a = openStore({ path: join(dir, 'a.db') });
    const b = openStore({ path: join(dir, 'b.db'), busyTimeoutMs: 15 });
    expect(a.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(b.db.pragma('busy_timeout', { simple: true })).toBe(15);
    a.close();
    b.close();
    expect(() => openStore({ path: join(dir, 'c.db'), busyTimeoutMs: -1 })).toThrow('openStore: options.busyTimeoutMs must be ≥ 0, got -1');
  });

  it('isTransient is true for BUSY and SQLite’s own busy codes only', () => {
    expect(isTransient(new StoreError('BUSY', 'x'))).toBe(true);
    expect(isTransient(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('database table is locked'), { code: 'SQLITE_LOCKED' }))).toBe(true);
    expect(isTransient(new StoreError('LOCKED', 'x'))).toBe(false);
    expect(isTransient(new StoreError('STATE', 'x'))).toBe(false);
    expect(isTransient(Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' }))).toBe(false);
    expect(isTransient(new Error('database is locked'))).toBe(false);
    expect(isTransient(null)).toBe(false);
  });
});

describe('a lock held by another process at start-up', () => {
  it('openStore waits for a lock that is let go within openWaitMs, then opens', async () => {
    const path = join(tempDir(), 'runs.db');
    openStore({ path }).close();
    const holder = holdLock(path, 'write', 1500);
    await holder.locked;
    const store = openStore({ path, openWaitMs: 60_000 });
    const openedAt = Date.now();
    try {
      expect(openedAt).toBeGreaterThanOrEqual(await holder.released);
      expect(store.createRun({} as never).status).toBe('running');
    } finally {
      store.close();
    }
  });

  it('a lock held longer than openWaitMs: LOCKED, one line naming the file and the way out, and the file untouched', async () => {
    const path = join(tempDir(), 'runs.db');
    const s = openStore({ path });
    s.createRun({} as never, { name: 'kept' });
    s.close();
    const before = readFileSync(path);
    const holder = holdLock(path, 'write');
    await holder.locked;
    try {
      const e = storeError(() => openStore({ path, openWaitMs: 200 }));
      expect(e.code).toBe('LOCKED');
      expect(isTransient(e)).toBe(false);
      expect(e.message).toBe(
        `${path} is locked by another program (still locked after waiting 200 ms); close the program that has it open (another Backprop Lab, a sqlite3 shell, a backup tool) or use another --db`,
      );
      // a read-only open takes no write lock: listing works while a writer holds it
      const ro = openStore({ path, readonly: true, openWaitMs: 200 });
      expect(listRuns(ro).map((r) => r.name)).toEqual(['kept']);
      ro.close();
    } finally {
      await holder.release();
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a lock that keeps readers out too (locking_mode EXCLUSIVE): LOCKED even for a read-only open', async () => {
    const path = join(tempDir(), 'runs.db');
    openStore({ path }).close();
    const holder = holdLock(path, 'exclusive');
    await holder.locked;
    try {
      const e = storeError(() => openStore({ path, readonly: true, openWaitMs: 100 }));
      expect(e.code).toBe('LOCKED');
      expect(e.message).toMatch(/^\/.*runs\.db is locked by another program \(still locked after waiting 100 ms\); /);
      expect(e.message).not.toMatch(/\n/);
    } finally {
      await holder.release();
    }
  });
});

describe('the MetricsRecorder under a lock held by another process', () => {
  it('backs off: epochs keep buffering without a commit attempt each, and all of them are committed once the lock is gone', async () => {
    const path = join(tempDir(), 'runs.db');
    const store = openStore({ path, busyTimeoutMs: 0 });
    const run = store.createRun({} as never);
    const append = store.appendMetrics.bind(store);
    let attempts = 0;
    store.appendMetrics = (id, r) => (attempts++, append(id, r));
    // the recorder's own timer only runs while the test awaits the other process; record() drives the commits here,
    // at the (fake) times set below
    const rec = new MetricsRecorder(store, run.id, { flushEveryMs: 1000, heartbeatMs: 600_000, onError: () => {} });
    const holder = holdLock(path, 'write');
    await holder.locked;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      let t = Date.now() + 1001;
      vi.setSystemTime(t);
      expect(() => rec.recordRows(rows(0, 1))).toThrow(expect.objectContaining({ code: 'BUSY' }));
      expect(attempts).toBe(1);
      for (let i = 1; i < 500; i++) rec.recordRows(rows(i, i + 1)); // no throw, no attempt: backing off for 1 s
      expect(attempts).toBe(1);
      vi.setSystemTime((t += 1000));
      expect(() => rec.recordRows(rows(500, 501))).toThrow(expect.objectContaining({ code: 'BUSY' }));
      expect(attempts).toBe(2);
      vi.setSystemTime((t += 1000)); // within the doubled wait (2 s)
      rec.recordRows(rows(501, 502));
      expect(attempts).toBe(2);
      expect(rec.pending).toBe(502);
      expect(metricCount(store)).toBe(0);

      await holder.release();
      vi.setSystemTime((t += 100_000));
      rec.recordRows(rows(502, 503));
      expect(attempts).toBe(3);
      expect(rec.pending).toBe(0);
      expect(store.readMetrics(run.id).map((r) => r.step)).toEqual(Array.from({ length: 503 }, (_, i) => i));
      // a commit resets the wait: the next one is tried on the usual schedule
      vi.setSystemTime((t += 1001));
      rec.recordRows(rows(503, 504));
      expect(attempts).toBe(4);
    } finally {
      vi.useRealTimers();
      await holder.release();
      rec.close();
      store.close();
    }
  });
});
