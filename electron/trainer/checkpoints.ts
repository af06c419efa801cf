// Which epochs of a run keep a copy of their weights (periodic checkpoints: the trajectory the loss landscape draws,
// "the weights at epoch k", the weight distributions of a stored run). Every 1 % of the run's epochs, at most
// MAX_CHECKPOINTS of them and at most MAX_CHECKPOINT_BYTES of weights in all; the final weights are stored apart.
//
// A checkpoint at epoch k holds the weights after k epochs of training. Epoch 0 is never one of them: a run's epoch-0
// checkpoint means "the starting weights it was given" (imported weights, which the .py export embeds), and only
// runs.start writes it.

/** Periodic checkpoints of one run, at most. */
export const MAX_CHECKPOINTS = 100;
/**
 * Bytes of periodic checkpoints of one run, at most (float64 weights): a network of more than ~21,000 parameters keeps
 * fewer of them (2-256-256-256-1: 15). Each is an SQLite insert on the main thread, ~6 ms of CPU a megabyte, which
 * on two cores comes out of the training's: at 64 MB a 25-epoch run of that network stored one every epoch.
 */
export const MAX_CHECKPOINT_BYTES = 16 * 1024 * 1024;

/**
 * How long a checkpoint may wait in memory before it is written (a pause and the run's end write them at once). Writing
 * costs the kernel's time as much as SQLite's: 1 MB of weights is ~750 page writes, 6–15 ms of CPU on two cores, so a
 * short run of a wide network would pay ~15 % of its speed for it; held, a run under 10 s writes them after its last
 * epoch, and a longer one spends under 2 % on them. A process killed mid-run loses at most these 10 s of checkpoints
 * (never an epoch's metrics).
 */
export const CHECKPOINT_HOLD_MS = 10_000;

/**
 * Epochs between two checkpoints of a run of `totalEpochs` with `parameterCount` values: ⌈totalEpochs / n⌉, where n is
 * MAX_CHECKPOINTS or fewer when that many would pass MAX_CHECKPOINT_BYTES (never fewer than one).
 */
export function checkpointEvery(totalEpochs: number, parameterCount: number): number {
  const fit = Math.max(1, Math.floor(MAX_CHECKPOINT_BYTES / Math.max(1, parameterCount * 8)));
  return Math.max(1, Math.ceil(totalEpochs / Math.min(MAX_CHECKPOINTS, fit)));
}

/** Whether the weights after `epochsDone` epochs of a run of `totalEpochs` are kept (never epoch 0). */
export function isCheckpointEpoch(epochsDone: number, totalEpochs: number, parameterCount: number): boolean {
  return epochsDone > 0 && epochsDone <= totalEpochs && epochsDone % checkpointEvery(totalEpochs, parameterCount) === 0;
}
