// Training progress for a terminal: one line redrawn in place on a TTY, or a plain line every ~10% of the
// epochs and at least every 5 s when stderr is a file or a pipe (so logs stay short and a long run still shows life).

import type { EpochMetrics } from '../../engine/train';

export interface ProgressOptions {
  /** Epochs the run will do in total. */
  total: number;
  /** Redraw one line in place (stderr is a terminal). */
  tty: boolean;
  /** Fraction of the run between two plain lines (non-TTY). Default 0.1. */
  every?: number;
  /** Shortest time between two redraws on a TTY, in ms. Default 100. */
  minIntervalMs?: number;
  /** Longest time between two plain lines (non-TTY), in ms. Default 5000. */
  lineEveryMs?: number;
  now?: () => number;
  /** A regression run: show R² where the accuracy goes. */
  regression?: boolean;
}

/** Prints progress lines through `write` (stderr). Call `update` for every epoch and `finish` once at the end. */
export class Progress {
  private readonly total: number;
  private readonly tty: boolean;
  private readonly step: number;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private nextMark: number;
  private lastDraw = -Infinity;
  private lastLine: number;
  private readonly lineEveryMs: number;
  private drawn = false;
  private pending: EpochMetrics | null = null;
  private readonly startedAt: number;
  private readonly regression: boolean;

  constructor(private readonly write: (text: string) => void, opts: ProgressOptions) {
    this.total = opts.total;
    this.tty = opts.tty;
    this.step = Math.max(1, Math.ceil(opts.total * (opts.every ?? 0.1)));
    this.nextMark = this.step;
    this.minIntervalMs = opts.minIntervalMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.lastLine = this.startedAt;
    this.lineEveryMs = opts.lineEveryMs ?? 5000;
    this.regression = opts.regression ?? false;
  }

  update(m: EpochMetrics): void {
    const done = m.epoch + 1;
    if (this.tty) {
      const t = this.now();
      this.pending = m;
      if (t - this.lastDraw >= this.minIntervalMs || done === this.total) {
        this.lastDraw = t;
        this.pending = null;
        this.write(`\r${formatProgress(m, this.total, this.rate(m), this.regression)}\x1b[K`);
        this.drawn = true;
      }
      return;
    }
    // a log or a pipe: a line every ~10% of the epochs, and at least every few seconds of a long run
    const t = this.now();
    if (done >= this.nextMark || done === this.total || t - this.lastLine >= this.lineEveryMs) {
      while (this.nextMark <= done) this.nextMark += this.step;
      this.lastLine = t;
      this.write(formatProgress(m, this.total, this.rate(m), this.regression) + '\n');
    }
  }

  /** Draws the last epoch if it was skipped by the throttle and ends the redrawn line. */
  finish(): void {
    if (!this.tty) return;
    if (this.pending) {
      this.write(`\r${formatProgress(this.pending, this.total, this.rate(this.pending), this.regression)}\x1b[K`);
      this.drawn = true;
      this.pending = null;
    }
    if (this.drawn) this.write('\n');
    this.drawn = false;
  }

  /** Epochs per second since this reporter started (the trainer's own clock when it has one). */
  private rate(m: EpochMetrics): number {
    const ms = m.elapsedMs > 0 ? m.elapsedMs : this.now() - this.startedAt;
    return ms > 0 ? ((m.epoch + 1) * 1000) / ms : 0;
  }
}

/**
 * `epoch 1000/10000 (10%)  cost 0.314159  acc 86.33%  test acc 85.00%  812 epochs/s  ETA 11s`; a regression run
 * shows `R² 0.9132` where the accuracy goes (its metrics carry R² in the accuracy fields).
 */
export function formatProgress(m: EpochMetrics, total: number, epochsPerSecond: number, regression = false): string {
  const done = m.epoch + 1;
  const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
  const parts = [
    `epoch ${done}/${total} (${pct}%)`,
    `cost ${formatCost(m.trainCost)}`,
    regression ? `R² ${r2Text(m.trainAccuracy)}` : `acc ${percent(m.trainAccuracy)}`,
  ];
  if (m.testAccuracy !== null) parts.push(regression ? `test R² ${r2Text(m.testAccuracy)}` : `test acc ${percent(m.testAccuracy)}`);
  parts.push(`${formatRate(epochsPerSecond)} epochs/s`);
  if (epochsPerSecond > 0 && done < total) parts.push(`ETA ${formatDuration((total - done) / epochsPerSecond)}`);
  return parts.join('  ');
}

export function formatCost(c: number): string {
  return Number.isFinite(c) ? c.toFixed(6) : String(c);
}

/** R² to 4 decimals ('–' when there is none). */
export function r2Text(a: number | null): string {
  return a === null || !Number.isFinite(a) ? '–' : a.toFixed(4);
}

export function percent(a: number | null): string {
  return a === null || !Number.isFinite(a) ? '–' : `${(a * 100).toFixed(2)}%`;
}

function formatRate(r: number): string {
  return r >= 100 ? Math.round(r).toString() : r.toPrecision(3);
}

/** 7s, 3m 05s, 1h 02m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
