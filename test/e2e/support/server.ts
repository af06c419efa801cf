// Starts and stops `backprop-lab serve` for the browser tests: a child process on a port and database of the
// test's choosing, whose URL (with its token) is read from the line it prints on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** What a test needs to reach a running server. */
export interface ServerInfo {
  url: string;
  origin: string;
  port: number;
  token: string;
  db: string;
  pid: number;
}

export interface ServerHandle extends ServerInfo {
  stop(): Promise<void>;
}

const URL_LINE = /^(http:\/\/127\.0\.0\.1:(\d+))\/\?token=(\S+)$/;

/** `node bin/backprop-lab.js serve --port N --db PATH`. */
function serveCommand(port: number, db: string): string[] {
  return [join(repo, 'bin/backprop-lab.js'), 'serve', '--port', String(port), '--db', db];
}

const TEMP_PREFIX = 'bpl-e2e-';

/** A fresh temporary database path. */
export function tempDb(name = 'runs.db'): string {
  return join(mkdtempSync(join(tmpdir(), TEMP_PREFIX)), name);
}

/** Removes a database made by tempDb, with its folder (its -wal and -shm files too); any other path is left alone. */
export function removeTempDb(db: string): void {
  if (basename(dirname(db)).startsWith(TEMP_PREFIX)) rmSync(dirname(db), { recursive: true, force: true });
}

/** Starts the server and resolves once it has printed its URL (rejects with its stderr if it exits first). */
export function startServer(opts: { port: number; db: string; timeoutMs?: number }): Promise<ServerHandle> {
  const child: ChildProcess = spawn(process.execPath, serveCommand(opts.port, opts.db), { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (process.env['E2E_SERVER_LOG']) process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`backprop-lab serve printed no URL within ${opts.timeoutMs ?? 60_000} ms; stderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`backprop-lab serve exited (${code}) before printing its URL; stderr:\n${stderr}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        const m = URL_LINE.exec(line.trim());
        if (!m) continue;
        clearTimeout(timer);
        child.off('exit', onExit);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({
          url: m[0],
          origin: m[1]!,
          port: Number(m[2]),
          token: m[3]!,
          db: opts.db,
          pid: child.pid!,
          stop: () => stopProcess(child),
        });
        return;
      }
    });
  });
}

/** SIGINT (the serve command's Ctrl-C), then SIGTERM, then SIGKILL; resolves once the process has exited. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    child.once('exit', () => {
      timers.forEach(clearTimeout);
      resolve();
    });
    child.kill('SIGINT');
    timers.push(setTimeout(() => child.kill('SIGTERM'), 5000));
    timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
  });
}

/** Stops a server started by another process (global setup's), by its pid. */
export async function stopPid(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const [signal, wait] of [['SIGINT', 5000], ['SIGTERM', 5000], ['SIGKILL', 2000]] as const) {
    if (!alive()) return;
    process.kill(pid, signal);
    const until = Date.now() + wait;
    while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }
}

/** Where global setup leaves the shared server's details for the tests. */
export const STATE_FILE = join(repo, 'test-results', 'e2e-server.json');

export function writeState(info: ServerInfo): void {
  mkdirSync(join(repo, 'test-results'), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(info, null, 2));
}

/** The shared server started by global setup. */
export function sharedServer(): ServerInfo {
  const env = process.env['BPL_E2E_URL'];
  if (existsSync(STATE_FILE)) {
    const info = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as ServerInfo;
    if (!env || env === info.url) return info;
  }
  if (!env) throw new Error('no server: run the browser tests through playwright.config.ts (its global setup starts backprop-lab serve)');
  const m = URL_LINE.exec(env)!;
  return { url: env, origin: m[1]!, port: Number(m[2]), token: m[3]!, db: '', pid: 0 };
}

/** Where the page screenshots go (test-results/screens/*.png). */
export function screenPath(name: string): string {
  const dir = join(repo, 'test-results', 'screens');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
