// The crash promise, for real: a child process trains a real engine run at full speed, recording it through
// MetricsRecorder into one database file, and is SIGKILLed at a random moment, over and over. After every kill
// the database must pass integrity_check, the run must become 'interrupted', its epochs must be contiguous
// 0..k for every key, and every epoch the child reported as committed must be there.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, STANDARD_KEYS } from '../../../electron/store/index';
import { seeded, spawnChild, tempDir } from './helpers';

const KILLS = Number(process.env['CRASH_KILLS'] ?? 24);
const SEED = Number(process.env['CRASH_SEED'] ?? Date.now() % 1_000_000);

describe('crash safety (SIGKILL during training)', () => {
  it(`keeps every committed epoch and a sound database across ${KILLS} random SIGKILLs (seed ${SEED})`, async () => {
    const dbPath = join(tempDir(), 'runs.db');
    const random = seeded(SEED);
    const seen: string[] = [];
    let epochsVerified = 0, rowsVerified = 0, reported = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawnChild(dbPath);
      const runId = await child.started;
      const delay = 50 + Math.floor(random() * 551); // 50–600 ms of training, then SIGKILL
      await new Promise((r) => setTimeout(r, delay));
      child.proc.kill('SIGKILL');
      const { signal, stderr } = await child.exited;
      const where = `kill ${kill + 1} of ${KILLS} (seed ${SEED}, ${delay} ms after start, run ${runId})`;
      expect(signal, `${where}: the child ended by itself:\n${stderr}`).toBe('SIGKILL');

      const store = openStore({ path: dbPath });
      try {
        expect(store.integrityCheck(), where).toBe('ok');
        const recovered = store.recoverInterrupted();
        expect(recovered.map((r) => r.id), where).toContain(runId);
        const run = store.getRun(runId);
        expect(run.status, where).toBe('interrupted');
        expect(run.error, where).toMatch(/interrupted: the process training it \(pid \d+\) ended/);

        const perKey = store.db
          .prepare('SELECT key, count(*) AS n, min(step) AS lo, max(step) AS hi FROM metrics WHERE run_id = ? GROUP BY key ORDER BY key')
          .all(store.rid(runId, 'test')) as { key: string; n: number; lo: number; hi: number }[];
        const lastReported = child.committed.length ? Math.max(...child.committed) : -1;
        if (perKey.length === 0) {
          // killed before its first batch: nothing may have been reported either
          expect(lastReported, where).toBe(-1);
          expect(run.epochsDone, where).toBe(0);
        } else {
          // one transaction per batch holds every key of its epochs: all keys end at the same epoch
          expect(perKey.map((k) => k.key).sort(), where).toEqual([...STANDARD_KEYS].sort());
          const k = perKey[0]!.hi;
          for (const row of perKey) expect({ key: row.key, n: row.n, lo: row.lo, hi: row.hi }, where).toEqual({ key: row.key, n: k + 1, lo: 0, hi: k });
          expect(k, `${where}: epoch ${lastReported} was reported committed`).toBeGreaterThanOrEqual(lastReported);
          expect(run.epochsDone, where).toBe(k + 1);
          epochsVerified += k + 1;
          rowsVerified += perKey.reduce((a, r) => a + r.n, 0);
        }
        reported += child.committed.length;
        seen.push(runId);
        // earlier runs stay as they were: interrupted, not touched by later recoveries
        expect(store.db.prepare("SELECT count(*) FROM runs WHERE status = 'interrupted'").pluck().get(), where).toBe(seen.length);
      } finally {
        store.close();
      }
    }
    const store = openStore({ path: dbPath });
    expect(store.integrityCheck()).toBe('ok');
    store.close();
    console.log(`crash test: ${KILLS} SIGKILLs (seed ${SEED}), ${epochsVerified} epochs / ${rowsVerified} metric rows verified, ${reported} committed batches reported`);
    expect(epochsVerified).toBeGreaterThan(0);
  });
});
