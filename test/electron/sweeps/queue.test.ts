// Sweeps through BullMQ on a real redis-server with real worker processes: every trial recorded exactly once
// with its worker's name; a worker killed mid-trial and the sweep still finishing on the other; an unreachable
// Redis reported within 10 s. BullMQ needs its Redis client, the `ioredis` package: where it is not installed, the
// queue tests are skipped and the one that runs checks that `sweep --queue` says so in one line.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli';
import type { SweepReport } from '../../../electron/cli/sweep';
import { listSweeps, openStore, sweepRuns } from '../../../electron/store/index';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bplab-queue-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
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
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { proc: ChildProcess; output: () => string; waitFor: (re: RegExp) => Promise<void> } {
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
  proc.on('exit', () => waiters.splice(0).forEach((w) => w()));
  const waitFor = async (re: RegExp) => {
    while (!re.test(out)) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${cmd} exited before printing ${re}: ${out.slice(-500)}`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { proc, output: () => out, waitFor };
}

const worker = (url: string, name: string) =>
  start(process.execPath, ['--import', 'tsx', 'bin/backprop-lab.js', 'worker', '--queue', url, '--concurrency', '1', '--name', name], { BACKPROP_LAB_WORKER_LOCK_MS: '2000' });

describe.skipIf(hasIoredis)('without the ioredis package', () => {
  it('sweep --queue says in one line that the queue needs it, and records no sweep', { timeout: 10_000 }, async () => {
    const db = join(dir, 'noredis.db');
    const r = await cli(['sweep', specFile({ base: { epochs: 5, arch: ARCH }, grid: { lr: [0.1] } }), '--db', db, '--queue', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('the queue needs the ioredis package');
    const store = openStore({ path: db });
    expect(listSweeps(store)).toEqual([]);
    store.close();
    const w = await cli(['worker', '--queue', 'redis://127.0.0.1:1']);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('the queue needs the ioredis package');
  });
});

describe.skipIf(!hasIoredis || !hasRedis)('sweeps on a BullMQ queue with real Redis and worker processes', () => {
  let url = '';

  it('starts redis-server on a free loopback port', async () => {
    const port = await freePort();
    const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await redis.waitFor(/Ready to accept connections/);
    url = `redis://127.0.0.1:${port}`;
  });

  it('two workers train every trial; each is recorded exactly once, with its worker’s name', { timeout: 120_000 }, async () => {
    const w1 = worker(url, 'w1');
    const w2 = worker(url, 'w2');
    await Promise.all([w1.waitFor(/takes trials/), w2.waitFor(/takes trials/)]);
    const db = join(dir, 'queue.db');
    const spec = { name: 'queued', base: { epochs: 30, samples: 100, arch: ARCH, backend: 'cpu' }, grid: { lr: [0.05, 0.2, 0.5, 1], seed: [1, 2] } };
    const r = await cli(['sweep', specFile(spec), '--db', db, '--queue', url, '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as SweepReport;
    expect(report.trials).toHaveLength(8);
    for (const t of report.trials) {
      expect(t.status).toBe('finished');
      expect(t.epochs).toBe(30);
      expect(['w1', 'w2']).toContain(t.worker);
    }
    const store = openStore({ path: db });
    const runs = sweepRuns(store, report.sweepId);
    expect(runs.map((x) => x.trialIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(store.readMetrics(runs[0]!.id, { keys: ['train_cost'] })).toHaveLength(30);
    expect(listSweeps(store)[0]!.queue).toBe(url);
    store.close();
    w1.proc.kill('SIGTERM');
    w2.proc.kill('SIGTERM');
  });

  it('a worker killed mid-trial: the trial is retried on the other and recorded once; the sweep finishes', { timeout: 180_000 }, async () => {
    const w1 = worker(url, 'doomed');
    await w1.waitFor(/takes trials/);
    const db = join(dir, 'killed.db');
    const spec = { base: { epochs: 20_000, samples: 200, arch: ARCH, backend: 'cpu' }, grid: { seed: [1, 2] } };
    const sweep = cli(['sweep', specFile(spec), '--db', db, '--queue', url, '--json', '--quiet']);
    await w1.waitFor(/trial \d+ of sweep \w+ started/);
    w1.proc.kill('SIGKILL');
    const w2 = worker(url, 'survivor');
    const r = await sweep;
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as SweepReport;
    expect(report.trials.map((t) => [t.status, t.epochs, t.worker])).toEqual([
      ['finished', 20_000, 'survivor'],
      ['finished', 20_000, 'survivor'],
    ]);
    const store = openStore({ path: db });
    expect(sweepRuns(store, report.sweepId)).toHaveLength(2);
    expect(store.readMetrics(report.trials[0]!.runId!, { keys: ['train_cost'] })).toHaveLength(20_000);
    store.close();
    w2.proc.kill('SIGTERM');
  });

  it('an unreachable Redis is reported in one line within 10 s', { timeout: 15_000 }, async () => {
    const port = await freePort();
    const r = await cli(['sweep', specFile({ base: { epochs: 5, arch: ARCH }, grid: { lr: [0.1] } }), '--db', join(dir, 'unreach.db'), '--queue', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
  });
});
