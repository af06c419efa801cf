// Several processes on one database file: two trainers writing different runs at once into a fresh file, and
// start-up recovery that must leave alone a run another live process is still training.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRuns, openStore, STANDARD_KEYS } from '../../../electron/store/index';
import { spawnChild, tempDir } from './helpers';

describe('several processes on one database', () => {
  it('two processes training different runs into the same new file at once both complete, and integrity_check is ok', async () => {
    const dbPath = join(tempDir(), 'runs.db');
    // both open (create, switch to WAL, migrate) the same not-yet-existing file at the same moment
    const a = spawnChild(dbPath, ['--epochs', '1500', '--flush-ms', '5', '--name', 'writer A']);
    const b = spawnChild(dbPath, ['--epochs', '1500', '--flush-ms', '5', '--name', 'writer B']);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect(ea.code, ea.stderr).toBe(0);
    expect(eb.code, eb.stderr).toBe(0);
    expect(a.committed.length).toBeGreaterThan(10);
    expect(b.committed.length).toBeGreaterThan(10);

    const store = openStore({ path: dbPath });
    try {
      expect(store.integrityCheck()).toBe('ok');
      const runs = listRuns(store, { sort: 'date', order: 'asc' });
      expect(runs.map((r) => r.name).sort()).toEqual(['writer A', 'writer B']);
      for (const run of runs) {
        expect(run.status).toBe('finished');
        expect(run.epochsDone).toBe(1500);
        expect(run.finalCost).toBeGreaterThan(0);
        for (const key of STANDARD_KEYS) {
          const steps = store.readMetrics(run.id, { keys: [key] }).map((r) => r.step);
          expect(steps).toEqual(Array.from({ length: 1500 }, (_, i) => i));
        }
        expect(store.getWeights(run.id)?.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4', 'W5', 'b5']);
      }
    } finally {
      store.close();
    }
  });

  it('start-up recovery leaves a run alone while another live process trains it, and marks it interrupted once that process is killed', async () => {
    const dbPath = join(tempDir(), 'runs.db');
    const child = spawnChild(dbPath);
    const runId = await child.started;
    await child.nextCommit();
    await child.nextCommit();

    const store = openStore({ path: dbPath });
    try {
      // as the app would at start-up, while the CLI trains
      expect(store.recoverInterrupted()).toEqual([]);
      expect(store.getRun(runId).status).toBe('running');
      expect(store.getRun(runId).writer?.pid).toBe(child.proc.pid);
      // the live writer keeps committing while this process holds the database open
      const before = store.getRun(runId).epochsDone;
      await child.nextCommit();
      await child.nextCommit();
      expect(store.getRun(runId).epochsDone).toBeGreaterThan(before);

      child.proc.kill('SIGKILL');
      await child.exited;
      const recovered = store.recoverInterrupted();
      expect(recovered.map((r) => r.id)).toEqual([runId]);
      expect(recovered[0]!.pid).toBe(child.proc.pid);
      const run = store.getRun(runId);
      expect(run.status).toBe('interrupted');
      expect(run.epochsDone).toBeGreaterThanOrEqual(Math.max(...child.committed) + 1);
      expect(store.recoverInterrupted()).toEqual([]);
      expect(store.integrityCheck()).toBe('ok');
    } finally {
      store.close();
    }
  });
});
