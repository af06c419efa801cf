// The faults found by trying the host as a hostile or unlucky user would (issue "One host core"), each with a
// test that failed before the fix: real SQLite files, real child processes and signals, a real lock held by
// another process, the real browser-mode server.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../electron/cli';
import { createCore } from '../../electron/core/index';
import { Progress } from '../../electron/cli/progress';
import { startServer } from '../../electron/server';
import { loadCurves, openStore, type Store } from '../../electron/store/index';
import { resolveConfig } from '../../engine/config';
import { runServe } from '../../electron/cli/serve';
import { holdLock, REPO, spawnCli } from '../helpers/processes';
import { wsClient } from '../helpers/ws-client';

const tmp = mkdtempSync(join(tmpdir(), 'bpl-defects-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { ...process.env, BACKPROP_LAB_DATA_DIR: join(tmp, 'data') };

async function cli(argv: string[], io: Partial<CliIO> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, cwd: tmp, env, ...io });
  return { code, stdout, stderr };
}
/** Epochs with a stored train cost. */
const readMetricsCount = (store: Store, id: string) => loadCurves(store, [id], { keys: ['train_cost'], maxPoints: 1_000_000 })[0]?.total ?? 0;
const lastJson = (s: string) => JSON.parse(s.trimEnd().split('\n').pop()!);
const TINY = ['--arch', '[{"input_dim":2,"output_dim":4,"activation":"tanh"},{"input_dim":4,"output_dim":1,"activation":"sigmoid"}]', '--backend', 'cpu'];

describe('1. an imported file never makes us open a path it names', () => {
  it('runs import of weights whose config names /etc/passwd, /dev/zero or a FIFO reads none of them', async () => {
    const exported = join(tmp, 'w.json');
    expect((await cli(['train', ...TINY, '--epochs', '5', '--no-record', '--export', exported])).code).toBe(0);
    const w = JSON.parse(readFileSync(exported, 'utf8'));
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const path of ['/etc/passwd', '/dev/zero', fifo]) {
      w.config.data = { ...w.config.data, kind: 'csv', csv: { path } };
      const file = join(tmp, 'evil.json');
      writeFileSync(file, JSON.stringify(w));
      const r = await cli(['runs', 'import', file, '--db', join(tmp, 'import.db')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('not evaluated: the file');
      expect(r.stdout + r.stderr).not.toMatch(/root:/);
    }
  });

  it('--dataset csv: refuses a device, a FIFO and a file over the size limit before reading a byte', async () => {
    const fifo = join(tmp, 'fifo2');
    execFileSync('mkfifo', [fifo]);
    const big = join(tmp, 'big.csv');
    writeFileSync(big, 'a,b,label\n');
    truncateSync(big, 65 * 1024 * 1024); // sparse: the size is checked, the bytes are never read
    for (const [path, says] of [['/dev/zero', 'is a device'], [fifo, 'is a named pipe'], [big, 'over the']] as const) {
      const r = await cli(['train', '--dataset', `csv:${path}`, '--no-record']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(says);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});

describe('2. a database locked by another program for a while costs nothing', () => {
  it('the CLI keeps training and recording through a 7 s lock, then records every epoch and the weights', async () => {
    const db = join(tmp, 'locked.db');
    const child = spawnCli(['train', ...TINY, '--epochs', '100000000', '--db', db, '--json'], env);
    await child.waitForStderr(/epoch \d+\/100000000/);
    const holder = holdLock(db, 'write', 7000);
    await holder.locked;
    await holder.released;
    // the recording goes on after the lock: a progress line for an epoch committed after the release
    const before = child.stderr().length;
    await child.waitForStderr(new RegExp(`[\\s\\S]{${before}}[\\s\\S]*epoch \\d+/100000000`));
    child.proc.kill('SIGINT');
    expect(await child.exit).toBe(130);
    const out = lastJson(child.stdout());
    expect(out.status).toBe('stopped');
    expect(out.recordingLost).toBeUndefined();
    const store = openStore({ path: db });
    try {
      const run = store.getRun(out.runId);
      expect(run.status).toBe('stopped');
      expect(run.epochsDone).toBe(out.epochs);
      expect(store.getWeights(out.runId)).not.toBeNull();
      expect(readMetricsCount(store, out.runId)).toBe(out.epochs);
    } finally {
      store.close();
    }
  });

  it('browser mode answers requests during a lock and its run trains on (no busy wait on the event loop)', async () => {
    const dir = mkdtempSync(join(tmp, 'srv-'));
    const server = await startServer({ port: 0, db: join(dir, 'runs.db'), staticDir: dir, version: 't' });
    const client = await wsClient(server.wsUrl);
    try {
      const started = await client.invoke('runs.start', { config: { architecture: [{ input_dim: 2, output_dim: 4, activation: 'tanh' }, { input_dim: 4, output_dim: 1, activation: 'sigmoid' }], training: { epochs: 100_000_000 }, backend: 'cpu' } });
      expect(started.ok).toBe(true);
      const runId = (started as { value: { runId: string } }).value.runId;
      await client.waitForEpoch(runId, 10);
      const holder = holdLock(join(dir, 'runs.db'), 'write');
      await holder.locked;
      // five commands in a row while the lock is held: a server that busy-waits 5 s per write would take ≥ 25 s
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) expect((await client.invoke('runs.list', {})).ok).toBe(true);
      const elapsed = Date.now() - t0;
      await holder.release();
      expect(elapsed).toBeLessThan(5000);
      const epochAtRelease = client.lastEpoch(runId);
      await client.waitForEpoch(runId, epochAtRelease + 10);
      const stopped = await client.invoke('runs.stop', { runId });
      expect(stopped.ok).toBe(true);
      const end = await client.waitForEnd(runId);
      expect(end.status).toBe('stopped');
      expect(end.recordingLost).toBeUndefined();
      const got = await client.invoke('runs.get', { runId, maxPoints: 1_000_000 });
      const curve = (got as { value: { curves: { trainCost: { step: number[] } } } }).value.curves.trainCost;
      expect(curve.step).toEqual(Array.from({ length: end.epoch }, (_, i) => i));
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('3. a run too big for memory is refused up front, with the figure and the fix', () => {
  it('a 400,000-sample full batch: one line naming the memory and --batch-size, exit 2, nothing recorded', async () => {
    const db = join(tmp, 'big.db');
    const r = await cli(['train', '--samples', '400000', '--epochs', '1', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch-size: a full batch of [\d,]+ training samples need about [\d.]+ GB of working memory, over the [\d.]+ GB a run may use; train in mini-batches: set --batch-size to \d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    const listed = await cli(['runs', 'list', '--db', db, '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    // the fix it names works: the same data in those mini-batches trains (its evaluation runs in chunks)
    const batch = /set --batch-size to (\d+)/.exec(r.stderr)![1]!;
    const fixed = await cli(['train', '--samples', '400000', '--epochs', '1', '--batch-size', batch, '--no-record', '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(lastJson(fixed.stdout)).toMatchObject({ status: 'finished', epochs: 1 });
  });
});

describe('4. a run database that cannot be used: one line naming it, exit 2, the file untouched', () => {
  /** A database with a run, then one of its metrics pages overwritten with zeros. */
  function damagedDb(): string {
    const path = join(mkdtempSync(join(tmp, 'dmg-')), 'runs.db');
    const store = openStore({ path });
    store.importRun({ name: 'r', config: resolveConfig({}), metrics: Array.from({ length: 5000 }, (_, i) => ({ key: 'train_cost', step: i, value: 1 / (i + 1), ts: 1 })) });
    const pageSize = store.db.pragma('page_size', { simple: true }) as number;
    const page = store.db.prepare("SELECT pageno FROM dbstat WHERE name = 'metrics' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 5").pluck().get() as number;
    store.close();
    const bytes = readFileSync(path);
    bytes.fill(0, (page - 1) * pageSize, page * pageSize);
    writeFileSync(path, bytes);
    return path;
  }
  const oneLine = (stderr: string) => {
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/SqliteError|internal error|\bat .*\(/);
  };

  it('train and runs list on a file with damaged pages, a FIFO, a folder', async () => {
    const damaged = damagedDb();
    const before = readFileSync(damaged);
    const fifo = join(tmp, 'db-fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [db, says] of [[damaged, 'damaged'], [fifo, 'FIFO'], [tmp, 'folder']] as const) {
      for (const argv of [['train', ...TINY, '--epochs', '5', '--db', db], ['runs', 'list', '--db', db]]) {
        const r = await cli(argv);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(db);
        expect(r.stderr).toContain(says);
        oneLine(r.stderr);
      }
    }
    expect(readFileSync(damaged).equals(before)).toBe(true);
    expect(existsSync(damaged + '.corrupt')).toBe(false);
  });

  it('a lock another program holds at start-up: a short wait, then one line (no hang)', async () => {
    const db = join(mkdtempSync(join(tmp, 'lk-')), 'runs.db');
    openStore({ path: db }).close();
    const holder = holdLock(db, 'exclusive');
    await holder.locked;
    try {
      const r = await cli(['train', ...TINY, '--epochs', '5', '--db', db]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${db} is locked by another program`);
      oneLine(r.stderr);
    } finally {
      await holder.release();
    }
  });

  it.runIf(process.getuid?.() === 0)('a read-only file (as another user, since root ignores permissions): train refuses, runs list reads it', async () => {
    const dir = mkdtempSync(join(tmp, 'ro-'));
    const db = join(dir, 'runs.db');
    expect((await cli(['train', ...TINY, '--epochs', '5', '--db', db])).code).toBe(0);
    // the file is read-only; its folder takes new files (SQLite keeps its -shm there even to read)
    execFileSync('chmod', ['755', tmp]);
    execFileSync('chmod', ['777', dir]);
    execFileSync('chmod', ['444', db]);
    const before = readFileSync(db);
    const asNobody = (args: string[]) => spawnSync(process.execPath, ['bin/backprop-lab.js', ...args], { cwd: REPO, uid: 65534, gid: 65534, encoding: 'utf8', timeout: 120_000, env });
    const train = asNobody(['train', ...TINY, '--epochs', '5', '--db', db]);
    expect(train.status, train.stderr).toBe(2);
    expect(train.stderr).toContain(`${db} is read-only`);
    oneLine(train.stderr);
    const list = asNobody(['runs', 'list', '--db', db, '--json']);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('serve refuses to start on a damaged file (exit 2, one line) instead of answering every command with internal', async () => {
    const damaged = damagedDb();
    const before = readFileSync(damaged);
    const web = mkdtempSync(join(tmp, 'web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html>');
    let stderr = '';
    const code = await runServe(['--db', damaged, '--static', web], { stdout: () => undefined, stderr: (t) => void (stderr += t), cwd: tmp, env });
    expect(code).toBe(2);
    expect(stderr).toContain(`${damaged} is damaged`);
    oneLine(stderr);
    expect(readFileSync(damaged).equals(before)).toBe(true);
  });
});

describe('5. browser mode releases what an ended run holds, and caps the runs training at once', () => {
  it('a big run’s worker (and its WebAssembly heap) is let go when it ends; a small one is kept for inspect', async () => {
    const store = openStore({ path: join(tmp, 'release.db') });
    const core = createCore({ store, host: 'browser', version: 't' });
    try {
      const ended = (runId: string) => new Promise<void>((res) => core.subscribe((e, p) => e === 'run.status' && (p as { runId: string; status: string }).runId === runId && !['running', 'paused'].includes((p as { status: string }).status) && res()));
      const big = await core.invoke('runs.start', { config: { data: { samples: 20000 }, training: { epochs: 2 }, backend: 'cpu' } });
      if (!big.ok) throw new Error(big.error.message);
      await ended(big.value.runId);
      expect(core.trainers.has(big.value.runId)).toBe(false);
      const small = await core.invoke('runs.start', { config: { architecture: [{ input_dim: 2, output_dim: 1, activation: 'sigmoid' }], training: { epochs: 2 }, backend: 'cpu' } });
      if (!small.ok) throw new Error(small.error.message);
      await ended(small.value.runId);
      expect(core.trainers.has(small.value.runId)).toBe(true);
      // inspecting the big one starts a small worker on its stored weights
      expect((await core.invoke('net.inspect', { runId: big.value.runId, point: [0, 0] })).ok).toBe(true);
    } finally {
      await core.close();
      store.close();
    }
  });

  it('a run started while another trains gets its share of the cores: one thread on two (no oversubscription)', async () => {
    const store = openStore({ path: join(tmp, 'share.db') });
    const core = createCore({ store, host: 'browser', version: 't' });
    try {
      const cfg = { training: { epochs: 100 }, backend: 'cpu' as const };
      const first = await core.invoke('runs.start', { config: cfg, startPaused: true });
      expect(first.ok).toBe(true);
      const second = await core.invoke('runs.start', { config: cfg, startPaused: true });
      if (!second.ok) throw new Error(second.error.message);
      if (availableParallelism() <= 2) expect(second.value.backend.mode).not.toMatch(/threads/);
      expect(second.value.backend.mode).toMatch(/^wasm-simd-f64|^js-f64/);
    } finally {
      await core.close();
      store.close();
    }
  });

  it('more runs than the limit are refused with a message naming it and the way out', async () => {
    const store = openStore({ path: join(tmp, 'cap.db') });
    const core = createCore({ store, host: 'browser', version: 't', maxLiveRuns: 1 });
    try {
      const cfg = { architecture: [{ input_dim: 2, output_dim: 1, activation: 'sigmoid' as const }], training: { epochs: 100 }, backend: 'cpu' as const };
      expect((await core.invoke('runs.start', { config: cfg, startPaused: true })).ok).toBe(true);
      const second = await core.invoke('runs.start', { config: cfg });
      expect(second).toMatchObject({ ok: false, error: { code: 'limit', message: expect.stringMatching(/1 runs are already training here \(the limit is 1\).*--max-runs/) } });
    } finally {
      await core.close();
      store.close();
    }
  });
});

describe('6. SIGTERM and SIGHUP stop a run like Ctrl-C: recorded as stopped with its weights', () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal} → exit ${code}, run stopped, weights kept`, async () => {
      const db = join(tmp, `${signal}.db`);
      const child = spawnCli(['train', ...TINY, '--epochs', '100000000', '--db', db, '--json'], env);
      await child.waitForStderr(/epoch \d+\/100000000/);
      child.proc.kill(signal);
      expect(await child.exit).toBe(code);
      const out = lastJson(child.stdout());
      const store = openStore({ path: db });
      try {
        expect(store.getRun(out.runId)).toMatchObject({ status: 'stopped', epochsDone: out.epochs });
        expect(store.getWeights(out.runId)).not.toBeNull();
      } finally {
        store.close();
      }
    });
  }
});

describe('8. one epochs cap, and progress off a terminal', () => {
  it('--epochs 1e12 is refused with the one cap the dashboard has too', async () => {
    const r = await cli(['train', '--epochs', '1e12', '--no-record']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('backprop-lab: --epochs must be an integer from 0 to 100,000,000, got 1000000000000\n');
  });

  it('prints a progress line at least every 5 s when stderr is not a terminal, even between 10% marks', () => {
    let now = 0;
    const lines: string[] = [];
    const p = new Progress((t) => lines.push(t), { total: 1_000_000, tty: false, now: () => now });
    const m = (epoch: number) => ({ epoch, trainCost: 0.5, trainAccuracy: 0.5, testCost: null, testAccuracy: null, elapsedMs: now });
    for (let e = 0; e < 100; e++) {
      now += 100; // 10 s in all, far from the first 10% mark
      p.update(m(e));
    }
    expect(lines).toHaveLength(2);
  });
});

describe('9. messages a user meets', () => {
  it('--arch {} says what an architecture is, not "file not found"', async () => {
    const r = await cli(['train', '--arch', '{}', '--no-record']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backprop-lab: --arch: expected a list of layers like/);
  });

  it('browser mode never shows the server’s database path, and its errors suggest no command-line flag', async () => {
    const dir = mkdtempSync(join(tmp, 'srv2-'));
    const server = await startServer({ port: 0, db: join(dir, 'runs.db'), staticDir: dir, version: 't' });
    const client = await wsClient(server.wsUrl);
    try {
      const missing = await client.invoke('runs.get', { runId: 'nosuchrun' });
      expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(JSON.stringify(missing)).not.toContain(dir);
      const csv = await client.invoke('runs.start', { config: { data: { kind: 'csv' } } });
      expect(csv.ok).toBe(false);
      expect(JSON.stringify(csv)).not.toContain('--dataset');
    } finally {
      client.close();
      await server.close();
    }
  });
});

