// The live curves' bounded buffer (renderer/src/live/curves.ts): however long the run, it holds at most
// maxBuckets × ROWS_PER_BUCKET rows, every kept row is a real epoch's row, each bucket keeps its first and last
// rows and every metric's minimum and maximum over the epochs it covers, and it is rebuilt only log2(n/maxBuckets)
// times. Checked against the full rows, recomputed independently here.
import { describe, expect, it } from 'vitest';
import { CURVE_METRICS, CurveBuffer, ROWS_PER_BUCKET, type CurveRow } from '../../renderer/src/live/curves';

/** A noisy, decaying run with a test set measured every 3rd epoch and a step learning-rate schedule. */
function row(epoch: number): CurveRow {
  const noise = Math.sin(epoch * 12.9898) * 43758.5453;
  const jitter = noise - Math.floor(noise) - 0.5;
  return {
    epoch,
    elapsedMs: epoch * 0.2,
    trainCost: 0.7 * Math.exp(-epoch / 200_000) + 0.05 * jitter,
    testCost: epoch % 3 === 0 ? 0.75 * Math.exp(-epoch / 150_000) + 0.08 * jitter : null,
    trainAccuracy: 0.5 + 0.45 * (1 - Math.exp(-epoch / 100_000)) + 0.02 * jitter,
    testAccuracy: epoch % 3 === 0 ? 0.5 + 0.4 * (1 - Math.exp(-epoch / 100_000)) - 0.03 * jitter : null,
    learningRate: epoch < 600_000 ? 0.1 : 0.01,
  };
}

describe('live curves', () => {
  it('a 1,000,000-epoch run stays bounded, keeps first/last and every bucket’s min/max, and rebuilds ~log2(n/400) times', () => {
    const n = 1_000_000;
    const buf = new CurveBuffer(400);
    let rebuilds = 0, maxRows = 0;
    const all: CurveRow[] = [];
    for (let e = 0; e < n; e++) {
      const r = row(e);
      all.push(r);
      const c = buf.push(r);
      if (c.kind === 'rebuilt') rebuilds++;
      maxRows = Math.max(maxRows, buf.series.epoch.length);
    }
    buf.flush();
    const s = buf.series;
    expect(buf.buckets).toBeLessThanOrEqual(400);
    expect(maxRows).toBeLessThanOrEqual(400 * ROWS_PER_BUCKET);
    expect(s.epoch.length).toBeLessThan(400 * ROWS_PER_BUCKET);
    expect(rebuilds).toBeLessThanOrEqual(Math.ceil(Math.log2(n / 400)) + 1);
    // first and last epochs, in order, each a real row
    expect(s.epoch[0]).toBe(0);
    expect(s.epoch.at(-1)).toBe(n - 1);
    for (let i = 1; i < s.epoch.length; i++) expect(s.epoch[i]!).toBeGreaterThan(s.epoch[i - 1]!);
    for (let i = 0; i < s.epoch.length; i += 97) {
      const r = all[s.epoch[i]!]!;
      expect([s.wallMs[i], s.trainCost[i], s.testCost[i], s.trainAccuracy[i], s.testAccuracy[i], s.learningRate[i]]).toEqual([r.elapsedMs, r.trainCost, r.testCost, r.trainAccuracy, r.testAccuracy, r.learningRate]);
    }
    // each bucket: the min and max of every metric over the epochs it covers (from its first row to the next
    // bucket's first) are among its rows
    const ranges = buf.bucketRanges();
    ranges.forEach(([from, to], b) => {
      const e0 = s.epoch[from]!, e1 = b + 1 < ranges.length ? s.epoch[ranges[b + 1]![0]]! : n;
      for (const k of CURVE_METRICS) {
        let lo = Infinity, hi = -Infinity;
        for (let e = e0; e < e1; e++) {
          const v = all[e]![k];
          if (v !== null && v !== undefined) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
        }
        const kept = (s[k].slice(from, to).filter((v) => v !== null) as number[]);
        if (lo === Infinity) expect(kept).toEqual([]);
        else {
          expect(Math.min(...kept)).toBe(lo);
          expect(Math.max(...kept)).toBe(hi);
        }
      }
    });
    // and so the whole run's extremes
    const fold = (xs: number[], f: (a: number, b: number) => number) => xs.reduce((a, b) => f(a, b));
    expect(fold(s.trainCost, Math.min)).toBe(fold(all.map((r) => r.trainCost), Math.min));
    expect(fold(s.trainAccuracy, Math.max)).toBe(fold(all.map((r) => r.trainAccuracy), Math.max));
  });

  it('a short run keeps every epoch, appended in order; flush shows the open bucket’s epochs', () => {
    const buf = new CurveBuffer(8);
    const changes = Array.from({ length: 8 }, (_, e) => buf.push(row(e)));
    expect(changes).toEqual(Array.from({ length: 8 }, (_, e) => ({ kind: 'appended', from: e })));
    expect(buf.series.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(buf.push(row(8))).toEqual({ kind: 'rebuilt' }); // a 9th bucket: pairs merge, stride 2
    expect(buf.stride).toBe(2);
    expect(buf.buckets).toBe(5);
    expect(buf.push(row(9))).toEqual({ kind: 'none' }); // waits for its pair
    expect(buf.lastEpoch()).toBe(9);
    const c = buf.flush();
    expect(c).toEqual({ kind: 'appended', from: expect.any(Number) });
    expect(buf.series.epoch.at(-1)).toBe(9);
    expect(buf.flush()).toEqual({ kind: 'none' });
  });

  it('keeps the first non-finite row of a bucket, so a divergence stays visible', () => {
    const buf = new CurveBuffer(2);
    for (let e = 0; e < 64; e++) buf.push({ ...row(e), trainCost: e === 37 ? NaN : e === 50 ? Infinity : 1 + e });
    buf.flush();
    expect(buf.series.epoch).toContain(37);
    expect(buf.series.trainCost.some((v) => Number.isNaN(v))).toBe(true);
  });

  it('refuses a nonsensical bucket count', () => {
    expect(() => new CurveBuffer(1)).toThrow(/maxBuckets must be an integer of at least 2, got 1/);
  });
});
