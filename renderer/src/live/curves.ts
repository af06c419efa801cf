// A run's per-epoch curves, kept bounded however long the run: epochs are grouped into buckets of `stride`
// consecutive rows; a closed bucket keeps only real rows — its first and last, and for each metric the rows holding
// its minimum and its maximum (and its first non-finite value, so a divergence still shows) — in epoch order, values
// untouched. Once there are more than maxBuckets buckets, neighbours merge pairwise and the stride doubles: a
// 1,000,000-epoch run holds at most maxBuckets × ROWS_PER_BUCKET rows, and the chart is rebuilt only
// log2(epochs / maxBuckets) times (every other change appends). The open bucket's rows wait until it closes
// (at most stride − 1 epochs, i.e. about 1/maxBuckets of the run's time so far) or until flush() (pause, end).

/** Per-epoch series, index-aligned. null where a metric was not measured that epoch. */
export interface Series {
  epoch: number[];
  wallMs: number[];
  trainCost: number[];
  testCost: (number | null)[];
  trainAccuracy: number[];
  testAccuracy: (number | null)[];
  /** The learning rate each epoch trained with (schedule and warm-up applied); null where not recorded. */
  learningRate: (number | null)[];
}

/** One epoch's row, as the host's metrics batches carry it. */
export interface CurveRow {
  epoch: number;
  elapsedMs: number;
  trainCost: number;
  testCost: number | null;
  trainAccuracy: number;
  testAccuracy: number | null;
  learningRate?: number | null;
}

export const emptySeries = (): Series => ({ epoch: [], wallMs: [], trainCost: [], testCost: [], trainAccuracy: [], testAccuracy: [], learningRate: [] });

/** The metrics whose extremes every bucket keeps. */
export const CURVE_METRICS = ['trainCost', 'testCost', 'trainAccuracy', 'testAccuracy', 'learningRate'] as const;
/** At most this many rows per bucket: first, last, and per metric its minimum, maximum and first non-finite row. */
export const ROWS_PER_BUCKET = 2 + 3 * CURVE_METRICS.length;
/** Buckets kept by default: every epoch of a run up to 1,000 epochs is charted; beyond, about one bucket a pixel. */
export const DEFAULT_MAX_BUCKETS = 1000;

const KEYS = ['epoch', 'wallMs', ...CURVE_METRICS] as const;

function copyRow(dst: Series, src: Series, i: number): void {
  for (const k of KEYS) (dst[k] as (number | null)[]).push(src[k][i]!);
}

/** The rows of src[from, to) that a bucket keeps, ascending. */
export function keptRows(src: Series, from: number, to: number): number[] {
  const keep = new Set<number>([from, to - 1]);
  for (const k of CURVE_METRICS) {
    const col = src[k];
    let lo = -1, hi = -1, bad = -1;
    for (let i = from; i < to; i++) {
      const v = col[i];
      if (v === null || v === undefined) continue;
      if (!Number.isFinite(v)) {
        if (bad < 0) bad = i;
        continue;
      }
      if (lo < 0 || v < col[lo]!) lo = i;
      if (hi < 0 || v > col[hi]!) hi = i;
    }
    for (const i of [lo, hi, bad]) if (i >= 0) keep.add(i);
  }
  return [...keep].sort((a, b) => a - b);
}

/** What a push or flush did to `series`: nothing visible, rows appended from an index, or a rebuild (new arrays). */
export type CurveChange = { kind: 'none' } | { kind: 'appended'; from: number } | { kind: 'rebuilt' };

export class CurveBuffer {
  /** The committed rows (closed buckets). Replaced by a new object on a rebuild, appended to otherwise. */
  series: Series = emptySeries();
  /** Rows per bucket for new buckets. */
  stride = 1;
  /** Index in `series` where each bucket begins. */
  private starts: number[] = [];
  private open: Series = emptySeries();

  constructor(readonly maxBuckets = DEFAULT_MAX_BUCKETS) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) throw new Error(`CurveBuffer: maxBuckets must be an integer of at least 2, got ${maxBuckets}`);
  }

  /** A buffer holding rows already decimated elsewhere (a stored run's curves), each row its own bucket. */
  static of(series: Series, maxBuckets = DEFAULT_MAX_BUCKETS): CurveBuffer {
    const b = new CurveBuffer(maxBuckets);
    b.series = series;
    b.starts = series.epoch.map((_, i) => i);
    return b;
  }

  /** Buckets committed so far. */
  get buckets(): number {
    return this.starts.length;
  }

  /** Each committed bucket's rows as [from, to) indices into `series` (tests and diagnostics). */
  bucketRanges(): Array<[number, number]> {
    return this.starts.map((s, b) => [s, this.starts[b + 1] ?? this.series.epoch.length]);
  }

  /** The newest epoch seen, committed or still in the open bucket; −1 before any. */
  lastEpoch(): number {
    const o = this.open.epoch, s = this.series.epoch;
    return o.length ? o[o.length - 1]! : s.length ? s[s.length - 1]! : -1;
  }

  /** Adds one epoch's row. */
  push(m: CurveRow): CurveChange {
    const o = this.open;
    o.epoch.push(m.epoch);
    o.wallMs.push(m.elapsedMs);
    o.trainCost.push(m.trainCost);
    o.testCost.push(m.testCost);
    o.trainAccuracy.push(m.trainAccuracy);
    o.testAccuracy.push(m.testAccuracy);
    o.learningRate.push(m.learningRate ?? null);
    return o.epoch.length >= this.stride ? this.close() : { kind: 'none' };
  }

  /** Closes the open bucket early (a pause, the run's end), so its last epoch shows. */
  flush(): CurveChange {
    return this.open.epoch.length ? this.close() : { kind: 'none' };
  }

  private close(): CurveChange {
    const from = this.series.epoch.length;
    this.starts.push(from);
    const o = this.open;
    for (const i of keptRows(o, 0, o.epoch.length)) copyRow(this.series, o, i);
    this.open = emptySeries();
    if (this.starts.length <= this.maxBuckets) return { kind: 'appended', from };
    while (this.starts.length > this.maxBuckets) this.compact();
    return { kind: 'rebuilt' };
  }

  /** Merges neighbouring buckets pairwise and doubles the stride. */
  private compact(): void {
    const src = this.series, ranges = this.bucketRanges();
    const out = emptySeries(), starts: number[] = [];
    for (let b = 0; b < ranges.length; b += 2) {
      const from = ranges[b]![0], to = (ranges[b + 1] ?? ranges[b]!)[1];
      starts.push(out.epoch.length);
      for (const i of keptRows(src, from, to)) copyRow(out, src, i);
    }
    this.series = out;
    this.starts = starts;
    this.stride *= 2;
  }
}
