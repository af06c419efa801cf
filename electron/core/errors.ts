// Errors of the core: one typed error with a contract code, and the mapping from every error the engine, the store
// and the trainer throw to what a front end shows. Nobody branches on message text; a front end maps the code to an
// exit status (the CLI) or a message (the dashboard).

import { ArchitectureError } from '../../engine/architecture';
import { BackendUnavailableError } from '../../engine/backends/index';
import { ConfigError } from '../../engine/config';
import { DatasetError } from '../../engine/datasets/index';
import { ImportError } from '../../engine/export/errors';
import type { CommandError, ErrorCode, Result } from '../contract';
import { isTransient, StoreError } from '../store/index';
import { TrainerError } from '../trainer/host';

/** A failure with a contract error code, thrown inside a handler and returned as { ok: false, error }. */
export class CoreError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'CoreError';
  }
}

export { isTransient };

/** The first line of a message, without a stack or anything after it: what a user may see. */
export function oneLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 2000);
}

/**
 * Any thrown value → the error the caller sees: one line, with every `hidden` text (the database's path on the
 * host) replaced, so a page in browser mode never learns where the server keeps its files. A bug becomes
 * 'internal' with its first line (its stack goes to stderr).
 */
export function toError(e: unknown, hidden: readonly string[] = []): CommandError {
  const err = classify(e);
  let message = err.message;
  for (const h of hidden) if (h) message = message.split(` in ${h}`).join('').split(h).join('the run database');
  return { code: err.code, message };
}

function classify(e: unknown): CommandError {
  if (e instanceof CoreError || e instanceof TrainerError) return { code: e.code, message: oneLine(e.message) };
  if (isTransient(e)) return { code: 'busy', message: 'the run database is locked by another program; try again in a moment' };
  if (e instanceof StoreError) {
    const code: ErrorCode =
      e.code === 'NOT_FOUND' ? 'not_found'
      : e.code === 'INVALID' ? 'invalid_payload'
      : e.code === 'STATE' ? 'conflict'
      : e.code === 'READONLY' || e.code === 'FULL' || e.code === 'IO' || e.code === 'CORRUPT' ? 'storage'
      : 'internal';
    return { code, message: oneLine(e.message) };
  }
  if (e instanceof ImportError) return { code: 'import_failed', message: oneLine(e.message) };
  if (e instanceof ConfigError || e instanceof ArchitectureError || e instanceof DatasetError || e instanceof BackendUnavailableError) {
    return { code: 'invalid_config', message: oneLine(e.message) };
  }
  console.error(e); // a bug: the stack is for the report, never for the page or the stored run
  return { code: 'internal', message: `internal error: ${oneLine(e instanceof Error ? e.message : String(e))}` };
}

/** The core's Result as a value, for callers that prefer a throw (tests, the CLI). */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new CoreError(r.error.code, r.error.message);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs a store write, retrying while another program holds the database's lock: backoff from 20 ms up to 500 ms,
 * for at most `waitMs`, without ever blocking the event loop (the store's own busy wait is kept short). After
 * that, the error is CoreError('busy').
 */
export async function retryBusy<T>(write: () => T, waitMs = 10_000): Promise<T> {
  const until = Date.now() + waitMs;
  for (let delay = 20; ; delay = Math.min(500, delay * 2)) {
    try {
      return write();
    } catch (e) {
      if (!isTransient(e)) throw e;
      if (Date.now() + delay > until) {
        throw new CoreError('busy', `the run database stayed locked by another program for ${Math.round(waitMs / 1000)} s; close that program (or its transaction) and try again`);
      }
      await sleep(delay);
    }
  }
}
