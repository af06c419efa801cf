// `backprop-lab worker --queue redis://HOST:PORT [--concurrency N] [--name NAME]`: takes sweep trials from the
// BullMQ queue in Redis and trains them through its own core over an in-memory store (a worker needs no run
// database: the machine that ran `backprop-lab sweep` records every trial). Runs until Ctrl-C or SIGTERM (exit 0), or
// until Redis is lost for good (exit 1); a trial it was training then goes back to the queue for another worker.
// Without Redis at the start: one line and exit 2, within 10 s.

import { availableParallelism } from 'node:os';
import { createCore, type Core } from '../core/index';
import { openStore, type Store } from '../store/index';
import { formatOptions, parseArgs, UsageError, type OptionSpec } from './args';
import { fail, version, type CliIO } from './io';

export const WORKER_OPTIONS: readonly OptionSpec[] = [
  { flag: '--queue', metavar: 'URL', help: 'the Redis of the sweeps: redis://HOST:PORT' },
  { flag: '--concurrency', metavar: 'N', help: 'trials trained at once', default: 'the number of cores' },
  { flag: '--name', metavar: 'NAME', help: 'the name each trial it trains is recorded with', default: 'HOST:PID' },
  { flag: '--quiet', short: '-q', help: 'no log on stderr' },
  { flag: '--help', short: '-h', help: 'show this help' },
];

export function workerUsage(): string {
  return [
    'Usage: backprop-lab worker --queue redis://HOST:PORT [--concurrency N] [--name NAME]',
    '',
    'Trains the trials of sweeps started elsewhere with `backprop-lab sweep SPEC --queue redis://HOST:PORT`; the',
    'sweep machine records them. Run as many workers, on as many machines, as you like. A worker of another',
    'Backprop Lab version refuses the trials. Stop it with Ctrl-C (its trials go back to the queue).',
    '',
    'Options:',
    formatOptions(WORKER_OPTIONS),
  ].join('\n');
}

/** Runs `backprop-lab worker argv…` until a signal; returns the exit code. */
export async function runWorker(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(workerUsage() + '\n');
    return 0;
  }
  let store: Store | null = null;
  let core: Core | null = null;
  try {
    const args = parseArgs(argv, WORKER_OPTIONS, 'worker');
    const opts = args.options;
    const str = (f: string) => (typeof opts.get(f) === 'string' ? (opts.get(f) as string) : undefined);
    const url = str('--queue');
    if (url === undefined) throw new UsageError('worker needs the queue: backprop-lab worker --queue redis://HOST:PORT');
    let concurrency = availableParallelism();
    const c = str('--concurrency');
    if (c !== undefined) {
      if (!/^\d+$/.test(c) || Number(c) < 1 || Number(c) > 256) throw new UsageError(`--concurrency must be an integer from 1 to 256, got ${JSON.stringify(c)}`);
      concurrency = Number(c);
    }
    const quiet = opts.has('--quiet');
    const log = (t: string) => {
      if (!quiet) io.stderr(`backprop-lab worker: ${t}\n`);
    };
    const v = version().replace(/^backprop-lab\s+/, '');
    store = openStore({ path: ':memory:' });
    core = createCore({ store, host: 'cli', version: v, maxLiveRuns: concurrency, trainer: { metricsIntervalMs: 20, yieldEveryMs: 10 }, recording: { flushEveryMs: 20 } });
    const { startWorker, QueueError } = await import('../sweeps/queue');
    const env = io.env ?? process.env;
    const lockMs = env['BACKPROP_LAB_WORKER_LOCK_MS'] ? Number(env['BACKPROP_LAB_WORKER_LOCK_MS']) : undefined;
    let worker;
    try {
      worker = await startWorker(core, { url, concurrency, version: v, store, log, ...(str('--name') ? { name: str('--name')! } : {}), ...(lockMs ? { lockMs } : {}) });
    } catch (e) {
      if (e instanceof QueueError) return fail(io, e.message, 2);
      throw e;
    }
    log(`${worker.name} (Backprop Lab ${v}) takes trials from ${url.replace(/\/\/[^@/]*@/, '//')}, ${concurrency} at once`);
    let off: (() => void) | undefined;
    const stopped = new Promise<'SIGINT' | 'SIGTERM' | 'SIGHUP'>((resolve) => {
      off = io.onSignal ? io.onSignal((s) => resolve(s)) : io.onInterrupt?.(() => resolve('SIGINT'));
    });
    const why = await Promise.race([stopped, worker.lost.then((m) => ({ lost: m }))]);
    off?.();
    if (typeof why === 'object') {
      // its trials go back to the queue (their locks lapse) for the workers that still reach Redis
      await worker.close();
      return fail(io, why.lost, 1);
    }
    log(`stopping (${why})`);
    await worker.close();
    return 0;
  } catch (e) {
    if (e instanceof UsageError) return fail(io, e.message, 2);
    throw e;
  } finally {
    await core?.close();
    store?.close();
  }
}
