// What a command needs from its surroundings, injectable so tests run commands in-process:
// writers for stdout and stderr, whether stderr is a terminal, the environment, a yes/no question, and Ctrl-C.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress redraws one line in place. */
  isTTY?: boolean;
  /** Folder that relative paths are resolved against. Default: process.cwd(). */
  cwd?: string;
  /** Environment variables (BACKPROP_LAB_DATA_DIR). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Calls `handler` on Ctrl-C (SIGINT); returns the unsubscribe. */
  onInterrupt?(handler: () => void): () => void;
  /** Calls `handler` on SIGINT, SIGTERM or SIGHUP (a second one exits at once); returns the unsubscribe. */
  onSignal?(handler: (signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP') => void): () => void;
  /**
   * Asks a yes/no question on the terminal; absent (or resolving null) when nobody can answer (stdin is not a
   * terminal), so a destructive command asks for --yes instead.
   */
  confirm?(question: string): Promise<boolean | null>;
}

/** The real process: its streams, and SIGINT (a second Ctrl-C exits at once with 130). */
export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
    onInterrupt(handler) {
      let count = 0;
      const listener = () => {
        if (++count > 1) process.exit(130);
        handler();
      };
      process.on('SIGINT', listener);
      return () => void process.off('SIGINT', listener);
    },
    onSignal(handler) {
      let count = 0;
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      const listeners = signals.map((s) => {
        const l = () => {
          if (++count > 1) process.exit(s === 'SIGINT' ? 130 : s === 'SIGTERM' ? 143 : 129);
          handler(s);
        };
        process.on(s, l);
        return [s, l] as const;
      });
      return () => listeners.forEach(([s, l]) => void process.off(s, l));
    },
    async confirm(question) {
      if (!process.stdin.isTTY || !process.stderr.isTTY) return null;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await new Promise<string>((res) => rl.question(`${question} [y/N] `, res));
        return /^\s*y(es)?\s*$/i.test(answer);
      } finally {
        rl.close();
      }
    },
  };
}

/** "backprop-lab 0.1.0", from package.json. */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return `backprop-lab ${pkg.version ?? '(version unknown)'}`;
  } catch {
    return 'backprop-lab (version unknown)';
  }
}

/** One line on stderr ("backprop-lab: …") and the exit code to return with it. */
export function fail(io: CliIO, message: string, code: number): number {
  io.stderr(`backprop-lab: ${message}\n`);
  return code;
}
