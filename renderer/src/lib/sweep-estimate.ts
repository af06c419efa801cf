// How long a sweep will take before it starts: trials ÷ trials at once × (a trial's start + epochs × ms per epoch).
// The ms per epoch comes from runs already recorded: the same architecture on the same dataset when there are some
// (their median), else the nearest recorded run scaled by the parameter count. A trial's start (its worker, data,
// records) is a constant measured on a 2-core machine; it dominates sweeps of tiny networks.
import type { RunSummary } from '../api';

export interface SweepEstimate {
  ms: number;
  msPerEpoch: number;
  /** Where the pace came from, for the tooltip ("median of 3 runs of 2-4-1 on moons"). */
  basis: string;
  rough: boolean;
}

/** Parameters of a "2-25-1" architecture string. */
export function paramsOf(arch: string): number {
  const w = arch.split('-').map(Number);
  let n = 0;
  for (let i = 1; i < w.length; i++) n += w[i]! * w[i - 1]! + w[i]!;
  return n;
}

/** What one trial costs beside its epochs (ms): about a second for 2-4-1 to 2-16-1 sweeps on a shared 2-core machine. */
export const TRIAL_START_MS = 1000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** The pace of recorded runs (ms per epoch), for this architecture and dataset; null when no run has trained. */
export function estimateSweep(runs: readonly RunSummary[], arch: string, dataset: string, epochs: number, trials: number, parallel: number): SweepEstimate | null {
  const paced = runs
    .filter((r) => r.epochsDone > 0 && r.durationMs !== null && r.durationMs > 0 && r.status !== 'running' && r.status !== 'paused')
    .map((r) => ({ r, pace: r.durationMs! / r.epochsDone }));
  if (paced.length === 0) return null;
  const same = paced.filter((p) => p.r.architecture === arch && p.r.dataset === dataset).slice(0, 9);
  const at = Math.max(1, Math.min(parallel, trials));
  // `at` trials train side by side (each on its share of the cores), so the sweep takes trials ÷ at waves
  const waves = trials / at;
  if (same.length) {
    const msPerEpoch = median(same.map((p) => p.pace));
    return { ms: (TRIAL_START_MS + msPerEpoch * epochs) * waves, msPerEpoch, basis: `median pace of ${same.length} recorded run${same.length > 1 ? 's' : ''} of ${arch} on ${dataset}, and ~${TRIAL_START_MS} ms to start each trial`, rough: false };
  }
  const target = paramsOf(arch);
  const near = paced.slice(0, 20).sort((a, b) => Math.abs(Math.log(paramsOf(a.r.architecture) / target)) - Math.abs(Math.log(paramsOf(b.r.architecture) / target)))[0]!;
  const msPerEpoch = near.pace * Math.max(0.05, target / Math.max(1, paramsOf(near.r.architecture)));
  return { ms: (TRIAL_START_MS + msPerEpoch * epochs) * waves, msPerEpoch, basis: `scaled from run ${near.r.name} (${near.r.architecture}) by parameter count, and ~${TRIAL_START_MS} ms to start each trial`, rough: true };
}
