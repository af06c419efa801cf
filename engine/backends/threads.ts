// Keeps a threaded backend on the thread count that is fastest now. Threads pay on an idle machine; when another
// process takes a core, the threads wait on each other and a step can take 4× as long as on one thread. The
// governor times the run's epochs in short windows, now and then (and at once when epochs slow down against the
// calibration) tries the other count for one window, then times one more window on the count it came from: it
// switches only when the other count beat the mean of the window before and the window after, since the host slows
// single windows (a noisy neighbour, a page drawing) and a slowed window before the probe would make the slower
// count look faster. A switch is checked once more a few windows later. A threaded backend gives the same bits on
// any count, so a switch changes the speed and nothing else.

import type { ThreadedBackend } from './backend';

/** One change of thread count during a run. */
export interface ThreadSwitch {
  /** Epochs completed when the switch took effect. */
  epoch: number;
  from: number;
  to: number;
  /** ms per epoch measured on each count, just before the switch. */
  msFrom: number;
  msTo: number;
}

export interface GovernorOptions {
  /** Most threads to use (a host running several runs at once gives each a share of the cores). */
  maxThreads?: number;
  /** ms per epoch the calibration measured at the backend's thread count (null when there was none). */
  calibratedMsPerEpoch?: number | null;
  /**
   * ms per epoch the calibration measured at the other count (one thread for a threaded backend at its full count,
   * the full count for one held to one thread). When it lost clearly, the calibration counts as the first probes:
   * the first regular probe waits PROBE_MAX_MS / 2 instead of PROBE_MIN_MS (a slowdown still probes at once).
   */
  calibratedOtherMsPerEpoch?: number | null;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
}

/** Shortest window of epochs timed as one measurement. */
const WINDOW_MS = 120;
const WINDOW_EPOCHS = 2;
/** First and longest wait between probes of the other count; the wait doubles while probes change nothing. */
const PROBE_MIN_MS = 1000;
const PROBE_MAX_MS = 8000;
/** Probes are at least this many windows apart, so that trying the slower count costs a few percent at most. */
const PROBE_SPACING = 12;
/** A window this much slower than the best seen on the thread count probes the other count at once. */
const SLOWDOWN = 1.6;
/** The other count must be this much faster to take over (measurements within noise keep the current count). */
const MARGIN = 0.9;
/**
 * A probe this much slower than the count it came from lost clearly (one thread on an idle machine: 1.5–2×), and the
 * wait before the next one doubles. A loss between MARGIN and this (a load left the counts close, and the probe's
 * window was slowed) keeps probing every PROBE_MIN_MS.
 */
const CLEAR_LOSS = 1.35;
/**
 * Windows after a switch when the count it left is tried once more: one window slowed by the host (a noisy
 * neighbour, a page drawing) must not hold a run on the slower count until the next regular probe, seconds later.
 */
const CONFIRM_WINDOWS = 3;

export class ThreadGovernor {
  readonly max: number;
  /** The switches, the first 100 of them (count says how many in all). */
  readonly switches: ThreadSwitch[] = [];
  count = 0;
  private lastSwitch: ThreadSwitch | null = null;
  private cur: number;
  private windowMs = 0;
  private windowEpochs = 0;
  /** Best ms/epoch seen at the high count (from calibration, then from windows). */
  private bestHigh: number;
  /**
   * A probe in progress: the count it came from and that count's window before it; once the window on the other
   * count is done (msOther), it is back on `from` for the window after.
   */
  private probe: { from: number; msFrom: number; confirming: boolean; msOther: number | null } | null = null;
  /** The next probe checks the switch just made (it comes CONFIRM_WINDOWS windows after it). */
  private confirmNext = false;
  private probeWait = PROBE_MIN_MS;
  private nextProbe: number;
  /** No slowdown-triggered probe before this time (a few windows after the last probe). */
  private quietUntil = 0;
  private readonly now: () => number;

  constructor(private readonly backend: ThreadedBackend, opts: GovernorOptions = {}) {
    this.max = Math.max(1, Math.min(backend.threads, Math.floor(opts.maxThreads ?? backend.threads)));
    this.now = opts.now ?? (() => performance.now());
    if (backend.activeThreads > this.max) backend.setThreads(this.max);
    this.cur = backend.activeThreads;
    this.bestHigh = opts.calibratedMsPerEpoch ?? Infinity;
    const mine = opts.calibratedMsPerEpoch, other = opts.calibratedOtherMsPerEpoch;
    // on an idle machine a short run would otherwise spend a few percent on a probe the calibration already lost
    if (mine && other && other > mine * CLEAR_LOSS) this.probeWait = PROBE_MAX_MS / 2;
    this.nextProbe = this.now() + this.probeWait;
  }

  /** Threads in use now. */
  get threads(): number {
    return this.cur;
  }

  /** Whether there is anything to choose between. */
  get active(): boolean {
    return this.max > 1;
  }

  /** Call after every epoch with the time its training took (not the yields around it); `epoch`: epochs done. */
  afterEpoch(epoch: number, ms: number): void {
    if (this.max <= 1) return;
    this.windowMs += ms;
    this.windowEpochs++;
    if (this.windowMs < WINDOW_MS || this.windowEpochs < WINDOW_EPOCHS) return;
    const per = this.windowMs / this.windowEpochs;
    const spacing = PROBE_SPACING * this.windowMs;
    this.windowMs = this.windowEpochs = 0;
    const t = this.now();
    if (this.probe?.msOther === null) {
      // the window on the other count just ended: a clear loss ends the probe; otherwise back to the count it
      // came from for one more window, to tell a faster count from a slowed window before the probe
      const { from, msFrom } = this.probe;
      this.set(from);
      if (per < msFrom * MARGIN) this.probe.msOther = per;
      else this.endProbe(t, spacing, msFrom, per);
      return;
    }
    if (this.probe) {
      // the window after: the other count must have beaten the windows on either side of it, on average
      const { from, msFrom, msOther, confirming } = this.probe;
      const other = from === this.max ? 1 : this.max;
      const baseline = (msFrom + per) / 2;
      if (msOther! < baseline * MARGIN) {
        this.set(other);
        this.lastSwitch = { epoch, from, to: other, msFrom: baseline, msTo: msOther! };
        if (this.switches.length < 100) this.switches.push(this.lastSwitch);
        this.count++;
        if (other === this.max) this.bestHigh = msOther!;
        this.probeWait = PROBE_MIN_MS;
        // a switch is checked once, a few windows later (unless it was itself such a check)
        this.confirmNext = !confirming;
        this.scheduleNext(t, spacing, this.confirmNext);
      } else this.endProbe(t, spacing, baseline, msOther!);
      return;
    }
    const slowedDown = this.cur === this.max && per > this.bestHigh * SLOWDOWN && t >= this.quietUntil;
    if (this.cur === this.max) this.bestHigh = Math.min(this.bestHigh, per);
    if (slowedDown || t >= this.nextProbe) {
      this.probe = { from: this.cur, msFrom: per, confirming: this.confirmNext, msOther: null };
      this.set(this.cur === this.max ? 1 : this.max);
    }
  }

  /** A probe that kept the count it came from (`baseline`: that count's ms/epoch; `other`: the probed count's). */
  private endProbe(t: number, spacing: number, baseline: number, other: number): void {
    const from = this.probe!.from;
    this.confirmNext = false;
    // the high count stayed: what it does now is the baseline (a calibration in a quiet moment would otherwise make
    // every later window look like a slowdown)
    if (from === this.max) this.bestHigh = baseline;
    // a clear loss waits twice as long before the next try; a result within noise (the counts are close, so a
    // probe costs little) tries again a few windows later, and a loss in between a second later: one noisy probe
    // must not leave a run on the slower count for seconds
    const withinNoise = other <= baseline / MARGIN;
    if (other > baseline * CLEAR_LOSS) this.probeWait = Math.min(PROBE_MAX_MS, this.probeWait * 2);
    else if (!withinNoise) this.probeWait = PROBE_MIN_MS;
    this.scheduleNext(t, spacing, withinNoise);
  }

  /** Ends the probe: the next comes CONFIRM_WINDOWS windows later when `soon`, else after the regular wait. */
  private scheduleNext(t: number, spacing: number, soon: boolean): void {
    this.probe = null;
    this.nextProbe = t + (soon ? (spacing * CONFIRM_WINDOWS) / PROBE_SPACING : Math.max(this.probeWait, spacing));
    this.quietUntil = t + (spacing * 3) / PROBE_SPACING;
  }

  /**
   * Ends a probe in progress (back to the count it was trying against), so that a run ends, and the next run on
   * the same backend starts, on the count that was chosen rather than on the one being tried.
   */
  settle(): void {
    if (this.probe) {
      this.set(this.probe.from);
      this.probe = null;
    }
    this.windowMs = this.windowEpochs = 0;
  }

  /** "threads: 2 → 1 at epoch 812 (5.10 → 1.22 ms/epoch)", with a count when there were several; '' when none. */
  summary(): string {
    const last = this.lastSwitch;
    if (!last) return '';
    const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
    const one = `${last.from} → ${last.to} at epoch ${last.epoch} (${f(last.msFrom)} → ${f(last.msTo)} ms/epoch)`;
    return this.count === 1 ? `threads: ${one}` : `threads: switched ${this.count} times, last ${one}`;
  }

  private set(n: number): void {
    this.cur = n;
    this.backend.setThreads(n);
  }
}
