// Numbered, append-only schema migrations, applied in one transaction against PRAGMA user_version
// (as Signal-Desktop does). Never edit a migration that has shipped: append a new one.

import type { Database } from 'better-sqlite3';
import { StoreError } from './errors';

export interface Migration {
  /** 1, 2, 3, …: the user_version the database has once this migration has run. */
  version: number;
  name: string;
  up(db: Database): void;
}

/** 'BPLB': PRAGMA application_id of a Backprop Lab database, so `file runs.db` and our own checks know it. */
export const APPLICATION_ID = 0x42504c42;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, tags, metrics, weights',
    up(db) {
      db.exec(`
        CREATE TABLE runs (
          rid INTEGER PRIMARY KEY,            -- internal key: metrics rows carry 1-3 bytes instead of a 36-byte uuid
          id TEXT NOT NULL UNIQUE,            -- public id (uuid), what the app, CLI and exports use
          name TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'stopped', 'interrupted')),
          dataset TEXT NOT NULL,              -- config.data.kind, a column so the run list can filter on it
          config TEXT NOT NULL CHECK (json_valid(config)),
          backend_name TEXT,                  -- the backend that actually ran, its mode and why it was chosen
          backend_mode TEXT,
          backend_precision TEXT,
          backend_reason TEXT,
          created_at INTEGER NOT NULL,        -- ms since the epoch
          started_at INTEGER,
          ended_at INTEGER,
          error TEXT,                         -- why it failed, stopped or was interrupted
          notes TEXT NOT NULL DEFAULT '',
          epochs_done INTEGER NOT NULL DEFAULT 0,
          final_cost REAL,                    -- at the parameters after the last update; NULL while running or when not finite
          train_accuracy REAL,
          test_cost REAL,
          test_accuracy REAL,
          writer_id TEXT,                     -- the process writing a running run: a per-process uuid, its pid and host,
          writer_pid INTEGER,                 -- and its last sign of life, so start-up recovery leaves live runs alone
          writer_host TEXT,
          heartbeat_at INTEGER
        ) STRICT;
        CREATE INDEX runs_by_created ON runs (created_at);
        CREATE INDEX runs_by_status ON runs (status);
        CREATE INDEX runs_by_final_cost ON runs (final_cost);
        CREATE INDEX runs_by_test_accuracy ON runs (test_accuracy);

        CREATE TABLE run_tags (
          run_id INTEGER NOT NULL REFERENCES runs (rid) ON DELETE CASCADE,
          tag TEXT NOT NULL,
          PRIMARY KEY (run_id, tag)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX run_tags_by_tag ON run_tags (tag, run_id);

        -- One row per (run, key, epoch); the key order makes a curve one range scan of the primary key.
        CREATE TABLE metrics (
          run_id INTEGER NOT NULL REFERENCES runs (rid) ON DELETE CASCADE,
          key TEXT NOT NULL,
          step INTEGER NOT NULL,
          value ANY CHECK (typeof(value) IN ('real', 'null')), -- NULL means NaN; ANY (not REAL) keeps -0.0 and ±Infinity as written
          ts INTEGER NOT NULL,                -- wall time, ms since the epoch
          PRIMARY KEY (run_id, key, step)
        ) STRICT, WITHOUT ROWID;

        -- Parameters W1, b1, W2, b2, … as one little-endian float64 blob, with their names and shapes as JSON.
        CREATE TABLE weights (
          run_id INTEGER NOT NULL REFERENCES runs (rid) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('final', 'checkpoint')),
          epoch INTEGER NOT NULL,
          shapes TEXT NOT NULL CHECK (json_valid(shapes)),
          data BLOB NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (run_id, kind, epoch)
        ) STRICT;
      `);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    },
  },
  {
    version: 2,
    name: 'sweeps; runs link to their sweep; status pruned',
    up(db) {
      db.exec(`
        CREATE TABLE sweeps (
          sid INTEGER PRIMARY KEY,            -- internal key, as runs.rid
          id TEXT NOT NULL UNIQUE,            -- public id (uuid)
          name TEXT NOT NULL,
          spec TEXT NOT NULL CHECK (json_valid(spec)),  -- sweepSpecToJson(spec): defaults filled in, reproduces the trials
          status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'stopped', 'interrupted')),
          trials INTEGER NOT NULL,            -- how many trials the spec makes (countTrials)
          queue TEXT,                         -- the queue's URL without credentials when run through BullMQ; NULL locally
          created_at INTEGER NOT NULL,        -- ms since the epoch
          started_at INTEGER,
          ended_at INTEGER,
          error TEXT,                         -- why it failed, stopped or was interrupted
          epochs_saved INTEGER NOT NULL DEFAULT 0,  -- by ASHA, against running every trial to the end
          writer_id TEXT,                     -- the process running the sweep, and its last sign of life (as runs)
          writer_pid INTEGER,
          writer_host TEXT,
          heartbeat_at INTEGER
        ) STRICT;
        CREATE INDEX sweeps_by_created ON sweeps (created_at);

        -- deleting a sweep keeps its runs unless they are deleted first (the user is asked)
        ALTER TABLE runs ADD COLUMN sweep_id INTEGER REFERENCES sweeps (sid) ON DELETE SET NULL;
        ALTER TABLE runs ADD COLUMN trial_index INTEGER;   -- Trial.index within its sweep
        ALTER TABLE runs ADD COLUMN worker TEXT;           -- the machine that trained it (queue workers' names)
        CREATE INDEX runs_by_sweep ON runs (sweep_id, trial_index) WHERE sweep_id IS NOT NULL;
      `);
      // runs.status gains 'pruned'. SQLite cannot ALTER a CHECK, and rebuilding runs would need foreign_keys OFF
      // (DROP TABLE runs cascades into metrics, weights and tags otherwise), which cannot change inside migrate()'s
      // transaction. So the CHECK is widened in place: SQLite's documented procedure for loosening a constraint
      // (sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"): rewrite the table's SQL in
      // sqlite_schema and bump schema_version. better-sqlite3 runs in defensive mode, which refuses
      // writable_schema: unsafeMode lifts it for these statements only.
      const from = "CHECK (status IN ('running', 'finished', 'failed', 'stopped', 'interrupted'))";
      const to = "CHECK (status IN ('running', 'finished', 'failed', 'stopped', 'interrupted', 'pruned'))";
      const sql = (db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'runs'`).get() as { sql: string }).sql;
      if (!sql.includes(from)) throw new Error(`runs.status's CHECK is not the one migration 1 wrote; cannot add 'pruned'`);
      const version = db.pragma('schema_version', { simple: true }) as number;
      db.unsafeMode(true);
      try {
        db.pragma('writable_schema = ON');
        db.prepare(`UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'runs'`).run(sql.replace(from, to));
        db.pragma(`schema_version = ${version + 1}`);
        db.pragma('writable_schema = OFF');
      } finally {
        db.unsafeMode(false);
      }
    },
  },
  {
    version: 3,
    name: 'runs record where they came from and how early stopping ended them; trainer states to continue a run',
    up(db) {
      db.exec(`
        -- a run cloned, re-run or continued from another: which, and how (the parent may be deleted later)
        ALTER TABLE runs ADD COLUMN parent_id INTEGER REFERENCES runs (rid) ON DELETE SET NULL;
        ALTER TABLE runs ADD COLUMN origin TEXT CHECK (origin IN ('continue', 'clone', 'rerun'));
        -- early stopping (NULL when it was off): whether it ended the run, and the epoch whose weights were kept
        ALTER TABLE runs ADD COLUMN stopped_early INTEGER CHECK (stopped_early IN (0, 1));
        ALTER TABLE runs ADD COLUMN best_epoch INTEGER;

        -- everything needed to continue a run bit for bit (engine/state.ts): parameters, optimizer state, epoch,
        -- the shuffle generator; kept with the final weights
        CREATE TABLE trainer_states (
          run_id INTEGER PRIMARY KEY REFERENCES runs (rid) ON DELETE CASCADE,
          epoch INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (json_valid(state)),
          created_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Throws unless versions run 1, 2, 3, … without gaps (a test holds the shipped list to this). */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration ${i} (${m.name}) has version ${m.version} but must have ${i + 1}: versions only increase by one`);
    }
  });
}

/** The message for a database from a newer app; openStore throws it before touching the file. */
export function tooNewMessage(path: string, found: number, known: number): string {
  return `${path} was written by a newer version of Backprop Lab (schema ${found}, this version knows ${known}); update the app or use another --db`;
}

/**
 * Brings the database to the last version in `migrations`: every pending migration and the new user_version in
 * ONE immediate transaction, so a crash or an error leaves the database at its old version. Another process
 * migrating at the same moment is waited for (busy_timeout) and its work is not repeated.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, path = db.name): { from: number; to: number } {
  checkMigrations(migrations);
  const known = migrations.length;
  const run = db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from > known) throw new StoreError('TOO_NEW', tooNewMessage(path, from, known));
    for (const m of migrations.slice(from)) {
      try {
        m.up(db);
      } catch (e) {
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}; the database was left at schema ${from}`, { cause: e });
      }
    }
    if (from < known) db.pragma(`user_version = ${known}`);
    return { from, to: Math.max(from, known) };
  });
  return run.immediate();
}
