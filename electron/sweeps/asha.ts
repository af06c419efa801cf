// Early termination by asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
// Hyperparameter Tuning", MLSys 2020), in its stopping form (as Ray Tune's ASHAScheduler and Optuna's
// SuccessiveHalvingPruner use it): every trial trains on, and at each rung it is compared with the trials that
// have reached that rung so far; it goes past the rung only while it is in their top 1/η.
//
// Rungs are at minEpochs·η^k epochs, k = 0, 1, …, strictly below maxEpochs (a trial that trains to the end needs
// no decision). Rungs are numbered from 1 in what users read: "rung 2" is minEpochs·η.
//
// The rule at a rung, when the n-th trial reaches it with value v (the n includes it):
//   keep = max(1, ⌊n/η⌋); better = how many of the other n−1 recorded values are strictly better than v;
//   the trial goes on iff better < keep (a tie with the cut goes on); a NaN never goes on.
// While fewer than η trials have reached a rung, only the best so far goes on (Optuna's rule; ⌊n/η⌋ would be 0).
// Decisions are final, which is what makes it asynchronous: a trial that went on is not stopped later when better
// ones arrive, and a stopped one is not resumed. Every trial is recorded at every rung it reaches, stopped or not.

import type { EpochMetrics } from '../../engine/train';
import { ASHA_METRICS, type AshaMetric, type AshaSpec } from './spec';

export type TrialId = string | number;

/** A trial stopped at a rung, and why (the reason is what its run records). */
export interface AshaPrune {
  prune: true;
  /** 1, 2, 3, …: the rung it stopped at. */
  rung: number;
  /** The rung's epoch: the epochs it trained. */
  epoch: number;
  value: number;
  /** 1 = best among the trials at the rung when it arrived (ties share the better rank). */
  rank: number;
  /** How many trials had reached the rung, this one included. */
  of: number;
  /** How many of those the rule lets go on. */
  keep: number;
  /** "pruned at rung 2 (epoch 90): testCost 0.41 not in the top 1/3 of 7 trials at that rung" */
  reason: string;
}

export type AshaDecision = 'continue' | AshaPrune;

/** The rung epochs: minEpochs·η^k below maxEpochs, in increasing order. */
export function ashaRungs(minEpochs: number, reduction: number, maxEpochs: number): number[] {
  if (!Number.isInteger(minEpochs) || minEpochs < 1) throw new RangeError(`minEpochs must be an integer ≥ 1, got ${minEpochs}`);
  if (!Number.isInteger(reduction) || reduction < 2) throw new RangeError(`reduction must be an integer ≥ 2, got ${reduction}`);
  const rungs: number[] = [];
  for (let r = minEpochs; r < maxEpochs; r *= reduction) rungs.push(r);
  return rungs;
}

/**
 * Epochs a sweep did not train because trials were stopped early, against running every trial to maxEpochs:
 * Σ over the pruned trials of (maxEpochs − epochs it trained). Trials that finished, failed or were stopped by
 * the user do not count (ASHA saved nothing there).
 */
export function epochsSaved(maxEpochs: number, trials: readonly { status: string; epochs: number }[]): number {
  return trials.reduce((sum, t) => sum + (t.status === 'pruned' ? Math.max(0, maxEpochs - t.epochs) : 0), 0);
}

interface TrialState {
  /** Index into rungs of the next rung this trial has not reached. */
  next: number;
  pruned: AshaPrune | null;
}

/** The ASHA bookkeeping of one sweep: feed it each trial's metric as epochs complete; it says go on or stop. */
export class Asha {
  readonly metric: AshaMetric;
  readonly reduction: number;
  readonly maxEpochs: number;
  /** The rung epochs, increasing. */
  readonly rungs: readonly number[];
  /** The values recorded at each rung, in arrival order. */
  private readonly recorded: number[][];
  private readonly trials = new Map<TrialId, TrialState>();
  private readonly lowerIsBetter: boolean;

  constructor(spec: AshaSpec) {
    this.metric = spec.metric;
    this.reduction = spec.reduction;
    this.maxEpochs = spec.maxEpochs;
    this.rungs = ashaRungs(spec.minEpochs, spec.reduction, spec.maxEpochs);
    this.recorded = this.rungs.map(() => []);
    this.lowerIsBetter = ASHA_METRICS[spec.metric] === 'min';
  }

  /**
   * A trial's metric once it has trained `epoch` epochs (1 after its first; EpochMetrics.epoch + 1, the value
   * being that epoch's metric as its run records it). Reports may skip epochs: one at or past a rung the trial has
   * not reached yet counts as reaching it with this value (and every rung it jumps over, while it goes on). Once
   * a trial is stopped, every later report returns the same decision; reports of rungs already passed change
   * nothing.
   */
  report(trialId: TrialId, epoch: number, value: number): AshaDecision {
    let t = this.trials.get(trialId);
    if (!t) this.trials.set(trialId, (t = { next: 0, pruned: null }));
    if (t.pruned) return t.pruned;
    while (t.next < this.rungs.length && epoch >= this.rungs[t.next]!) {
      const k = t.next++;
      const decision = this.decide(k, value);
      if (decision !== 'continue') {
        t.pruned = decision;
        return decision;
      }
    }
    return 'continue';
  }

  /** report() from a trainer's EpochMetrics; an epoch without the metric (no test evaluation) is skipped. */
  reportMetrics(trialId: TrialId, m: EpochMetrics): AshaDecision {
    const value = metricValue(m, this.metric);
    if (value === null) return this.trials.get(trialId)?.pruned ?? 'continue';
    return this.report(trialId, m.epoch + 1, value);
  }

  /** The trial's stop, or null while it may go on. */
  prunedAt(trialId: TrialId): AshaPrune | null {
    return this.trials.get(trialId)?.pruned ?? null;
  }

  /** Values recorded at a rung (1-based, as in reasons), in arrival order. */
  rungValues(rung: number): readonly number[] {
    return this.recorded[rung - 1] ?? [];
  }

  /** Epochs saved so far: Σ (maxEpochs − rung epoch) over the stopped trials (see epochsSaved for actual epochs). */
  epochsSaved(): number {
    let saved = 0;
    for (const t of this.trials.values()) if (t.pruned) saved += this.maxEpochs - t.pruned.epoch;
    return saved;
  }

  /** Trials seen, trials stopped, epochs saved, and the budget of running every seen trial to the end. */
  summary(): { trials: number; pruned: number; epochsSaved: number; budget: number } {
    let pruned = 0;
    for (const t of this.trials.values()) if (t.pruned) pruned++;
    return { trials: this.trials.size, pruned, epochsSaved: this.epochsSaved(), budget: this.trials.size * this.maxEpochs };
  }

  private decide(k: number, value: number): AshaDecision {
    const values = this.recorded[k]!;
    let better = 0;
    for (const v of values) if (this.isBetter(v, value)) better++;
    values.push(value);
    const n = values.length;
    const keep = Math.max(1, Math.floor(n / this.reduction));
    if (!Number.isNaN(value) && better < keep) return 'continue';
    const rung = k + 1;
    const epoch = this.rungs[k]!;
    return {
      prune: true,
      rung,
      epoch,
      value,
      rank: better + 1,
      of: n,
      keep,
      reason: `pruned at rung ${rung} (epoch ${epoch}): ${this.metric} ${formatValue(value)} not in the top 1/${this.reduction} of ${n} trial${n === 1 ? '' : 's'} at that rung`,
    };
  }

  /** a is strictly better than b; a number beats NaN. */
  private isBetter(a: number, b: number): boolean {
    if (Number.isNaN(a)) return false;
    if (Number.isNaN(b)) return true;
    return this.lowerIsBetter ? a < b : a > b;
  }
}

/** The metric ASHA ranks by, from one epoch's metrics (null when the epoch has no test evaluation). */
export function metricValue(m: EpochMetrics, metric: AshaMetric): number | null {
  switch (metric) {
    case 'cost':
      return m.trainCost;
    case 'trainAccuracy':
      return m.trainAccuracy;
    case 'testCost':
      return m.testCost;
    case 'testAccuracy':
      return m.testAccuracy;
  }
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}
