// How long the command line takes to start (issue 12): the median wall time, over `repeats` runs after one untimed
// warm-up, of
//   node -e 0                                            Node itself, the floor
//   node bin/backprop-lab.js --version                   the command line, loaded and answering
//   node bin/backprop-lab.js train --epochs 0 --no-record   + the engine, the data and backend selection
//   npx backprop-lab --version                           + npx resolving the package (as a user types it)
// scripts/bench.ts (`npm run bench`) calls benchStartup(); on its own: `npx tsx scripts/bench-startup.ts
// [--repeats N] [--json]`. It times the build in out/cli, as `npm install` leaves it: a build older than the sources
// (bin/backprop-lab.js would fall back to running them through tsx, several times slower) is rebuilt first, as
// `npm run build:cli` does, and the standalone run says which one bin/backprop-lab.js ran.
// A benchmark, not a test: it prints times and asserts only that every command succeeded.

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = 'bin/backprop-lab.js';
const isWindows = process.platform === 'win32';

/** One timed command line: what bench.ts prints as workload "startup", implementation `impl`. */
export interface StartupCase {
  impl: string;
  command: string;
  args: string[];
  /** What its stdout must show: a benchmark of the wrong command, or of a failing one, is worthless. */
  expect: RegExp;
}

export const STARTUP_CASES: readonly StartupCase[] = [
  { impl: 'node -e 0', command: process.execPath, args: ['-e', '0'], expect: /^$/ },
  { impl: 'backprop-lab --version', command: process.execPath, args: [BIN, '--version'], expect: /^backprop-lab \d/ },
  { impl: 'backprop-lab train --epochs 0', command: process.execPath, args: [BIN, 'train', '--epochs', '0', '--no-record'], expect: /initialized only/ },
  // --no: never download or prompt (the package is this repository); `--` so that npx passes --version on
  { impl: 'npx backprop-lab --version', command: isWindows ? 'npx.cmd' : 'npx', args: ['--no', '--', 'backprop-lab', '--version'], expect: /^backprop-lab \d/ },
];

/** Runs one command to completion and returns its wall time in ms; throws (with its stderr) when it fails. */
function timeOnce(c: StartupCase): number {
  const t0 = performance.now();
  const r = spawnSync(c.command, c.args, { cwd: ROOT, encoding: 'utf8', shell: isWindows && c.command.endsWith('.cmd'), env: { ...process.env, BACKPROP_LAB_DEBUG_ENTRY: '' } });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) throw new Error(`bench-startup: \`${c.impl}\` failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  if (!c.expect.test(r.stdout)) throw new Error(`bench-startup: \`${c.impl}\` printed ${JSON.stringify(r.stdout.slice(0, 200))}, not what it should (${c.expect})`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The median start-up time of each case in ms (one untimed warm-up run each, then `repeats` timed runs). */
export async function benchStartup(opts: { repeats?: number } = {}): Promise<Array<{ workload: 'startup'; impl: string; ms: number }>> {
  const repeats = Math.max(1, Math.floor(opts.repeats ?? 7));
  if (!cliEntry().startsWith('built ')) {
    const r = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, encoding: 'utf8' });
    const entry = cliEntry();
    if (r.status !== 0 || !entry.startsWith('built ')) throw new Error(`bench-startup: out/cli is older than the sources and rebuilding it failed (${entry}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  }
  const out: Array<{ workload: 'startup'; impl: string; ms: number }> = [];
  for (const c of STARTUP_CASES) {
    timeOnce(c); // warm-up: file cache, npx's cache
    const runs: number[] = [];
    for (let i = 0; i < repeats; i++) runs.push(timeOnce(c));
    out.push({ workload: 'startup', impl: c.impl, ms: Math.round(median(runs) * 10) / 10 });
  }
  return out;
}

/** What bin/backprop-lab.js runs here now: "built …" or "sources … (why)", from its BACKPROP_LAB_DEBUG_ENTRY line. */
export function cliEntry(): string {
  const r = spawnSync(process.execPath, [BIN, '--version'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BACKPROP_LAB_DEBUG_ENTRY: '1' } });
  const line = (r.stderr ?? '').split('\n').find((l) => l.startsWith('backprop-lab: entry '));
  return line ? line.replace('backprop-lab: entry ', '') : 'unknown';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--repeats');
  const repeats = i >= 0 ? Number(argv[i + 1]) : undefined;
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats > 0)) {
    console.error(`bench-startup: --repeats must be a positive integer, got ${JSON.stringify(argv[i + 1])}`);
    process.exit(2);
  }
  const results = await benchStartup({ repeats });
  const entry = cliEntry();
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ entry, results }));
  } else {
    console.log(`bin/backprop-lab.js runs: ${entry}`);
    const floor = results[0]!.ms;
    for (const r of results) console.log(`${r.impl.padEnd(34)}${r.ms.toFixed(0).padStart(6)} ms${r === results[0] ? '' : `   (+${(r.ms - floor).toFixed(0)} ms over node -e 0)`}`);
  }
}
