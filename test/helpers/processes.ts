// Real processes for the host tests: another program holding a run database's lock (test/electron/store/
// lock-holder.mjs), and the `backprop-lab` command line as a child process whose output can be waited on.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const HOLDER = fileURLToPath(new URL('../electron/store/lock-holder.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/backprop-lab.js', import.meta.url));

export interface Holder {
  /** Resolves once the other process holds the lock. */
  locked: Promise<void>;
  /** Lets go (closes its stdin) and resolves with the time it released the lock. */
  release(): Promise<number>;
  /** Resolves with the release time when it lets go by itself (a holdMs was given). */
  released: Promise<number>;
}

/** A second node process that opens `dbPath` and holds a write lock (BEGIN IMMEDIATE), or an exclusive one. */
export function holdLock(dbPath: string, mode: 'write' | 'exclusive' = 'write', holdMs?: number): Holder {
  const proc = spawn(process.execPath, [HOLDER, dbPath, mode, ...(holdMs === undefined ? [] : [String(holdMs)])], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c: string) => (err += c));
  let onLocked!: () => void, onFail!: (e: Error) => void;
  const locked = new Promise<void>((res, rej) => ((onLocked = res), (onFail = rej)));
  proc.stdout.on('data', (c: string) => {
    out += c;
    if (out.includes('locked\n')) onLocked();
  });
  const released = new Promise<number>((res, rej) =>
    proc.on('exit', (code) => {
      onFail(new Error(`lock-holder exited (${code}) before locking:\n${err}`));
      const m = /released (\d+)/.exec(out);
      if (code === 0 && m) res(Number(m[1]));
      else rej(new Error(`lock-holder exited with ${code}:\n${err}`));
    }),
  );
  return {
    locked,
    released,
    release() {
      proc.stdin.end();
      return released;
    },
  };
}

export interface CliChild {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr matches `re` (e.g. a progress line past some epoch). */
  waitForStderr(re: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or 128 + signal number when killed by one). */
  exit: Promise<number>;
}

const SIGNAL_NUMBER: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** `node bin/backprop-lab.js …args` as a child process (stderr is a pipe, so progress comes as plain lines). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = process.env, cwd = REPO): CliChild {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stdout!.on('data', (c: string) => (out += c));
  proc.stderr!.on('data', (c: string) => {
    err += c;
    for (const w of [...waiters]) {
      const m = w.re.exec(err);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exit = new Promise<number>((res) => proc.on('exit', (code, signal) => res(code ?? 128 + (SIGNAL_NUMBER[signal ?? ''] ?? 0))));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    waitForStderr(re) {
      const m = re.exec(err);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        void exit.then((code) => reject(new Error(`the CLI exited (${code}) before stderr matched ${re}:\n${err}`)));
      });
    },
    exit,
  };
}
