// Messages between the TrainerHost (main thread) and one training worker. One worker trains one run.

import type { ParamJSON, RunSnapshotEvent } from '../contract';
import type { BackendInfo } from '../../engine/backends/index';
import type { RunConfig } from '../../engine/config';
import type { Params } from '../../engine/init';
import type { EpochMetrics, FinalMetrics } from '../../engine/train';

/** workerData of a training worker: everything it needs to build its Trainer. */
export interface WorkerInit {
  config: RunConfig;
  csvText?: string;
  /** Start from these parameters instead of init_layers(seed). */
  params?: ParamJSON[];
  /** Continue from this trainer state (engine/state.ts's JSON): parameters, optimizer state, epoch, shuffle. */
  state?: string;
  /** Fit the architecture's input to the data's features and its output to its classes before building the Trainer. */
  fitArchitecture?: boolean;
  /** The most working memory the run may need (bytes); a bigger one is refused before anything is allocated. */
  memoryLimitBytes?: number;
  /** The most threads the run may use (its share of the cores when several runs train at once). */
  threads?: number;
  /** Metrics are posted at most this often (ms); the batches hold every epoch in between. */
  metricsIntervalMs: number;
  /** Snapshots (boundary grid, weights, layer health) are posted at most this often (ms; see snapshotSpacingMs). */
  snapshotIntervalMs: number;
  /** Whether to compute and post running snapshots now (someone listens for them); `snapshots` messages change it. */
  snapshots: boolean;
  /** Longest stretch of training between yields to the worker's event loop (ms). */
  yieldEveryMs: number;
  /** Side of the decision-boundary grid. */
  gridSize: number;
}

/** What the host asks; `reqId` comes back on the reply. */
export type HostToWorker =
  | { type: 'go'; paused: boolean }
  /** The host has handled a metrics batch or a snapshot: the worker may send the next (backpressure). */
  | { type: 'ack'; what: 'metrics' | 'snapshot' }
  | { type: 'pause'; reqId: number }
  | { type: 'resume'; reqId: number }
  | { type: 'step'; reqId: number }
  | { type: 'stop'; reqId: number }
  | { type: 'snapshot'; reqId: number }
  /** Whether a front end listens for snapshots now: while none does, the worker computes none (a paused run sends one when one does again). */
  | { type: 'snapshots'; on: boolean }
  | { type: 'inspect'; reqId: number; point: number[] }
  | { type: 'gradCheck'; reqId: number; maxPerParam: number; samples: number };

export type WorkerPhase = 'running' | 'paused';

/** The end of a run as the worker saw it. */
export interface WorkerEnd {
  status: 'finished' | 'stopped' | 'diverged';
  reason?: string;
  epochs: number;
  /** The figures at the end; absent after a divergence. */
  final?: FinalMetrics;
  /** The parameters at the end; null after a divergence (they are not finite). */
  params: ParamJSON[] | null;
  /** The trainer's state at the end (engine/state.ts's JSON), to continue the run from; absent after a divergence. */
  state?: string;
}

export type WorkerToHost =
  /** The Trainer is built: what runs, on which configuration (the architecture may have been fitted), and its memory. */
  | { type: 'ready'; backend: BackendInfo; config: RunConfig; totalEpochs: number; features: number; classes: number; memoryBytes: number }
  | { type: 'initError'; code: 'invalid_config' | 'internal'; message: string }
  /** Consecutive epochs since the previous batch. */
  | { type: 'metrics'; metrics: EpochMetrics[] }
  | { type: 'phase'; phase: WorkerPhase; epoch: number }
  /** The weights after `epoch` epochs (a periodic checkpoint, checkpoints.ts), float64 as the trainer holds them. */
  | { type: 'checkpoint'; epoch: number; params: Params }
  | { type: 'snapshot'; snapshot: Omit<RunSnapshotEvent, 'runId'> }
  | { type: 'end'; end: WorkerEnd }
  | { type: 'reply'; reqId: number; ok: true; value: unknown }
  | { type: 'reply'; reqId: number; ok: false; code: 'conflict' | 'invalid_config' | 'internal'; message: string }
  /** A bug in the worker: the first line of the error (its stack went to stderr). */
  | { type: 'fatal'; message: string };
