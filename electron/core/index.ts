// The core: the only place that starts, records, stops, exports and imports runs. One handler table, assembled
// from the handler files by area (runs, queries, edits, transfer, data, net, weight-space); every command's payload is checked
// with the contract's schema and every answer is { ok: true, value } or { ok: false, error: { code, message } },
// never a thrown exception. The front ends — desktop IPC (main.ts), browser mode's WebSocket (server.ts) and the
// command line (cli/) — are thin: they turn their input into a command, call the core, and show the result.

import { COMMANDS, isCommandName, type CommandInput, type CommandName, type CommandResult, type Result } from '../contract';
import type { ServiceEndpoint } from '../transport';
import { TrainerHost } from '../trainer/host';
import type { Caller, CoreContext, CoreDeps, Handlers } from './context';
import { dataHandlers } from './data';
import { editHandlers } from './edits';
import { CoreError, toError } from './errors';
import { EventHub } from './events';
import { netHandlers } from './net';
import { queryHandlers } from './queries';
import { runHandlers, trainerListener } from './runs';
import { sweepHandlers } from './sweeps';
import { transferHandlers } from './transfer';
import { weightSpaceHandlers } from './weight-space';

/**
 * busy_timeout of a store the core writes to: SQLite busy-waits on the calling thread, so it is kept short and
 * the core retries a locked write asynchronously instead (retryBusy, and the recorder's own retries).
 */
export const CORE_BUSY_TIMEOUT_MS = 20;

export { CoreError, toError, unwrap, isTransient, retryBusy } from './errors';
export { EventHub } from './events';
export { DEFAULT_MAX_LIVE_RUNS, type CoreDeps } from './context';
export { exportStoredRun } from './transfer';

/** The core as its front ends see it: a ServiceEndpoint (for the transports) with a typed invoke. */
export interface Core extends ServiceEndpoint {
  invoke<C extends CommandName>(command: C, payload: CommandInput<C>): Promise<Result<CommandResult<C>>>;
  readonly events: EventHub;
  readonly trainers: TrainerHost;
  /** Stops every training worker (their runs become 'interrupted' at the store's next start-up recovery). */
  close(): Promise<void>;
}

/** "runs.start: config.training.learningRate: Too small: expected number to be >0" (the first three issues). */
function describeIssues(command: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  const parts = issues.slice(0, 3).map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    return path ? `${path}: ${i.message}` : i.message;
  });
  return `${command}: ${parts.join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`;
}

export function createCore(deps: CoreDeps): Core {
  const events = new EventHub();
  const recordings: CoreContext['recordings'] = new Map();
  // the listener reaches the context through a closure: the trainers are part of it
  const trainers: TrainerHost = new TrainerHost({ listener: trainerListener(() => ctx), ...(deps.spawn ? { spawn: deps.spawn } : {}), ...(deps.trainer ?? {}) });
  const ctx: CoreContext = { deps, store: deps.store, events, trainers, recordings, prunes: new Map() };
  // the trainers compute a run's running snapshots only while some front end listens for that run's (a prepared
  // run not started yet: while one listens to every run's)
  const snapshotsWanted = () => trainers.setSnapshots((runId) => (runId === null ? events.listenedToAll('run.snapshot') : events.listened('run.snapshot', runId)));
  snapshotsWanted();
  events.watch('run.snapshot', snapshotsWanted);

  const runs = runHandlers(ctx);
  const handlers: Handlers = {
    ...runs,
    ...queryHandlers(ctx),
    ...editHandlers(ctx),
    ...transferHandlers(ctx),
    ...dataHandlers(),
    ...netHandlers(ctx),
    ...weightSpaceHandlers(ctx),
    ...sweepHandlers(ctx, runs['runs.start'], deps.queueExecutor),
    'runs.watch': ({ runIds }, caller) => {
      if (!caller) throw new CoreError('conflict', 'runs.watch: only a connected page or window watches runs (it narrows what that connection receives)');
      caller.narrow(runIds);
      return { runIds };
    },
  };

  async function call(command: string, payload: unknown, caller?: Caller): Promise<Result<unknown>> {
    if (!isCommandName(command)) {
      return { ok: false, error: { code: 'unknown_command', message: `unknown command ${JSON.stringify(String(command)).slice(0, 80)}` } };
    }
    const parsed = COMMANDS[command].payload.safeParse(payload ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'invalid_payload', message: describeIssues(command, parsed.error.issues) } };
    try {
      const handler = handlers[command] as (p: unknown, c?: Caller) => unknown;
      return { ok: true, value: await handler(parsed.data, caller) };
    } catch (e) {
      return { ok: false, error: toError(e, [deps.store.path]) };
    }
  }

  return {
    call,
    invoke: (command, payload) => call(command, payload) as never,
    subscribe: (l, only) => events.subscribe(l, only),
    events,
    trainers,
    close: () => trainers.close(),
  };
}
