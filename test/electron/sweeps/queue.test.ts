// Sweeps through BullMQ on a real redis-server with real worker processes: every trial recorded exactly once
// with its worker's name; a worker killed mid-trial (SIGKILL) and the sweep still finishing on the other, the trial
// recorded once; a worker of another version refusing the trials with the reason; an unreachable or silent Redis
// reported in one line within 10 s; a local sweep never calling the queue. BullMQ needs its Redis client, the
// `ioredis` package: where it is not installed, the queue tests are skipped and the one that runs checks that
// `sweep --queue` says so in one line. Every redis-server and worker process started here is killed in afterAll
// (and on the test process's exit), whatever failed.
//
// Nothing waits on the clock for work whose length depends on the machine: the tests wait for what the processes
// print (Redis ready, a worker taking trials, a trial started) and for the sweeps to end. The only timed waits are
// the 10 s bound on an unreachable Redis, which is what is tested.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli';
import { version } from '../../../electron/cli/io';
import type { SweepReport } from '../../../electron/cli/sweep';
import type { SweepProgressEvent } from '../../../electron/contract';
import { createCore } from '../../../electron/core/index';
import { listSweeps, openStore, sweepRuns, type Store } from '../../../electron/store/index';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bplab-queue-'));
const children: ChildProcess[] = [];
const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.on('exit', killAll);
afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const hasIoredis = (() => {
  try {
    createRequire(import.meta.url).resolve('ioredis');
    return true;
  } catch {
    return false;
  }
})();
const hasRedis = (() => {
  try {
    return spawnSync('redis-server', ['--version']).status === 0;
  } catch {
    return false;
  }
})();

const ARCH = [
  { input_dim: 2, output_dim: 8, activation: 'tanh' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, cwd: dir, env: { BACKPROP_LAB_DATA_DIR: join(dir, 'nowhere') } });
  return { code, stdout, stderr };
}

function specFile(spec: unknown): string {
  const p = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, JSON.stringify(spec));
  return p;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A process whose stderr/stdout lines can be waited on (by what they say, never by time). */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { proc: ChildProcess; output: () => string; waitFor: (re: RegExp) => Promise<RegExpExecArray>; exited: Promise<number | null> } {
  const proc = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  const waiters: Array<() => void> = [];
  const on = (b: Buffer) => {
    out += b.toString();
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout!.on('data', on);
  proc.stderr!.on('data', on);
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  proc.on('exit', () => waiters.splice(0).forEach((w) => w()));
  const waitFor = async (re: RegExp) => {
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${cmd} exited before printing ${re}: ${out.slice(-500)}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { proc, output: () => out, waitFor, exited };
}

/**
 * A `backprop-lab worker` process (the sources through tsx, or the build when it is current). Its job locks last
 * `lockMs` (default 10 s): a killed worker's trial is taken again within about twice that.
 */
const worker = (url: string, name: string, lockMs = 5000) =>
  start(process.execPath, ['--import', 'tsx', 'bin/backprop-lab.js', 'worker', '--queue', url, '--concurrency', '1', '--name', name], { BACKPROP_LAB_WORKER_LOCK_MS: String(lockMs) });

/** Stops a worker with SIGTERM and waits for it to exit (0). */
async function stopWorker(w: ReturnType<typeof worker>): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  w.proc.kill('SIGTERM');
  expect(await w.exited).toBe(0);
}

/** The version a worker runs, as `backprop-lab sweep` sends it. */
const cliVersion = () => version().replace(/^backprop-lab\s+/, '');

const runCount = (store: Store) => store.db.prepare('SELECT COUNT(*) FROM runs').pluck().get() as number;

describe('without the ioredis package', () => {
  // the command line in a child process whose module resolver answers `ioredis` as for a package not installed
  const hidden = (argv: string[]) =>
    spawnSync(process.execPath, ['--import', join(REPO, 'test/fixtures/node/hide-ioredis.mjs'), 'bin/backprop-lab.js', ...argv], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, BACKPROP_LAB_DATA_DIR: join(dir, 'nowhere') },
      timeout: 60_000,
    });

  it('sweep --queue and worker say in one line that the queue needs it, and record no sweep', { timeout: 130_000 }, () => {
    const db = join(dir, 'noredis.db');
    const r = hidden(['sweep', specFile({ base: { epochs: 5, arch: ARCH }, grid: { lr: [0.1] } }), '--db', db, '--queue', 'redis://127.0.0.1:1']);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toContain('the queue needs the ioredis package');
    expect(r.status).toBe(2);
    const store = openStore({ path: db });
    expect(listSweeps(store)).toEqual([]);
    store.close();
    const w = hidden(['worker', '--queue', 'redis://127.0.0.1:1']);
    expect(w.stderr).toContain('the queue needs the ioredis package');
    expect(w.status).toBe(2);
  });
});

describe('a sweep without --queue', () => {
  it('never asks for the queue executor (nothing loads BullMQ or touches Redis)', { timeout: 60_000 }, async () => {
    const store = openStore({ path: ':memory:' });
    let asked = 0;
    const core = createCore({
      store,
      host: 'cli',
      version: 'test',
      trainer: { metricsIntervalMs: 20, yieldEveryMs: 10 },
      queueExecutor: async () => {
        asked++;
        throw new Error('the queue executor was asked for');
      },
    });
    try {
      const end = new Promise<SweepProgressEvent>((resolve) => core.subscribe((e, p) => e === 'sweep.progress' && (p as SweepProgressEvent).status !== 'running' && resolve(p as SweepProgressEvent)));
      const r = await core.invoke('sweeps.start', { spec: { base: { epochs: 3, samples: 50, arch: ARCH, backend: 'cpu' }, grid: { lr: [0.1] } }, parallel: 1 });
      expect(r.ok).toBe(true);
      expect((await end).status).toBe('finished');
      expect(asked).toBe(0);
    } finally {
      await core.close();
      store.close();
    }
  });
});

describe.skipIf(!hasIoredis || !hasRedis)('sweeps on a BullMQ queue with real Redis and worker processes', () => {
  let url = '';

  it('starts redis-server on a free loopback port', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await redis.waitFor(/Ready to accept connections/);
    url = `redis://127.0.0.1:${port}`;
  });

  it('two workers train every trial; each is recorded exactly once, with its worker’s name', { timeout: 120_000 }, async () => {
    expect(url).not.toBe('');
    const w1 = worker(url, 'w1');
    const w2 = worker(url, 'w2');
    try {
      await Promise.all([w1.waitFor(/takes trials/), w2.waitFor(/takes trials/)]);
      const db = join(dir, 'queue.db');
      const spec = { name: 'queued', base: { epochs: 30, samples: 100, arch: ARCH, backend: 'cpu' }, grid: { lr: [0.05, 0.2, 0.5, 1], seed: [1, 2] } };
      const r = await cli(['sweep', specFile(spec), '--db', db, '--queue', url, '--json', '--quiet']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as SweepReport;
      expect(report.status).toBe('finished');
      expect(report.trials).toHaveLength(8);
      for (const t of report.trials) {
        expect(t.status).toBe('finished');
        expect(t.epochs).toBe(30);
        expect(['w1', 'w2']).toContain(t.worker);
        expect(t.finalCost).toEqual(expect.any(Number));
      }
      // the worker each trial is recorded with says it trained it
      for (const t of report.trials) expect((t.worker === 'w1' ? w1 : w2).output()).toContain(`trial ${t.trialIndex + 1} of sweep ${report.sweepId.slice(0, 8)} finished after 30 epochs`);
      const store = openStore({ path: db });
      try {
        const runs = sweepRuns(store, report.sweepId);
        expect(runs.map((x) => x.trialIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        expect(runCount(store)).toBe(8);
        for (const run of runs) expect(store.readMetrics(run.id, { keys: ['train_cost'] })).toHaveLength(30);
        expect(listSweeps(store)[0]!.queue).toBe(url);
      } finally {
        store.close();
      }
    } finally {
      await Promise.all([stopWorker(w1), stopWorker(w2)]);
    }
  });

  it('a worker killed mid-trial: the trial is retried on the other and recorded once; the sweep finishes', { timeout: 180_000 }, async () => {
    expect(url).not.toBe('');
    const w1 = worker(url, 'doomed', 2000);
    let w2: ReturnType<typeof worker> | null = null;
    // the sweep machine, as `backprop-lab sweep --queue` sets it up, in this process so its events can be watched
    const store = openStore({ path: join(dir, 'killed.db') });
    const core = createCore({ store, host: 'cli', version: cliVersion(), recording: { flushEveryMs: 20 }, queueExecutor: async (c, u) => (await import('../../../electron/sweeps/queue')).queueExecutor(c, u) });
    try {
      await w1.waitFor(/takes trials/);
      // the doomed worker's first epochs recorded here: its run exists, linked to it, and it is mid-trial (20,000
      // epochs take seconds; the SIGKILL goes at once)
      let killedRun = '';
      const midTrial = new Promise<void>((resolve) =>
        core.subscribe((e, p) => {
          if (e !== 'run.metrics' || killedRun) return;
          killedRun = (p as { runId: string }).runId;
          w1.proc.kill('SIGKILL');
          resolve();
        }),
      );
      const end = new Promise<SweepProgressEvent>((resolve) => core.subscribe((e, p) => e === 'sweep.progress' && (p as SweepProgressEvent).status !== 'running' && resolve(p as SweepProgressEvent)));
      const r = await core.invoke('sweeps.start', { spec: { base: { epochs: 20_000, samples: 200, arch: ARCH, backend: 'cpu' }, grid: { seed: [1, 2] } }, queue: url });
      if (!r.ok) throw new Error(r.error.message);
      await midTrial;
      await w1.exited;
      expect(w1.output()).not.toMatch(/finished after/);
      expect(sweepRuns(store, r.value.sweepId).find((x) => x.id === killedRun)?.worker).toBe('doomed');
      w2 = worker(url, 'survivor', 2000);
      expect((await end).status).toBe('finished');
      const got = await core.invoke('sweeps.get', { sweepId: r.value.sweepId });
      if (!got.ok) throw new Error(got.error.message);
      expect(got.value.trials.map((t) => [t.status, t.epochs, t.worker])).toEqual([
        ['finished', 20_000, 'survivor'],
        ['finished', 20_000, 'survivor'],
      ]);
      // the killed trial's run is the one that finished (trained again from the start by the survivor), not a second run
      const killed = got.value.trials.find((t) => t.runId === killedRun)!;
      expect(killed).toBeDefined();
      expect(w2.output()).toContain(`trial ${killed.trialIndex + 1} of sweep ${r.value.sweepId.slice(0, 8)} started`);
      expect(sweepRuns(store, r.value.sweepId)).toHaveLength(2);
      expect(runCount(store)).toBe(2);
      for (const t of got.value.trials) expect(store.readMetrics(t.runId!, { keys: ['train_cost'] })).toHaveLength(20_000);
    } finally {
      await core.close();
      store.close();
      if (w2) await stopWorker(w2);
    }
  });

  it('ASHA prunes through the queue: the worker stops the trial, the sweep machine records it pruned with its rung', { timeout: 120_000 }, async () => {
    expect(url).not.toBe('');
    const w = worker(url, 'solo');
    try {
      await w.waitFor(/takes trials/);
      const db = join(dir, 'asha.db');
      // one worker, trials in order: the first (lr 1) sets the bar at each rung; the tiny learning rates fall far
      // behind at the first rung (epoch 10) and are pruned there, seconds before their 20,000 epochs would end
      const spec = { base: { epochs: 20_000, samples: 200, arch: ARCH, backend: 'cpu', seed: 1 }, grid: { lr: [1, 0.00001, 0.000001] }, asha: { metric: 'cost', min_epochs: 10, reduction: 2 } };
      const r = await cli(['sweep', specFile(spec), '--db', db, '--queue', url, '--json', '--quiet']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as SweepReport;
      expect(report.trials[0]!.status).toBe('finished');
      expect(report.trials[0]!.epochs).toBe(20_000);
      for (const t of report.trials.slice(1)) {
        expect(t.status).toBe('pruned');
        expect(t.worker).toBe('solo');
        expect(t.reason).toMatch(/rung/);
        expect(t.epochs).toBeLessThan(20_000);
      }
      expect(report.epochsSaved).toBeGreaterThan(0);
      expect(w.output()).toMatch(/trial 2 of sweep \w+ pruned after \d+ epochs/);
    } finally {
      await stopWorker(w);
    }
  });

  it('a worker of another version refuses the trials with the reason; the sweep fails, recorded', { timeout: 60_000 }, async () => {
    expect(url).not.toBe('');
    const w = worker(url, 'current');
    const store = openStore({ path: join(dir, 'version.db') });
    const core = createCore({
      store,
      host: 'cli',
      version: '99.0.0',
      queueExecutor: async (c, u) => (await import('../../../electron/sweeps/queue')).queueExecutor(c, u),
    });
    try {
      await w.waitFor(/takes trials/);
      const end = new Promise<SweepProgressEvent>((resolve) => core.subscribe((e, p) => e === 'sweep.progress' && (p as SweepProgressEvent).status !== 'running' && resolve(p as SweepProgressEvent)));
      const r = await core.invoke('sweeps.start', { spec: { base: { epochs: 5, samples: 50, arch: ARCH }, grid: { lr: [0.1, 0.2] } }, queue: url });
      expect(r.ok).toBe(true);
      const last = await end;
      expect(last.status).toBe('failed');
      expect(last.failed).toBe(2);
      const got = await core.invoke('sweeps.get', { sweepId: r.ok ? r.value.sweepId : '' });
      if (!got.ok) throw new Error(got.error.message);
      for (const t of got.value.trials) {
        expect(t.status).toBe('failed');
        expect(t.reason).toMatch(/^worker current runs Backprop Lab \d+\.\d+\.\d+\S* but the sweep runs 99\.0\.0; run the same version on every machine$/);
      }
      expect(w.output()).toMatch(/refused trial 1 of sweep \w+: worker current runs Backprop Lab/);
    } finally {
      await core.close();
      store.close();
      await stopWorker(w);
    }
  });

  it('an unreachable Redis is reported in one line within 10 s, by sweep and by worker', { timeout: 30_000 }, async () => {
    const port = await freePort(); // nothing listens there
    const db = join(dir, 'unreach.db');
    const t0 = Date.now();
    const r = await cli(['sweep', specFile({ base: { epochs: 5, arch: ARCH }, grid: { lr: [0.1] } }), '--db', db, '--queue', `redis://127.0.0.1:${port}`]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^backprop-lab: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\); start redis-server there/);
    const store = openStore({ path: db });
    expect(listSweeps(store)).toEqual([]);
    store.close();

    const w = worker(`redis://127.0.0.1:${port}`, 'lonely');
    expect(await w.exited).toBe(2);
    expect(w.output().trim().split('\n')).toHaveLength(1);
    expect(w.output()).toMatch(/^backprop-lab: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(/);
  });

  it('a Redis port that accepts but never answers is reported in one line within 10 s, never a hang', { timeout: 30_000 }, async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const t0 = Date.now();
      const r = await cli(['sweep', specFile({ base: { epochs: 5, arch: ARCH }, grid: { lr: [0.1] } }), '--db', join(dir, 'silent.db'), '--queue', `redis://127.0.0.1:${port}`]);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(no answer within \d+ s\)/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
