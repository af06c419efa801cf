// What a command needs from its surroundings, injectable so tests run commands in-process:
// writers for stdout and stderr, whether stderr is a terminal, and Ctrl-C.

import { readFileSync } from 'node:fs';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress redraws one line in place. */
  isTTY?: boolean;
  /** Folder that relative paths are resolved against. Default: process.cwd(). */
  cwd?: string;
  /** Calls `handler` on Ctrl-C (SIGINT); returns the unsubscribe. */
  onInterrupt?(handler: () => void): () => void;
}

/** The real process: its streams, and SIGINT (a second Ctrl-C exits at once with 130). */
export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    onInterrupt(handler) {
      let count = 0;
      const listener = () => {
        if (++count > 1) process.exit(130);
        handler();
      };
      process.on('SIGINT', listener);
      return () => void process.off('SIGINT', listener);
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
