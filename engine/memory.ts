// The working memory a run needs, worked out before anything is allocated, so a run that cannot fit is refused
// up front with the figure and the fix (mini-batches) instead of failing part-way with "out of WebAssembly memory".
// It counts what the network's workspaces hold (engine/network.ts: A, Z, dA, dZ of every layer for each batch
// size it sees), the parameters with their gradients and optimizer state, and the data.

import type { LayerSpec } from './architecture';
import type { RunConfig } from './config';

/**
 * Sets larger than this are evaluated in chunks of this many samples (Trainer.evaluate), so evaluating 320,000
 * samples needs one chunk's workspace, not gigabytes. Every numpy parity case is far smaller and is evaluated in one
 * piece, exactly as before.
 */
export const EVAL_CHUNK = 16_384;

/** Default limit on one run's working memory: a 32-bit WebAssembly heap tops out at 4 GiB,
// and choosing a backend under auto trains a few steps on each candidate, so stay well inside it. */
export const RUN_MEMORY_LIMIT_BYTES = 1024 ** 3;

/** Values of one workspace for m samples: A[0] (the input) plus Z, A, dA, dZ of every layer. */
function workspaceValues(arch: readonly LayerSpec[], m: number): number {
  let v = arch[0]!.input_dim * m;
  for (const l of arch) v += 4 * l.output_dim * m;
  return v;
}

export interface MemoryEstimate {
  bytes: number;
  /** The largest batch size whose run fits the limit (null when even a batch of 1 does not, or the full batch fits). */
  fittingBatch: number | null;
}

/**
 * Bytes a run of `config` needs on `nTrain` training and `nTest` test samples: the training workspace (the full
 * batch, or one mini-batch), the evaluation of the train set (with mini-batches, for the final figures) and of the
 * test set (each at most EVAL_CHUNK samples at a time), the parameters ×(value, gradient, optimizer slots), and the
 * samples themselves, as float64.
 */
export function runMemoryBytes(config: RunConfig, nTrain: number, nTest: number): number {
  const arch = config.architecture;
  const m = config.training.batchSize === null ? nTrain : Math.min(config.training.batchSize, nTrain);
  let values = workspaceValues(arch, m);
  if (m < nTrain) values += workspaceValues(arch, Math.min(nTrain, EVAL_CHUNK));
  if (nTest > 0) values += workspaceValues(arch, Math.min(nTest, EVAL_CHUNK));
  const slots = config.training.optimizer === 'sgd' ? 0 : config.training.optimizer === 'momentum' ? 1 : 2;
  let params = 0;
  for (const l of arch) params += (l.input_dim + 1) * l.output_dim;
  values += params * (2 + slots);
  const outputs = arch[arch.length - 1]!.output_dim;
  values += (nTrain + nTest) * (arch[0]!.input_dim + outputs);
  return values * 8;
}

/** "1.6 GB" */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}

/**
 * Null when the run fits `limit`; otherwise the one-line reason, with the figure and the fix. The message starts
 * with the config path it is about, as resolveConfig's do, so a front end can name its own option.
 */
export function memoryProblem(config: RunConfig, nTrain: number, nTest: number, limit = RUN_MEMORY_LIMIT_BYTES): string | null {
  const bytes = runMemoryBytes(config, nTrain, nTest);
  if (bytes <= limit) return null;
  const what = config.training.batchSize === null ? `a full batch of ${nTrain.toLocaleString('en-US')} training samples` : `${nTrain.toLocaleString('en-US')} training samples in batches of ${config.training.batchSize}`;
  // evaluation of the whole train set (and the test set) is counted whatever the batch: say so when it is the cause
  const fixed = runMemoryBytes({ ...config, training: { ...config.training, batchSize: 1 } }, nTrain, nTest);
  if (fixed > limit) {
    return `data: ${what} on this network need about ${formatBytes(bytes)} of working memory, over the ${formatBytes(limit)} a run may use, even with small batches; use fewer samples or a narrower network`;
  }
  let lo = 1, hi = nTrain;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (runMemoryBytes({ ...config, training: { ...config.training, batchSize: mid } }, nTrain, nTest) <= limit) lo = mid;
    else hi = mid - 1;
  }
  const batch = 2 ** Math.floor(Math.log2(lo));
  const at = runMemoryBytes({ ...config, training: { ...config.training, batchSize: batch } }, nTrain, nTest);
  return `training.batchSize: ${what} need about ${formatBytes(bytes)} of working memory, over the ${formatBytes(limit)} a run may use; train in mini-batches: set training.batchSize to ${batch} (about ${formatBytes(at)})`;
}
