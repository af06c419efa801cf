// The store's one error type (the caller branches on `code`) and input validation with zod, whose issues are
// turned into one message that names the function, the field and the value it got.

import type { z } from 'zod';

/**
 * What went wrong, for callers that branch:
 * - NOT_FOUND: no run with that id
 * - INVALID: an argument failed validation (the message names it)
 * - STATE: the run is not in a state that allows this (e.g. finishing a run that already finished)
 * - BUSY: another program holds the database's lock right now; nothing was written, the same call may be retried
 *   (transient: see isTransient)
 * Opening the database (openStore; the file is left untouched in each case):
 * - OPEN: the path cannot be a database: a folder, a FIFO, a device, a folder that cannot be created
 * - READONLY: the file (or its folder, where SQLite keeps the -wal and -shm files) cannot be written; also what a
 *   write to a store opened with `readonly: true` throws
 * - LOCKED: another program held the database's lock for the whole time openStore waits (openWaitMs)
 * - TOO_NEW: the database was written by a newer Backprop Lab
 * - CORRUPT: the file is damaged or not an SQLite database (see openStoreOrRecover); also thrown by a read that
 *   meets a damaged page after a successful open
 * - NOT_OURS: a valid SQLite database that belongs to something else
 * And while working on an open database: FULL (the disk is full), IO (the disk failed to read or write).
 */
export type StoreErrorCode =
  | 'NOT_FOUND'
  | 'INVALID'
  | 'STATE'
  | 'BUSY'
  | 'OPEN'
  | 'READONLY'
  | 'LOCKED'
  | 'TOO_NEW'
  | 'CORRUPT'
  | 'NOT_OURS'
  | 'FULL'
  | 'IO';

export class StoreError extends Error {
  /** A short reason without the advice (e.g. for CORRUPT, what SQLite said). */
  readonly detail?: string;
  constructor(readonly code: StoreErrorCode, message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.name = 'StoreError';
    if (options?.detail !== undefined) this.detail = options.detail;
  }
}

/**
 * Is this a transient failure, worth retrying after a moment? True for StoreError BUSY and for SQLite's own
 * SQLITE_BUSY / SQLITE_LOCKED (and their extended codes) should one escape unconverted. LOCKED from openStore is
 * not transient: openStore has already waited.
 */
export function isTransient(e: unknown): boolean {
  if (e instanceof StoreError) return e.code === 'BUSY';
  return /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(e));
}

/** SQLite's error code of a better-sqlite3 SqliteError (SQLITE_BUSY, SQLITE_READONLY_DIRECTORY, …), else ''. */
export function sqliteCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : '';
}

/**
 * SQLite's error from work on an open database as the StoreError a caller branches on: BUSY, READONLY, CORRUPT,
 * FULL or IO, with a one-line message that names neither a path nor a stack (it may reach a web page); SQLite's own
 * words are in `detail`. Anything else (a StoreError, a bug) is returned as it is.
 */
export function fromSqlite(e: unknown): unknown {
  const code = sqliteCode(e);
  if (!code) return e;
  const said = (e as Error).message;
  const opts = { cause: e, detail: said };
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return new StoreError('BUSY', 'the run database is locked by another program; nothing was written, try again in a moment', opts);
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError('READONLY', 'the run database is read-only here, so it cannot be changed; make the file and its folder writable (or use another --db) to train, edit or import runs', opts);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('CORRUPT', `the run database is damaged (${said}); copy what can be read with \`sqlite3 runs.db .recover\`, or move the file aside to start a new one`, opts);
  }
  if (code === 'SQLITE_FULL') return new StoreError('FULL', 'the disk that holds the run database is full; free some space and try again', opts);
  if (code.startsWith('SQLITE_IOERR')) return new StoreError('IO', `the run database could not be read or written (${said}); check the disk it is on`, opts);
  return e;
}

/** A value as it appears in a message: strings quoted, numbers as JS prints them (NaN, -0 stay visible). */
export function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + '…' : s;
  } catch {
    return String(v);
  }
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const A = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** "must be …" for zod's common issues; a message written in a schema (e.g. 'must be a run id') is kept. */
function phrase(issue: z.core.$ZodIssue): string {
  const m = issue.message;
  if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(m)) return m;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'int' ? 'an integer' : A(String(issue.expected))}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small': {
      const n = String(issue.minimum);
      if (issue.origin === 'string') return `must have at least ${n} character${n === '1' ? '' : 's'}`;
      if (issue.origin === 'array') return `must have at least ${n} item${n === '1' ? '' : 's'}`;
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${n}`;
    }
    case 'too_big': {
      const n = String(issue.maximum);
      if (issue.origin === 'string') return `must have at most ${n} characters`;
      if (issue.origin === 'array') return `must have at most ${n} items`;
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${n}`;
    }
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return m.replace(/^Invalid (input|option): /, '');
  }
}

/**
 * Parses `value` with `schema` or throws StoreError('INVALID') such as
 * `listRuns: query.sort must be one of "date", "finalCost", "testAccuracy", got "cost"`.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string, name = 'options'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const parts = r.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
    const field = (name + path).replace(/^\./, '');
    return `${field} ${phrase(issue)}, got ${show(at(value, issue.path))}`;
  });
  throw new StoreError('INVALID', `${where}: ${parts.join('; ')}`);
}
