// Messages between the TrainerHost (main thread) and one training worker. One worker trains one run.

import type { ParamJSON, RunSnapshotEvent } from '../contract';
import type { BackendInfo } from '../../engine/backends/index';
import type { RunConfig } from '../../engine/config';
import type { EpochMetrics } from '../../engine/train';

/** workerData of a training worker: everything it needs to build its Trainer. */
export interface WorkerInit {
  config: RunConfig;
  csvText?: string;
  /** Start from these parameters instead of init_layers(seed). */
  params?: ParamJSON[];
  /** Metrics are posted at most this often (ms); the batches hold every epoch in between. */
  metricsIntervalMs: number;
  /** Snapshots (boundary grid, weights, layer health) are posted at most this often (ms). */
  snapshotIntervalMs: number;
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
  | { type: 'inspect'; reqId: number; point: number[] }
  | { type: 'gradCheck'; reqId: number; maxPerParam: number; samples: number };

export type WorkerPhase = 'running' | 'paused';

/** The end of a run as the worker saw it. */
export interface WorkerEnd {
  status: 'finished' | 'stopped' | 'diverged';
  reason?: string;
  epochs: number;
  finalCost: number;
  trainAccuracy: number;
  testCost: number | null;
  testAccuracy: number | null;
  msPerEpoch: number;
  /** The parameters at the end; null after a divergence (they are not finite). */
  params: ParamJSON[] | null;
}

export type WorkerToHost =
  | { type: 'ready'; backend: BackendInfo; totalEpochs: number; features: number; classes: number }
  | { type: 'initError'; code: 'invalid_config' | 'internal'; message: string }
  /** Consecutive epochs since the previous batch. */
  | { type: 'metrics'; metrics: EpochMetrics[] }
  | { type: 'phase'; phase: WorkerPhase; epoch: number }
  | { type: 'snapshot'; snapshot: Omit<RunSnapshotEvent, 'runId'> }
  | { type: 'end'; end: WorkerEnd }
  | { type: 'reply'; reqId: number; ok: true; value: unknown }
  | { type: 'reply'; reqId: number; ok: false; code: 'conflict' | 'invalid_config' | 'internal'; message: string }
  | { type: 'fatal'; message: string };
