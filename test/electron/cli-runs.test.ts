// `backprop-lab train` recording its runs and `backprop-lab runs …` reading and editing them: real SQLite files
// in temp folders, the real engine, main() in-process with captured streams (and one killed child process).

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config';
import { main, type CliIO } from '../../electron/cli';
import { openStore } from '../../electron/store/index';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/backprop-lab.js');
const tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-cli-runs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// nothing here may reach the user's data folder
process.env['BACKPROP_LAB_DATA_DIR'] = join(tmp, 'default-data');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], io: Partial<CliIO> = {}): Promise<Ran> {
  let stdout = '', stderr = '';
  const env = { BACKPROP_LAB_DATA_DIR: join(tmp, 'default-data') };
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, cwd: tmp, env, ...io });
  return { code, stdout, stderr };
}

const lastJson = (stdout: string): any => JSON.parse(stdout.trimEnd().split('\n').pop()!);

/** A fresh database path in the temp folder. */
let dbCount = 0;
const newDb = () => join(tmp, `runs-${++dbCount}.db`);

async function train(db: string, ...args: string[]): Promise<any> {
  const r = await cli(['train', '--db', db, '--json', '-q', ...args]);
  expect([0, 1, 130]).toContain(r.code);
  return lastJson(r.stdout);
}

async function listJson(db: string, ...args: string[]): Promise<any[]> {
  const r = await cli(['runs', 'list', '--db', db, '--json', ...args]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('train records its run', () => {
  it('train --epochs 50 --db: runs list --json shows it finished, with the train JSON’s final cost', async () => {
    const db = newDb();
    const r = await cli(['train', '--epochs', '50', '--db', db, '--json', '--name', 'first', '--tag', 'a,b', '--tag', 'c']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.db).toBe(db);
    expect(r.stderr).toContain(`run ${out.runId.slice(0, 8)} recorded in ${db}`);

    const runs = await listJson(db);
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run).toMatchObject({
      id: out.runId,
      name: 'first',
      status: 'finished',
      dataset: 'moons',
      architecture: '2-25-50-50-25-1',
      backend: out.backend.name,
      epochs: 50,
      plannedEpochs: 50,
      finalCost: out.finalCost,
      trainAccuracy: out.trainAccuracy,
      testCost: out.testCost,
      testAccuracy: out.testAccuracy,
      tags: ['a', 'b', 'c'],
      reason: null,
    });
    expect(run.createdAt).toBeTypeOf('number');
    expect(run.durationMs).toBeGreaterThanOrEqual(0);

    // every epoch's metrics and the final weights are in the store, bit for bit
    const store = openStore({ path: db });
    try {
      const rows = store.readMetrics(out.runId, { keys: ['train_cost'] });
      expect(rows.map((x) => x.value)).toEqual(out.costHistory);
      const rec = store.getRun(out.runId);
      // the final weights and a periodic checkpoint after every epoch (1 % of 50 rounds up to 1)
      const checkpoints = Array.from({ length: 50 }, (_, i) => ({ kind: 'checkpoint', epoch: i + 1, values: 5226 }));
      expect(rec.weights).toEqual([...checkpoints, { kind: 'final', epoch: 50, values: 5226 }]);
      expect(rec.backend).toEqual(out.backend);
      expect(rec.config).toEqual(out.config);
    } finally {
      store.close();
    }
  });

  it('a diverging run (--lr 100) is stored as failed with the divergence reason and no weights', async () => {
    const db = newDb();
    const out = await train(db, '--lr', '100', '--epochs', '300');
    expect(out.status).toBe('diverged');
    const [run] = await listJson(db);
    expect(run).toMatchObject({ id: out.runId, status: 'failed', reason: out.reason, epochs: out.epochs });
    expect(run.reason).toMatch(/^diverged at epoch \d+: /);
    const show = await cli(['runs', 'show', out.runId.slice(0, 6), '--db', db]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`status    failed — ${out.reason}`);
    expect(show.stdout).toContain('weights   none stored');
    const ex = await cli(['runs', 'export', out.runId, '--db', db, '--format', 'json']);
    expect(ex.code).toBe(2);
    expect(ex.stderr).toContain(`run ${out.runId} (failed) has no stored weights to export as json: it failed, so its weights were not kept`);
  });

  it('Ctrl-C stores the run as stopped, with the epochs done and its weights', async () => {
    const db = newDb();
    let interrupt: (() => void) | null = null;
    const pending = cli(['train', '--epochs', '1000000', '--db', db, '--json', '-q'], {
      onInterrupt(handler) {
        interrupt = handler;
        return () => void (interrupt = null);
      },
    });
    // training starts once the backend is chosen (auto measures each backend first): wait for the handler, then a bit
    for (let i = 0; i < 600 && !interrupt; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    interrupt!();
    const r = await pending;
    expect(r.code).toBe(130);
    const out = lastJson(r.stdout);
    const [run] = await listJson(db);
    expect(run).toMatchObject({ status: 'stopped', epochs: out.epochs, finalCost: out.finalCost });
    expect(run.reason).toMatch(/stopped by the user/);
  });

  it('a run whose process was killed shows as interrupted in runs list, keeping its committed epochs', async () => {
    const db = newDb();
    const child = spawn(process.execPath, [BIN, 'train', '--epochs', '1000000', '--db', db], { cwd: ROOT, env: process.env });
    let stderr = '';
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('training 1000000 epochs')) resolve();
      }),
    );
    // kill it once a batch of epochs is committed (read without touching the writer: a read-only connection)
    const committed = () => {
      const ro = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return (ro.prepare('SELECT max(epochs_done) FROM runs').pluck().get() as number | null) ?? 0;
      } finally {
        ro.close();
      }
    };
    for (let i = 0; i < 200 && committed() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const before = committed();
    expect(before).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;
    const r = await cli(['runs', 'list', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 run whose process ended before finishing is now marked interrupted');
    expect(r.stdout).toMatch(/interrupted/);
    const [run] = await listJson(db);
    expect(run.status).toBe('interrupted');
    expect(run.epochs).toBeGreaterThanOrEqual(before);
    expect(run.reason).toMatch(/^interrupted: the process training it \(pid \d+\) ended/);
  });

  it('--db that cannot be used stops before training with the store’s message (exit 2)', async () => {
    const bad = join(tmp, 'not-sqlite.db');
    writeFileSync(bad, 'this is not a database, just text that is long enough');
    const r = await cli(['train', '--epochs', '5', '--db', bad, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/is damaged or is not an SQLite database .* \(or train without recording: --no-record\)\n$/);
    expect(readFileSync(bad, 'utf8')).toBe('this is not a database, just text that is long enough');
  });
});

describe('runs list', () => {
  const db = join(tmp, 'list.db');
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ids.a = (await train(db, '--epochs', '20', '--lr', '0.01', '--tag', 'sweep')).runId;
    ids.b = (await train(db, '--epochs', '20', '--lr', '0.05', '--tag', 'sweep')).runId;
    ids.c = (await train(db, '--epochs', '5', '--dataset', 'circles', '--name', 'Round one')).runId;
    ids.d = (await train(db, '--epochs', '100', '--lr', '100')).runId;
  });

  it('newest first by default, as a table with short ids', async () => {
    const r = await cli(['runs', 'list', '--db', db]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +STATUS +DATASET +LAYERS +EPOCHS +COST +TEST ACC +BACKEND +CREATED +TAGS$/);
    expect(lines.slice(1).map((l) => l.slice(0, 8))).toEqual([ids.d, ids.c, ids.b, ids.a].map((id) => id!.slice(0, 8)));
    expect(lines[2]).toMatch(/Round one +finished +circles/);
    expect(lines[4]).toMatch(/sweep$/);
  });

  it('filters by name, tag, status and dataset; sorts by final cost; limits', async () => {
    expect((await listJson(db, '--tag', 'sweep')).map((r) => r.id).sort()).toEqual([ids.a, ids.b].sort());
    expect((await listJson(db, '--name', 'round')).map((r) => r.id)).toEqual([ids.c]);
    expect((await listJson(db, '--status', 'failed')).map((r) => r.id)).toEqual([ids.d]);
    expect((await listJson(db, '--status', 'failed,finished'))).toHaveLength(4);
    expect((await listJson(db, '--dataset', 'circles')).map((r) => r.id)).toEqual([ids.c]);
    const byCost = await listJson(db, '--sort', 'finalCost', '--status', 'finished');
    const costs = byCost.map((r) => r.finalCost);
    expect(costs).toEqual([...costs].sort((x, y) => x - y));
    expect(await listJson(db, '--sort', 'finalCost', '--order', 'desc', '--limit', '1', '--status', 'finished')).toEqual([byCost[byCost.length - 1]]);
    expect(await listJson(db, '--tag', 'nosuch')).toEqual([]);
    const none = await cli(['runs', 'list', '--db', db, '--tag', 'nosuch']);
    expect(none.stdout).toBe(`no runs match the filter in ${db}\n`);
  });

  it('refuses bad filter values with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--status', 'done'], /--status must be one of running, finished, failed, stopped, interrupted, pruned .*got "done"/],
      [['--sort', 'cost'], /--sort must be one of date, finalCost, testAccuracy, got "cost"/],
      [['--order', 'up'], /--order must be asc or desc/],
      [['--limit', '0'], /--limit must be an integer from 1 to 10000/],
      [['--foo'], /unknown option --foo; see backprop-lab runs list --help/],
      [['extra'], /runs list takes no arguments/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['runs', 'list', '--db', db, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('a database that does not exist lists nothing and is not created', async () => {
    const missing = join(tmp, 'missing', 'runs.db');
    expect(await listJson(missing)).toEqual([]);
    const r = await cli(['runs', 'list', '--db', missing]);
    expect(r.stdout).toContain(`no runs yet: there is no run database at ${missing}`);
    const show = await cli(['runs', 'show', 'abc', '--db', missing]);
    expect(show.code).toBe(2);
    expect(show.stderr).toMatch(/^backprop-lab: no run matches "abc"/);
  });

  it('show: config, status, final metrics, backend and why, tags, a cost sparkline; --json the full record', async () => {
    const r = await cli(['runs', 'show', ids.a!.slice(0, 5), '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`id        ${ids.a}`);
    expect(r.stdout).toContain('status    finished');
    expect(r.stdout).toContain('network   2-25-50-50-25-1 (relu, relu, relu, relu, sigmoid), 5226 parameters; init seed 101, scale 0.1');
    expect(r.stdout).toContain('training  20 epochs of sgd, full batch, learning rate 0.01, loss auto');
    expect(r.stdout).toMatch(/backend   cpu \(.*float64\) — .*/);
    expect(r.stdout).toMatch(/final     train cost 0\.\d+, accuracy [\d.]+%; test cost 0\.\d+, accuracy [\d.]+%/);
    expect(r.stdout).toMatch(/cost      [▁▂▃▄▅▆▇█]{20}  0\.\d+ → 0\.\d+/);
    expect(r.stdout).toContain('tags      sweep');
    const j = await cli(['runs', 'show', ids.a!, '--db', db, '--json']);
    const rec = JSON.parse(j.stdout);
    expect(rec).toMatchObject({ id: ids.a, status: 'finished', architecture: '2-25-50-50-25-1', tags: ['sweep'], metricKeys: expect.arrayContaining(['train_cost', 'test_accuracy']) });
    expect(rec.config).toEqual(resolveConfig({ training: { epochs: 20, learningRate: 0.01 } }));
  });

  it('compare: only training.learningRate differs between the lr runs; --all shows every setting', async () => {
    const r = await cli(['runs', 'compare', ids.a!, ids.b!, '--db', db, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.params).toEqual([{ path: 'training.learningRate', values: [0.01, 0.05], differs: true }]);
    expect(out.runs.map((x: any) => x.id)).toEqual([ids.a, ids.b]);
    expect(out.runs[0]).toMatchObject({ status: 'finished', epochs: 20 });
    expect(out.runs[0].finalCost).not.toBe(out.runs[1].finalCost);

    const text = await cli(['runs', 'compare', ids.a!.slice(0, 8), ids.b!.slice(0, 8), '--db', db]);
    expect(text.stdout).toMatch(/^SETTING +[0-9a-f]{8} +[0-9a-f]{8}\ntraining\.learningRate +0\.01 +0\.05\n\(\d+ other settings are the same; --all shows them\)/m);
    expect(text.stdout).toMatch(/^train cost +0\.\d+ +0\.\d+$/m);
    expect(text.stdout).not.toContain('training.epochs');

    const all = JSON.parse((await cli(['runs', 'compare', ids.a!, ids.b!, '--db', db, '--json', '--all'])).stdout);
    // every setting that means something for these runs (full-batch SGD on moons: no momentum, Adam terms or circles factor)
    expect(all.params.length).toBeGreaterThan(15);
    expect(all.params[0]).toEqual({ path: 'architecture', values: ['2-25-50-50-25-1 (relu, relu, relu, relu, sigmoid)', '2-25-50-50-25-1 (relu, relu, relu, relu, sigmoid)'], differs: false });
    expect(all.params.map((p: any) => p.path)).not.toContain('training.momentum');
    expect(all.params.filter((p: any) => p.differs).map((p: any) => p.path)).toEqual(['training.learningRate']);
    expect(all.params.find((p: any) => p.path === 'training.epochs')).toEqual({ path: 'training.epochs', values: [20, 20], differs: false });

    const three = JSON.parse((await cli(['runs', 'compare', ids.a!, ids.b!, ids.c!, '--db', db, '--json'])).stdout);
    expect(three.params.map((p: any) => p.path)).toEqual(expect.arrayContaining(['training.learningRate', 'data.kind', 'training.epochs']));

    const one = await cli(['runs', 'compare', ids.a!, '--db', db]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('runs compare needs two or more run ids');
    const twice = await cli(['runs', 'compare', ids.a!, ids.a!.slice(0, 8), '--db', db]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('is named twice');
  });
});

describe('train without --name', () => {
  it('names the run as the dashboard does, "moons · lr 0.01 · sgd", and a second one with the same settings "… #2"', async () => {
    const db = newDb();
    await train(db, '--epochs', '2', '--lr', '0.01');
    await train(db, '--epochs', '3', '--lr', '0.01');
    await train(db, '--epochs', '2', '--lr', '0.05', '--optimizer', 'adam');
    await train(db, '--epochs', '2', '--lr', '0.01', '--name', 'moons · lr 0.01 · sgd');
    const names = (await listJson(db, '--sort', 'date', '--order', 'asc')).map((r) => r.name);
    expect(names).toEqual(['moons · lr 0.01 · sgd', 'moons · lr 0.01 · sgd #2', 'moons · lr 0.05 · adam', 'moons · lr 0.01 · sgd']);
  });
});

describe('runs rename, tag, note, delete', () => {
  it('round-trip through runs list and show', async () => {
    const db = newDb();
    const { runId } = await train(db, '--epochs', '3');
    const short = runId.slice(0, 8);

    const rn = await cli(['runs', 'rename', short, 'wide', 'net', '--db', db]);
    expect(rn).toMatchObject({ code: 0, stdout: `run ${short} is now named "wide net"\n` });
    expect((await listJson(db))[0].name).toBe('wide net');

    expect((await cli(['runs', 'tag', short, 'baseline', 'moons,keep', '--db', db])).stdout).toBe(`run ${short} tags: baseline, keep, moons\n`);
    const removed = await cli(['runs', 'tag', short, 'moons', '--remove', '--db', db, '--json']);
    expect(JSON.parse(removed.stdout).tags).toEqual(['baseline', 'keep']);
    expect((await cli(['runs', 'tag', short, '--db', db])).stdout).toBe(`run ${short} tags: baseline, keep\n`);
    expect((await listJson(db, '--tag', 'keep'))[0].id).toBe(runId);

    expect((await cli(['runs', 'note', short, 'lr', 'too', 'low', '--db', db])).stdout).toBe('lr too low\n');
    expect((await cli(['runs', 'note', short, 'try 0.05', '--append', '--db', db])).stdout).toBe('lr too low\ntry 0.05\n');
    const show = await cli(['runs', 'show', short, '--db', db, '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'wide net', tags: ['baseline', 'keep'], notes: 'lr too low\ntry 0.05' });
    expect((await cli(['runs', 'note', short, '', '--db', db])).stdout).toBe(`run ${short} has no notes\n`);

    // the store's own checks come back as one line, exit 2
    const long = await cli(['runs', 'rename', short, 'x'.repeat(201), '--db', db]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/^backprop-lab: renameRun: name must be at most 200 characters/);

    // delete: refused off a terminal without --yes, declined at the prompt, then done with --yes
    const refused = await cli(['runs', 'delete', short, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`runs delete removes run ${short} ("wide net") with its metrics and weights for good, and there is no terminal to ask for confirmation; add --yes to delete`);
    const declined = await cli(['runs', 'delete', short, '--db', db], { confirm: async () => false });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('nothing deleted');
    expect(await listJson(db)).toHaveLength(1);
    let asked = '';
    const confirmed = await cli(['runs', 'delete', short, '--db', db], { confirm: async (q) => ((asked = q), true) });
    expect(confirmed.code).toBe(0);
    expect(asked).toContain(`Delete run ${short} ("wide net")`);
    expect(await listJson(db)).toEqual([]);

    const again = await cli(['runs', 'show', short, '--db', db]);
    expect(again).toMatchObject({ code: 2, stderr: `backprop-lab: no run matches "${short}" (see backprop-lab runs list)\n` });
  });

  it('delete --yes removes several runs at once', async () => {
    const db = newDb();
    const a = (await train(db, '--epochs', '1')).runId;
    const b = (await train(db, '--epochs', '1')).runId;
    const r = await cli(['runs', 'delete', a, b, '--yes', '--db', db, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ deleted: [a, b] });
    expect(await listJson(db)).toEqual([]);
  });
});

describe('errors', () => {
  it('an unknown id exits 2 with "no run matches"; an ambiguous prefix names the candidates', async () => {
    const db = newDb();
    const store = openStore({ path: db });
    const config = resolveConfig({ training: { epochs: 1 } });
    store.importRun({ id: 'abc1', config });
    store.importRun({ id: 'abc2', config });
    store.close();
    for (const sub of [['show', 'zzz'], ['rename', 'zzz', 'n'], ['tag', 'zzz', 't'], ['note', 'zzz', 'x'], ['delete', 'zzz', '--yes'], ['export', 'zzz', '--format', 'py'], ['compare', 'abc1', 'zzz'], ['show', 'not an id!']]) {
      const r = await cli(['runs', ...sub, '--db', db]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`backprop-lab: no run matches ${JSON.stringify(sub[0] === 'compare' ? 'zzz' : sub[1])} (see backprop-lab runs list)\n`);
    }
    const amb = await cli(['runs', 'show', 'abc', '--db', db]);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toMatch(/"abc" matches several runs \(abc1, abc2\); give more of the id/);
    expect((await cli(['runs', 'show', 'abc2', '--db', db])).code).toBe(0);
  });

  it('a database written by a newer version, or not a database, gives the store’s message and exit 2', async () => {
    const newer = join(tmp, 'newer.db');
    const raw = new Database(newer);
    raw.pragma('user_version = 999');
    raw.close();
    const r = await cli(['runs', 'list', '--db', newer]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backprop-lab: .*newer\.db.*newer/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);

    const junk = join(tmp, 'junk.db');
    writeFileSync(junk, 'x'.repeat(200));
    const j = await cli(['runs', 'show', 'abc', '--db', junk]);
    expect(j.code).toBe(2);
    expect(j.stderr).toMatch(/junk\.db is damaged or is not an SQLite database/);
    expect(readFileSync(junk, 'utf8')).toBe('x'.repeat(200));
  });

  it('usage mistakes name the way out', async () => {
    expect(await cli(['runs'])).toMatchObject({ code: 2, stderr: expect.stringContaining('runs needs a subcommand (list, show, compare') });
    expect(await cli(['runs', 'fly'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown runs subcommand "fly"') });
    expect(await cli(['runs', 'show', '--db', newDb()])).toMatchObject({ code: 2, stderr: expect.stringContaining('runs show needs a run id: backprop-lab runs show ID') });
    const help = await cli(['runs', '--help']);
    expect(help.code).toBe(0);
    for (const sub of ['list', 'show', 'compare', 'rename', 'tag', 'note', 'delete', 'export', 'import']) expect(help.stdout).toContain(`  runs ${sub} `);
    expect((await cli(['runs', 'list', '--help'])).stdout).toBe(help.stdout);
  });
});
