// The run the Train and Inspect pages show: a live one fed by the host's event batches, or a stored one loaded
// from the run store. Series grow by appending (charts append the new tail, never rebuild) and stay bounded
// (curves.ts: every epoch up to 1,000, then min/max buckets, rebuilt a handful of times over a long run); React
// components read the small scalar state through useSyncExternalStore and re-render at most once per live tick
// (LIVE_TICK_MS, longer on a page whose ticks are costly: liveSpacingMs), and snapshots are passed on at most once
// per tick too (the newest wins), however many arrive.
import type { BackendInfo, EpochMetrics, LayerDistribution, RunConfig, RunCurves, RunDetail, RunSnapshotEvent, RunStatus, RunStatusEvent } from '../api';
import { withLastWeights } from '../../../electron/transport';
import { CurveBuffer, emptySeries, type Series } from './curves';
import { liveCost, liveSpacingMs } from '../lib/draw-scheduler';

export type { Series } from './curves';

export type Phase = RunStatus | 'idle' | 'starting';

/** Snapshots' layer health kept per run: past this many, every other one is dropped (first and last stay). */
export const MAX_HEALTH_POINTS = 2000;

export interface HealthSeries {
  epoch: number[];
  /** Per layer: ‖dW‖ over the run, and the share of dead ReLUs (null for other activations). */
  gradNorm: number[][];
  dead: (number | null)[][];
}

/** Per-layer weight and gradient percentiles by epoch, from the live snapshots (what Inspect's distributions draw). */
export interface DistributionSeries {
  epoch: number[];
  /** points[k]: every layer's distributions at epoch[k]. */
  points: LayerDistribution[][];
}

export interface FinalMetrics {
  finalCost: number;
  trainAccuracy: number;
  testCost: number | null;
  testAccuracy: number | null;
  msPerEpoch: number;
}

export interface RunView {
  runId: string | null;
  name: string;
  phase: Phase;
  /** Epochs completed. */
  epoch: number;
  totalEpochs: number;
  config: RunConfig | null;
  backend: BackendInfo | null;
  reason: string | null;
  final: FinalMetrics | null;
  /** Loaded from the store (not live): curves may be downsampled. */
  stored: boolean;
  /** Epochs per second over the last couple of seconds of wall time (live only). */
  rate: number | null;
}

/** Points of the live distributions kept at most (Inspect draws them; a long run's are thinned evenly). */
export const MAX_DISTRIBUTION_POINTS = 1000;

export const isActive = (p: Phase) => p === 'running' || p === 'paused' || p === 'starting';

export class LiveRun {
  view: RunView = LiveRun.idleView();
  private curves = new CurveBuffer();
  /** Where the last few metrics batches ended (epoch, run clock): the speed shown. */
  private recent: Array<{ epoch: number; wallMs: number }> = [];
  health: HealthSeries = { epoch: [], gradNorm: [], dead: [] };
  distributions: DistributionSeries = { epoch: [], points: [] };
  snapshot: RunSnapshotEvent | null = null;
  /** The epoch whose weights early stopping kept (a stored run's), marked on the curves; null when none. */
  bestEpoch: number | null = null;
  /** Bumped whenever the series are replaced (not appended): charts rebuild then. */
  generation = 0;

  private viewListeners = new Set<() => void>();
  private appendListeners = new Set<(from: number) => void>();
  private snapshotListeners = new Set<() => void>();
  private frame = 0;
  private tick: ReturnType<typeof setTimeout> | 0 = 0;
  private lastNotify = -Infinity;
  /** Milliseconds between this tick and the next (liveSpacingMs). */
  private spacing = 0;
  private pendingAppendFrom: number | null = null;
  private snapshotPending = false;

  /** The curves' rows: every epoch of a short run, min/max buckets of a long one (curves.ts). */
  get series(): Series {
    return this.curves.series;
  }

  /** The newest epoch received, shown in the curves or not yet; −1 before any. */
  lastEpoch(): number {
    return this.curves.lastEpoch();
  }

  static idleView(): RunView {
    return { runId: null, name: '', phase: 'idle', epoch: 0, totalEpochs: 0, config: null, backend: null, reason: null, final: null, stored: false, rate: null };
  }

  // --- subscriptions -------------------------------------------------------------------------------------------
  subscribe = (l: () => void): (() => void) => {
    this.viewListeners.add(l);
    return () => void this.viewListeners.delete(l);
  };
  getView = (): RunView => this.view;
  onAppend(l: (from: number) => void): () => void {
    this.appendListeners.add(l);
    return () => void this.appendListeners.delete(l);
  }
  onSnapshot(l: () => void): () => void {
    this.snapshotListeners.add(l);
    return () => void this.snapshotListeners.delete(l);
  }

  private setView(patch: Partial<RunView>): void {
    this.view = { ...this.view, ...patch };
    this.schedule();
  }

  /**
   * Coalesces notifications to one animation frame per live tick at most, however many batches arrive: the first
   * change after a quiet spell shows in the next frame, and a running run's batches, snapshots and charts all land in
   * the same few frames a second (every frame the page paints costs CPU that the training shares). A tick comes
   * LIVE_TICK_MS after the last, or later when the live drawing since then took more than its share of the page's
   * time (liveSpacingMs); that cost and the spacing are on the page's root (data-live-cost, data-live-spacing), for
   * tests and benches to read.
   */
  private schedule(): void {
    if (this.frame || this.tick) return;
    const cost = liveCost.take();
    this.spacing = liveSpacingMs(cost);
    if (typeof document !== 'undefined') Object.assign(document.documentElement.dataset, { liveCost: cost.toFixed(1), liveSpacing: this.spacing.toFixed(1) });
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: FrameRequestCallback) => setTimeout(() => f(0), 16) as unknown as number;
    const notify = () => {
      this.frame = raf(() => {
        this.frame = 0;
        this.lastNotify = performance.now();
        liveCost.measure(this.lastNotify); // after the listeners below, React's render and this frame's paint
        if (this.snapshotPending) {
          this.snapshotPending = false;
          for (const l of this.snapshotListeners) l();
        }
        if (this.pendingAppendFrom !== null) {
          const from = this.pendingAppendFrom;
          this.pendingAppendFrom = null;
          for (const l of this.appendListeners) l(from);
        }
        for (const l of this.viewListeners) l();
      });
    };
    const wait = this.lastNotify + this.spacing - performance.now();
    if (wait <= 0) return notify();
    this.tick = setTimeout(() => {
      this.tick = 0;
      notify();
    }, wait);
  }

  // --- lifecycle -----------------------------------------------------------------------------------------------
  reset(): void {
    this.curves = new CurveBuffer();
    this.recent = [];
    this.health = { epoch: [], gradNorm: [], dead: [] };
    this.distributions = { epoch: [], points: [] };
    this.snapshot = null;
    this.bestEpoch = null;
    this.generation++;
    this.pendingAppendFrom = null;
    this.view = LiveRun.idleView();
    for (const l of this.snapshotListeners) l();
    this.schedule();
  }

  starting(config: RunConfig, name: string): void {
    this.reset();
    this.setView({ phase: 'starting', config, name, totalEpochs: config.training.epochs });
  }

  started(runId: string, name: string, backend: BackendInfo, status: RunStatus, config?: RunConfig): void {
    // the host's name (the store's automatic one when none was typed) and configuration: a continued or re-run
    // run's is its parent's with the overrides applied
    this.setView({ runId, name, backend, phase: status, ...(config ? { config, totalEpochs: config.training.epochs } : {}) });
  }

  failedToStart(message: string): void {
    this.setView({ phase: 'failed', reason: message });
  }

  /** Shows a stored run: its curves from the store, its config and final metrics. */
  load(run: RunDetail, curves: RunCurves): void {
    this.reset();
    const s = emptySeries();
    const train = curves.trainCost;
    if (train) {
      const at = (key: keyof RunCurves) => {
        const c = curves[key];
        const m = new Map<number, number>();
        if (c) c.step.forEach((st, i) => m.set(st, c.value[i]!));
        return m;
      };
      const tc = at('testCost'), ta = at('trainAccuracy'), xa = at('testAccuracy'), wall = at('elapsedMs'), lr = at('learningRate');
      train.step.forEach((st, i) => {
        s.epoch.push(st);
        s.wallMs.push(wall.get(st) ?? NaN); // elapsed ms since the run started, as recorded per epoch
        s.trainCost.push(train.value[i]!);
        s.testCost.push(tc.get(st) ?? null);
        s.trainAccuracy.push(ta.get(st) ?? NaN);
        s.testAccuracy.push(xa.get(st) ?? null);
        s.learningRate.push(lr.get(st) ?? null);
      });
    }
    // the store already decimated them (min/max, at most maxPoints): each row its own bucket
    this.curves = CurveBuffer.of(s);
    this.bestEpoch = run.stoppedEarly ? run.bestEpoch : null;
    this.generation++;
    const final =
      run.finalCost !== null && run.trainAccuracy !== null
        ? { finalCost: run.finalCost, trainAccuracy: run.trainAccuracy, testCost: run.testCost, testAccuracy: run.testAccuracy, msPerEpoch: run.durationMs && run.epochsDone ? run.durationMs / run.epochsDone : 0 }
        : null;
    this.view = {
      runId: run.id,
      name: run.name,
      phase: run.status,
      epoch: run.epochsDone,
      totalEpochs: run.config.training.epochs,
      config: run.config,
      backend: run.backend,
      reason: run.error,
      final,
      stored: true,
      rate: null,
    };
    for (const l of this.snapshotListeners) l();
    this.schedule();
  }

  // --- host events ---------------------------------------------------------------------------------------------
  addMetrics(batch: EpochMetrics[]): void {
    if (batch.length === 0) return;
    let rebuilt = false;
    for (const m of batch) if (this.noteChange(this.curves.push(m))) rebuilt = true;
    if (rebuilt) {
      this.generation++;
      this.pendingAppendFrom = null; // rows appended after the rebuild are in the rebuilt charts already
    }
    const last = batch[batch.length - 1]!;
    this.recent.push({ epoch: last.epoch, wallMs: last.elapsedMs });
    this.setView({ epoch: last.epoch + 1, rate: this.measureRate() });
  }

  /** Records what a change to the curves means for the charts; true for a rebuild. */
  private noteChange(c: ReturnType<CurveBuffer['push']>): boolean {
    if (c.kind === 'rebuilt') {
      this.pendingAppendFrom = null; // the charts rebuild from the new rows (generation) instead
      return true;
    }
    if (c.kind === 'appended' && this.pendingAppendFrom === null) this.pendingAppendFrom = c.from;
    return false;
  }

  /** Epochs per second over the last ~2 s of the run's own clock (from where the metrics batches ended). */
  private measureRate(): number | null {
    const r = this.recent;
    const end = r[r.length - 1];
    if (!end) return null;
    while (r.length > 2 && end.wallMs - r[1]!.wallMs >= 2000) r.shift();
    const start = r[0]!;
    const dt = end.wallMs - start.wallMs;
    return r.length > 1 && dt > 0 ? ((end.epoch - start.epoch) / dt) * 1000 : null;
  }

  setStatus(e: RunStatusEvent): void {
    // paused, stepped or ended: the curves show up to the last epoch
    if (e.status !== 'running' && this.noteChange(this.curves.flush())) this.generation++;
    this.setView({
      phase: e.status,
      epoch: Math.max(this.view.epoch, e.epoch),
      ...(e.backend ? { backend: e.backend } : {}),
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      ...(e.final ? { final: e.final } : {}),
      ...(e.status === 'running' ? { reason: null } : {}),
    });
  }

  /** Marks the epoch whose weights early stopping kept (the charts redraw with the marker). */
  markBest(epoch: number): void {
    this.bestEpoch = epoch;
    this.generation++;
    this.schedule();
  }

  /**
   * Keeps the newest snapshot (with the last weights when it carries none: a wide network's come once a second);
   * listeners hear of it at the next live tick (once, however many arrived).
   */
  setSnapshot(e: RunSnapshotEvent): void {
    this.snapshot = withLastWeights(this.snapshot, e);
    const h = this.health;
    if (e.layers.length && (h.epoch.length === 0 || h.epoch[h.epoch.length - 1]! < e.epoch)) {
      h.epoch.push(e.epoch);
      e.layers.forEach((l, i) => {
        (h.gradNorm[i] ??= []).push(Math.hypot(l.gradNormW, l.gradNormB));
        (h.dead[i] ??= []).push(l.deadShare);
      });
      if (h.epoch.length > MAX_HEALTH_POINTS) this.health = thinHealth(h);
    }
    const d = this.distributions;
    if (e.distributions?.length && (d.epoch.length === 0 || d.epoch[d.epoch.length - 1]! < e.epoch)) {
      d.epoch.push(e.epoch);
      d.points.push(e.distributions);
      // bounded however long the run: past MAX_DISTRIBUTION_POINTS, every other point goes (the first and last stay)
      if (d.epoch.length > MAX_DISTRIBUTION_POINTS) this.distributions = { epoch: thin(d.epoch), points: thin(d.points) };
    }
    this.snapshotPending = true;
    this.schedule();
  }
}

/** Every other point of a series, the first and the last kept: how the live series stay bounded. */
const thin = <T>(a: T[]): T[] => a.filter((_, i) => i % 2 === 0 || i === a.length - 1);

/** The layer-health series thinned (every other point). */
function thinHealth(h: HealthSeries): HealthSeries {
  return { epoch: thin(h.epoch), gradNorm: h.gradNorm.map(thin), dead: h.dead.map(thin) };
}
