// The `backprop-lab` command line: a dispatcher over subcommands (train, runs, serve).
// Plain Node, no Electron; bin/backprop-lab.js runs main() with the process's streams.

import { processIO, version, type CliIO } from './cli/io';
import { runRuns, runsUsage } from './cli/runs';
import { runServe, serveUsage } from './cli/serve';
import { runTrain, trainUsage } from './cli/train';

export type { CliIO } from './cli/io';
export { parseTrainArgs, adaptArchitecture, configErrorToUsage, TRAIN_OPTIONS, type TrainOptions, type TrainReport } from './cli/train';
export { UsageError } from './cli/args';
export { runsUsage, RUNS_SUBCOMMANDS, type RunListEntry } from './cli/runs';

/** One subcommand: a line for the command list, its own usage text, and what runs it (returns the exit code). */
export interface Command {
  summary: string;
  usage(): string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** Subcommands by name. */
export const COMMANDS: Record<string, Command> = {
  train: { summary: 'train one network and report its cost and accuracy (recorded as a run)', usage: trainUsage, run: runTrain },
  runs: { summary: 'list, show, compare, rename, tag, note, delete, export and import recorded runs', usage: runsUsage, run: runRuns },
  serve: { summary: 'serve the dashboard to a browser on 127.0.0.1', usage: serveUsage, run: (argv, io) => runServe(argv, io) },
};

export function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length), 4) + 2;
  return [
    'Usage: backprop-lab <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}${COMMANDS[n]!.summary}`),
    `  ${'help'.padEnd(width)}show this help, or a command's: backprop-lab help train`,
    '',
    'Options: --help, --version',
    '',
    ...names.map((n) => COMMANDS[n]!.usage()),
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) {
      io.stderr(`backprop-lab: missing command\n\n${usage()}\n`);
      return 2;
    }
    if (first === '--help' || first === '-h') {
      io.stdout(usage() + '\n');
      return 0;
    }
    if (first === '--version' || first === '-v' || first === '-V') {
      io.stdout(version() + '\n');
      return 0;
    }
    if (first === 'help') {
      const topic = rest[0];
      if (topic === undefined) io.stdout(usage() + '\n');
      else if (COMMANDS[topic]) io.stdout(COMMANDS[topic].usage() + '\n');
      else {
        io.stderr(`backprop-lab: no help for unknown command ${JSON.stringify(topic)}; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
        return 2;
      }
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (!command) {
      const what = first.startsWith('-') ? `unknown option ${first} before a command` : `unknown command ${JSON.stringify(first)}`;
      io.stderr(`backprop-lab: ${what}\n\n${usage()}\n`);
      return 2;
    }
    return await command.run(rest, io);
  } catch (e) {
    // anything not already turned into a message is a bug: say so, with the stack for the report
    io.stderr(`backprop-lab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
