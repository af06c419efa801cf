// Files openStore cannot use, made for real: a FIFO, a folder, a file this user may not write (chmod 0444, opened by
// another user when the tests run as root, since root writes anyway), a folder that takes no new files, damaged
// b-tree pages. Each must give one line that names the file and the problem, never hang, and leave the file as it was.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import { listRuns, loadCurves, openStore, openStoreOrRecover, type OpenStoreOptions } from '../../../electron/store/index';
import { REPO, tempDir, storeError } from './helpers';

interface ChildResult {
  ok: boolean;
  code?: string;
  name?: string;
  message?: string;
  runs?: string[];
  readOnly?: boolean;
  write?: { ok: boolean; code?: string; message?: string };
}

const asRoot = process.getuid?.() === 0;
/** A user that is not root, so that file permissions hold (nobody on Debian and most Linux systems). */
const OTHER = 65534;

/** openStore in another process (as another user when we are root), with a time limit so a hang fails the test. */
function openInChild(options: OpenStoreOptions, o: { write?: boolean; otherUser?: boolean } = {}): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/electron/store/open-child.ts', JSON.stringify({ options, write: o.write })], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
    ...(o.otherUser && asRoot ? { uid: OTHER, gid: OTHER } : {}),
  });
  if (r.error) throw new Error(`open-child did not finish: ${r.error.message}\n${r.stderr}`);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

/** A database with two runs and enough metric rows to fill many pages. */
function populated(path: string): void {
  const store = openStore({ path });
  for (const name of ['first', 'second']) {
    const run = store.importRun({
      name,
      config: resolveConfig({}),
      metrics: Array.from({ length: 3000 }, (_, i) => ({ key: 'train_cost', step: i, value: 1 / (i + 1), ts: 1_700_000_000_000 })),
    });
    expect(run.status).toBe('finished');
  }
  store.close(); // checkpoints the WAL into the file and removes it
  expect(existsSync(path + '-wal')).toBe(false);
}

const oneLine = (m: string | undefined) => expect(m).not.toMatch(/\n|\bat .*\(|SqliteError/);

describe('paths that are not database files', () => {
  it('a FIFO is refused before SQLite opens it (no hang), with one line naming it', () => {
    const dir = tempDir();
    const path = join(dir, 'runs.db');
    execFileSync('mkfifo', [path]);
    const r = openInChild({ path });
    expect(r).toMatchObject({ ok: false, name: 'StoreError', code: 'OPEN' });
    expect(r.message).toBe(`${path} cannot be used as the run database: it is a FIFO (named pipe), not a database file; give --db the path of a regular file (or of one to create)`);
    // the default database too: not "damaged", so never moved aside
    const e = storeError(() => openStoreOrRecover({ dataDir: dir }));
    expect(e.code).toBe('OPEN');
    expect(readdirSync(dir)).toEqual(['runs.db']);
  });

  it('a folder, and a FIFO where SQLite keeps its -wal file, are refused the same way', () => {
    const dir = tempDir();
    const folder = join(dir, 'runs.db');
    mkdirSync(folder);
    const e = storeError(() => openStore({ path: folder }));
    expect(e.code).toBe('OPEN');
    expect(e.message).toBe(`${folder} cannot be used as the run database: it is a folder, not a database file; give --db the path of a regular file (or of one to create)`);

    const path = join(dir, 'other.db');
    openStore({ path }).close();
    execFileSync('mkfifo', [path + '-wal']);
    const r = openInChild({ path });
    expect(r).toMatchObject({ ok: false, code: 'OPEN' });
    expect(r.message).toBe(`${path} cannot be used as the run database: ${path}-wal is a FIFO (named pipe), not a database file; give --db the path of a regular file (or of one to create)`);
  });
});

describe('a read-only open', () => {
  it('of a path with no database is OPEN, and creates nothing', () => {
    const dir = tempDir();
    const path = join(dir, 'missing.db');
    const e = storeError(() => openStore({ path, readonly: true }));
    expect(e.code).toBe('OPEN');
    expect(e.message).toBe(`${path} cannot be used as the run database: there is no run database there; check the path (a run database is created by the first run recorded into it)`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a file that cannot be written', () => {
  it(`a chmod 0444 file (opened by ${asRoot ? 'another user, as root ignores permissions' : 'this user'}): refused for writing with one line; readonly: true lists its runs and refuses writes`, () => {
    const dir = tempDir();
    chmodSync(dir, 0o777); // the folder takes new files (-wal, -shm); only the file is read-only
    const path = join(dir, 'runs.db');
    populated(path);
    chmodSync(path, 0o444);
    const before = readFileSync(path);

    const rw = openInChild({ path }, { otherUser: true });
    expect(rw).toMatchObject({ ok: false, name: 'StoreError', code: 'READONLY' });
    expect(rw.message).toBe(
      `${path} is read-only (the file has no write permission for this user); Backprop Lab records runs in it and cannot write there. Make it writable, or use another --db`,
    );
    expect(readdirSync(dir)).toEqual(['runs.db']); // refused before SQLite touched it

    const ro = openInChild({ path, readonly: true }, { otherUser: true, write: true });
    expect(ro).toMatchObject({ ok: true, readOnly: true, write: { ok: false, code: 'READONLY' } });
    expect(ro.runs!.sort()).toEqual(['first', 'second']);
    expect(ro.write!.message).toBe('the run database is read-only here, so it cannot be changed; make the file and its folder writable (or use another --db) to train, edit or import runs');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it(`a file in a folder that takes no new files (chmod 0555, ${asRoot ? 'as another user' : 'this user'}): READONLY, because SQLite keeps its -wal and -shm there`, () => {
    const dir = tempDir();
    const sub = join(dir, 'data');
    mkdirSync(sub);
    const path = join(sub, 'runs.db');
    populated(path);
    chmodSync(path, 0o666);
    chmodSync(dir, 0o755);
    chmodSync(sub, 0o555);
    const before = readFileSync(path);
    try {
      const rw = openInChild({ path }, { otherUser: true });
      expect(rw).toMatchObject({ ok: false, code: 'READONLY' });
      expect(rw.message).toBe(
        `${path} is read-only (its folder, where SQLite keeps the -wal and -shm files, has no write permission for this user); Backprop Lab records runs in it and cannot write there. Make it writable, or use another --db`,
      );
      const ro = openInChild({ path, readonly: true }, { otherUser: true });
      expect(ro).toMatchObject({ ok: false, code: 'READONLY' });
      expect(ro.message).toBe(
        `${path} is read-only (its folder cannot be written, so SQLite cannot create its -wal and -shm files); Backprop Lab records runs in it and cannot write there. Make it writable, or use another --db`,
      );
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      chmodSync(sub, 0o755);
    }
  });
});

/** chattr +i works here (root, and a file system with the attribute: ext4, xfs, btrfs; not tmpfs or overlayfs). */
function immutableWorks(dir: string): boolean {
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}
const immutableDir = tempDir();

describe('an immutable file', () => {
  it.runIf(immutableWorks(immutableDir))('(chattr +i, which even root cannot write) is READONLY for writing and still opens read-only', () => {
    const path = join(immutableDir, 'runs.db');
    populated(path);
    const before = readFileSync(path);
    execFileSync('chattr', ['+i', path]);
    try {
      const e = storeError(() => openStore({ path }));
      expect(e.code).toBe('READONLY');
      expect(e.message).toBe(`${path} is read-only (the file is marked immutable); Backprop Lab records runs in it and cannot write there. Make it writable, or use another --db`);
      const ro = openStore({ path, readonly: true });
      expect(listRuns(ro).map((r) => r.name).sort()).toEqual(['first', 'second']);
      expect(storeError(() => ro.createRun(resolveConfig({}))).code).toBe('READONLY');
      ro.close();
    } finally {
      execFileSync('chattr', ['-i', path]);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('damaged pages', () => {
  /** A populated database with one b-tree leaf page of the metrics table overwritten with zeros. */
  function damaged(dir: string): { path: string; bytes: Buffer; page: number } {
    const path = join(dir, 'runs.db');
    populated(path);
    const probe = openStore({ path });
    const pageSize = probe.db.pragma('page_size', { simple: true }) as number;
    const page = probe.db.prepare("SELECT pageno FROM dbstat WHERE name = 'metrics' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 5").pluck().get() as number;
    probe.close();
    expect(page).toBeGreaterThan(1);
    const bytes = readFileSync(path);
    bytes.fill(0, (page - 1) * pageSize, page * pageSize);
    writeFileSync(path, bytes);
    return { path, bytes, page };
  }

  it('check: true finds a damaged page at open: CORRUPT, one line naming the file, the file untouched', () => {
    const { path, bytes } = damaged(tempDir());
    const e = storeError(() => openStore({ path, check: true }));
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged or is not an SQLite database \\((quick_check: .+|database disk image is malformed)\\); it was left as it is\\. Move it aside or use another --db`));
    oneLine(e.message);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('without check, the first read that meets the damaged page is CORRUPT (one line, no path), not a raw SqliteError', () => {
    const { path, bytes } = damaged(tempDir());
    const store = openStore({ path });
    try {
      expect(listRuns(store).map((r) => r.name).sort()).toEqual(['first', 'second']); // the runs table is sound
      const ids = listRuns(store).map((r) => r.id);
      const e = storeError(() => {
        for (const id of ids) store.readMetrics(id);
      });
      expect(e.code).toBe('CORRUPT');
      expect(e.message).toMatch(/^the run database is damaged \(database disk image is malformed\); copy what can be read with `sqlite3 runs\.db \.recover`, or move the file aside to start a new one$/);
      expect(storeError(() => loadCurves(store, ids)).code).toBe('CORRUPT');
    } finally {
      store.close();
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('openStoreOrRecover never moves an explicit --db path aside; the default database is kept aside and replaced', () => {
    const dir = tempDir();
    const { path, bytes } = damaged(dir);
    expect(storeError(() => openStoreOrRecover({ path, check: true })).code).toBe('CORRUPT');
    expect(readdirSync(dir)).toEqual(['runs.db']);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    // moveAsideDamaged: false keeps even the default database where it is
    expect(storeError(() => openStoreOrRecover({ dataDir: dir, check: true, moveAsideDamaged: false })).code).toBe('CORRUPT');
    expect(readdirSync(dir)).toEqual(['runs.db']);

    const { store, movedTo, notice } = openStoreOrRecover({ dataDir: dir, check: true });
    expect(readFileSync(movedTo!).equals(bytes)).toBe(true);
    expect(notice).toMatch(/^The run database could not be read \((quick_check: .+|database disk image is malformed)\)\. It was kept as .*runs\.db\.corrupt-[\dT-]+Z and a new, empty database was started\.$/);
    expect(listRuns(store)).toEqual([]);
    store.close();
  });
});
