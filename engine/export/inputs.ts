// What a run does to a sample before its first layer — StandardScaler (data.standardize) and the Playground's input
// features (data.features) — in the form every export carries: the ONNX graph computes it, the JSON and .npz name
// it, the .py script repeats it (notebook.ts).

import { taskOf, type InputFeature, type RunConfig } from '../config';
import { loadData } from '../datasets/index';
import type { Scaler } from '../datasets/standardize';
import { ExportError } from './errors';

/** The input pipeline: raw columns → (x − mean)/scale → features. */
export interface InputPipeline {
  /** The raw columns a sample has before it (2 for features of 2-D data). */
  rawInputs: number;
  /** The names of the raw columns. */
  rawNames: string[];
  /** data.standardize: the StandardScaler fitted on the run's train split. */
  scaler?: Scaler;
  /** data.features: the inputs computed from the two (standardized) columns x1, x2, in this order. */
  features?: InputFeature[];
  /** classification, or regression (the output is the prediction itself). */
  task: 'classification' | 'regression';
}

/**
 * The pipeline of a run, or null when the network takes the raw columns (no standardize, no features). The scaler
 * is the one loadData fits on the run's train split; a CSV run's is passed in (its data is not at hand here).
 */
export function inputPipeline(config: RunConfig, given?: { scaler?: Scaler; featureNames?: string[] }): InputPipeline | null {
  const d = config.data;
  if (!d.standardize && !d.features) return null;
  let scaler = given?.scaler;
  let rawNames = given?.featureNames;
  if ((d.standardize && !scaler) || !rawNames) {
    if (d.kind === 'csv') {
      if (d.standardize && !scaler) throw new ExportError('not_representable', 'cannot export the standardization of a CSV run without its data; export json or npz (their config names it) or the .py script');
      rawNames ??= d.features ? ['x1', 'x2'] : [];
    } else {
      const split = loadData({ ...d, standardize: Boolean(d.standardize), features: undefined });
      scaler ??= split.scaler;
      rawNames ??= split.featureNames;
    }
  }
  const rawInputs = d.features ? 2 : (scaler?.mean.length ?? rawNames.length);
  return {
    rawInputs,
    rawNames: rawNames.length === rawInputs ? rawNames : Array.from({ length: rawInputs }, (_, i) => `x${i + 1}`),
    ...(d.standardize && scaler ? { scaler: { mean: [...scaler.mean], scale: [...scaler.scale] } } : {}),
    ...(d.features ? { features: [...d.features] } : {}),
    task: taskOf(d.kind),
  };
}
