import { describe, expect, it } from 'vitest';
import { Asha, ashaRungs, epochsSaved, metricValue, type AshaDecision } from '../../../electron/sweeps/asha';

describe('rungs', () => {
  it('lie at min_epochs·reduction^k, strictly below the trials’ epochs', () => {
    expect(ashaRungs(30, 3, 300)).toEqual([30, 90, 270]);
    expect(ashaRungs(30, 3, 270)).toEqual([30, 90]);
    expect(ashaRungs(1, 2, 20)).toEqual([1, 2, 4, 8, 16]);
    expect(ashaRungs(30, 3, 31)).toEqual([30]);
    expect(new Asha({ metric: 'cost', minEpochs: 5, reduction: 4, maxEpochs: 100 }).rungs).toEqual([5, 20, 80]);
  });
});

/**
 * A hand-worked sweep: 7 trials A…G, metric cost (lower is better), min_epochs 1, reduction η = 3,
 * 27 epochs each, so rungs 1, 3 and 9 (rung numbers 1, 2, 3). Trials reach rungs in the order below, rungs
 * interleaved as an asynchronous pool would. At each arrival: n trials at the rung so far (this one included),
 * keep = max(1, ⌊n/3⌋), better = earlier values strictly lower; it goes on iff better < keep.
 *
 *  step  trial epoch cost  | rung  values at the rung before          n keep better  decision
 *   1    A     1     0.50  |  1    —                                  1   1    0      continue
 *   2    B     1     0.60  |  1    0.50                               2   1    1      prune
 *   3    C     1     0.40  |  1    0.50 0.60                          3   1    0      continue
 *   4    A     3     0.45  |  2    —                                  1   1    0      continue
 *   5    D     1     0.45  |  1    0.50 0.60 0.40                     4   1    1      prune  (0.40 is lower)
 *   6    E     1     0.30  |  1    0.50 0.60 0.40 0.45                5   1    0      continue
 *   7    C     3     0.35  |  2    0.45                               2   1    0      continue
 *   8    F     1     0.42  |  1    0.50 0.60 0.40 0.45 0.30           6   2    2      prune  (0.40, 0.30)
 *   9    G     1     0.35  |  1    0.50 0.60 0.40 0.45 0.30 0.42      7   2    1      continue (only 0.30)
 *  10    E     3     0.38  |  2    0.45 0.35                          3   1    1      prune  (0.35)
 *  11    A     9     0.40  |  3    —                                  1   1    0      continue
 *  12    G     3     0.20  |  2    0.45 0.35 0.38                     4   1    0      continue
 *  13    G     9     0.15  |  3    0.40                               2   1    0      continue
 *  14    C     9     0.30  |  3    0.40 0.15                          3   1    1      prune  (0.15)
 *
 * A went on at rung 1 although 4 of the 7 that reached it did better in the end: decisions are final.
 * A and G train all 27 epochs. Epochs saved: B, D, F stopped at 1 → 26 each; E at 3 → 24; C at 9 → 18:
 * 3·26 + 24 + 18 = 120 of the 7·27 = 189 a full sweep trains (69 trained).
 */
const STEPS: [trial: string, epoch: number, cost: number, expected: 'continue' | { rung: number; epoch: number }][] = [
  ['A', 1, 0.5, 'continue'],
  ['B', 1, 0.6, { rung: 1, epoch: 1 }],
  ['C', 1, 0.4, 'continue'],
  ['A', 3, 0.45, 'continue'],
  ['D', 1, 0.45, { rung: 1, epoch: 1 }],
  ['E', 1, 0.3, 'continue'],
  ['C', 3, 0.35, 'continue'],
  ['F', 1, 0.42, { rung: 1, epoch: 1 }],
  ['G', 1, 0.35, 'continue'],
  ['E', 3, 0.38, { rung: 2, epoch: 3 }],
  ['A', 9, 0.4, 'continue'],
  ['G', 3, 0.2, 'continue'],
  ['G', 9, 0.15, 'continue'],
  ['C', 9, 0.3, { rung: 3, epoch: 9 }],
];

const simplify = (d: AshaDecision) => (d === 'continue' ? d : { rung: d.rung, epoch: d.epoch });

describe('ASHA’s promotion rule on a hand-worked example', () => {
  it('makes the decision worked out for each arrival', () => {
    const asha = new Asha({ metric: 'cost', minEpochs: 1, reduction: 3, maxEpochs: 27 });
    expect(asha.rungs).toEqual([1, 3, 9]);
    STEPS.forEach(([trial, epoch, cost, expected], i) => {
      expect({ step: i + 1, decision: simplify(asha.report(trial, epoch, cost)) }).toEqual({ step: i + 1, decision: expected });
    });
    // the survivors go on past the last rung to the end without a decision
    for (const e of [10, 20, 27]) {
      expect(asha.report('A', e, 0.39)).toBe('continue');
      expect(asha.report('G', e, 0.1)).toBe('continue');
    }
    expect(['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((t) => asha.prunedAt(t)?.epoch ?? null)).toEqual([null, 1, 9, 1, 3, 1, null]);
    expect(asha.rungValues(1)).toEqual([0.5, 0.6, 0.4, 0.45, 0.3, 0.42, 0.35]);
    expect(asha.rungValues(2)).toEqual([0.45, 0.35, 0.38, 0.2]);
    expect(asha.rungValues(3)).toEqual([0.4, 0.15, 0.3]);
  });

  it('counts the epochs saved: 120 of 189', () => {
    const asha = new Asha({ metric: 'cost', minEpochs: 1, reduction: 3, maxEpochs: 27 });
    for (const [trial, epoch, cost] of STEPS) asha.report(trial, epoch, cost);
    expect(asha.epochsSaved()).toBe(120);
    expect(asha.summary()).toEqual({ trials: 7, pruned: 5, epochsSaved: 120, budget: 189 });
  });

  it('gives the reason a pruned run records, naming the rung, its epoch, the metric and the field', () => {
    const asha = new Asha({ metric: 'cost', minEpochs: 1, reduction: 3, maxEpochs: 27 });
    const decisions = STEPS.map(([trial, epoch, cost]) => asha.report(trial, epoch, cost));
    expect(decisions[7]).toEqual({
      prune: true,
      rung: 1,
      epoch: 1,
      value: 0.42,
      rank: 3,
      of: 6,
      keep: 2,
      reason: 'pruned at rung 1 (epoch 1): cost 0.42 not in the top 1/3 of 6 trials at that rung',
    });
    expect(decisions[13]).toMatchObject({ reason: 'pruned at rung 3 (epoch 9): cost 0.3 not in the top 1/3 of 3 trials at that rung' });
  });

  it("matches the issue's wording for rung 2 at epoch 90", () => {
    // min 30, η 3: rungs 30, 90, 270; 7 trials reach rung 2 and the last one is 3rd best
    const asha = new Asha({ metric: 'testCost', minEpochs: 30, reduction: 3, maxEpochs: 300 });
    const before = [0.3, 0.5, 0.6, 0.7, 0.8, 0.2];
    before.forEach((v, i) => {
      asha.report(i, 30, 0.1); // all tie at rung 1: every tie goes on
      asha.report(i, 90, v);
    });
    asha.report(6, 30, 0.1);
    const d = asha.report(6, 90, 0.41);
    expect(d).toMatchObject({ prune: true, rung: 2, epoch: 90, rank: 3, of: 7, keep: 2 });
    expect(d !== 'continue' && d.reason).toBe('pruned at rung 2 (epoch 90): testCost 0.41 not in the top 1/3 of 7 trials at that rung');
  });
});

describe('ASHA: details of the rule', () => {
  it('ranks accuracies higher-is-better', () => {
    const asha = new Asha({ metric: 'testAccuracy', minEpochs: 10, reduction: 2, maxEpochs: 40 });
    expect(asha.report('a', 10, 0.8)).toBe('continue');
    expect(asha.report('b', 10, 0.9)).toBe('continue'); // n 2, keep 1, nobody higher
    expect(asha.report('c', 10, 0.85)).toMatchObject({ prune: true, rank: 2 }); // n 3, keep 1, 0.9 higher
    expect(asha.report('d', 10, 0.95)).toBe('continue'); // n 4, keep 2
    expect(asha.report('e', 10, 0.7)).toMatchObject({ prune: true, rank: 5, keep: 2 });
  });

  it('a value tied with the cut goes on', () => {
    const asha = new Asha({ metric: 'cost', minEpochs: 5, reduction: 3, maxEpochs: 50 });
    asha.report('a', 5, 0.2);
    expect(asha.report('b', 5, 0.2)).toBe('continue');
    expect(asha.report('c', 5, 0.2000001)).toMatchObject({ prune: true });
  });

  it('a NaN metric never goes on and ranks below every number', () => {
    const asha = new Asha({ metric: 'cost', minEpochs: 5, reduction: 3, maxEpochs: 50 });
    expect(asha.report('nan', 5, Number.NaN)).toMatchObject({ prune: true, rank: 1, reason: expect.stringContaining('cost NaN') });
    expect(asha.report('b', 5, 9)).toBe('continue'); // the NaN does not count as better
  });

  it('a report that skips past rungs counts for each rung it passes, until one stops it', () => {
    const asha = new Asha({ metric: 'cost', minEpochs: 2, reduction: 2, maxEpochs: 20 }); // rungs 2, 4, 8, 16
    asha.report('a', 2, 0.1);
    asha.report('a', 4, 0.1);
    asha.report('b', 2, 0.5);
    // c's first report is at epoch 5: recorded at rung 1 (n 3, keep 1, best → on) and rung 2 (n 2, best → on)
    expect(asha.report('c', 5, 0.05)).toBe('continue');
    expect(asha.rungValues(1)).toEqual([0.1, 0.5, 0.05]);
    expect(asha.rungValues(2)).toEqual([0.1, 0.05]);
    // d at epoch 9: rung 1 (n 4, keep 2, one lower → on), rung 2 (n 3, keep 1, 0.05 lower → stop): never rung 3
    expect(asha.report('d', 9, 0.07)).toMatchObject({ prune: true, rung: 2, epoch: 4 });
    expect(asha.rungValues(3)).toEqual([]);
  });

  it('once stopped, a trial gets the same decision again; reports of passed rungs change nothing', () => {
    const asha = new Asha({ metric: 'cost', minEpochs: 1, reduction: 3, maxEpochs: 9 });
    asha.report('a', 1, 0.1);
    const d = asha.report('b', 1, 0.2);
    expect(asha.report('b', 2, 0.0)).toEqual(d);
    expect(asha.report('a', 1, 99)).toBe('continue');
    expect(asha.rungValues(1)).toEqual([0.1, 0.2]);
  });

  it('reportMetrics reads the metric from an epoch’s metrics, epoch numbers from 0, and skips epochs without it', () => {
    const asha = new Asha({ metric: 'testCost', minEpochs: 2, reduction: 2, maxEpochs: 10 });
    const m = (epoch: number, testCost: number | null) => ({ epoch, trainCost: 1, trainAccuracy: 0.5, testCost, testAccuracy: null, elapsedMs: 0 });
    asha.reportMetrics('a', m(1, 0.3)); // its 2nd epoch: rung 1
    expect(asha.rungValues(1)).toEqual([0.3]);
    expect(asha.reportMetrics('b', m(1, null))).toBe('continue');
    expect(asha.rungValues(1)).toEqual([0.3]);
    expect(asha.reportMetrics('b', m(2, 0.4))).toMatchObject({ prune: true, rung: 1, epoch: 2 });
    expect(metricValue(m(0, 0.1), 'cost')).toBe(1);
    expect(metricValue(m(0, 0.1), 'trainAccuracy')).toBe(0.5);
  });
});

describe('epochsSaved', () => {
  it('is Σ (max epochs − epochs trained) over the pruned trials only', () => {
    const trials = [
      { status: 'finished', epochs: 300 },
      { status: 'pruned', epochs: 30 }, // 270
      { status: 'pruned', epochs: 90 }, // 210
      { status: 'pruned', epochs: 31 }, // stopped one epoch after its rung: 269
      { status: 'failed', epochs: 12 }, // a failure saved nothing
      { status: 'stopped', epochs: 50 },
    ];
    expect(epochsSaved(300, trials)).toBe(270 + 210 + 269);
    expect(epochsSaved(300, [])).toBe(0);
  });
});
