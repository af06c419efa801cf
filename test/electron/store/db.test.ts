// Opening the database: where it lives, the pragmas, and the files it refuses — newer, damaged, not SQLite,
// another program's — which it must leave byte for byte as they were.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, openStore, openStoreOrRecover, resolveDbPath, SCHEMA_VERSION } from '../../../electron/store/index';
import { tempDir, storeError } from './helpers';

describe('where the database lives', () => {
  it('uses BACKPROP_LAB_DATA_DIR, else the per-user folder Electron would give the app on each OS', () => {
    expect(defaultDataDir({ BACKPROP_LAB_DATA_DIR: '/data/lab' }, 'linux', '/home/u')).toBe('/data/lab');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/backprop-lab');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/backprop-lab');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/backprop-lab');
    expect(defaultDataDir({ APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32', 'C:/Users/u')).toMatch(/^C:\/Users\/u\/AppData\/Roaming[\\/]backprop-lab$/);
  });

  it('takes --db PATH over a data folder, and a data folder (created if missing) holds runs.db', () => {
    const dir = tempDir();
    expect(resolveDbPath({ path: join(dir, 'x.db'), dataDir: '/elsewhere' })).toBe(join(dir, 'x.db'));
    const store = openStore({ dataDir: join(dir, 'new', 'folder') });
    expect(store.path).toBe(join(dir, 'new', 'folder', 'runs.db'));
    expect(existsSync(store.path)).toBe(true);
    store.close();
  });

  it('opens in WAL mode with synchronous NORMAL, foreign keys on and a 5 s busy timeout', () => {
    const store = openStore({ path: join(tempDir(), 'runs.db') });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    store.close();
    expect(store.isOpen).toBe(false);
    store.close(); // idempotent
  });

  it('validates its options, naming the value', () => {
    expect(() => openStore({ path: 42 } as never)).toThrow('openStore: options.path must be a string, got 42');
  });
});

describe('files it refuses and leaves untouched', () => {
  it('refuses a database written by a newer version with a clear error, and leaves the file byte for byte as it was', () => {
    const path = join(tempDir(), 'runs.db');
    const db = new Database(path);
    db.exec('CREATE TABLE future (x)');
    db.pragma('user_version = 7');
    db.close();
    const before = readFileSync(path);
    const err = storeError(() => openStore({ path }));
    expect(err.code).toBe('TOO_NEW');
    expect(err.message).toBe(`${path} was written by a newer version of Backprop Lab (schema 7, this version knows ${SCHEMA_VERSION}); update the app or use another --db`);
    expect(readFileSync(path).equals(before)).toBe(true);
    // not even switched to WAL, and openStoreOrRecover does not move it aside either
    expect(() => openStoreOrRecover({ path })).toThrow(/newer version of Backprop Lab/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(join(path, '..')).filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  it('refuses a file that is not SQLite with a clear error and never overwrites it', () => {
    const path = join(tempDir(), 'runs.db');
    const text = 'these are my notes, not a database\n'.repeat(200);
    writeFileSync(path, text);
    const err = storeError(() => openStore({ path }));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toMatch(/runs\.db is damaged or is not an SQLite database \(it does not start with the SQLite header\); it was left as it is\. Move it aside or use another --db/);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(existsSync(path + '-wal')).toBe(false);
  });

  it('refuses a damaged SQLite file (a garbled schema page) with a clear error and leaves it as it was', () => {
    const path = join(tempDir(), 'runs.db');
    const s = openStore({ path });
    s.createRun({} as never);
    s.close();
    const bytes = readFileSync(path);
    // keep the 100-byte header, garble the rest of page 1 (sqlite_master)
    for (let i = 100; i < 4096; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(path, bytes);
    const err = storeError(() => openStore({ path }));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toMatch(/is damaged or is not an SQLite database \(.*malformed.*\)/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses another program’s SQLite database', () => {
    const path = join(tempDir(), 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    const before = readFileSync(path);
    const err = storeError(() => openStore({ path }));
    expect(err.code).toBe('NOT_OURS');
    expect(err.message).toMatch(/is an SQLite database but not a Backprop Lab one \(it has the tables contacts\); use another --db/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('openStoreOrRecover keeps a damaged file aside as runs.db.corrupt-<time> and goes on with a fresh database, with a notice', () => {
    const dir = tempDir();
    const path = join(dir, 'runs.db');
    writeFileSync(path, 'garbage'.repeat(1000));
    const { store, notice, movedTo } = openStoreOrRecover({ dataDir: dir });
    expect(movedTo).toMatch(/runs\.db\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(readFileSync(movedTo!, 'utf8')).toBe('garbage'.repeat(1000));
    expect(notice).toBe(`The run database could not be read (it does not start with the SQLite header). It was kept as ${movedTo} and a new, empty database was started.`);
    expect(store.integrityCheck()).toBe('ok');
    expect(store.createRun({} as never).status).toBe('running');
    store.close();
    // a healthy database: nothing happens
    const again = openStoreOrRecover({ dataDir: dir });
    expect(again.notice).toBeNull();
    again.store.close();
  });

  it('runs quick_check at open when asked', () => {
    const store = openStore({ path: join(tempDir(), 'runs.db'), check: true });
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });
});
