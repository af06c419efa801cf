// `backprop-lab sweep` end to end, in-process through main() with real SQLite files and real training workers:
// the --json result, each trial a run linked to its sweep (runs list --sweep, runs list --json's sweep), a trial
// equal bit for bit to `backprop-lab train` with the same options, ASHA recording stopped trials as pruned, and
// Ctrl-C stopping every trial. Trials are tiny (2-8-1 networks); nothing waits on wall-clock time except where a
// trial must still be training when it is stopped (long trials, waited on by their progress).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../../electron/cli';
import type { SweepReport } from '../../../electron/cli/sweep';
import { getSweep, openStore, sweepRuns } from '../../../electron/store/index';
import { generateTrials, parseSweepSpec, trialArgv } from '../../../electron/sweeps/index';

const dir = mkdtempSync(join(tmpdir(), 'bplab-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);

const ARCH = [
  { input_dim: 2, output_dim: 8, activation: 'tanh' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];

async function cli(argv: string[], io: Partial<CliIO> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    cwd: dir,
    env: { BACKPROP_LAB_DATA_DIR: join(dir, 'nowhere') },
    ...io,
  });
  return { code, stdout, stderr };
}

const lastJson = <T>(stdout: string): T => JSON.parse(stdout.trim().split('\n').pop()!) as T;

function writeSpec(spec: unknown): string {
  const path = fresh('spec') + '.json';
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

describe('backprop-lab sweep', () => {
  it('runs every trial as a run linked to its sweep; --json ends with sweepId, trials and the best; runs list --sweep lists them', async () => {
    const spec = { name: 'lr × seed', base: { epochs: 30, dataset: 'moons', samples: 120, arch: ARCH }, grid: { lr: [0.05, 0.8], seed: [1, 2] } };
    const db = fresh('runs') + '.db';
    const r = await cli(['sweep', writeSpec(spec), '--db', db, '--parallel', '2', '--json']);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const report = lastJson<SweepReport>(r.stdout);
    expect(report.sweepId).toMatch(/^[0-9a-f-]{36}$/);
    expect(report.status).toBe('finished');
    expect(report.trials.map((t) => t.params)).toEqual([
      { lr: 0.05, seed: 1 },
      { lr: 0.05, seed: 2 },
      { lr: 0.8, seed: 1 },
      { lr: 0.8, seed: 2 },
    ]);
    for (const t of report.trials) {
      expect(t).toMatchObject({ status: 'finished', epochs: 30, worker: 'local' });
      expect(t.runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof t.finalCost).toBe('number');
      expect(typeof t.testAccuracy).toBe('number');
    }
    // the best is the lowest test cost (no asha: the sweep ranks by testCost)
    const lowest = Math.min(...report.trials.map((t) => t.testCost!));
    expect(report.best!.testCost).toBe(lowest);
    expect(report.trials.map((t) => t.runId)).toContain(report.best!.runId);

    // each trial is an ordinary run, linked to the sweep in trial order
    const store = openStore({ path: db });
    expect(sweepRuns(store, report.sweepId).map((x) => x.id)).toEqual(report.trials.map((t) => t.runId));
    expect(getSweep(store, report.sweepId)).toMatchObject({ status: 'finished', trials: 4 });
    store.close();

    // a run outside the sweep, for the list's filter
    const lone = await cli(['train', '--db', db, '--epochs', '3', '--samples', '60', '--arch', JSON.stringify(ARCH), '--json', '--quiet']);
    expect(lone.code).toBe(0);
    const loneId = lastJson<{ runId: string }>(lone.stdout).runId;

    const listed = await cli(['runs', 'list', '--db', db, '--sweep', report.sweepId.slice(0, 8), '--json']);
    expect(listed.code).toBe(0);
    const entries = lastJson<{ id: string; sweep: string | null }[]>(listed.stdout);
    expect(new Set(entries.map((e) => e.id))).toEqual(new Set(report.trials.map((t) => t.runId)));
    expect(entries.every((e) => e.sweep === report.sweepId)).toBe(true);
    const all = lastJson<{ id: string; sweep: string | null }[]>((await cli(['runs', 'list', '--db', db, '--json'])).stdout);
    expect(all.find((e) => e.id === loneId)!.sweep).toBeNull();
    expect(all).toHaveLength(5);
    const unknown = await cli(['runs', 'list', '--db', db, '--sweep', 'ffffffff']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no sweep whose id starts with');
  });

  it('a trial equals `backprop-lab train` with the same options, bit for bit: configuration, every epoch’s metrics and the final weights', async () => {
    const spec = {
      base: { epochs: 25, dataset: 'circles', samples: 100, factor: 0.5, arch: ARCH, backend: 'cpu', 'batch-size': 16 },
      grid: { optimizer: ['adam', 'momentum'] },
      random: { lr: { log_uniform: [0.001, 0.5] }, seed: { int: [0, 1000] } },
      trials: 1,
      seed: 3,
    };
    const db = fresh('runs') + '.db';
    const r = await cli(['sweep', writeSpec(spec), '--db', db, '--parallel', '2', '--json', '--quiet']);
    expect(r.code).toBe(0);
    const report = lastJson<SweepReport>(r.stdout);
    const trials = generateTrials(parseSweepSpec(spec));
    expect(report.trials).toHaveLength(trials.length);
    for (const t of trials) {
      const trained = await cli(['train', ...trialArgv(t.options), '--db', db, '--json', '--quiet']);
      expect(trained.code).toBe(0);
      const trainRunId = lastJson<{ runId: string }>(trained.stdout).runId;
      const trialRunId = report.trials[t.index]!.runId!;
      const store = openStore({ path: db });
      const a = store.getRun(trialRunId);
      const b = store.getRun(trainRunId);
      expect(a.config).toEqual(b.config);
      // every recorded metric but the wall time
      const metrics = (id: string) => store.readMetrics(id).filter((m) => m.key !== 'elapsed_ms').map((m) => [m.key, m.step, m.value]);
      const ma = metrics(trialRunId);
      expect(ma.length).toBeGreaterThan(25);
      // toEqual with Object.is semantics per number: the same doubles, not close ones
      expect(ma).toEqual(metrics(trainRunId));
      const wa = store.getWeights(trialRunId)!;
      const wb = store.getWeights(trainRunId)!;
      expect(wa.map((p) => Array.from(p.data))).toEqual(wb.map((p) => Array.from(p.data)));
      expect([a.finalCost, a.testCost, a.testAccuracy]).toEqual([b.finalCost, b.testCost, b.testAccuracy]);
      store.close();
    }
  });

  it('ASHA stops the trials that fall behind at a rung: recorded as pruned with the rung in the reason, the epochs saved recorded', async () => {
    // one at a time, so the order trials reach the rung is the trial order: the first (lr 1) goes on, the two
    // slow learners behind it are stopped at rung 1 (epoch 5), long before their 4,000 epochs
    const spec = {
      name: 'prune',
      base: { epochs: 4000, dataset: 'moons', samples: 400, arch: ARCH },
      grid: { lr: [1, 0.0001, 0.00005] },
      asha: { metric: 'testCost', min_epochs: 5, reduction: 3 },
    };
    const db = fresh('runs') + '.db';
    const r = await cli(['sweep', writeSpec(spec), '--db', db, '--parallel', '1', '--json']);
    expect(r.code).toBe(0);
    const report = lastJson<SweepReport>(r.stdout);
    expect(report.trials.map((t) => t.status)).toEqual(['finished', 'pruned', 'pruned']);
    expect(report.trials[0]!.epochs).toBe(4000);
    for (const t of report.trials.slice(1)) {
      expect(t.reason).toMatch(/^pruned at rung 1 \(epoch 5\): testCost [\d.]+ not in the top 1\/3 of \d trials at that rung$/);
      expect(t.epochs).toBeGreaterThanOrEqual(5);
      expect(t.epochs).toBeLessThan(4000);
    }
    expect(report.best!.trialIndex).toBe(0);
    const saved = report.trials.slice(1).reduce((s, t) => s + 4000 - t.epochs, 0);
    expect(report.epochsSaved).toBe(saved);
    expect(r.stderr).toContain(`ASHA saved ${saved} epochs`);
    const store = openStore({ path: db });
    expect(getSweep(store, report.sweepId).epochsSaved).toBe(saved);
    expect(store.getRun(report.trials[1]!.runId!).status).toBe('pruned');
    store.close();
    const pruned = lastJson<{ id: string }[]>((await cli(['runs', 'list', '--db', db, '--status', 'pruned', '--json'])).stdout);
    expect(pruned).toHaveLength(2);
  });

  it('Ctrl-C stops every trial: each started trial is recorded as stopped, the sweep as stopped, exit 130', async () => {
    const spec = { base: { epochs: 1_000_000, dataset: 'moons', samples: 200, arch: ARCH }, grid: { seed: [1, 2, 3, 4] } };
    const db = fresh('runs') + '.db';
    let interrupt: ((s: 'SIGINT' | 'SIGTERM' | 'SIGHUP') => void) | null = null;
    let sent = false;
    let stderr = '';
    const r = await cli(['sweep', writeSpec(spec), '--db', db, '--parallel', '2', '--json'], {
      onSignal: (h) => {
        interrupt = h;
        return () => undefined;
      },
      // once both slots train and have made progress (the progress line shows it), press Ctrl-C
      stderr: (t) => {
        stderr += t;
        if (!sent && interrupt && /0\/4 trials done, 2 running/.test(t)) {
          sent = true;
          interrupt('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    const report = lastJson<SweepReport>(r.stdout);
    expect(report.status).toBe('stopped');
    const started = report.trials.filter((t) => t.runId);
    expect(started.length).toBeGreaterThanOrEqual(2);
    for (const t of started) {
      expect(t.status).toBe('stopped');
      expect(t.epochs).toBeLessThan(1_000_000);
    }
    expect(report.trials.filter((t) => !t.runId).every((t) => t.status === 'pending')).toBe(true);
    expect(stderr).toContain('stopping every trial (SIGINT)');
  });

  it('a CSV dataset is read from beside the spec and sent with each trial', async () => {
    const folder = fresh('csv');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    const rows = ['x1,x2,label'];
    for (let i = 0; i < 40; i++) rows.push(`${(i % 7) / 7},${(i % 5) / 5},${i % 2}`);
    writeFileSync(join(folder, 'points.csv'), rows.join('\n') + '\n');
    const specPath = join(folder, 'spec.json');
    writeFileSync(specPath, JSON.stringify({ base: { epochs: 10, dataset: 'csv:points.csv', arch: ARCH }, grid: { lr: [0.1, 0.3] } }));
    const db = fresh('runs') + '.db';
    const r = await cli(['sweep', specPath, '--db', db, '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = lastJson<SweepReport>(r.stdout);
    expect(report.trials.map((t) => [t.status, t.epochs])).toEqual([
      ['finished', 10],
      ['finished', 10],
    ]);
    const store = openStore({ path: db });
    expect(store.getRun(report.trials[0]!.runId!).config.data).toMatchObject({ kind: 'csv', csv: { path: join(folder, 'points.csv') } });
    store.close();
  });

  it('a bad spec is refused before anything trains, naming the key', async () => {
    const db = fresh('runs') + '.db';
    const r = await cli(['sweep', writeSpec({ base: { epochs: 10 }, grid: { learning_rate: [0.1] } }), '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option grid.learning_rate (did you mean "lr"?)');
    const none = await cli(['sweep', '--db', db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('sweep needs one SPEC.json');
  });
});
