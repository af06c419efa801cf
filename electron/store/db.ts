// Where the database lives and how it is opened: pragmas, refusing a newer or damaged file without touching it,
// migrations, and the app's way on with a fresh database when the old one is damaged (kept aside, never deleted).

import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError, validate } from './errors';
import { APPLICATION_ID, MIGRATIONS, migrate, tooNewMessage, type Migration } from './migrations';
import { Store } from './store';

/** The database's file name inside the data folder. */
export const DB_FILE_NAME = 'runs.db';
/** The folder name under the OS's per-user application data folder (Electron's default userData for this app). */
export const APP_DIR_NAME = 'backprop-lab';

/**
 * The per-user data folder the command line and browser mode use when no --db is given:
 * BACKPROP_LAB_DATA_DIR when set, else %APPDATA%\backprop-lab (Windows), ~/Library/Application Support/backprop-lab
 * (macOS), $XDG_CONFIG_HOME/backprop-lab or ~/.config/backprop-lab (Linux and others) — the folder Electron's
 * app.getPath('userData') gives for an app named backprop-lab, so the app and the CLI share one database.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const override = env['BACKPROP_LAB_DATA_DIR'];
  if (override) return resolve(override);
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), APP_DIR_NAME);
}

export interface OpenStoreOptions {
  /** The database file (--db PATH). Wins over dataDir. */
  path?: string;
  /** A folder that holds runs.db (the app passes app.getPath('userData')). Default: defaultDataDir(). */
  dataDir?: string;
  /** Run PRAGMA quick_check at open, so damage anywhere in the file is found now rather than on first read. */
  check?: boolean;
  /** Tests only: another list of migrations. */
  migrations?: readonly Migration[];
  /**
   * better-sqlite3's compiled module to load instead of its default build: the Electron app in development
   * passes the Electron-ABI build that scripts/ensure-electron-native.mjs keeps beside the Node one.
   */
  nativeBinding?: string;
}

const openOptions = z.object({
  path: z.string().min(1, 'must be a file path').optional(),
  dataDir: z.string().min(1, 'must be a folder path').optional(),
  check: z.boolean().optional(),
  migrations: z.array(z.any()).optional(),
  nativeBinding: z.string().min(1).optional(),
});

/** The database file openStore would use for these options. */
export function resolveDbPath(opts: OpenStoreOptions = {}): string {
  if (opts.path) return opts.path === ':memory:' ? opts.path : resolve(opts.path);
  return join(opts.dataDir ? resolve(opts.dataDir) : defaultDataDir(), DB_FILE_NAME);
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** The first bytes of a non-empty file that is not SQLite, checked before SQLite opens (and so writes nothing). */
function headerProblem(path: string): string | null {
  if (!existsSync(path) || statSync(path).size === 0) return null;
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(SQLITE_MAGIC) ? null : 'it does not start with the SQLite header';
}

function corrupt(path: string, reason: string, cause?: unknown): StoreError {
  return new StoreError(
    'CORRUPT',
    `${path} is damaged or is not an SQLite database (${reason}); it was left as it is. ` +
      `Move it aside or use another --db (the app keeps it as ${DB_FILE_NAME}.corrupt-<time> and starts a new one)`,
    { cause, detail: reason },
  );
}

const isSqliteDamage = (e: unknown) => /^SQLITE_(CORRUPT|NOTADB)/.test(String((e as { code?: unknown })?.code ?? ''));

/**
 * Opens (creating if needed) the run database and brings its schema up to date.
 * Throws StoreError TOO_NEW (a newer app wrote it), CORRUPT (damaged / not SQLite) or NOT_OURS (another
 * program's SQLite database); in each case the file is left byte for byte as it was.
 */
export function openStore(options: OpenStoreOptions = {}): Store {
  const opts = validate(openOptions, options, 'openStore') as OpenStoreOptions;
  const path = resolveDbPath(opts);
  const migrations = opts.migrations ?? MIGRATIONS;
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    const problem = headerProblem(path);
    if (problem) throw corrupt(path, problem);
  }
  const db = opts.nativeBinding ? new Database(path, { nativeBinding: opts.nativeBinding }) : new Database(path);
  try {
    // Wait up to 5 s for another process's lock (the app, the CLI, browser mode) instead of failing with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
    // Read-only looks first: a newer or foreign database must not be touched, not even switched to WAL.
    let version: number, appId: number, tables: string[];
    try {
      version = db.pragma('user_version', { simple: true }) as number;
      appId = db.pragma('application_id', { simple: true }) as number;
      tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[]);
    } catch (e) {
      if (isSqliteDamage(e)) throw corrupt(path, (e as Error).message, e);
      throw e;
    }
    if (version > migrations.length) throw new StoreError('TOO_NEW', tooNewMessage(path, version, migrations.length));
    if (appId !== 0 && appId !== APPLICATION_ID) {
      throw new StoreError('NOT_OURS', `${path} is an SQLite database of another program (application_id ${appId}); use another --db`);
    }
    if (version === 0 && tables.length > 0) {
      throw new StoreError('NOT_OURS', `${path} is an SQLite database but not a Backprop Lab one (it has the tables ${tables.slice(0, 5).join(', ')}); use another --db`);
    }
    try {
      // WAL: readers (the app's run list) never block the writer (a training run) and vice versa, and a commit is
      // one append to the -wal file, so the CLI can record while the app has the database open.
      db.pragma('journal_mode = WAL');
      // NORMAL, set explicitly (the compiled-in default is FULL): in WAL mode a committed transaction survives the
      // process being killed (it is in the OS's file cache); only an OS crash or power loss can lose the last few
      // commits, and even then the database stays consistent. FULL would fsync on every metrics batch for nothing
      // a training lab needs.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, migrations, path);
      if (opts.check) {
        const res = db.pragma('quick_check', { simple: true }) as string;
        if (res !== 'ok') throw corrupt(path, `quick_check: ${res}`);
      }
    } catch (e) {
      if (isSqliteDamage(e)) throw corrupt(path, (e as Error).message, e);
      throw e;
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return new Store(db, path);
}

export interface RecoveredStore {
  store: Store;
  /** A sentence the app can show when the old file was damaged and set aside; null when nothing happened. */
  notice: string | null;
  /** Where the damaged file was moved. */
  movedTo?: string;
}

/** `2024-05-01T10-20-30-123Z`: a timestamp that is a valid file name everywhere. */
function fileStamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/**
 * openStore, but a damaged or non-SQLite file is moved aside (runs.db → runs.db.corrupt-<time>, with its -wal and
 * -shm) and a fresh database is opened in its place. A newer or foreign database is still refused (TOO_NEW,
 * NOT_OURS): it is not damaged, and the user should decide.
 */
export function openStoreOrRecover(options: OpenStoreOptions = {}): RecoveredStore {
  try {
    return { store: openStore(options), notice: null };
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== 'CORRUPT') throw e;
    const path = resolveDbPath(options);
    let movedTo = `${path}.corrupt-${fileStamp()}`;
    for (let i = 2; existsSync(movedTo); i++) movedTo = `${path}.corrupt-${fileStamp()}-${i}`;
    renameSync(path, movedTo);
    for (const side of ['-wal', '-shm']) if (existsSync(path + side)) renameSync(path + side, movedTo + side);
    const store = openStore(options);
    const reason = e.detail ?? 'it could not be read';
    return {
      store,
      movedTo,
      notice: `The run database could not be read (${reason}). It was kept as ${movedTo} and a new, empty database was started.`,
    };
  }
}
