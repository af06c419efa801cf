// Where the database lives and how it is opened: pragmas, refusing a newer or damaged file without touching it,
// migrations, and the app's way on with a fresh database when the old one is damaged (kept aside, never deleted).

import { accessSync, closeSync, constants as fsConstants, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError, sqliteCode, validate } from './errors';
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
  /**
   * Run PRAGMA quick_check at open (before anything is written), so damage anywhere in the file is found now
   * (CORRUPT) rather than by the first read that meets it. Costs one pass over the file: right for a long-lived
   * host (the app, serve), not needed for a one-shot command.
   */
  check?: boolean;
  /**
   * Open for reading only: list, show, compare and export work; every write throws StoreError READONLY and
   * recoverInterrupted() does nothing. Nothing is migrated; a file that would need migrating is refused (READONLY).
   * Without it, a file that cannot be written is refused at open with READONLY.
   */
  readonly?: boolean;
  /**
   * How long SQLite may wait for another program's lock on each write once the store is open, in ms; after that
   * the write throws StoreError BUSY (nothing written; retry it). SQLite waits by sleeping on the calling thread,
   * so a host with an event loop (the server, the core) should pass something small (0–20) and retry with
   * isTransient(). Default 5000.
   */
  busyTimeoutMs?: number;
  /**
   * How long openStore itself waits for another program's lock (it takes the write lock once, to migrate)
   * before it gives up with StoreError LOCKED. Default 5000.
   */
  openWaitMs?: number;
  /** Tests only: another list of migrations. */
  migrations?: readonly Migration[];
  /**
   * better-sqlite3's compiled module to load instead of its default build: the Electron app in development
   * passes the Electron-ABI build that scripts/ensure-electron-native.mjs keeps beside the Node one.
   */
  nativeBinding?: string;
}

/** busy_timeout of an open store when busyTimeoutMs is not given (and the longest openStore waits by default). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

const waitMs = z.number().int().min(0).max(600_000);
const openOptions = z.object({
  path: z.string().min(1, 'must be a file path').optional(),
  dataDir: z.string().min(1, 'must be a folder path').optional(),
  check: z.boolean().optional(),
  readonly: z.boolean().optional(),
  busyTimeoutMs: waitMs.optional(),
  openWaitMs: waitMs.optional(),
  migrations: z.array(z.any()).optional(),
  nativeBinding: z.string().min(1).optional(),
});

/** The database file openStore would use for these options. */
export function resolveDbPath(opts: OpenStoreOptions = {}): string {
  if (opts.path) return opts.path === ':memory:' ? opts.path : resolve(opts.path);
  return join(opts.dataDir ? resolve(opts.dataDir) : defaultDataDir(), DB_FILE_NAME);
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** The first bytes of a non-empty regular file that is not SQLite, checked before SQLite opens (and so writes nothing). */
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

/** What a path that exists is, when it is not a regular file: "a folder", "a FIFO (named pipe)", … */
function notAFile(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

const errno = (e: unknown) => String((e as NodeJS.ErrnoException)?.code ?? '');

function readOnlyError(path: string, why: string, cause?: unknown): StoreError {
  return new StoreError(
    'READONLY',
    `${path} is read-only (${why}); Backprop Lab records runs in it and cannot write there. Make it writable, or use another --db`,
    { cause, detail: why },
  );
}

function openError(path: string, why: string, fix: string, cause?: unknown): StoreError {
  return new StoreError('OPEN', `${path} cannot be used as the run database: ${why}; ${fix}`, { cause, detail: why });
}

/**
 * Checks made with the file system before SQLite sees the path: the folder exists (created if missing), the path
 * and its -wal and -shm companions are regular files when they exist (SQLite would block forever on a FIFO and
 * fail obscurely on a folder or device), the header is SQLite's, and — unless opening read-only — the file and its
 * folder can be written. Nothing here writes to the file.
 */
function checkPath(path: string, readonly: boolean): void {
  const dir = dirname(path);
  if (!readonly) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      const code = errno(e);
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') throw readOnlyError(path, `its folder ${dir} cannot be created here`, e);
      throw openError(path, `its folder ${dir} cannot be created (${code || (e as Error).message})`, 'use another --db', e);
    }
  }
  let dirStat: Stats;
  try {
    dirStat = statSync(dir);
  } catch (e) {
    throw openError(path, `its folder ${dir} does not exist`, 'create it or use another --db', e);
  }
  if (!dirStat.isDirectory()) throw openError(path, `${dir} is not a folder`, 'use another --db');
  for (const p of [path, path + '-wal', path + '-shm']) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      if (errno(e) === 'ENOENT') continue;
      throw openError(path, `${p} cannot be inspected (${errno(e) || (e as Error).message})`, 'check its permissions or use another --db', e);
    }
    const kind = notAFile(st);
    if (kind) throw openError(path, `${p === path ? 'it' : p} is ${kind}, not a database file`, 'give --db the path of a regular file (or of one to create)');
  }
  const problem = headerProblem(path);
  if (problem) throw corrupt(path, problem);
  if (!readonly) {
    const exists = existsSync(path);
    const probe = (p: string, what: string) => {
      try {
        accessSync(p, fsConstants.W_OK);
      } catch (e) {
        const code = errno(e);
        const how = code === 'EROFS' ? 'is on a read-only file system' : code === 'EPERM' ? 'is marked immutable' : 'has no write permission for this user';
        throw readOnlyError(path, `${what} ${how}`, e);
      }
    };
    if (exists) probe(path, 'the file');
    // SQLite keeps runs.db-wal and runs.db-shm beside the file: the folder must take new files too
    probe(dir, exists ? 'its folder, where SQLite keeps the -wal and -shm files,' : 'its folder');
  }
}

/**
 * SQLite's error during openStore as the StoreError that names the file: LOCKED, READONLY, CORRUPT or OPEN.
 * Anything that is not SQLite's (a StoreError already, a migration's own failure) is returned as it is.
 */
function openFailure(path: string, e: unknown, waitedMs: number): unknown {
  const code = sqliteCode(e);
  if (!code) return e;
  const said = (e as Error).message;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    const waited = waitedMs >= 1000 ? `${Math.round(waitedMs / 100) / 10} s` : `${waitedMs} ms`;
    return new StoreError(
      'LOCKED',
      `${path} is locked by another program (still locked after waiting ${waited}); close the program that has it open (another Backprop Lab, a sqlite3 shell, a backup tool) or use another --db`,
      { cause: e, detail: said },
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    const why = code === 'SQLITE_READONLY_DIRECTORY' ? 'its folder cannot be written, so SQLite cannot create its -wal and -shm files' : said;
    return readOnlyError(path, why, e);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return corrupt(path, said, e);
  if (code.startsWith('SQLITE_CANTOPEN')) return openError(path, `SQLite cannot open it (${said})`, 'check that the file and its folder exist and can be read, or use another --db', e);
  if (code.startsWith('SQLITE_IOERR')) return openError(path, `reading it failed (${said})`, 'check the disk it is on, or use another --db', e);
  return e;
}

/**
 * Opens (creating if needed) the run database and brings its schema up to date.
 * Every failure to open is a StoreError with a one-line message that names the file and the way out, and the file
 * is left byte for byte as it was:
 * OPEN (a folder, FIFO, device; a folder that cannot be created), READONLY (the file or its folder cannot be
 * written — see the readonly option), LOCKED (another program held the lock for openWaitMs), TOO_NEW (a newer app
 * wrote it), CORRUPT (damaged or not SQLite; with `check`, damage anywhere in the file) or NOT_OURS (another
 * program's SQLite database).
 */
export function openStore(options: OpenStoreOptions = {}): Store {
  const opts = validate(openOptions, options, 'openStore') as OpenStoreOptions;
  const path = resolveDbPath(opts);
  const migrations = opts.migrations ?? MIGRATIONS;
  const readonly = opts.readonly ?? false;
  const openWait = opts.openWaitMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (readonly && path === ':memory:') throw new StoreError('INVALID', 'openStore: an in-memory database cannot be opened read-only');
  if (path !== ':memory:') checkPath(path, readonly);
  let db: Database.Database;
  try {
    db = new Database(path, {
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      ...(readonly ? { readonly: true, fileMustExist: true } : {}),
    });
  } catch (e) {
    if (readonly && sqliteCode(e).startsWith('SQLITE_CANTOPEN') && !existsSync(path)) {
      throw openError(path, 'there is no run database there', 'check the path (a run database is created by the first run recorded into it)', e);
    }
    throw openFailure(path, e, 0);
  }
  try {
    // While opening, wait up to openWait for another process's lock (the app, the CLI, browser mode migrating or
    // committing a batch) instead of failing at once; a lock held longer than that is LOCKED.
    db.pragma(`busy_timeout = ${openWait}`);
    // Read-only looks first: a newer, foreign or damaged database must not be touched, not even switched to WAL.
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[];
    if (version > migrations.length) throw new StoreError('TOO_NEW', tooNewMessage(path, version, migrations.length));
    if (appId !== 0 && appId !== APPLICATION_ID) {
      throw new StoreError('NOT_OURS', `${path} is an SQLite database of another program (application_id ${appId}); use another --db`);
    }
    if (version === 0 && tables.length > 0) {
      throw new StoreError('NOT_OURS', `${path} is an SQLite database but not a Backprop Lab one (it has the tables ${tables.slice(0, 5).join(', ')}); use another --db`);
    }
    if (opts.check) {
      const res = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
      if (res.join('\n') !== 'ok') throw corrupt(path, `quick_check: ${res[0]}${res.length > 1 ? ` and ${res.length - 1} more problems` : ''}`);
    }
    if (readonly) {
      if (version < migrations.length) {
        throw new StoreError(
          'READONLY',
          version === 0
            ? `${path} has no runs yet and was opened read-only; open it for writing to record runs`
            : `${path} has schema ${version} and needs upgrading to ${migrations.length}, which a read-only open cannot do; open it once with write access (or make it writable)`,
        );
      }
      db.pragma('foreign_keys = ON');
    } else {
      // WAL: readers (the app's run list) never block the writer (a training run) and vice versa, and a commit is
      // one append to the -wal file, so the CLI can record while the app has the database open.
      db.pragma('journal_mode = WAL');
      // NORMAL, set explicitly (the compiled-in default is FULL): in WAL mode a committed transaction survives the
      // process being killed (it is in the OS's file cache); only an OS crash or power loss can lose the last few
      // commits, and even then the database stays consistent. FULL would fsync on every metrics batch for nothing
      // a training lab needs.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Takes the write lock once even when nothing is pending: a file SQLite could only open read-only, or one
      // whose lock another program holds, is found here and not by the first run's first write.
      migrate(db, migrations, path);
    }
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
  } catch (e) {
    db.close();
    throw openFailure(path, e, openWait);
  }
  return new Store(db, path, { readOnly: readonly });
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

export interface RecoverOptions extends OpenStoreOptions {
  /**
   * Move a damaged file aside and start a new one (default true). Only ever the default database (no `path`:
   * dataDir or the per-user folder): a file named explicitly (--db PATH) is never moved; its CORRUPT is thrown.
   */
  moveAsideDamaged?: boolean;
}

/**
 * openStore, but a damaged or non-SQLite default database is moved aside (runs.db → runs.db.corrupt-<time>, with
 * its -wal and -shm) and a fresh database is opened in its place. A newer or foreign database is still refused
 * (TOO_NEW, NOT_OURS): it is not damaged, and the user should decide; so is every other failure to open (OPEN,
 * READONLY, LOCKED), and a damaged file given as `path`, which is never moved.
 */
export function openStoreOrRecover(options: RecoverOptions = {}): RecoveredStore {
  const { moveAsideDamaged = true, ...open } = options;
  try {
    return { store: openStore(open), notice: null };
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== 'CORRUPT' || !moveAsideDamaged || open.path !== undefined) throw e;
    const path = resolveDbPath(open);
    let movedTo = `${path}.corrupt-${fileStamp()}`;
    for (let i = 2; existsSync(movedTo); i++) movedTo = `${path}.corrupt-${fileStamp()}-${i}`;
    renameSync(path, movedTo);
    for (const side of ['-wal', '-shm']) if (existsSync(path + side)) renameSync(path + side, movedTo + side);
    const store = openStore(open);
    const reason = e.detail ?? 'it could not be read';
    return {
      store,
      movedTo,
      notice: `The run database could not be read (${reason}). It was kept as ${movedTo} and a new, empty database was started.`,
    };
  }
}
