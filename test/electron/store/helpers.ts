// Test helpers for the store: temporary folders that are removed afterwards, and the crash-child process.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { StoreError } from '../../../electron/store/index';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(prefix = 'bplab-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Child {
  proc: ChildProcess;
  /** Resolves with the run id once the child printed `started <id>`. */
  started: Promise<string>;
  /** Every `committed <n>` the child printed, in order. */
  committed: number[];
  /** Resolves when the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
  /** Resolves at the next `committed` line (or at once if one came since the last call). */
  nextCommit(): Promise<number>;
}

/** Starts scripts/crash-child.ts on dbPath (node --import tsx, so SIGKILL reaches the training process itself). */
export function spawnChild(dbPath: string, args: string[] = []): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/crash-child.ts', dbPath, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const committed: number[] = [];
  let stdout = '', stderr = '', pending = '';
  let onStart!: (id: string) => void, onStartFail!: (e: Error) => void;
  const started = new Promise<string>((res, rej) => ((onStart = res), (onStartFail = rej)));
  let waiters: ((n: number) => void)[] = [];
  let seen = 0;
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const [word, value] = line.split(' ');
      if (word === 'started') onStart(value!);
      if (word === 'committed') {
        committed.push(Number(value));
        const w = waiters;
        waiters = [];
        for (const f of w) f(Number(value));
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((res) =>
    proc.on('exit', (code, signal) => {
      onStartFail(new Error(`crash-child exited (${code ?? signal}) before starting a run:\n${stderr}`));
      res({ code, signal, stderr, stdout });
    }),
  );
  return {
    proc,
    started,
    committed,
    exited,
    nextCommit() {
      if (committed.length > seen) {
        seen = committed.length;
        return Promise.resolve(committed[committed.length - 1]!);
      }
      return new Promise((res) =>
        waiters.push((n) => {
          seen = committed.length;
          res(n);
        }),
      );
    },
  };
}

/** A small deterministic generator (mulberry32), so a failing random schedule can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The StoreError `fn` throws (the test fails when it throws something else, or nothing). */
export function storeError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return e as StoreError;
  }
  throw new Error('expected a StoreError');
}
