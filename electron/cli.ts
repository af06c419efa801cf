// The `backprop-lab` command line: a dispatcher over subcommands (train, runs, serve). Each subcommand's module is
// loaded only when it runs (or its help is asked for), so `--version` and `--help` start in tens of milliseconds.
// Plain Node, no Electron; bin/backprop-lab.js runs main() with the process's streams.

import { processIO, version, type CliIO } from './cli/io';

export type { CliIO } from './cli/io';

/** What a subcommand's module gives: its usage text and what runs it (returns the exit code). */
export interface CommandModule {
  usage(): string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** One subcommand: a line for the command list, and its module, loaded on first use. */
export interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

/** Subcommands by name. */
export const COMMANDS: Record<string, Command> = {
  train: {
    summary: 'train one network and report its cost and accuracy (recorded as a run)',
    load: async () => {
      const m = await import('./cli/train');
      return { usage: m.trainUsage, run: m.runTrain };
    },
  },
  runs: {
    summary: 'list, show, compare, rename, tag, note, delete, export and import recorded runs',
    load: async () => {
      const m = await import('./cli/runs');
      return { usage: m.runsUsage, run: m.runRuns };
    },
  },
  serve: {
    summary: 'serve the dashboard to a browser on 127.0.0.1',
    load: async () => {
      const m = await import('./cli/serve');
      return { usage: m.serveUsage, run: (argv, io) => m.runServe(argv, io) };
    },
  },
  sweep: {
    summary: 'run a sweep spec: many trainings, each a recorded run, stopped early by ASHA',
    load: async () => {
      const m = await import('./cli/sweep');
      return { usage: m.sweepUsage, run: m.runSweep };
    },
  },
  worker: {
    summary: 'train the trials of sweeps started with --queue, taken from Redis (BullMQ)',
    load: async () => {
      const m = await import('./cli/worker');
      return { usage: m.workerUsage, run: m.runWorker };
    },
  },
};

/** The command list, and every command's own usage below it. */
export async function usage(): Promise<string> {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length), 4) + 2;
  const modules = await Promise.all(names.map((n) => COMMANDS[n]!.load()));
  return [
    'Usage: backprop-lab <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}${COMMANDS[n]!.summary}`),
    `  ${'help'.padEnd(width)}show this help, or a command's: backprop-lab help train`,
    '',
    'Options: --help, --version',
    '',
    ...modules.map((m) => m.usage()),
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === '--version' || first === '-v' || first === '-V') {
      io.stdout(version() + '\n');
      return 0;
    }
    if (first === undefined) {
      io.stderr(`backprop-lab: missing command\n\n${await usage()}\n`);
      return 2;
    }
    if (first === '--help' || first === '-h') {
      io.stdout((await usage()) + '\n');
      return 0;
    }
    if (first === 'help') {
      const topic = rest[0];
      if (topic === undefined) io.stdout((await usage()) + '\n');
      else if (Object.hasOwn(COMMANDS, topic)) io.stdout((await COMMANDS[topic]!.load()).usage() + '\n');
      else {
        io.stderr(`backprop-lab: no help for unknown command ${JSON.stringify(topic)}; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
        return 2;
      }
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (!command) {
      const what = first.startsWith('-') ? `unknown option ${first} before a command` : `unknown command ${JSON.stringify(first)}`;
      io.stderr(`backprop-lab: ${what}\n\n${await usage()}\n`);
      return 2;
    }
    return await (await command.load()).run(rest, io);
  } catch (e) {
    // anything not already turned into a message is a bug: one line (BACKPROP_LAB_DEBUG=1 adds the stack for a report)
    io.stderr(`backprop-lab: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (please report it; BACKPROP_LAB_DEBUG=1 shows where)\n`);
    if ((io.env ?? process.env)['BACKPROP_LAB_DEBUG'] && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return 70;
  }
}
