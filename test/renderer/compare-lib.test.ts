// Compare's pure parts: the x axes of the overlaid curves (epoch, share of training, wall time, log epochs), the
// score's name (R² for regression), and the tick labels every chart uses (digits chosen from the tick spacing, so
// no two neighbouring ticks read the same).
import { describe, expect, it } from 'vitest';
import { tickLabel, tickStep } from '../../renderer/src/lib/charts';
import { scoreName, valueAt, xValues } from '../../renderer/src/lib/compare';

describe('compare x axes', () => {
  const steps = [0, 1, 149, 299];
  it('puts a 300-epoch run and a 10,000-epoch run on the same 0–100 % scale, the last epoch at 100 %', () => {
    expect(xValues('share', steps, { epochsDone: 300 })).toEqual([100 / 300, 200 / 300, 50, 100]);
    expect(xValues('share', [0, 4999, 9999], { epochsDone: 10_000 })).toEqual([0.01, 50, 100]);
    // a run whose record lacks epochsDone: its last recorded epoch is the whole
    expect(xValues('share', [0, 9], { epochsDone: 0 }).at(-1)).toBe(100);
  });

  it('epochs as recorded; on a log axis epochs done, so the first epoch is at 1, not at log 0', () => {
    expect(xValues('epoch', steps, { epochsDone: 300 })).toEqual(steps);
    expect(xValues('log', steps, { epochsDone: 300 })).toEqual([1, 2, 150, 300]);
  });

  it('wall time in seconds from the elapsed-time curve, between its kept points where it was downsampled', () => {
    const elapsedMs = { step: [0, 100, 299], value: [10, 1010, 3000], total: 300 };
    expect(xValues('time', [0, 50, 100, 299], { epochsDone: 300, elapsedMs })).toEqual([0.01, 0.51, 1.01, 3]);
    expect(xValues('time', [0, 1], { epochsDone: 2 }).every(Number.isNaN)).toBe(true);
  });

  it('valueAt interpolates linearly and holds the end values beyond the ends', () => {
    expect(valueAt([0, 10], [0, 100], 2.5)).toBe(25);
    expect(valueAt([0, 10, 20], [0, 100, 300], 15)).toBe(200);
    expect(valueAt([5, 10], [1, 2], 0)).toBe(1);
    expect(valueAt([5, 10], [1, 2], 99)).toBe(2);
    expect(valueAt([], [], 1)).toBeNaN();
  });
});

describe('score name', () => {
  it('says R² when every run is regression, acc when none is, and both for a mix', () => {
    expect(scoreName(['regression', 'regression'])).toBe('R²');
    expect(scoreName(['classification', 'classification'])).toBe('acc');
    expect(scoreName(['classification', 'regression'])).toBe('acc / R²');
  });
});

describe('tick labels', () => {
  const labels = (ticks: number[]) => ticks.map((t) => tickLabel(t, tickStep(ticks)));
  it('never repeat on a narrow cost range (the flat start of a sigmoid net at ln 2 ≈ 0.693)', () => {
    const ticks = [0.6926, 0.6928, 0.693, 0.6932, 0.6934];
    const shown = labels(ticks);
    expect(shown).toEqual(['0.6926', '0.6928', '0.6930', '0.6932', '0.6934']);
    expect(new Set(shown).size).toBe(ticks.length);
  });

  it('show no noise digits on a wide range, and use exponent form for large and tiny values', () => {
    expect(labels([0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(labels([0.94, 0.95, 0.96])).toEqual(['0.94', '0.95', '0.96']);
    expect(labels([0, 500, 1000, 1500])).toEqual(['0', '500', '1000', '1500']);
    expect(labels([10000, 12500, 15000])).toEqual(['1.00e+4', '1.25e+4', '1.50e+4']);
    expect(labels([0.0002, 0.00025, 0.0003])).toEqual(['2.0e-4', '2.5e-4', '3.0e-4']);
  });

  it('take the step from inner ticks: an axis bound off the grid does not add digits', () => {
    expect(tickStep([0.013, 0.1, 0.2, 0.3, 0.4])).toBeCloseTo(0.1, 12);
    expect(tickStep([3])).toBe(0);
    expect(tickLabel(0.5, 0)).toBe('0.5'); // one tick: its own digits decide
    expect(tickLabel(0.6931, 0)).toBe('0.6931');
  });
});
