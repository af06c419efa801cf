// One training worker: builds a Trainer from workerData, trains when told, answers pause/resume/step/stop,
// inspect and gradient-check requests between epochs (Trainer.run yields every ≤25 ms), and posts metrics in
// batches (at most one message per metricsIntervalMs, every epoch in some batch) and, while a front end listens for
// them, snapshots a few times a second (fewer where one is costly: snapshotSpacingMs).

import { parentPort, workerData } from 'node:worker_threads';
import { adaptArchitecture, ArchitectureError } from '../../engine/architecture';
import { BackendUnavailableError } from '../../engine/backends/index';
import { ConfigError, type RunConfig } from '../../engine/config';
import { DatasetError, loadData } from '../../engine/datasets/index';
import { gradientCheck } from '../../engine/gradcheck';
import { memoryProblem, runMemoryBytes } from '../../engine/memory';
import { createTrainer, DivergenceError, type EpochMetrics, type Trainer, type TrainResult } from '../../engine/train';
import { SNAPSHOT_WEIGHTS_INTERVAL_MS, SNAPSHOT_WEIGHTS_LIGHT_PARAMS, snapshotSpacingMs } from '../limits';
import type { HostToWorker, WorkerEnd, WorkerInit, WorkerToHost } from './protocol';
import { isCheckpointEpoch } from './checkpoints';
import { dataGrid, paramsFromPlain, paramsToPlain, snapshot } from './snapshot';
import { NODE_BACKENDS } from '../../engine/backends/node';
import { parseTrainerState, serializeTrainerState } from '../../engine/state';

const port = parentPort;
if (!port) throw new Error('electron/trainer/worker.ts runs as a worker thread, started by TrainerHost');
const init = (workerData as { init: WorkerInit }).init;
/** Posts to the host; `transfer`: buffers handed over rather than copied (the worker keeps no use of them). */
const post = (m: WorkerToHost, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
/** The first line of an error: what the host may show. A bug's stack goes to stderr, never to a page or the store. */
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
const bug = (e: unknown) => {
  console.error(e);
  return message(e);
};

/** Errors about what the user asked for (the configuration, the data, the backend) rather than bugs. */
const isUserError = (e: unknown) => e instanceof ConfigError || e instanceof ArchitectureError || e instanceof DatasetError || e instanceof BackendUnavailableError;

let trainer: Trainer;
let config: RunConfig = init.config;
let memoryBytes = 0;
try {
  const data = loadData(config.data, init.csvText);
  if (init.fitArchitecture) {
    const fitted = adaptArchitecture(config.architecture, data.features, data.classes);
    if (fitted) config = { ...config, architecture: fitted };
  }
  const tooBig = memoryProblem(config, data.train.n, data.test.n, init.memoryLimitBytes);
  if (tooBig) throw new ConfigError(tooBig);
  memoryBytes = runMemoryBytes(config, data.train.n, data.test.n);
  trainer = await createTrainer(config, {
    data,
    factories: NODE_BACKENDS,
    ...(init.threads !== undefined ? { threads: init.threads } : {}),
    ...(init.params ? { params: paramsFromPlain(init.params) } : {}),
    ...(init.state ? { state: parseTrainerState(init.state) } : {}),
  });
} catch (e) {
  post({ type: 'initError', code: isUserError(e) ? 'invalid_config' : 'internal', message: isUserError(e) ? message(e) : bug(e) });
  port.close();
  process.exit(0);
}

const total = config.training.epochs;
// over the input plane (x1, x2), the network fed the run's input features of each grid point when it has them
const grid = dataGrid(trainer.data, init.gridSize);
let started = false;
let ended = false;
let buffer: EpochMetrics[] = [];
let lastFlush = 0;
let lastSnapshot = 0;
let lastWeights = -Infinity;
// Backpressure: while the host has not acknowledged the last batch (or snapshot), epochs keep collecting in the
// buffer and go out together later, so a slow host never has a queue of batches (and control replies behind it).
let metricsInFlight = false;
let snapshotInFlight = false;

/** Sends the buffered epochs; `force` (pause, step, the end) sends even while a batch is unacknowledged. */
function flush(force = true): void {
  if (buffer.length === 0 || (metricsInFlight && !force)) return;
  lastFlush = performance.now();
  metricsInFlight = true;
  post({ type: 'metrics', metrics: buffer });
  buffer = [];
}

/** Whether a front end listens for snapshots now (the host says): while none does, none is computed. */
let watched = init.snapshots;
/** How long the last snapshot took to compute (ms): a costly one spaces the next out (snapshotSpacingMs). */
let snapshotCost = 0;

/**
 * A snapshot, while someone listens; `force` (pause, step, the end) sends one, with the weights, even while the
 * last is unacknowledged.
 */
function sendSnapshot(force = true): void {
  if (!watched || (snapshotInFlight && !force)) return;
  lastSnapshot = performance.now();
  snapshotInFlight = true;
  // a wide network's weights (a megabyte) go at most once a second while it runs, as float32: the page's diagram
  // draws a few dozen edges of them, and every frame of that size costs the page tens of ms to receive; a forced
  // snapshot (pause, step, the end) carries them exact
  const light = trainer.parameterCount <= SNAPSHOT_WEIGHTS_LIGHT_PARAMS;
  const due = lastSnapshot - lastWeights >= SNAPSHOT_WEIGHTS_INTERVAL_MS;
  const weights = force || light ? 'exact' : due ? 'float32' : 'none';
  if (weights !== 'none') lastWeights = lastSnapshot;
  const s = snapshot(trainer, grid, init.gridSize, weights);
  snapshotCost = performance.now() - lastSnapshot;
  post({ type: 'snapshot', snapshot: s });
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/** Sends the weights after this many epochs when they are a periodic checkpoint (finite ones only). */
function checkpoint(): void {
  if (!isCheckpointEpoch(trainer.epoch, total, trainer.parameterCount)) return;
  const params = trainer.params(); // fresh copies: their buffers go to the host as they are
  if (params.every((p) => allFinite(p.data))) post({ type: 'checkpoint', epoch: trainer.epoch, params }, params.filter((p) => p.data.byteLength === p.data.buffer.byteLength).map((p) => p.data.buffer as ArrayBuffer));
}

function onEpoch(m: EpochMetrics): void {
  buffer.push(m);
  checkpoint();
  const now = performance.now();
  if (!metricsInFlight && now - lastFlush >= init.metricsIntervalMs) flush(false);
  if (!snapshotInFlight && now - lastSnapshot >= snapshotSpacingMs(init.snapshotIntervalMs, snapshotCost)) sendSnapshot(false);
}

function end(e: WorkerEnd): void {
  if (ended) return;
  ended = true;
  flush();
  if (e.status !== 'diverged') sendSnapshot();
  post({ type: 'end', end: e });
}

function endFromResult(r: TrainResult): void {
  const { status, reason, epochs, finalCost, trainAccuracy, testCost, testAccuracy, msPerEpoch, stoppedEarly, bestEpoch } = r;
  const early = stoppedEarly === undefined ? {} : { stoppedEarly, bestEpoch: bestEpoch ?? null };
  end({
    status,
    ...(reason ? { reason } : {}),
    epochs,
    ...(status === 'diverged' ? {} : { final: { finalCost, trainAccuracy, testCost, testAccuracy, msPerEpoch, ...early } }),
    params: status === 'diverged' ? null : paramsToPlain(trainer.params()),
    ...(status === 'diverged' ? {} : { state: serializeTrainerState(trainer.exportState()) }),
  });
}

function endDiverged(e: DivergenceError): void {
  end({ status: 'diverged', reason: e.message, epochs: trainer.epoch, params: null });
  // a run() waiting in its pause loop ends too; its result is ignored (ended is set)
  trainer.stop();
}

function startRun(announce = true): void {
  started = true;
  lastFlush = performance.now();
  if (!announce) lastSnapshot = -Infinity;
  else {
    post({ type: 'phase', phase: 'running', epoch: trainer.epoch });
    // the network as it starts, before the first epoch: a watching page shows its boundary at once, and the first
    // snapshot's one-off cost (its workspaces allocated and its code run for the first time: ~70 ms on the seed
    // network, against ~3 ms for the next) is not spent between two epochs of the run, nor does it space the next
    // snapshots out (snapshotSpacingMs)
    sendSnapshot(false);
    snapshotCost = 0;
  }
  trainer.run({ onEpoch, yieldEveryMs: init.yieldEveryMs }).then(
    (r) => endFromResult(r),
    (e: unknown) => {
      if (e instanceof DivergenceError) endDiverged(e);
      else post({ type: 'fatal', message: bug(e) });
    },
  );
}

function paused(): void {
  flush();
  sendSnapshot();
  post({ type: 'phase', phase: 'paused', epoch: trainer.epoch });
}

const state = () => ({ epoch: trainer.epoch, phase: ended ? 'ended' : started && !trainer.isPaused ? 'running' : 'paused' });

function handle(msg: HostToWorker): void {
  const reply = (value: unknown) => post({ type: 'reply', reqId: (msg as { reqId: number }).reqId, ok: true, value });
  const refuse = (code: 'conflict' | 'invalid_config' | 'internal', text: string) =>
    post({ type: 'reply', reqId: (msg as { reqId: number }).reqId, ok: false, code, message: text });
  switch (msg.type) {
    case 'ack':
      if (msg.what === 'metrics') metricsInFlight = false;
      else snapshotInFlight = false;
      return;
    case 'go':
      if (msg.paused) {
        trainer.pause();
        paused();
      } else startRun();
      return;
    case 'pause':
      if (!ended && !trainer.isPaused) {
        trainer.pause();
        paused();
      }
      return reply(state());
    case 'resume':
      if (ended) return reply(state());
      trainer.resume();
      if (!started) startRun();
      else post({ type: 'phase', phase: 'running', epoch: trainer.epoch });
      return reply(state());
    case 'step': {
      if (ended) return refuse('conflict', 'the run has ended; start a new run to train further');
      if (trainer.epoch >= total) return refuse('conflict', `all ${total} epochs are done`);
      trainer.pause();
      try {
        buffer.push(trainer.step());
        checkpoint();
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        endDiverged(e);
        return reply(state());
      }
      if (trainer.epoch >= total) {
        // the last epoch: let the run end as finished
        flush();
        trainer.resume();
        if (!started) startRun(false);
      } else paused();
      return reply(state());
    }
    case 'stop':
      if (ended) return reply(state());
      trainer.stop();
      // a run never started ends at once as stopped: run() sees the stop before its first epoch
      if (!started) startRun(false);
      return reply(state());
    case 'snapshot':
      return reply(snapshot(trainer, grid, init.gridSize));
    case 'snapshots':
      watched = msg.on;
      // a listener again: a running run sends one with its next epoch, a paused one (only the host's go or step
      // pauses it) now
      if (watched && !ended) {
        lastSnapshot = -Infinity;
        if (trainer.isPaused) sendSnapshot();
      }
      return;
    case 'inspect':
      try {
        return reply({ epoch: trainer.epoch, layers: trainer.inspect(msg.point), grads: trainer.epoch > 0 ? paramsToPlain(trainer.grads()) : [] });
      } catch (e) {
        return refuse(e instanceof ConfigError ? 'invalid_config' : 'internal', e instanceof ConfigError ? message(e) : bug(e));
      }
    case 'gradCheck': {
      const { X, Y, m: n } = trainer.trainMatrices();
      const m = Math.min(n, msg.samples);
      const cols = (A: Float64Array, rows: number) => {
        const out = new Float64Array(rows * m);
        for (let r = 0; r < rows; r++) out.set(A.subarray(r * n, r * n + m), r * m);
        return out;
      };
      const arch = trainer.config.architecture;
      try {
        return reply(
          gradientCheck({
            architecture: arch,
            params: trainer.params(),
            X: cols(X, arch[0]!.input_dim),
            Y: cols(Y, Y.length / n),
            m,
            loss: trainer.loss,
            l2: trainer.config.training.l2,
            maxPerParam: msg.maxPerParam,
          }),
        );
      } catch (e) {
        return refuse('internal', bug(e));
      }
    }
  }
}

port.on('message', (msg: HostToWorker) => {
  try {
    handle(msg);
  } catch (e) {
    post({ type: 'fatal', message: bug(e) });
  }
});

post({
  type: 'ready',
  backend: trainer.backendInfo,
  config,
  memoryBytes,
  totalEpochs: total,
  features: trainer.data.features,
  classes: trainer.data.classes,
});
