// Early stopping: watches one metric per epoch (the test cost, or the train cost), remembers the best epoch and the
// parameters it was measured at, and says when the metric has not improved by minDelta for `patience` epochs.

import type { EarlyStopMetric, TrainingSpec } from './config';
import type { Params } from './init';

/** What a run that stopped early reports. */
export interface EarlyStopOutcome {
  stoppedEarly: boolean;
  /** The epoch whose metric was best: the run's final weights are the ones that metric was measured at. */
  bestEpoch: number | null;
  /** The watched metric ('testCost' or 'cost') and its best value. */
  metric: 'testCost' | 'cost';
  bestValue: number | null;
}

/** The metric early stopping watches: auto is testCost when there is a test set, else the train cost. */
export function earlyStopMetric(setting: EarlyStopMetric, hasTestSet: boolean): 'testCost' | 'cost' {
  return setting === 'auto' ? (hasTestSet ? 'testCost' : 'cost') : setting;
}

/**
 * Epoch e's metric is measured before e's update, so the parameters it belongs to are those before that update:
 * the trainer hands them over with each value (`before`) and the tracker keeps the best.
 */
export class EarlyStopper {
  readonly patience: number;
  readonly minDelta: number;
  readonly metric: 'testCost' | 'cost';
  best = Infinity;
  bestEpoch: number | null = null;
  bestParams: Params | null = null;
  /** Epochs since the last improvement. */
  wait = 0;
  /** observe() said stop (even on the last epoch: the weights are then the best epoch's all the same). */
  stopped = false;

  constructor(t: Pick<TrainingSpec, 'earlyStop' | 'earlyStopMetric' | 'minDelta'>, hasTestSet: boolean) {
    this.patience = t.earlyStop;
    this.minDelta = t.minDelta;
    this.metric = earlyStopMetric(t.earlyStopMetric, hasTestSet);
  }

  /** Records epoch e's value measured at `before`; true when training should stop now. */
  observe(epoch: number, value: number, before: () => Params): boolean {
    if (value < this.best - this.minDelta) {
      this.best = value;
      this.bestEpoch = epoch;
      this.bestParams = before();
      this.wait = 0;
      return false;
    }
    this.wait++;
    this.stopped = this.wait >= this.patience;
    return this.stopped;
  }
}
