// Drives the one run the Train page shows: start, pause, resume, step, stop, reset, open a stored run; routes the
// host's events for that run into the LiveRun, buffering the ones that arrive before runs.start answers. It tells the
// host which run's snapshots the page wants (runs.watch): its own run's, every run's while one starts (its id is not
// known yet), none without a run — so the other runs (a sweep's trials) compute none for this page.
import { unwrap, type BackpropLabApi, type ParamJSON, type RunConfig, type RunDetail, type RunId, type RunStatusEvent, type RunSnapshotEvent, type EpochMetrics } from '../api';
import { boundaryFromWeights, neuronMapsFromWeights, paramsFromWeightsJson } from '../lib/forward';
import { isActive, LiveRun } from './run';
import { withLastWeights } from '../../../electron/transport';

export interface StartOptions {
  config: RunConfig;
  name?: string;
  csvText?: string;
  initialParams?: ParamJSON[];
  startPaused?: boolean;
  /** Start from a stored run (runs.start's from): 'clone' lays config over it, 'rerun' and 'continue' send no config. */
  from?: { runId: RunId; mode: 'continue' | 'clone' | 'rerun'; epochs?: number };
}

type Pending = { metrics: EpochMetrics[][]; status: RunStatusEvent[]; snapshot: RunSnapshotEvent | null };

export class RunController {
  readonly run = new LiveRun();
  private pending = new Map<RunId, Pending>();

  /** `onError` is called with every command failure, to show it to the user. */
  constructor(
    private readonly api: BackpropLabApi,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /** Listens to the host's run events; returns the function that stops listening. */
  attach(): () => void {
    const api = this.api;
    this.watch(this.run.view.runId);
    const offs = [
      api.on['run.metrics']((e) => {
        if (e.runId === this.run.view.runId) this.run.addMetrics(this.fresh(e.metrics));
        else if (this.run.view.phase === 'starting') this.buffer(e.runId).metrics.push(e.metrics);
      }),
      api.on['run.status']((e) => {
        if (e.runId === this.run.view.runId) {
          this.run.setStatus(e);
          if (e.status === 'finished' && (this.run.view.config?.training.earlyStop ?? 0) > 0) void this.markBest(e.runId);
        }
        else if (this.run.view.phase === 'starting') this.buffer(e.runId).status.push(e);
      }),
      api.on['run.snapshot']((e) => {
        if (e.runId === this.run.view.runId) this.run.setSnapshot(e);
        else if (this.run.view.phase === 'starting') {
          const p = this.buffer(e.runId);
          p.snapshot = withLastWeights(p.snapshot, e);
        }
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Drops epochs already shown (a stored run's curves, then its live tail). */
  private fresh(batch: EpochMetrics[]): EpochMetrics[] {
    const last = this.run.lastEpoch();
    return batch[0] && batch[0].epoch > last ? batch : batch.filter((m) => m.epoch > last);
  }

  private buffer(runId: RunId): Pending {
    let p = this.pending.get(runId);
    if (!p) this.pending.set(runId, (p = { metrics: [], status: [], snapshot: null }));
    return p;
  }

  get runId(): RunId | null {
    return this.run.view.runId;
  }

  /** Asks for the snapshots of `runId` only (none for null; every run's with 'all'). Best effort: it only saves work. */
  private watch(runId: RunId | null | 'all'): void {
    void this.api.runs.watch({ runIds: runId === 'all' ? null : runId ? [runId] : [] });
  }

  async start(o: StartOptions): Promise<void> {
    this.pending.clear();
    this.run.starting(o.config, o.name ?? '');
    this.watch('all');
    const fromOnly = o.from && o.from.mode !== 'clone';
    const r = await this.api.runs.start({
      // rerun must send no configuration, continue only overrides; the view shows the parent's meanwhile
      config: fromOnly ? {} : o.config,
      ...(o.from ? { from: o.from } : {}),
      ...(o.name ? { name: o.name } : {}),
      ...(o.csvText !== undefined ? { csvText: o.csvText } : {}),
      ...(o.initialParams ? { initialParams: o.initialParams } : {}),
      ...(o.startPaused ? { startPaused: true } : {}),
    });
    if (!r.ok) {
      this.run.failedToStart(r.error.message);
      this.watch(this.run.view.runId);
      this.onError(r.error.message);
      return;
    }
    const { runId, name, backend, status, config } = r.value;
    this.watch(runId);
    this.run.started(runId, name, backend, status, config);
    const p = this.pending.get(runId);
    this.pending.clear();
    if (p) {
      for (const b of p.metrics) this.run.addMetrics(this.fresh(b));
      for (const s of p.status) this.run.setStatus(s);
      if (p.snapshot) this.run.setSnapshot(p.snapshot);
    }
  }

  private async command(which: 'pause' | 'resume' | 'step' | 'stop'): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const r = await this.api.runs[which]({ runId });
    if (!r.ok) {
      // a run that ended between the click and the command: not worth an error
      if (r.error.code !== 'conflict') this.onError(r.error.message);
      return;
    }
    if (r.value.runId === this.runId) this.run.setStatus({ runId, status: r.value.status, epoch: r.value.epoch });
  }

  pause = () => this.command('pause');
  resume = () => this.command('resume');
  stop = () => this.command('stop');

  /** One epoch: starts a paused run first when there is none. */
  async step(o: StartOptions): Promise<void> {
    const phase = this.run.view.phase;
    if (!isActive(phase)) {
      await this.start({ ...o, startPaused: true });
      if (this.run.view.phase !== 'paused' && this.run.view.phase !== 'running') return;
    } else if (phase === 'running') {
      await this.command('pause');
    }
    await this.command('step');
  }

  async reset(): Promise<void> {
    if (isActive(this.run.view.phase)) await this.command('stop');
    this.pending.clear();
    this.run.reset();
    this.watch(null);
  }

  /**
   * The boundary and network diagram of a stored run: its final weights (JSON export) through the renderer's
   * forward pass. Best effort: a failed run keeps no weights, and a CSV run's data is not stored.
   */
  private async storedPicture(run: RunDetail): Promise<void> {
    try {
      const file = await unwrap(this.api.runs.export({ runId: run.id, format: 'json' }));
      const weights = paramsFromWeightsJson(file.base64);
      let boundary = null, neurons = null;
      if (run.config.data.kind !== 'csv') {
        const preview = await unwrap(this.api.data.preview({ data: run.config.data }));
        boundary = boundaryFromWeights(run.config.architecture, weights, preview);
        neurons = neuronMapsFromWeights(run.config.architecture, weights, preview);
      }
      if (this.run.view.runId !== run.id || this.run.snapshot) return;
      this.run.setSnapshot({ runId: run.id, epoch: run.epochsDone, boundary, weights, layers: [], neurons });
    } catch {
      // no stored weights: the page shows the curves and says nothing more
    }
  }

  /** After a live run with early stopping finishes: the store says whether it stopped early and at which best epoch. */
  private async markBest(runId: RunId): Promise<void> {
    const r = await this.api.runs.get({ runId, maxPoints: 4 });
    if (!r.ok || this.run.view.runId !== runId) return;
    if (r.value.run.stoppedEarly && r.value.run.bestEpoch !== null) this.run.markBest(r.value.run.bestEpoch);
  }

  /** Shows a stored run (and follows it live if it is still training). */
  async open(runId: RunId): Promise<RunDetail | null> {
    try {
      const { run, curves } = await unwrap(this.api.runs.get({ runId, maxPoints: 5000 }));
      this.pending.clear();
      this.run.load(run, curves);
      this.watch(run.id);
      if (run.status !== 'running' && run.status !== 'paused') void this.storedPicture(run);
      return run;
    } catch (e) {
      this.onError((e as Error).message);
      return null;
    }
  }
}
