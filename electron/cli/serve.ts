// `backprop-lab serve`: the dashboard in any browser. Serves out/renderer and the service over a WebSocket on
// 127.0.0.1, prints the URL (with its token) on a line of its own on stdout, and runs until Ctrl-C.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../server';
import { resolveDbPath, StoreError } from '../store/index';
import { formatOptions, parseOptions, UsageError, type OptionSpec } from './args';
import { version, type CliIO } from './io';

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { flag: '--port', metavar: 'N', help: 'port on 127.0.0.1 (0: any free port)', default: '0' },
  { flag: '--db', metavar: 'PATH', help: 'the run database', default: 'runs.db in the app’s data folder (BACKPROP_LAB_DATA_DIR overrides)' },
  { flag: '--max-runs', metavar: 'N', help: 'runs that may train at once; more are refused', default: '4' },
  { flag: '--static', metavar: 'DIR', help: 'the built dashboard', default: 'out/renderer' },
  { flag: '--help', short: '-h', help: 'show this help' },
];

export function serveUsage(): string {
  return [
    'Usage: backprop-lab serve [--port N] [--db PATH] [--max-runs N]',
    '',
    'Serves the dashboard on 127.0.0.1 for a browser, with the same runs as the app. Prints the URL to open',
    '(http://127.0.0.1:PORT/?token=…) on a line of its own; requests without its token are refused. Ctrl-C stops.',
    '',
    'Options:',
    formatOptions(SERVE_OPTIONS),
  ].join('\n');
}

/** The repository's (or the installed package's) out/renderer. */
const defaultStatic = () => fileURLToPath(new URL('../../out/renderer', import.meta.url));

/** A fresh clone has no built dashboard yet: build it once with electron-vite (about 10 s). */
function buildDashboard(io: CliIO): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const bin = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(bin)) return;
  io.stderr('backprop-lab serve: building the dashboard (once; npm run build does the same)…\n');
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) io.stderr(`backprop-lab serve: the dashboard build failed (exit ${r.status}); see the messages above\n`);
}

/** Runs `serve`; resolves with the exit code once the server has stopped. `started` sees the server (tests). */
export async function runServe(argv: readonly string[], io: CliIO, started?: (server: RunningServer) => void): Promise<number> {
  let opts;
  try {
    opts = parseOptions(argv, SERVE_OPTIONS, 'serve');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`backprop-lab serve: ${e.message}\n`);
    return 2;
  }
  if (opts.has('--help')) {
    io.stdout(serveUsage() + '\n');
    return 0;
  }
  const portText = opts.get('--port');
  const port = portText === undefined ? 0 : Number(portText);
  if (typeof portText === 'string' && (!/^\d+$/.test(portText) || port > 65535)) {
    io.stderr(`backprop-lab serve: --port must be an integer from 0 to 65535, got ${JSON.stringify(portText)}\n`);
    return 2;
  }
  const maxText = opts.get('--max-runs');
  const maxLiveRuns = maxText === undefined ? undefined : Number(maxText);
  if (typeof maxText === 'string' && (!/^\d+$/.test(maxText) || maxLiveRuns! < 1 || maxLiveRuns! > 64)) {
    io.stderr(`backprop-lab serve: --max-runs must be an integer from 1 to 64, got ${JSON.stringify(maxText)}\n`);
    return 2;
  }
  const cwd = io.cwd ?? process.cwd();
  const dbOpt = opts.get('--db');
  const db = typeof dbOpt === 'string' ? resolve(cwd, dbOpt) : resolveDbPath({});
  const staticOpt = opts.get('--static');
  const staticDir = typeof staticOpt === 'string' ? resolve(cwd, staticOpt) : defaultStatic();
  if (!existsSync(join(staticDir, 'index.html')) && staticOpt === undefined) buildDashboard(io);
  if (!existsSync(join(staticDir, 'index.html'))) {
    io.stderr(`backprop-lab serve: note: ${join(staticDir, 'index.html')} is missing, so the page will not load; build it with npm run build\n`);
  }

  let server: RunningServer;
  try {
    server = await startServer({ port, host: '127.0.0.1', db, staticDir, version: version().replace(/^backprop-lab\s+/, ''), ...(maxLiveRuns ? { maxLiveRuns } : {}) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') io.stderr(`backprop-lab serve: port ${port} is in use; choose another with --port N (or 0 for any free port)\n`);
    else if (e instanceof StoreError) {
      // the database cannot be used (newer, damaged, locked, read-only, not a file): the user's to fix
      io.stderr(`backprop-lab serve: ${e.message.split('\n')[0]}\n`);
      return 2;
    } else io.stderr(`backprop-lab serve: cannot start: ${err.message}\n`);
    return 1;
  }
  io.stderr(`backprop-lab serve: runs in ${db}; open this URL (Ctrl-C stops):\n`);
  io.stdout(`${server.url}\n`);
  started?.(server);

  await new Promise<void>((stop) => {
    const off = io.onInterrupt?.(() => {
      off?.();
      process.off('SIGTERM', onTerm);
      stop();
    });
    // a service manager's (or a test runner's) SIGTERM stops it cleanly too
    const onTerm = () => {
      off?.();
      stop();
    };
    process.once('SIGTERM', onTerm);
  });
  io.stderr('backprop-lab serve: stopping\n');
  await server.close();
  return 0;
}
