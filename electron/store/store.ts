// The Store: one open run database and everything that writes it — a run's lifecycle (running → finished |
// failed | stopped, or interrupted when its process died), batched metrics, weights, rename/tag/note/delete, and
// the start-up recovery that leaves runs alone while another live process is still training them.
// Reads for comparison (list, curves, diff) are functions in compare.ts.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { autoRunName, resolveConfig, type RunConfig } from '../../engine/config';
import type { Params } from '../../engine/init';
import type { TrainResult } from '../../engine/train';

/** How a run ended as the store records it: the engine's result, whose cost history and timing it does not need. */
export type RunOutcome = Pick<TrainResult, 'status' | 'epochs' | 'finalCost' | 'trainAccuracy' | 'testCost' | 'testAccuracy' | 'reason' | 'stoppedEarly' | 'bestEpoch'> &
  Partial<Pick<TrainResult, 'backend' | 'costHistory' | 'msPerEpoch'>>;
import { MAX_NAME_LENGTH, MAX_NOTES_LENGTH, MAX_REASON_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, RUN_ID_PATTERN } from '../limits';
import { StoreError, fromSqlite, show, validate } from './errors';
import { checkRows, decodeValue, encodeValue, type MetricRow } from './metrics';
import { decodeParams, encodeParams } from './weights';

export const RUN_STATUSES = ['running', 'finished', 'failed', 'stopped', 'interrupted', 'pruned'] as const;
export type RunState = (typeof RUN_STATUSES)[number];

/** The backend that actually ran, and why (engine BackendInfo). */
export interface BackendRecord {
  name: string;
  mode: string;
  precision: string;
  reason: string;
}

/** A run as the run list shows it. Times are ms since the epoch; metrics are null until known (or not finite). */
export interface RunSummary {
  id: string;
  name: string;
  status: RunState;
  dataset: string;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  epochsDone: number;
  finalCost: number | null;
  trainAccuracy: number | null;
  testCost: number | null;
  testAccuracy: number | null;
  backend: BackendRecord | null;
  /** Why it failed, stopped or was interrupted. */
  error: string | null;
  tags: string[];
  notes: string;
}

/**
 * A run's wall time in ms, the one meaning everywhere (run list, `runs show`, the dashboard):
 * endedAt − startedAt once it has ended; now − startedAt while it runs (status 'running', or the dashboard's
 * 'paused'); null without a start (an imported run that did not say) or when it ended without an end time.
 * Never negative (a clock set back gives 0).
 */
export function runDurationMs(run: Pick<RunSummary, 'startedAt' | 'endedAt'> & { status: string }, now: number = Date.now()): number | null {
  if (run.startedAt === null) return null;
  const end = run.endedAt ?? (run.status === 'running' || run.status === 'paused' ? now : null);
  return end === null ? null : Math.max(0, end - run.startedAt);
}

/** One run with everything but its metrics and weight values. */
export interface RunRecord extends RunSummary {
  config: RunConfig;
  /** The process that writes (or wrote) it, for a running run. */
  writer: { pid: number; host: string; heartbeatAt: number | null } | null;
  /** Stored parameter sets: the final weights and any checkpoints. */
  weights: { kind: 'final' | 'checkpoint'; epoch: number; values: number }[];
  /** Metric keys that have rows (train_cost, …). */
  metricKeys: string[];
  /** Where it came from (clone, re-run, continue), or null for a run started afresh. */
  lineage: RunLineage | null;
  /** Whether early stopping ended it; null when early stopping was off (or it has not ended). */
  stoppedEarly: boolean | null;
  /** The epoch whose weights early stopping kept; null when off. */
  bestEpoch: number | null;
  /** The epoch of its saved trainer state (what `train --continue` starts from), or null without one. */
  stateEpoch: number | null;
}

/** How a run came from another: continued from its trainer state, cloned from its configuration, or re-run. */
export const RUN_ORIGINS = ['continue', 'clone', 'rerun'] as const;
export type RunOrigin = (typeof RUN_ORIGINS)[number];

/** A run's parent: its id (null once the parent was deleted) and how this run came from it. */
export interface RunLineage {
  parent: string | null;
  origin: RunOrigin;
}

export interface InterruptedRun {
  id: string;
  name: string;
  epochsDone: number;
  pid: number | null;
}

/** Identifies this process's writes: runs it created are never "interrupted" by its own recovery. */
const PROCESS_WRITER_ID = randomUUID();
const HOST = hostname();

// ── validation ────────────────────────────────────────────────────────────────────────────────────────────
const runId = z.string().regex(RUN_ID_PATTERN, 'must be a run id (letters, digits, - and _)');
const name = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters'),
  );
const tag = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_TAG_LENGTH, `must be at most ${MAX_TAG_LENGTH} characters`)
      .regex(/^[^,\u0000-\u001f\u007f]*$/, 'must not contain commas or control characters'),
  );
const tags = z.array(tag).max(MAX_TAGS, `must be at most ${MAX_TAGS} tags`).transform((t) => [...new Set(t)]);
const notes = z.string().max(MAX_NOTES_LENGTH, `must be at most ${MAX_NOTES_LENGTH} characters`);
const backend = z.object({ name: z.string().max(100), mode: z.string().max(100), precision: z.string().max(100).default(''), reason: z.string().max(2000).default('') });
// z.number() refuses NaN and ±Infinity, which a diverged run's result holds
const finite = z.custom<number>((v) => typeof v === 'number', 'must be a number');
const trainResult = z.object({
  status: z.enum(['finished', 'stopped', 'diverged']),
  epochs: z.number().int().min(0),
  finalCost: finite,
  trainAccuracy: finite,
  testCost: finite.nullable(),
  testAccuracy: finite.nullable(),
  backend: backend.optional(),
  reason: z.string().optional(),
  stoppedEarly: z.boolean().optional(),
  bestEpoch: z.number().int().min(0).nullable().optional(),
});
const reason = z.string().min(1, 'must say why').max(MAX_REASON_LENGTH);
const createOptions = z
  .object({
    name: name.optional(),
    backend: backend.nullable().optional(),
    tags: tags.optional(),
    notes: notes.optional(),
    parent: z.object({ id: runId, origin: z.enum(RUN_ORIGINS) }).strict().optional(),
  })
  .strict();

/**
 * A reason as it is stored and shown (why a run failed, stopped or was interrupted): one line, without a stack
 * trace — the "    at …" lines of an exception are dropped and what is left is joined with spaces.
 */
export function reasonLine(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((l) => !/^\s+at\s/.test(l))
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/** Finite numbers are stored; NaN and ±Infinity in a final-metric column become NULL (unknown). */
const finalValue = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The name of a run nobody named: autoRunName ("moons · lr 0.01 · sgd"), made unique among the stored runs — the
 * second one with those settings is "moons · lr 0.01 · sgd #2", the next "#3" (one past the highest number taken,
 * so a deleted run's number is not handed to a newer run). Call it inside the transaction that inserts the run.
 * A name someone typed is kept as typed, duplicates and all; this rule is only for runs without one.
 */
function defaultName(db: Database, c: RunConfig): string {
  const base = autoRunName(c);
  const prefix = `${base} #`;
  // the base name itself, and the range scan of names that start with "<base> #"
  const taken = db
    .prepare<[string, string, string], string>('SELECT name FROM runs WHERE name = ? OR (name >= ? AND name < ?)')
    .pluck()
    .all(base, prefix, `${base} $`); // '$' is the character after '#'
  let highest = 0;
  for (const n of taken) {
    if (n === base) highest = Math.max(highest, 1);
    else {
      const m = /^ #([1-9]\d{0,8})$/.exec(n.slice(base.length));
      if (m) highest = Math.max(highest, Number(m[1]));
    }
  }
  return highest === 0 ? base : `${base} #${highest + 1}`;
}

function checkConfig(config: unknown, where: string): RunConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new StoreError('INVALID', `${where}: config must be a run configuration object, got ${show(config)}`);
  }
  try {
    return resolveConfig(config as RunConfig);
  } catch (e) {
    throw new StoreError('INVALID', `${where}: config: ${(e as Error).message}`, { cause: e });
  }
}

/** Is a process with this pid alive on this machine? (EPERM: it exists but belongs to someone else.) */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface RunRow {
  rid: number;
  id: string;
  name: string;
  status: RunState;
  dataset: string;
  config: string;
  backend_name: string | null;
  backend_mode: string | null;
  backend_precision: string | null;
  backend_reason: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  notes: string;
  epochs_done: number;
  final_cost: number | null;
  train_accuracy: number | null;
  test_cost: number | null;
  test_accuracy: number | null;
  writer_id: string | null;
  writer_pid: number | null;
  writer_host: string | null;
  heartbeat_at: number | null;
}

/** Columns of the run list (everything but the config JSON and the writer). */
export const SUMMARY_COLUMNS =
  'rid, id, name, status, dataset, backend_name, backend_mode, backend_precision, backend_reason, created_at, started_at, ended_at, error, notes, epochs_done, final_cost, train_accuracy, test_cost, test_accuracy';

export function summaryFromRow(r: Omit<RunRow, 'config' | 'writer_id' | 'writer_pid' | 'writer_host' | 'heartbeat_at'>, tagList: string[]): RunSummary {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    dataset: r.dataset,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    epochsDone: r.epochs_done,
    finalCost: r.final_cost,
    trainAccuracy: r.train_accuracy,
    testCost: r.test_cost,
    testAccuracy: r.test_accuracy,
    backend: r.backend_name === null ? null : { name: r.backend_name, mode: r.backend_mode ?? '', precision: r.backend_precision ?? '', reason: r.backend_reason ?? '' },
    error: r.error,
    tags: tagList,
    notes: r.notes,
  };
}

export interface ImportRunInput {
  /** Kept when free; a run with this id already in the database gets a new id (see the returned summary). */
  id?: string;
  name?: string;
  status?: Exclude<RunState, 'running'>;
  config: RunConfig;
  createdAt?: number;
  startedAt?: number | null;
  endedAt?: number | null;
  error?: string | null;
  backend?: BackendRecord | null;
  tags?: string[];
  notes?: string;
  final?: { epochs?: number; finalCost?: number | null; trainAccuracy?: number | null; testCost?: number | null; testAccuracy?: number | null };
  metrics?: MetricRow[];
  weights?: Params | null;
}

const time = z.number().int().min(0);
const importInput = z
  .object({
    id: runId.optional(),
    name: name.optional(),
    status: z.enum(['finished', 'failed', 'stopped', 'interrupted', 'pruned']).optional(),
    config: z.any(),
    createdAt: time.optional(),
    startedAt: time.nullable().optional(),
    endedAt: time.nullable().optional(),
    error: z.string().max(MAX_REASON_LENGTH).nullable().optional(),
    backend: backend.nullable().optional(),
    tags: tags.optional(),
    notes: notes.optional(),
    final: z
      .object({
        epochs: z.number().int().min(0).optional(),
        finalCost: finite.nullable().optional(),
        trainAccuracy: finite.nullable().optional(),
        testCost: finite.nullable().optional(),
        testAccuracy: finite.nullable().optional(),
      })
      .optional(),
    metrics: z.array(z.any()).optional(),
    weights: z.array(z.any()).nullable().optional(),
  })
  .strict();

export class Store {
  private closed = false;
  private readonly stmts;
  /**
   * Opened with `readonly: true`: reads work, every write throws StoreError READONLY, and recoverInterrupted()
   * does nothing (it would have to write).
   */
  readonly readOnly: boolean;

  /** Use openStore(); this wraps a database that is already open, configured and migrated. */
  constructor(readonly db: Database, readonly path: string, options: { readOnly?: boolean } = {}) {
    this.readOnly = options.readOnly ?? false;
    this.stmts = {
      byId: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
      ridStatus: db.prepare<[string], { rid: number; status: RunState; writer_id: string | null }>('SELECT rid, status, writer_id FROM runs WHERE id = ?'),
      tagsOf: db.prepare<[number], string>('SELECT tag FROM run_tags WHERE run_id = ? ORDER BY tag').pluck(),
      insertMetric: db.prepare(
        'INSERT INTO metrics (run_id, key, step, value, ts) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, key, step) DO UPDATE SET value = excluded.value, ts = excluded.ts',
      ),
      // A write from the run's own writer is a sign of life: it revives a run that recovery had given up on.
      touch: db.prepare(`UPDATE runs SET heartbeat_at = @now, epochs_done = max(epochs_done, @epochs),
          status = iif(status = 'interrupted' AND writer_id = @writer, 'running', status),
          error = iif(status = 'interrupted' AND writer_id = @writer, NULL, error),
          ended_at = iif(status = 'interrupted' AND writer_id = @writer, NULL, ended_at)
        WHERE rid = @rid`),
      putWeights: db.prepare('INSERT OR REPLACE INTO weights (run_id, kind, epoch, shapes, data, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      insertTag: db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)'),
    };
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Records a new run in status 'running', owned by this process (pid, host, heartbeat). */
  createRun(config: RunConfig, options: { name?: string; backend?: BackendRecord | null; tags?: string[]; notes?: string; parent?: { id: string; origin: RunOrigin } } = {}): RunRecord {
    const cfg = checkConfig(config, 'createRun');
    const o = validate(createOptions, options, 'createRun');
    const id = randomUUID();
    const now = Date.now();
    this.db
      .transaction(() => {
        const info = this.db
          .prepare(
            `INSERT INTO runs (id, name, status, dataset, config, backend_name, backend_mode, backend_precision, backend_reason,
               created_at, started_at, notes, writer_id, writer_pid, writer_host, heartbeat_at)
             VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(id, o.name ?? defaultName(this.db, cfg), cfg.data.kind, JSON.stringify(cfg), o.backend?.name ?? null, o.backend?.mode ?? null, o.backend?.precision ?? null, o.backend?.reason ?? null, now, now, o.notes ?? '', PROCESS_WRITER_ID, process.pid, HOST, now);
        for (const t of o.tags ?? []) this.stmts.insertTag.run(info.lastInsertRowid, t);
        if (o.parent) {
          const parent = this.stmts.ridStatus.get(o.parent.id);
          if (!parent) throw new StoreError('NOT_FOUND', `createRun: there is no parent run with id ${show(o.parent.id)}`);
          this.db.prepare('UPDATE runs SET parent_id = ?, origin = ? WHERE rid = ?').run(parent.rid, o.parent.origin, info.lastInsertRowid);
        }
      })
      .immediate();
    return this.getRun(id);
  }

  /**
   * Writes a batch of metric rows in ONE transaction (never call it per epoch: the MetricsRecorder batches).
   * A row for a (key, step) that exists replaces it. Returns the number of rows written.
   */
  appendMetrics(id: string, rows: MetricRow[]): number {
    const rid = this.writable(id, 'appendMetrics');
    checkRows(rows, 'appendMetrics');
    if (rows.length === 0) return 0;
    const now = Date.now();
    this.db
      .transaction(() => {
        let maxStep = -1;
        for (const r of rows) {
          this.stmts.insertMetric.run(rid, r.key, r.step, encodeValue(r.value), r.ts ?? now);
          if (r.step > maxStep) maxStep = r.step;
        }
        this.stmts.touch.run({ now, epochs: maxStep + 1, writer: PROCESS_WRITER_ID, rid });
      })
      .immediate();
    return rows.length;
  }

  /** Tells recovery that the writer of a running run is alive (the recorder calls it while a run is paused). */
  heartbeat(id: string): void {
    const rid = this.writable(id, 'heartbeat');
    this.stmts.touch.run({ now: Date.now(), epochs: 0, writer: PROCESS_WRITER_ID, rid });
  }

  /**
   * Ends a run with the engine's result: status 'finished', or 'stopped' / 'failed' (diverged) as the result says,
   * the final metrics, the backend that ran, and the final weights when given (one transaction).
   */
  finishRun(id: string, result: RunOutcome, params?: Params): RunRecord {
    const r = validate(trainResult, result, 'finishRun', 'result');
    const status: RunState = r.status === 'finished' ? 'finished' : r.status === 'stopped' ? 'stopped' : 'failed';
    const error = r.status === 'finished' ? null : (r.reason ?? (r.status === 'stopped' ? 'stopped by the user' : 'diverged'));
    return this.end(id, 'finishRun', status, error, r, params);
  }

  /** Ends a run as 'failed' with the reason ("diverged at epoch 812: cost is NaN", or an exception's message). */
  failRun(id: string, why: string, options: { params?: Params; epochs?: number } = {}): RunRecord {
    const text = validate(reason, why, 'failRun', 'reason');
    return this.end(id, 'failRun', 'failed', text, options.epochs !== undefined ? { epochs: options.epochs } : null, options.params);
  }

  /** Ends a run as 'stopped' (by the user); with the engine's result its final metrics and weights are kept too. */
  stopRun(id: string, options: { result?: RunOutcome; params?: Params; reason?: string } = {}): RunRecord {
    const r = options.result === undefined ? null : validate(trainResult, options.result, 'stopRun', 'result');
    const text = options.reason === undefined ? (r?.reason ?? 'stopped by the user') : validate(reason, options.reason, 'stopRun', 'reason');
    return this.end(id, 'stopRun', 'stopped', text, r, options.params);
  }

  private end(
    id: string,
    where: string,
    status: RunState,
    error: string | null,
    r: Partial<z.output<typeof trainResult>> | null,
    params: Params | undefined,
  ): RunRecord {
    const rid = this.writable(id, where);
    if (error !== null) error = reasonLine(error) || (status === 'stopped' ? 'stopped' : 'failed');
    const packed = params === undefined ? null : encodeParams(params, where);
    const now = Date.now();
    this.db
      .transaction(() => {
        const epochs = r?.epochs ?? null;
        this.db
          .prepare(
            `UPDATE runs SET status = @status, error = @error, ended_at = @now, heartbeat_at = @now,
               epochs_done = max(epochs_done, coalesce(@epochs, 0)),
               final_cost = @finalCost, train_accuracy = @trainAccuracy, test_cost = @testCost, test_accuracy = @testAccuracy,
               stopped_early = @stoppedEarly, best_epoch = @bestEpoch,
               backend_name = coalesce(@bn, backend_name), backend_mode = coalesce(@bm, backend_mode),
               backend_precision = coalesce(@bp, backend_precision), backend_reason = coalesce(@br, backend_reason)
             WHERE rid = @rid`,
          )
          .run({
            status,
            error,
            now,
            epochs,
            finalCost: finalValue(r?.finalCost),
            trainAccuracy: finalValue(r?.trainAccuracy),
            testCost: finalValue(r?.testCost),
            testAccuracy: finalValue(r?.testAccuracy),
            stoppedEarly: r?.stoppedEarly === undefined ? null : r.stoppedEarly ? 1 : 0,
            bestEpoch: r?.bestEpoch ?? null,
            bn: r?.backend?.name ?? null,
            bm: r?.backend?.mode ?? null,
            bp: r?.backend?.precision ?? null,
            br: r?.backend?.reason ?? null,
            rid,
          });
        if (packed) {
          const epoch = epochs ?? (this.db.prepare('SELECT epochs_done FROM runs WHERE rid = ?').pluck().get(rid) as number);
          this.stmts.putWeights.run(rid, 'final', epoch, packed.shapes, packed.data, now);
        }
      })
      .immediate();
    return this.getRun(id);
  }

  /** Keeps the trainer's state at `epoch` (engine/state.ts's JSON) with the final weights, replacing an older one. */
  saveTrainerState(id: string, epoch: number, state: string): void {
    const rid = this.rid(id, 'saveTrainerState');
    const e = validate(z.number().int().min(0), epoch, 'saveTrainerState', 'epoch');
    const text = validate(z.string().min(2), state, 'saveTrainerState', 'state');
    this.db.prepare('INSERT OR REPLACE INTO trainer_states (run_id, epoch, state, created_at) VALUES (?, ?, ?, ?)').run(rid, e, text, Date.now());
  }

  /** The run's saved trainer state, or null (a run recorded before continuing existed, or one that failed). */
  trainerState(id: string): { epoch: number; state: string } | null {
    const rid = this.rid(id, 'trainerState');
    return this.db.prepare<[number], { epoch: number; state: string }>('SELECT epoch, state FROM trainer_states WHERE run_id = ?').get(rid) ?? null;
  }

  /** Keeps a copy of the parameters at `epoch` (optional checkpoints; the final weights come with finishRun). */
  saveCheckpoint(id: string, epoch: number, params: Params): void {
    const rid = this.rid(id, 'saveCheckpoint');
    const e = validate(z.number().int().min(0), epoch, 'saveCheckpoint', 'epoch');
    const packed = encodeParams(params, 'saveCheckpoint');
    this.stmts.putWeights.run(rid, 'checkpoint', e, packed.shapes, packed.data, Date.now());
  }

  /**
   * At start-up: every run still 'running' whose process is gone becomes 'interrupted', keeping each epoch it
   * committed. A run is left alone while its writer lives: this process, or another process on this host whose
   * pid is alive and whose heartbeat is fresh. A run written from another host (or by a pid that was reused)
   * is given up on once its heartbeat is older than staleAfterMs (default 10 minutes).
   */
  recoverInterrupted(options: { staleAfterMs?: number } = {}): InterruptedRun[] {
    const { staleAfterMs } = validate(z.object({ staleAfterMs: z.number().min(0).default(600_000) }), options, 'recoverInterrupted');
    if (this.readOnly) return [];
    const out: InterruptedRun[] = [];
    this.db
      .transaction(() => {
        const now = Date.now();
        const rows = this.db
          .prepare<[], RunRow>("SELECT * FROM runs WHERE status = 'running'")
          .all();
        const mark = this.db.prepare("UPDATE runs SET status = 'interrupted', ended_at = ?, error = ? WHERE rid = ? AND status = 'running'");
        for (const r of rows) {
          if (r.writer_id === PROCESS_WRITER_ID) continue; // ours, and we are alive
          const stale = r.heartbeat_at === null || now - r.heartbeat_at > staleAfterMs;
          let dead: boolean;
          if (r.writer_host === HOST && r.writer_pid !== null) {
            // our own pid under another writer id is a previous process whose pid we inherited
            dead = r.writer_pid === process.pid || !pidAlive(r.writer_pid) || stale;
          } else {
            dead = stale;
          }
          if (!dead) continue;
          const who = r.writer_pid === null ? 'the process training it' : `the process training it (pid ${r.writer_pid}${r.writer_host && r.writer_host !== HOST ? ` on ${r.writer_host}` : ''})`;
          const msg = `interrupted: ${who} ended before the run finished; the ${r.epochs_done} epochs recorded before that are kept`;
          mark.run(r.heartbeat_at ?? now, msg, r.rid);
          out.push({ id: r.id, name: r.name, epochsDone: r.epochs_done, pid: r.writer_pid });
        }
      })
      .immediate();
    return out;
  }

  // ── reads and edits ───────────────────────────────────────────────────────────────────────────────────────

  /** The run with this id; throws StoreError NOT_FOUND. */
  getRun(id: string): RunRecord {
    const run = this.findRun(id);
    if (!run) throw new StoreError('NOT_FOUND', `there is no run with id ${show(id)}; list them with \`backprop-lab runs list\``);
    return run;
  }

  /** The run with this id, or null. */
  findRun(id: string): RunRecord | null {
    validate(runId, id, 'getRun', 'id');
    const r = this.stmts.byId.get(id);
    if (!r) return null;
    const weights = this.db
      .prepare<[number], { kind: 'final' | 'checkpoint'; epoch: number; bytes: number }>('SELECT kind, epoch, length(data) AS bytes FROM weights WHERE run_id = ? ORDER BY kind, epoch')
      .all(r.rid)
      .map((w) => ({ kind: w.kind, epoch: w.epoch, values: w.bytes / 8 }));
    // one skip-scan per key over the primary key (run_id, key, step): no walk over the run's rows
    const metricKeys: string[] = [];
    const nextKey = this.db.prepare<[number, string], string>('SELECT key FROM metrics WHERE run_id = ? AND key > ? ORDER BY key LIMIT 1').pluck();
    for (let k = nextKey.get(r.rid, ''); k !== undefined; k = nextKey.get(r.rid, k)) metricKeys.push(k);
    const x = this.db
      .prepare<[number], { parent: string | null; origin: RunOrigin | null; stopped_early: number | null; best_epoch: number | null; state_epoch: number | null }>(
        `SELECT (SELECT p.id FROM runs p WHERE p.rid = r.parent_id) AS parent, r.origin, r.stopped_early, r.best_epoch,
           (SELECT epoch FROM trainer_states WHERE run_id = r.rid) AS state_epoch
         FROM runs r WHERE r.rid = ?`,
      )
      .get(r.rid)!;
    return {
      ...summaryFromRow(r, this.stmts.tagsOf.all(r.rid)),
      lineage: x.origin === null ? null : { parent: x.parent, origin: x.origin },
      stoppedEarly: x.stopped_early === null ? null : x.stopped_early === 1,
      bestEpoch: x.best_epoch,
      stateEpoch: x.state_epoch,
      config: JSON.parse(r.config) as RunConfig,
      writer: r.writer_pid === null ? null : { pid: r.writer_pid, host: r.writer_host ?? '', heartbeatAt: r.heartbeat_at },
      weights,
      metricKeys,
    };
  }

  /** The full id of the one run whose id starts with `prefix` (for the CLI's short ids); NOT_FOUND or INVALID (ambiguous). */
  resolveRunId(prefix: string): string {
    const p = validate(z.string().regex(RUN_ID_PATTERN, 'must be a run id or the start of one'), prefix, 'resolveRunId', 'id');
    const ids = this.db.prepare<[string, string], string>('SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 6').pluck().all(p, p + '\uffff');
    if (ids.includes(p)) return p;
    if (ids.length === 1) return ids[0]!;
    if (ids.length === 0) throw new StoreError('NOT_FOUND', `there is no run whose id starts with ${show(p)}`);
    throw new StoreError('INVALID', `${show(p)} matches several runs (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}); give more of the id`);
  }

  renameRun(id: string, newName: string): RunRecord {
    const rid = this.rid(id, 'renameRun');
    const n = validate(name, newName, 'renameRun', 'name');
    this.db.prepare('UPDATE runs SET name = ? WHERE rid = ?').run(n, rid);
    return this.getRun(id);
  }

  /** Replaces the run's tags (trimmed, deduplicated; no commas). */
  setTags(id: string, newTags: string[]): RunRecord {
    const rid = this.rid(id, 'setTags');
    const t = validate(tags, newTags, 'setTags', 'tags');
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM run_tags WHERE run_id = ?').run(rid);
        for (const x of t) this.stmts.insertTag.run(rid, x);
      })
      .immediate();
    return this.getRun(id);
  }

  setNotes(id: string, text: string): RunRecord {
    const rid = this.rid(id, 'setNotes');
    const n = validate(notes, text, 'setNotes', 'notes');
    this.db.prepare('UPDATE runs SET notes = ? WHERE rid = ?').run(n, rid);
    return this.getRun(id);
  }

  /**
   * Deletes the run with its tags, metrics and weights (foreign keys cascade). A run that is still running is
   * refused unless `force` (its trainer would fail on its next write).
   */
  deleteRun(id: string, options: { force?: boolean } = {}): void {
    const rid = this.rid(id, 'deleteRun');
    const { force } = validate(z.object({ force: z.boolean().default(false) }), options, 'deleteRun');
    this.db
      .transaction(() => {
        const status = this.db.prepare('SELECT status FROM runs WHERE rid = ?').pluck().get(rid);
        if (status === 'running' && !force) throw new StoreError('STATE', `run ${id} is still running; stop it first (or delete with force)`);
        this.db.prepare('DELETE FROM runs WHERE rid = ?').run(rid);
      })
      .immediate();
  }

  /**
   * The run's parameters (engine Params: W1, b1, … as Float64Arrays, bit for bit as stored): the final weights by
   * default, or a checkpoint (the latest, or the one at `epoch`). null when none were stored.
   */
  getWeights(id: string, options: { kind?: 'final' | 'checkpoint'; epoch?: number } = {}): Params | null {
    const rid = this.rid(id, 'getWeights');
    const o = validate(z.object({ kind: z.enum(['final', 'checkpoint']).default('final'), epoch: z.number().int().min(0).optional() }), options, 'getWeights');
    const row =
      o.epoch === undefined
        ? this.db.prepare<[number, string], { shapes: string; data: Buffer }>('SELECT shapes, data FROM weights WHERE run_id = ? AND kind = ? ORDER BY epoch DESC LIMIT 1').get(rid, o.kind)
        : this.db.prepare<[number, string, number], { shapes: string; data: Buffer }>('SELECT shapes, data FROM weights WHERE run_id = ? AND kind = ? AND epoch = ?').get(rid, o.kind, o.epoch);
    return row ? decodeParams(row.shapes, row.data) : null;
  }

  /**
   * Every metric row of a run (for CSV/JSON export), ordered by key then step; NaN, ±Infinity and -0 as recorded.
   * `keys` limits it to those keys.
   */
  readMetrics(id: string, options: { keys?: string[] } = {}): Required<MetricRow>[] {
    const rid = this.rid(id, 'readMetrics');
    const o = validate(z.object({ keys: z.array(z.string()).optional() }), options, 'readMetrics');
    const keys = o.keys ?? this.getRun(id).metricKeys;
    const stmt = this.db.prepare<[number, string], { step: number; value: number | null; ts: number }>('SELECT step, value, ts FROM metrics WHERE run_id = ? AND key = ? ORDER BY step');
    const out: Required<MetricRow>[] = [];
    for (const key of keys) for (const r of stmt.iterate(rid, key)) out.push({ key, step: r.step, value: decodeValue(r.value), ts: r.ts });
    return out;
  }

  /**
   * Adds a whole run at once — record, tags, metrics and weights — in one transaction, so a failed import leaves
   * nothing behind (for importing exported runs). A taken id is replaced by a new one; the summary says which.
   */
  importRun(input: ImportRunInput): RunRecord {
    const o = validate(importInput, input, 'importRun', 'run');
    const cfg = checkConfig(o.config, 'importRun');
    if (o.metrics) checkRows(o.metrics, 'importRun: metrics');
    const packed = o.weights ? encodeParams(o.weights as Params, 'importRun: weights') : null;
    const now = Date.now();
    let id = o.id ?? randomUUID();
    this.db
      .transaction(() => {
        if (this.stmts.ridStatus.get(id)) id = randomUUID();
        const f = o.final ?? {};
        const metrics = (o.metrics ?? []) as MetricRow[];
        const epochs = Math.max(f.epochs ?? 0, metrics.reduce((m, r) => Math.max(m, r.step + 1), 0));
        const info = this.db
          .prepare(
            `INSERT INTO runs (id, name, status, dataset, config, backend_name, backend_mode, backend_precision, backend_reason,
               created_at, started_at, ended_at, error, notes, epochs_done, final_cost, train_accuracy, test_cost, test_accuracy)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id, o.name ?? defaultName(this.db, cfg), o.status ?? 'finished', cfg.data.kind, JSON.stringify(cfg),
            o.backend?.name ?? null, o.backend?.mode ?? null, o.backend?.precision ?? null, o.backend?.reason ?? null,
            o.createdAt ?? now, o.startedAt ?? null, o.endedAt ?? null, o.error ? reasonLine(o.error) : (o.error ?? null), o.notes ?? '', epochs,
            finalValue(f.finalCost), finalValue(f.trainAccuracy), finalValue(f.testCost), finalValue(f.testAccuracy),
          );
        const rid = Number(info.lastInsertRowid);
        for (const t of o.tags ?? []) this.stmts.insertTag.run(rid, t);
        for (const r of metrics) this.stmts.insertMetric.run(rid, r.key, r.step, encodeValue(r.value), r.ts ?? now);
        if (packed) this.stmts.putWeights.run(rid, 'final', epochs, packed.shapes, packed.data, now);
      })
      .immediate();
    return this.getRun(id);
  }

  /** PRAGMA integrity_check: 'ok', or SQLite's list of problems. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Closes the database (idempotent). The -wal file is checkpointed and removed when this was the last connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('optimize');
    } catch {
      // optimize is advice; a busy database is no reason to fail closing
    }
    this.db.close();
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────────────────────

  /** The internal key of run `id`; NOT_FOUND when there is none. */
  rid(id: string, where: string): number {
    validate(runId, id, where, 'id');
    const r = this.stmts.ridStatus.get(id);
    if (!r) throw new StoreError('NOT_FOUND', `${where}: there is no run with id ${show(id)}`);
    return r.rid;
  }

  /** As rid(), for writes that only a running (or interrupted, being revived) run accepts. */
  private writable(id: string, where: string): number {
    validate(runId, id, where, 'id');
    const r = this.stmts.ridStatus.get(id);
    if (!r) throw new StoreError('NOT_FOUND', `${where}: there is no run with id ${show(id)}`);
    if (r.status !== 'running' && r.status !== 'interrupted') {
      throw new StoreError('STATE', `${where}: run ${id} is already ${r.status}; only a running run takes new metrics or a final state`);
    }
    return r.rid;
  }
}

// Every method of Store turns SQLite's own errors into StoreError (BUSY, READONLY, CORRUPT, FULL, IO; see
// fromSqlite), so a caller never meets a raw SqliteError with its stack: a lock held by another program is BUSY
// (nothing was written — every write is one transaction — and the same call may be retried), a damaged page met
// by a read is CORRUPT. Done once here rather than in each method; the methods themselves stay plain.
for (const key of Object.getOwnPropertyNames(Store.prototype)) {
  const d = Object.getOwnPropertyDescriptor(Store.prototype, key)!;
  if (key === 'constructor' || typeof d.value !== 'function') continue;
  const method = d.value as (...args: unknown[]) => unknown;
  Object.defineProperty(Store.prototype, key, {
    ...d,
    value: function (this: Store, ...args: unknown[]) {
      try {
        return method.apply(this, args);
      } catch (e) {
        throw fromSqlite(e);
      }
    },
  });
}
