// Which run database a command uses (--db PATH, else $BACKPROP_LAB_DATA_DIR/runs.db, else the app's data folder)
// and opening it with the store's errors (newer, damaged, foreign file) turned into one-line messages.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DB_FILE_NAME, defaultDataDir, openStore, StoreError, type Store } from '../store/index';
import { CORE_BUSY_TIMEOUT_MS } from '../core/index';
import { RUN_ID_PATTERN } from '../limits';
import type { OptionSpec } from './args';
import type { CliIO } from './io';

/** The --db option as every command that reads or writes runs lists it. */
export const DB_OPTION: OptionSpec = {
  flag: '--db',
  metavar: 'PATH',
  help: 'the run database',
  default: 'runs.db in $BACKPROP_LAB_DATA_DIR, else in the app’s data folder',
};

/** The database file: --db (relative to the command's folder), else runs.db in BACKPROP_LAB_DATA_DIR or the app's folder. */
export function cliDbPath(db: string | undefined, io: CliIO): string {
  if (db !== undefined) return resolve(io.cwd ?? process.cwd(), db);
  return join(defaultDataDir(io.env ?? process.env), DB_FILE_NAME);
}

/** A failure that the command reports as one line and exit code `code` (2: the user's input or file). */
export class CliError extends Error {
  constructor(message: string, readonly code = 2) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Opens (creating when `create`) the database at `path`, checked page by page, so a damaged file is named now
 * rather than half-way through a command. A store error — written by a newer Backprop Lab, damaged, another
 * program's, locked, read-only, not a regular file — becomes a CliError (exit 2) with the store's one line, and the
 * file is left as it is. With `readOnlyOk`, a file this user may not write is opened for reading (list, show,
 * compare, export work; a change is refused with the store's message). Without `create`, a missing file gives null.
 */
export function openCliStore(path: string, opts: { create: boolean; readOnlyOk?: boolean }): Store | null {
  if (!opts.create && !existsSync(path)) return null;
  try {
    // writes never busy-wait long: the core retries while another program holds the lock
    try {
      return openStore({ path, busyTimeoutMs: CORE_BUSY_TIMEOUT_MS, check: true });
    } catch (e) {
      if (!(opts.readOnlyOk && e instanceof StoreError && e.code === 'READONLY')) throw e;
      return openStore({ path, readonly: true, check: true });
    }
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message.split('\n')[0]!);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'ENOTDIR' || err.code === 'EISDIR' || err.code === 'SQLITE_CANTOPEN') {
      throw new CliError(`cannot open the run database ${path}: ${err.message}; choose another with --db PATH`);
    }
    throw e;
  }
}


/** The full id of the run `text` names (an id or its start); CliError for an unknown or ambiguous one. */
export function resolveId(store: Store, text: string): string {
  const unknown = () => new CliError(`no run matches ${JSON.stringify(text)} (see backprop-lab runs list)`);
  if (!RUN_ID_PATTERN.test(text)) throw unknown();
  try {
    return store.resolveRunId(text);
  } catch (e) {
    if (e instanceof StoreError && e.code === 'NOT_FOUND') throw unknown();
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
}

/** "3f2a1b2c": the start of a run id, as lists show it (any unique prefix is accepted back). */
export const shortId = (id: string): string => id.slice(0, 8);
