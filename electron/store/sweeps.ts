// Sweeps in the run store: a sweep's record (its spec, status, trials, the epochs ASHA saved), the link from each
// trial's run to its sweep (trial index, the worker that trained it), a trial stopped early recorded as 'pruned',
// and deleting a sweep with or without its runs. The runs themselves are ordinary runs (store.ts); this file only
// adds what sweeps need, through the same database handle. Schema: migration 2 (migrations.ts).

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { Params } from '../../engine/init';
import { MAX_REASON_LENGTH, RUN_ID_PATTERN } from '../limits';
import { StoreError, fromSqlite, show, validate } from './errors';
import { pidAlive, reasonLine, summaryFromRow, SUMMARY_COLUMNS, type RunSummary, type Store } from './store';

export const SWEEP_STATUSES = ['running', 'finished', 'failed', 'stopped', 'interrupted'] as const;
export type SweepState = (typeof SWEEP_STATUSES)[number];

/** A sweep as the store keeps it. Times are ms since the epoch. */
export interface SweepRecord {
  id: string;
  name: string;
  /** The spec as JSON with its defaults filled in (sweepSpecToJson): parsing it gives the same trials again. */
  spec: Record<string, unknown>;
  status: SweepState;
  /** How many trials the spec makes. */
  trials: number;
  /** The queue's URL without credentials when it ran through BullMQ; null locally. */
  queue: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Why it failed, stopped or was interrupted. */
  error: string | null;
  /** Epochs ASHA saved against running every trial to the end. */
  epochsSaved: number;
}

/** A trial's run: its summary, its place in the sweep, and the machine that trained it. */
export interface SweepRun extends RunSummary {
  sweepId: string;
  trialIndex: number | null;
  /** The worker's name (a queue worker), or null when this machine trained it. */
  worker: string | null;
}

interface SweepRow {
  sid: number;
  id: string;
  name: string;
  spec: string;
  status: SweepState;
  trials: number;
  queue: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  epochs_saved: number;
}

const WRITER_ID = randomUUID();
const HOST = hostname();
const sweepId = z.string().regex(RUN_ID_PATTERN, 'must be a sweep id (letters, digits, - and _)');
const runId = z.string().regex(RUN_ID_PATTERN, 'must be a run id (letters, digits, - and _)');
const createInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    spec: z.record(z.string(), z.unknown()),
    trials: z.number().int().min(0),
    queue: z.string().max(2000).nullable().optional(),
  })
  .strict();
const endInput = z
  .object({
    status: z.enum(['finished', 'failed', 'stopped', 'interrupted']),
    error: z.string().max(MAX_REASON_LENGTH).nullable().optional(),
    epochsSaved: z.number().int().min(0).optional(),
  })
  .strict();

/** Runs `f` with SQLite's errors turned into StoreError, as the Store's own methods are. */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw fromSqlite(e);
  }
}

function fromRow(r: SweepRow): SweepRecord {
  return {
    id: r.id,
    name: r.name,
    spec: JSON.parse(r.spec) as Record<string, unknown>,
    status: r.status,
    trials: r.trials,
    queue: r.queue,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    epochsSaved: r.epochs_saved,
  };
}

function sid(store: Store, id: string, where: string): number {
  validate(sweepId, id, where, 'id');
  const s = store.db.prepare<[string], number>('SELECT sid FROM sweeps WHERE id = ?').pluck().get(id);
  if (s === undefined) throw new StoreError('NOT_FOUND', `${where}: there is no sweep with id ${show(id)}`);
  return s;
}

/** Records a new sweep in status 'running', owned by this process. */
export function createSweep(store: Store, input: { name: string; spec: Record<string, unknown>; trials: number; queue?: string | null }): SweepRecord {
  const o = validate(createInput, input, 'createSweep');
  const id = randomUUID();
  const now = Date.now();
  guarded(() =>
    store.db
      .prepare(
        `INSERT INTO sweeps (id, name, spec, status, trials, queue, created_at, started_at, writer_id, writer_pid, writer_host, heartbeat_at)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, o.name, JSON.stringify(o.spec), o.trials, o.queue ?? null, now, now, WRITER_ID, process.pid, HOST, now),
  );
  return getSweep(store, id);
}

/** Ends a sweep: finished, failed, stopped (by the user) or interrupted, with why and the epochs ASHA saved. */
export function finishSweep(store: Store, id: string, end: { status: Exclude<SweepState, 'running'>; error?: string | null; epochsSaved?: number }): SweepRecord {
  const s = sid(store, id, 'finishSweep');
  const o = validate(endInput, end, 'finishSweep', 'end');
  const now = Date.now();
  guarded(() =>
    store.db
      .prepare('UPDATE sweeps SET status = ?, error = ?, ended_at = ?, heartbeat_at = ?, epochs_saved = coalesce(?, epochs_saved) WHERE sid = ?')
      .run(o.status, o.error ? reasonLine(o.error) : null, now, now, o.epochsSaved ?? null, s),
  );
  return getSweep(store, id);
}

/** Links a run to its sweep as trial `trialIndex`, trained by `worker` (null: this machine). */
export function linkRun(store: Store, runIdValue: string, sweep: string, trialIndex: number, worker: string | null = null): void {
  const s = sid(store, sweep, 'linkRun');
  const rid = store.rid(validate(runId, runIdValue, 'linkRun', 'runId'), 'linkRun');
  validate(z.number().int().min(0), trialIndex, 'linkRun', 'trialIndex');
  guarded(() => store.db.prepare('UPDATE runs SET sweep_id = ?, trial_index = ?, worker = ? WHERE rid = ?').run(s, trialIndex, worker, rid));
}

/** The sweep with this id; StoreError NOT_FOUND when there is none. */
export function getSweep(store: Store, id: string): SweepRecord {
  const s = findSweep(store, id);
  if (!s) throw new StoreError('NOT_FOUND', `there is no sweep with id ${show(id)}; list them with \`backprop-lab runs list\``);
  return s;
}

export function findSweep(store: Store, id: string): SweepRecord | null {
  validate(sweepId, id, 'getSweep', 'id');
  const r = guarded(() => store.db.prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE id = ?').get(id));
  return r ? fromRow(r) : null;
}

/** The full id of the one sweep whose id starts with `prefix`; NOT_FOUND or INVALID (ambiguous). */
export function resolveSweepId(store: Store, prefix: string): string {
  const p = validate(sweepId, prefix, 'resolveSweepId', 'id');
  const ids = guarded(() => store.db.prepare<[string, string], string>('SELECT id FROM sweeps WHERE id >= ? AND id < ? ORDER BY id LIMIT 6').pluck().all(p, p + '\uffff'));
  if (ids.includes(p)) return p;
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new StoreError('NOT_FOUND', `there is no sweep whose id starts with ${show(p)}`);
  throw new StoreError('INVALID', `${show(p)} matches several sweeps (${ids.slice(0, 5).join(', ')}); give more of the id`);
}

/** Sweeps, newest first. */
export function listSweeps(store: Store, options: { limit?: number } = {}): SweepRecord[] {
  const { limit } = validate(z.object({ limit: z.number().int().positive().max(10_000).default(500) }).strict(), options, 'listSweeps');
  return guarded(() => store.db.prepare<[number], SweepRow>('SELECT * FROM sweeps ORDER BY created_at DESC, sid DESC LIMIT ?').all(limit)).map(fromRow);
}

/** A sweep's runs in trial order, each with its trial index and worker. */
export function sweepRuns(store: Store, id: string): SweepRun[] {
  const s = sid(store, id, 'sweepRuns');
  return guarded(() => {
    const rows = store.db
      .prepare(`SELECT ${SUMMARY_COLUMNS}, trial_index, worker FROM runs WHERE sweep_id = ? ORDER BY trial_index, rid`)
      .all(s) as (Parameters<typeof summaryFromRow>[0] & { trial_index: number | null; worker: string | null })[];
    const tagsOf = store.db.prepare<[number], string>('SELECT tag FROM run_tags WHERE run_id = ? ORDER BY tag').pluck();
    return rows.map((r) => ({ ...summaryFromRow(r, tagsOf.all(r.rid)), sweepId: id, trialIndex: r.trial_index, worker: r.worker }));
  });
}

/** Run id → its sweep's id, for the runs given that belong to a sweep. */
export function sweepIdsOf(store: Store, runIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (runIds.length === 0) return out;
  const rows = guarded(() =>
    store.db
      .prepare('SELECT r.id AS run, s.id AS sweep FROM runs r JOIN sweeps s ON s.sid = r.sweep_id WHERE r.id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(runIds)) as { run: string; sweep: string }[],
  );
  for (const r of rows) out.set(r.run, r.sweep);
  return out;
}

/**
 * Ends a running trial as 'pruned' (stopped early by ASHA): its final metrics and weights as stopRun keeps them,
 * and the reason, which names the rung. One transaction.
 */
export function pruneRun(store: Store, id: string, options: { result?: NonNullable<Parameters<Store['stopRun']>[1]>['result']; params?: Params; reason: string }): void {
  const text = validate(z.string().min(1, 'must say why').max(MAX_REASON_LENGTH), options.reason, 'pruneRun', 'reason');
  guarded(() =>
    store.db
      .transaction(() => {
        store.stopRun(id, { ...(options.result ? { result: options.result } : {}), ...(options.params ? { params: options.params } : {}), reason: text });
        store.db.prepare("UPDATE runs SET status = 'pruned' WHERE id = ?").run(id);
      })
      .immediate(),
  );
}

/**
 * Deletes a sweep. With `deleteRuns` its runs go too (with their metrics and weights); without, they stay as
 * ordinary runs (their sweep link becomes NULL). A running sweep, or a running trial when its runs go, is
 * refused unless `force`. Returns the ids of the runs deleted.
 */
export function deleteSweep(store: Store, id: string, options: { deleteRuns?: boolean; force?: boolean } = {}): { deletedRuns: string[] } {
  const s = sid(store, id, 'deleteSweep');
  const o = validate(z.object({ deleteRuns: z.boolean().default(false), force: z.boolean().default(false) }).strict(), options, 'deleteSweep');
  return guarded(() =>
    store.db
      .transaction(() => {
        const status = store.db.prepare('SELECT status FROM sweeps WHERE sid = ?').pluck().get(s);
        if (status === 'running' && !o.force) throw new StoreError('STATE', `sweep ${id} is still running; stop it first (or delete with force)`);
        let deleted: string[] = [];
        if (o.deleteRuns) {
          deleted = store.db.prepare<[number], string>('SELECT id FROM runs WHERE sweep_id = ?').pluck().all(s);
          const running = store.db.prepare<[number], number>("SELECT count(*) FROM runs WHERE sweep_id = ? AND status = 'running'").pluck().get(s)!;
          if (running > 0 && !o.force) throw new StoreError('STATE', `sweep ${id} has ${running} running trial${running === 1 ? '' : 's'}; stop it first (or delete with force)`);
          store.db.prepare('DELETE FROM runs WHERE sweep_id = ?').run(s);
        }
        store.db.prepare('DELETE FROM sweeps WHERE sid = ?').run(s);
        return { deletedRuns: deleted };
      })
      .immediate(),
  );
}

/** Tells a later start-up that the process running the sweep is alive. */
export function heartbeatSweep(store: Store, id: string): void {
  const s = sid(store, id, 'heartbeatSweep');
  guarded(() => store.db.prepare('UPDATE sweeps SET heartbeat_at = ? WHERE sid = ?').run(Date.now(), s));
}

/**
 * At start-up: sweeps still 'running' whose process on this host is gone (or whose heartbeat is older than
 * staleAfterMs, default 10 minutes) become 'interrupted'. Their trials are recovered by the store's own
 * recoverInterrupted().
 */
export function recoverInterruptedSweeps(store: Store, options: { staleAfterMs?: number } = {}): string[] {
  if (store.readOnly) return [];
  const stale = options.staleAfterMs ?? 600_000;
  return guarded(() =>
    store.db
      .transaction(() => {
        const now = Date.now();
        const rows = store.db
          .prepare("SELECT sid, id, writer_id, writer_pid, writer_host, heartbeat_at FROM sweeps WHERE status = 'running'")
          .all() as { sid: number; id: string; writer_id: string | null; writer_pid: number | null; writer_host: string | null; heartbeat_at: number | null }[];
        const out: string[] = [];
        for (const r of rows) {
          if (r.writer_id === WRITER_ID) continue;
          const old = r.heartbeat_at === null || now - r.heartbeat_at > stale;
          const dead = r.writer_host === HOST && r.writer_pid !== null ? r.writer_pid === process.pid || !pidAlive(r.writer_pid) || old : old;
          if (!dead) continue;
          store.db
            .prepare("UPDATE sweeps SET status = 'interrupted', ended_at = ?, error = ? WHERE sid = ? AND status = 'running'")
            .run(r.heartbeat_at ?? now, 'interrupted: the process running the sweep ended before it finished', r.sid);
          out.push(r.id);
        }
        return out;
      })
      .immediate(),
  );
}
