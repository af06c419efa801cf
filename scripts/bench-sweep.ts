// The sweep benchmark (issue 9): trials per minute of a 24-trial sweep of 300-epoch seed-network runs (the
// notebook's 2-25-50-50-25-1 on moons; lr × seed), run
//   1. one after another with `backprop-lab train` (in-process, so no process start-up is counted against it),
//   2. as a local sweep, --parallel N (default: the number of cores), every trial to the end,
//   3. as a local sweep with ASHA (testCost, min_epochs 30, reduction 3),
// and the epochs ASHA saved. Prints the ratios (goal: sweep ≥ 1.7× the one-after-another train on 2 cores).
// A benchmark, not a test: it asserts only that every command succeeded.
//
//   npx tsx scripts/bench-sweep.ts [--trials 24] [--epochs 300] [--parallel N] [--json]

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../electron/cli';
import type { SweepReport } from '../electron/cli/sweep';
import { generateTrials, parseSweepSpec, trialArgv } from '../electron/sweeps/index';

interface Args {
  trials: number;
  epochs: number;
  parallel: number;
  json: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = { trials: 24, epochs: 300, parallel: availableParallelism(), json: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    if (f === '--json') a.json = true;
    else if (f === '--trials' || f === '--epochs' || f === '--parallel') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${f} needs a whole number ≥ 1`);
      a[f.slice(2) as 'trials' | 'epochs' | 'parallel'] = v;
    } else throw new Error(`unknown option ${f}; use --trials N, --epochs N, --parallel N, --json`);
  }
  return a;
}

/** `trials` draws of lr (4 values) × seed (as many as it takes), from the spec's seeded generator. */
function spec(trials: number, epochs: number, asha: boolean): Record<string, unknown> {
  const lrs = [0.01, 0.03, 0.1, 0.3];
  const seeds = Array.from({ length: Math.ceil(trials / lrs.length) }, (_, i) => i + 1);
  return {
    name: `bench ${trials}×${epochs}${asha ? ' asha' : ''}`,
    base: { epochs, dataset: 'moons' },
    random: { lr: { choice: lrs }, seed: { choice: seeds } },
    trials,
    seed: 1,
    ...(asha ? { asha: { metric: 'testCost', min_epochs: Math.max(1, Math.floor(epochs / 10)), reduction: 3 } } : {}),
  };
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false });
  if (code !== 0) throw new Error(`backprop-lab ${argv.slice(0, 3).join(' ')} … exited ${code}: ${stderr.split('\n').slice(-3).join(' ')}`);
  return { code, stdout, stderr };
}

async function main2(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'bplab-bench-sweep-'));
  try {
    const db = join(dir, 'runs.db');
    const plain = spec(a.trials, a.epochs, false);
    const withAsha = spec(a.trials, a.epochs, true);
    const trials = generateTrials(parseSweepSpec(plain));

    // 1. one after another with train, as a user would type it (backend auto: measured per run), and with
    //    --backend cpu, which is what a sweep's trials train on when several run at once (core/sweeps.ts)
    let t0 = performance.now();
    for (const t of trials) await cli(['train', ...trialArgv(t.options), '--db', db, '--json', '--quiet']);
    const sequentialMs = performance.now() - t0;
    t0 = performance.now();
    for (const t of trials) await cli(['train', ...trialArgv(t.options), '--backend', 'cpu', '--db', db, '--json', '--quiet']);
    const sequentialCpuMs = performance.now() - t0;

    // 2. the sweep, every trial to the end
    const write = (s: unknown, name: string) => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(s));
      return p;
    };
    t0 = performance.now();
    await cli(['sweep', write(plain, 'plain.json'), '--db', db, '--parallel', String(a.parallel), '--json', '--quiet']);
    const sweepMs = performance.now() - t0;

    // 3. the sweep with ASHA
    t0 = performance.now();
    const r = await cli(['sweep', write(withAsha, 'asha.json'), '--db', db, '--parallel', String(a.parallel), '--json', '--quiet']);
    const ashaMs = performance.now() - t0;
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as SweepReport;
    const trained = report.trials.reduce((n, t) => n + t.epochs, 0);
    const pruned = report.trials.filter((t) => t.status === 'pruned').length;

    const perMin = (ms: number) => (a.trials / ms) * 60_000;
    const result = {
      trials: a.trials,
      epochs: a.epochs,
      parallel: a.parallel,
      cores: availableParallelism(),
      sequentialTrialsPerMin: perMin(sequentialMs),
      sequentialCpuTrialsPerMin: perMin(sequentialCpuMs),
      sweepVsSequentialCpu: sequentialCpuMs / sweepMs,
      sweepTrialsPerMin: perMin(sweepMs),
      ashaTrialsPerMin: perMin(ashaMs),
      sweepVsSequential: sequentialMs / sweepMs,
      ashaVsSequential: sequentialMs / ashaMs,
      ashaPruned: pruned,
      ashaEpochsSaved: report.epochsSaved,
      ashaEpochsTrained: trained,
      ashaBudget: a.trials * a.epochs,
    };
    if (a.json) {
      console.log(JSON.stringify(result));
      return;
    }
    const f = (v: number) => v.toFixed(1);
    console.log(`sweep benchmark: ${a.trials} trials × ${a.epochs} epochs of the seed network on moons, ${a.parallel} at once on ${result.cores} cores`);
    console.log(`  train, one after another   ${f(result.sequentialTrialsPerMin)} trials/min   (backend auto, measured per run)`);
    console.log(`  train --backend cpu, same  ${f(result.sequentialCpuTrialsPerMin)} trials/min`);
    console.log(`  sweep, every trial to end  ${f(result.sweepTrialsPerMin)} trials/min   ${result.sweepVsSequential.toFixed(2)}× train, ${result.sweepVsSequentialCpu.toFixed(2)}× train --backend cpu (goal ≥ 1.7× on 2 cores)`);
    console.log(`  sweep with ASHA            ${f(result.ashaTrialsPerMin)} trials/min   ${result.ashaVsSequential.toFixed(2)}× train`);
    console.log(`  ASHA pruned ${pruned} of ${a.trials} trials and saved ${report.epochsSaved} of ${result.ashaBudget} epochs (${((100 * report.epochsSaved) / result.ashaBudget).toFixed(1)} %)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main2().catch((e: unknown) => {
  console.error(`bench-sweep: ${(e as Error).message}`);
  process.exit(1);
});
