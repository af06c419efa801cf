// The training loop the notebook lacks: full batch (as the seed) or seeded mini-batches, sgd/momentum/adam,
// L2, per-epoch train and test metrics as they happen, pause/resume/stop, and a clear stop on divergence.

import { layerParameterCount } from './architecture';
import { isThreaded, type Backend, type UpdateRule } from './backends/backend';
import { columns, type Pass, type SampleSplit } from './backends/split';
import { CpuBackend } from './backends/cpu';
import { releaseBackend, selectBackend, type BackendFactory, type BackendInfo, type Measurement } from './backends/index';
import { ThreadGovernor, type ThreadSwitch } from './backends/threads';
import type { RunConfig } from './config';
import { ConfigError } from './config';
import { loadData, type DataSplit, type Samples } from './datasets/index';
import { EVAL_CHUNK } from './memory';
import { initLayers, type Params } from './init';
import { accuracy, cost, defaultLoss, lossMismatch, outputGradient, r2Score, saturatedWrong, targetVariance, type Loss } from './losses';
import { Network, type Workspace } from './network';
import { NumpyRandom } from './random';
import { learningRateAt, parseLrSchedule, type LrSchedule } from './schedule';
import { EarlyStopper } from './early-stop';
import { TRAINER_STATE_VERSION, type TrainerState } from './state';

/**
 * Metrics of one epoch. Cost and accuracy come from the forward pass before that epoch's update. For regression data
 * (DataSplit.task 'regression': plane, multi-gaussian, diabetes) the accuracy fields hold R² instead (losses.ts r2Score).
 */
export interface EpochMetrics {
  epoch: number;
  trainCost: number;
  trainAccuracy: number;
  /** null when there is no test set or it was not evaluated this epoch. */
  testCost: number | null;
  testAccuracy: number | null;
  /** Wall time since the run started, in ms. */
  elapsedMs: number;
  /** The learning rate this epoch's updates used (the schedule and warm-up applied); absent in older records. */
  learningRate?: number;
}

export type RunStatus = 'finished' | 'stopped' | 'diverged';

/** How a run ended, in numbers: the one shape the worker, the core, the store's record, events and the CLI share. */
export interface FinalMetrics {
  /** Train cost and accuracies at the parameters after the last update. */
  finalCost: number;
  trainAccuracy: number;
  testCost: number | null;
  testAccuracy: number | null;
  msPerEpoch: number;
  /** Early stopping ended the run (its weights are the best epoch's). Absent when early stopping was off. */
  stoppedEarly?: boolean;
  /** The epoch whose metric early stopping found best; absent when early stopping was off. */
  bestEpoch?: number | null;
}

export interface TrainResult extends FinalMetrics {
  status: RunStatus;
  /** Epochs completed. */
  epochs: number;
  /** Cost of every epoch, before that epoch's update. */
  costHistory: number[];
  backend: BackendInfo;
  /** Why the run stopped early ("diverged at epoch 812: cost is NaN"). */
  reason?: string;
}

/** A run that produced NaN or Infinity; the message names the epoch and the layer. */
export class DivergenceError extends Error {
  constructor(readonly epoch: number, readonly layer: number | null, detail: string) {
    super(`diverged at epoch ${epoch}: ${detail}`);
    this.name = 'DivergenceError';
  }
}

export interface TrainerOptions {
  /** Use these samples instead of generating config.data (e.g. an imported CSV already parsed). */
  data?: DataSplit;
  /** The CSV file's text when config.data.kind is 'csv'. */
  csvText?: string;
  /** Start from these parameters instead of init_layers(seed). */
  params?: Params;
  /** A ready backend (skips selection), with what to record about it. */
  backend?: { backend: Backend; info: BackendInfo };
  /** Evaluate the test set every N epochs (0: only at the end). Default 1. */
  evalTestEvery?: number;
  /** The backends to choose from (default BACKEND_FACTORIES); Node hosts pass ones that explain more. */
  factories?: BackendFactory[];
  /**
   * Most threads this run may use, the calling one included (default: the machine's). 1 keeps it off the threaded
   * backends; a host training several runs at once gives each its share of the cores so they do not oversubscribe
   * them. On a threaded backend the run moves between one thread and this many as they pay (see threadSwitches).
   */
  threads?: number;
  /** The calibration's ms per step on the given backend, if measured (createTrainer passes it): the slowdown baseline. */
  calibratedMsPerStep?: number;
  /** The calibration's ms per step at a threaded backend's other thread count (see GovernorOptions). */
  calibratedOtherMsPerStep?: number;
  /** Continue from this state (Trainer.exportState): parameters, optimizer state, epoch and shuffle; overrides params. */
  state?: TrainerState;
}

export interface RunOptions {
  onEpoch?: (m: EpochMetrics) => void;
  /** Longest stretch of work between yields to the event loop (so pause/stop messages get through). */
  yieldEveryMs?: number;
}

/** A layer's forward cache for one input: the notebook's memory (A_prev, Z) plus A = g(Z). */
export interface LayerCache {
  layer: number;
  activation: string;
  A_prev: number[];
  Z: number[];
  A: number[];
}

/**
 * Picks the backend, loads the data, initialises the parameters. Under backend 'auto' each backend that starts is
 * timed on a few training steps of this very network and batch size, and the fastest is kept, with the figures.
 */
export async function createTrainer(config: RunConfig, opts: TrainerOptions = {}): Promise<Trainer> {
  const data = opts.data ?? loadData(config.data, opts.csvText);
  checkFit(config, data);
  if (opts.backend) return new Trainer(config, data, opts.backend.backend, opts.backend.info, opts);
  const chosen = await selectBackend(config.backend, {
    factories: opts.factories,
    threads: opts.threads,
    // nothing to train, nothing to measure: the first backend that starts will do
    calibrate: config.training.epochs > 0 ? (b, limit) => calibrate(config, data, opts, b, limit) : undefined,
  });
  return new Trainer(config, data, chosen.backend, chosen.info, { ...opts, calibratedMsPerStep: chosen.msPerStep, calibratedOtherMsPerStep: chosen.otherMsPerStep });
}

/** The first m samples, as a set of their own. */
function head(s: Samples, m: number): Samples {
  return { X: s.X.subarray(0, m * s.features), y: s.y.subarray(0, m), n: m, features: s.features };
}

/** ms per training step of the configured batch size on a backend: a warm-up, then up to 150 ms of timed steps. */
async function calibrate(config: RunConfig, data: DataSplit, opts: TrainerOptions, backend: Backend, limitMs: number | null): Promise<Measurement> {
  const n = data.train.n;
  const m = config.training.batchSize === null ? n : Math.min(config.training.batchSize, n);
  const sample: DataSplit = { ...data, train: head(data.train, m), test: head(data.test, 0) };
  const cfg: RunConfig = { ...config, backend: 'cpu', training: { ...config.training, batchSize: null } };
  const info: BackendInfo = { name: backend.name, mode: backend.mode, precision: backend.precision, reason: 'calibration' };
  const t = new Trainer(cfg, sample, backend, info, { params: opts.params, evalTestEvery: 0 });
  const step = () => {
    try {
      t.step();
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e; // a blow-up costs the same time; only failures count
    }
  };
  try {
    const t0 = performance.now();
    step();
    const first = performance.now() - t0;
    if (limitMs !== null && first > limitMs) return { msPerStep: first, cut: true };
    // warm up (the JIT, worker threads) for up to 60 ms or 25 steps, then time steps back to back, as training
    // runs them (a pause between steps would let worker threads fall asleep), for up to 150 ms
    const w0 = performance.now();
    for (let i = 0; i < 25 && performance.now() - w0 < 60; i++) step();
    await yieldNow();
    let steps = 0, spent = 0;
    const t1 = performance.now();
    do {
      step();
      steps++;
      spent = performance.now() - t1;
    } while (spent < 150 && steps < 200);
    return { msPerStep: spent / steps };
  } finally {
    t.free();
  }
}

/** Refuses data and losses that do not fit the architecture, naming the fix. */
function checkFit(config: RunConfig, data: DataSplit): void {
  const arch = config.architecture;
  const first = arch[0], last = arch[arch.length - 1];
  if (data.features !== first.input_dim) {
    throw new ConfigError(`layer 1 has input_dim ${first.input_dim} but the data has ${data.features} features; set layer 1 input_dim to ${data.features}`);
  }
  const outputs = last.output_dim;
  if (outputs !== 1 && outputs !== data.classes) {
    throw new ConfigError(`the output layer has ${outputs} units but the data has ${data.classes} classes; set the last output_dim to 1 (sigmoid, two classes) or ${data.classes} (softmax)`);
  }
  if (outputs === 1 && data.classes > 2) {
    throw new ConfigError(`the data has ${data.classes} classes but the output layer has 1 unit; set the last output_dim to ${data.classes} with softmax`);
  }
  const loss = config.training.loss === 'auto' ? defaultLoss(last.activation) : config.training.loss;
  if (data.task === 'regression' && loss !== 'mse') {
    throw new ConfigError(`${config.data.kind} is regression data (a real-valued target) but the loss is ${loss}; set the last layer's activation to linear (loss mse)`);
  }
  const mismatch = lossMismatch(loss, last.activation);
  if (mismatch) throw new ConfigError(mismatch);
  if (data.train.n === 0) throw new ConfigError('the training set is empty; use more samples or a smaller test size');
}

/** Columns of a (features × n) matrix from row-major samples (n × features), as the notebook's X.T. */
function transpose(s: Samples): Float64Array {
  const out = new Float64Array(s.n * s.features);
  for (let i = 0; i < s.n; i++) for (let f = 0; f < s.features; f++) out[f * s.n + i] = s.X[i * s.features + f];
  return out;
}

export class Trainer {
  net: Network;
  readonly loss: Loss;
  readonly costHistory: number[] = [];
  /** Epochs completed so far. */
  epoch = 0;
  private readonly X: Float64Array;
  private readonly Y: Float64Array;
  private readonly Xt: Float64Array;
  private readonly Yt: Float64Array;
  private readonly outputs: number;
  private readonly batch: number;
  private readonly shuffleRng: NumpyRandom;
  private readonly evalTestEvery: number;
  /** Regression only: the train and test targets' variances, against which R² is measured (null: classification). */
  private readonly variance: { train: number; test: number } | null;
  private steps = 0;
  private paused = false;
  private stopRequested = false;
  private wake: (() => void) | null = null;
  private startedAt = 0;
  private last: EpochMetrics | null = null;
  /** Picks the thread count of a threaded backend as the run goes; null on a one-thread backend. */
  private governor: ThreadGovernor | null = null;
  /** A threaded backend's full batch as two blocks of samples trained at once (null: the plain workspace). */
  private split: SampleSplit | null = null;
  private baseReason: string;
  private readonly schedule: LrSchedule;
  /** The learning rate of the epoch being trained. */
  private lr: number;
  private earlyStop: EarlyStopper | null = null;

  constructor(readonly config: RunConfig, readonly data: DataSplit, public backend: Backend, public backendInfo: BackendInfo, opts: TrainerOptions = {}) {
    checkFit(config, data);
    const arch = config.architecture;
    const last = arch[arch.length - 1];
    this.outputs = last.output_dim;
    this.loss = config.training.loss === 'auto' ? defaultLoss(last.activation) : config.training.loss;

    this.X = transpose(data.train);
    this.Y = this.targets(data.train);
    this.Xt = transpose(data.test);
    this.Yt = this.targets(data.test);
    this.variance = data.task === 'regression' ? { train: targetVariance(this.Y), test: targetVariance(this.Yt) } : null;
    const n = data.train.n;
    this.batch = config.training.batchSize === null ? n : Math.min(config.training.batchSize, n);
    this.shuffleRng = new NumpyRandom(config.training.shuffleSeed);
    this.evalTestEvery = opts.evalTestEvery ?? 1;

    const params = opts.params ?? initLayers(arch, config.init.seed, config.init.scale);
    this.net = new Network(backend, arch, params, config.training.optimizer);
    this.schedule = parseLrSchedule(config.training.lrSchedule);
    this.lr = config.training.learningRate;
    if (opts.state) this.importState(opts.state);
    this.bindData();
    this.baseReason = backendInfo.reason;
    if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) throw new ConfigError(`threads must be a whole number ≥ 1, got ${opts.threads}`);
    if (isThreaded(backend)) {
      const perEpoch = (ms?: number) => (ms === undefined ? null : ms * Math.ceil(n / this.batch));
      this.governor = new ThreadGovernor(backend, {
        maxThreads: opts.threads,
        calibratedMsPerEpoch: perEpoch(opts.calibratedMsPerStep),
        calibratedOtherMsPerEpoch: perEpoch(opts.calibratedOtherMsPerStep),
      });
    }
  }

  /** Thread-count changes so far (a threaded backend moves to one thread when the cores are busy, and back). */
  get threadSwitches(): readonly ThreadSwitch[] {
    return this.governor?.switches ?? [];
  }

  /**
   * The two blocks of samples a full batch is trained as on a threaded backend, each as the samples in each of its
   * chunks (the jobs its threads share; null: not split).
   */
  get sampleBlocks(): readonly (readonly number[])[] | null {
    return this.split?.chunks ?? null;
  }

  /** Threads the backend's kernels run on now (1 for a one-thread backend). */
  get threads(): number {
    return this.governor?.threads ?? 1;
  }

  /** Full batch: X goes into the network's input once, not every epoch. */
  private bindData(): void {
    const n = this.data.train.n;
    this.split?.free();
    this.split = null;
    if (this.batch !== n) return;
    this.backend.write(this.net.workspace(n).A[0], this.X);
    const b = this.backend;
    // the test set joins the split's forward pass unless it is measured in chunks (see evaluate)
    const nt = this.data.test.n <= EVAL_CHUNK ? this.data.test.n : 0;
    if (isThreaded(b) && b.splitSamples) this.split = b.splitSamples(this.net, this.X, n, this.Xt, nt);
  }

  /**
   * Under backend 'auto' a failing gpu backend hands the run to the CPU: the parameters and optimizer state move
   * over and the reason is kept. An explicit --backend gpu fails instead.
   */
  private fallBackToCpu(error: Error): void {
    const from = this.backend;
    const cpu = new CpuBackend();
    const moved = this.net.transferTo(cpu);
    this.net.free();
    void releaseBackend(from);
    this.net = moved;
    this.backend = cpu;
    this.governor = null;
    this.bindData();
    this.backendInfo = {
      name: cpu.name,
      mode: cpu.mode,
      precision: cpu.precision,
      reason: `${this.backendInfo.reason}; ${from.name} (${from.mode}) failed at epoch ${this.epoch} (${error.message}), so the run continued on the cpu`,
    };
  }

  /** Y as (outputs × n): the label itself for one output, one-hot columns for several. */
  private targets(s: Samples): Float64Array {
    const Y = new Float64Array(this.outputs * s.n);
    for (let i = 0; i < s.n; i++) {
      if (this.outputs === 1) Y[i] = s.y[i];
      else Y[s.y[i] * s.n + i] = 1;
    }
    return Y;
  }

  get parameterCount(): number {
    return this.config.architecture.reduce((a, l) => a + layerParameterCount(l), 0);
  }

  private rule(): UpdateRule {
    const t = this.config.training;
    return { kind: t.optimizer, lr: this.lr, l2: t.l2, momentum: t.momentum, beta1: t.beta1, beta2: t.beta2, epsilon: t.epsilon, t: this.steps };
  }

  /** Forward pass over the workspace's A[0]; throws DivergenceError on NaN/Infinity. Returns Ŷ and the cost. */
  private forwardCost(ws: Workspace | Pass, Y: Float64Array, epoch: number, set: 'train' | 'test' = 'train'): { yhat: Float64Array; cost: number } {
    const pass = 'forward' in ws ? ws : null;
    const bad = pass ? pass.forward() : this.net.forward(ws as Workspace);
    if (bad) {
      const l = this.config.architecture[bad.layer - 1];
      throw new DivergenceError(epoch, bad.layer, `layer ${bad.layer} (${l.activation}) output is ${bad.value}; try a smaller learning rate`);
    }
    const yhat = pass ? pass.output() : this.net.output(ws as Workspace);
    let c = cost(this.loss, yhat, Y, this.outputs, ws.m);
    if (this.config.training.l2 > 0) c += this.config.training.l2 * this.net.weightSquares();
    if (!Number.isFinite(c)) throw new DivergenceError(epoch, null, `cost is ${c}; try a smaller learning rate`);
    const wrong = saturatedWrong(this.loss, yhat, Y, yhat.length);
    if (wrong > 0) {
      const L = this.config.architecture.length;
      throw new DivergenceError(epoch, L, `the ${this.config.architecture[L - 1].activation} output saturated at exactly 0 or 1 on ${wrong} wrongly classified ${set} sample${wrong > 1 ? 's' : ''}, so the true cross-entropy is infinite; try a smaller learning rate`);
    }
    return { yhat, cost: c };
  }

  /** Cost and accuracy of the current parameters over the train or test set (no update). */
  evaluate(which: 'train' | 'test'): { cost: number; accuracy: number } | null {
    const X = which === 'train' ? this.X : this.Xt;
    const Y = which === 'train' ? this.Y : this.Yt;
    const m = which === 'train' ? this.data.train.n : this.data.test.n;
    if (m === 0) return null;
    const fullBatch = which === 'train' && this.batch === m;
    if (!fullBatch && m > EVAL_CHUNK) return this.evaluateInChunks(X, Y, m, which);
    const ws = this.net.workspace(m, fullBatch ? 'train' : `eval-${which}`);
    if (!fullBatch) this.backend.write(ws.A[0], X);
    return this.measure(ws, which);
  }

  /** Cost and accuracy of a forward pass over the train or test set (whose A[0] holds it). */
  private measure(ws: Workspace | Pass, which: 'train' | 'test'): { cost: number; accuracy: number } {
    const Y = which === 'train' ? this.Y : this.Yt;
    const { yhat, cost: c } = this.forwardCost(ws, Y, this.epoch, which);
    return { cost: c, accuracy: this.score(yhat, Y, ws.m, which) };
  }

  /** Accuracy, or for regression data R² against the whole set's variance (so batches' scores average to the set's). */
  private score(yhat: Float64Array, Y: Float64Array, m: number, set: 'train' | 'test'): number {
    return this.variance ? r2Score(yhat, Y, this.outputs, m, this.variance[set]) : accuracy(yhat, Y, this.outputs, m);
  }

  /**
   * A set larger than EVAL_CHUNK, evaluated EVAL_CHUNK samples at a time so its workspace stays small (a 320,000-
   * sample set would need gigabytes at once): the cost is the size-weighted mean of the chunks' costs.
   */
  private evaluateInChunks(X: Float64Array, Y: Float64Array, m: number, which: 'train' | 'test'): { cost: number; accuracy: number } {
    const features = this.data.features, outputs = this.outputs;
    let cost = 0, right = 0;
    for (let start = 0; start < m; start += EVAL_CHUNK) {
      const k = Math.min(EVAL_CHUNK, m - start);
      // X:(features, m) and Y:(outputs, m) row-major: the chunk is columns start..start+k of every row
      const Xc = columns(X, features, m, start, k), Yc = columns(Y, outputs, m, start, k);
      const ws = this.net.workspace(k, `eval-${which}-chunk`);
      this.backend.write(ws.A[0], Xc);
      const { yhat, cost: c } = this.forwardCost(ws, Yc, this.epoch, which);
      cost += (c * k) / m;
      const a = this.score(yhat, Yc, k, which);
      right += this.variance ? a * k : Math.round(a * k);
    }
    return { cost, accuracy: right / m };
  }

  /** Trains one epoch and returns its metrics. Throws DivergenceError when the run blows up. */
  step(): EpochMetrics {
    try {
      return this.trainEpoch();
    } catch (e) {
      const recoverable = !(e instanceof DivergenceError) && !(e instanceof ConfigError) && this.config.backend === 'auto' && this.backend.name !== 'cpu';
      if (!recoverable) throw e;
      // a failure part-way through a mini-batch epoch keeps the batches already applied, then redoes the epoch
      this.fallBackToCpu(e as Error);
      return this.trainEpoch();
    }
  }

  private trainEpoch(): EpochMetrics {
    if (this.startedAt === 0) this.startedAt = performance.now();
    const e = this.epoch;
    const n = this.data.train.n;
    const t = this.config.training;
    this.lr = learningRateAt(t.learningRate, this.schedule, t.warmup, e, t.epochs);
    const testDue = this.data.test.n > 0 && this.evalTestEvery > 0 && e % this.evalTestEvery === 0;
    let trainCost: number, trainAccuracy: number;
    // the test set is measured at the same parameters as the train cost: before this epoch's update
    let test: { cost: number; accuracy: number } | null = null;
    if (this.batch === n) {
      const split = this.split;
      // a split batch runs the test set's forward pass with its own, in two halves
      if (split) split.withTest = testDue && split.test !== null;
      const ws = split ?? this.net.workspace(n);
      const { yhat, cost: c } = this.forwardCost(ws, this.Y, e);
      trainCost = c;
      trainAccuracy = this.score(yhat, this.Y, n, 'train');
      if (testDue) test = split?.withTest ? this.measure(split.test!, 'test') : this.evaluate('test');
      this.backprop(ws, yhat, this.Y);
    } else {
      if (testDue) test = this.evaluate('test');
      // a seeded shuffle per epoch; the epoch's cost is the size-weighted mean of its batches' costs
      const order = this.shuffleRng.permutation(n);
      let sumCost = 0, sumRight = 0;
      for (let start = 0; start < n; start += this.batch) {
        const m = Math.min(this.batch, n - start);
        const ws = this.net.workspace(m);
        const { Xb, Yb } = this.batchBuffers(m);
        this.gather(this.X, this.data.features, order, start, m, Xb);
        this.gather(this.Y, this.outputs, order, start, m, Yb);
        this.backend.write(ws.A[0], Xb);
        const { yhat, cost: c } = this.forwardCost(ws, Yb, e);
        sumCost += c * m;
        sumRight += this.score(yhat, Yb, m, 'train') * m;
        this.backprop(ws, yhat, Yb);
      }
      trainCost = sumCost / n;
      trainAccuracy = sumRight / n;
    }
    this.costHistory.push(trainCost);
    this.epoch = e + 1;
    const metrics: EpochMetrics = {
      epoch: e,
      trainCost,
      trainAccuracy,
      testCost: test ? test.cost : null,
      testAccuracy: test ? test.accuracy : null,
      elapsedMs: performance.now() - this.startedAt,
      learningRate: this.lr,
    };
    this.last = metrics;
    return metrics;
  }

  private batchBufferCache = new Map<number, { Xb: Float64Array; Yb: Float64Array }>();
  /** Reused gather buffers for a batch of m samples (a full epoch has at most two sizes). */
  private batchBuffers(m: number): { Xb: Float64Array; Yb: Float64Array } {
    let b = this.batchBufferCache.get(m);
    if (!b) this.batchBufferCache.set(m, (b = { Xb: new Float64Array(this.data.features * m), Yb: new Float64Array(this.outputs * m) }));
    return b;
  }

  private gather(src: Float64Array, rows: number, order: ArrayLike<number>, start: number, m: number, out: Float64Array): void {
    const n = this.data.train.n;
    for (let r = 0; r < rows; r++) for (let j = 0; j < m; j++) out[r * m + j] = src[r * n + order[start + j]];
  }

  private gradBuffers = new Map<number, Float64Array>();
  private backprop(ws: Workspace | SampleSplit, yhat: Float64Array, Y: Float64Array): void {
    let g = this.gradBuffers.get(ws.m);
    if (!g) this.gradBuffers.set(ws.m, (g = new Float64Array(this.outputs * ws.m)));
    const kind = outputGradient(this.loss, yhat, Y, this.outputs, ws.m, g);
    if ('backward' in ws) ws.backward(g, kind);
    else this.net.backward(ws, g, kind);
    this.steps++;
    this.net.update(this.rule());
  }

  /** Trains until the configured epochs are done, the run is stopped, or it diverges. */
  async run(opts: RunOptions = {}): Promise<TrainResult> {
    const total = this.config.training.epochs;
    const yieldEvery = opts.yieldEveryMs ?? 25;
    let status: RunStatus = 'finished';
    let reason: string | undefined;
    const t0 = performance.now();
    let lastYield = t0;
    const startEpoch = this.epoch;
    const patience = this.config.training.earlyStop;
    this.earlyStop = patience > 0 ? new EarlyStopper(this.config.training, this.data.test.n > 0) : null;
    try {
      while (this.epoch < total) {
        if (this.stopRequested) {
          status = 'stopped';
          reason = `stopped by the user at epoch ${this.epoch}`;
          break;
        }
        const s0 = performance.now();
        // epoch e's metric is measured before its update: the weights it belongs to are these
        const before = this.earlyStop ? this.net.params() : null;
        const m = this.step();
        const g = this.governor;
        if (g) {
          const before = g.count;
          g.afterEpoch(this.epoch, performance.now() - s0);
          // the switch is recorded with the run: its backend line says when and why the thread count changed
          if (g.count !== before) this.backendInfo = { ...this.backendInfo, reason: `${this.baseReason}; ${g.summary()}` };
        }
        opts.onEpoch?.(m);
        const es = this.earlyStop;
        if (es && before) {
          const value = es.metric === 'testCost' ? m.testCost : m.trainCost;
          if (value !== null && es.observe(m.epoch, value, () => before)) {
            this.net.setParams(es.bestParams!);
            reason = `stopped early at epoch ${this.epoch}: ${es.metric} did not improve by ${es.minDelta} for ${es.patience} epochs; the weights are epoch ${es.bestEpoch}'s`;
            break;
          }
        }
        const now = performance.now();
        if (this.paused || this.stopRequested || now - lastYield >= yieldEvery) {
          await yieldNow();
          while (this.paused && !this.stopRequested) await new Promise<void>((r) => (this.wake = r));
          lastYield = performance.now();
        }
      }
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      status = 'diverged';
      reason = e.message;
    } finally {
      this.governor?.settle();
    }
    const ran = this.epoch - startEpoch;
    const msPerEpoch = ran > 0 ? (performance.now() - t0) / ran : 0;
    return this.result(status, reason, msPerEpoch);
  }

  private result(status: RunStatus, reason: string | undefined, msPerEpoch: number): TrainResult {
    // final metrics at the parameters after the last update; a diverged network has none worth reporting
    let train: { cost: number; accuracy: number } | null = null;
    let test: { cost: number; accuracy: number } | null = null;
    if (status !== 'diverged') {
      try {
        train = this.evaluate('train');
        test = this.evaluate('test');
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        status = 'diverged';
        reason = e.message;
      }
    }
    return {
      status,
      epochs: this.epoch,
      finalCost: train ? train.cost : NaN,
      trainAccuracy: train ? train.accuracy : NaN,
      testCost: test ? test.cost : null,
      testAccuracy: test ? test.accuracy : null,
      costHistory: this.costHistory.slice(),
      msPerEpoch,
      backend: this.backendInfo,
      ...(this.earlyStop ? { stoppedEarly: this.earlyStop.stopped, bestEpoch: this.earlyStop.bestEpoch } : {}),
      ...(reason ? { reason } : {}),
    };
  }

  /** Everything needed to continue this run bit for bit (engine/state.ts); call between epochs. */
  exportState(): TrainerState {
    return {
      version: TRAINER_STATE_VERSION,
      epoch: this.epoch,
      steps: this.steps,
      optimizer: this.config.training.optimizer,
      params: this.net.params(),
      optimizerState: this.net.optimizerState(),
      shuffle: this.shuffleRng.getState(),
    };
  }

  /** Puts back a state from exportState (same architecture and optimizer); the next epoch is state.epoch. */
  importState(state: TrainerState): void {
    if (state.optimizer !== this.config.training.optimizer) {
      throw new ConfigError(`the saved state is ${state.optimizer}'s but training.optimizer is ${this.config.training.optimizer}; continue with --optimizer ${state.optimizer}`);
    }
    this.net.setParams(state.params);
    this.net.setOptimizerState(state.optimizerState);
    this.shuffleRng.setState(state.shuffle);
    this.epoch = state.epoch;
    this.steps = state.steps;
  }

  /** The latest epoch's metrics, or null before the first. */
  get lastMetrics(): EpochMetrics | null {
    return this.last;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
    this.wake = null;
  }

  /** Ends a running `run()` after the current epoch (its result has status 'stopped'). */
  stop(): void {
    this.stopRequested = true;
    this.wake?.();
    this.wake = null;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** The forward cache of every layer for one input point (the notebook's memory, plus A). */
  inspect(x: ArrayLike<number>): LayerCache[] {
    const arch = this.config.architecture;
    if (x.length !== arch[0].input_dim) throw new ConfigError(`the input has ${x.length} values but layer 1 expects ${arch[0].input_dim}`);
    const ws = this.net.workspace(1, 'inspect');
    this.backend.write(ws.A[0], x);
    this.net.forward(ws);
    return arch.map((l, i) => ({
      layer: i + 1,
      activation: l.activation,
      A_prev: Array.from(this.backend.read(ws.A[i])),
      Z: Array.from(this.backend.read(ws.Z[i + 1])),
      A: Array.from(this.backend.read(ws.A[i + 1])),
    }));
  }

  params(): Params {
    return this.net.params();
  }

  grads(): Params {
    return this.net.grads();
  }

  /** Train data as the network sees it: X (features × n) and Y (outputs × n). */
  trainMatrices(): { X: Float64Array; Y: Float64Array; m: number } {
    return { X: this.X, Y: this.Y, m: this.data.train.n };
  }

  free(): void {
    this.split?.free();
    this.split = null;
    this.net.free();
  }
}

/** Lets queued messages and timers run: setImmediate in Node, a MessageChannel hop in browsers. */
export function yieldNow(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(0);
  });
}
