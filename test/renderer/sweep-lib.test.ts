// The sweep page's pure parts: the builder's spec checked by the host's own parser (electron/sweeps/spec.ts) and
// counted by its trial generator, problems that name the field, the plots' axes, the brush filter, the table's window.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type RunConfig } from '../../engine/config';
import { checkSweepSpec, generateTrials } from '../../electron/sweeps/index';
import type { RunSummary, SweepTrialInfo } from '../../electron/contract';
import { axisTicks, buildAxes, passingTrials, position, positions } from '../../renderer/src/lib/sweep-axes';
import { estimateSweep, TRIAL_START_MS } from '../../renderer/src/lib/sweep-estimate';
import { buildSweep, initialDraft, newRow, type SweepDraft } from '../../renderer/src/lib/sweep-spec';
import { visibleWindow } from '../../renderer/src/lib/virtual';

const tiny = (): RunConfig => {
  const c = defaultConfig();
  c.architecture = [
    { input_dim: 2, output_dim: 4, activation: 'relu' },
    { input_dim: 4, output_dim: 1, activation: 'sigmoid' },
  ];
  c.training.epochs = 30;
  return c;
};

function draft(c: RunConfig, patch: Partial<SweepDraft> = {}): SweepDraft {
  return { ...initialDraft(c), ...patch };
}

describe('the sweep builder', () => {
  it("makes a grid spec the host's parser accepts, with the trial count its generator makes", () => {
    const c = tiny();
    const d = draft(c, { params: [{ ...newRow('lr', c), values: '0.05, 0.5' }, { ...newRow('seed', c), values: '1, 2' }] });
    const built = buildSweep(d, c, null);
    expect(built.problems).toEqual([]);
    const parsed = checkSweepSpec(built.spec);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const trials = generateTrials(parsed.spec);
    expect(built.count).toBe(4);
    expect(trials.map((t) => t.params)).toEqual([
      { lr: 0.05, seed: 1 },
      { lr: 0.05, seed: 2 },
      { lr: 0.5, seed: 1 },
      { lr: 0.5, seed: 2 },
    ]);
    // every trial starts from the design: its architecture and epochs
    expect(trials[0]!.options['arch']).toEqual(c.architecture);
    expect(trials[0]!.options['epochs']).toBe(30);
  });

  it('crosses random draws with the grid (trials × grid points) and sends widths as whole architectures', () => {
    const c = tiny();
    const lr = { ...newRow('lr', c), mode: 'log_uniform' as const, low: '0.001', high: '1' };
    const width = { ...newRow('width:0', c), values: '2, 8' };
    const built = buildSweep(draft(c, { params: [lr, width], trials: '5', seed: '3' }), c, null);
    expect(built.problems).toEqual([]);
    const parsed = checkSweepSpec(built.spec);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const trials = generateTrials(parsed.spec);
    expect(built.count).toBe(10);
    expect(trials).toHaveLength(10);
    const widths = new Set(trials.map((t) => (t.params['arch'] as RunConfig['architecture'])[0]!.output_dim));
    expect([...widths].sort((a, b) => a - b)).toEqual([2, 8]);
    // the next layer's input follows the width
    for (const t of trials) {
      const arch = t.params['arch'] as RunConfig['architecture'];
      expect(arch[1]!.input_dim).toBe(arch[0]!.output_dim);
    }
    for (const t of trials) expect(t.params['lr'] as number).toBeGreaterThanOrEqual(0.001);
  });

  it("keeps the builder's order of the grid's parameters, a width row standing for arch", () => {
    const c = tiny();
    const built = buildSweep(draft(c, { params: [{ ...newRow('width:0', c), values: '2, 8' }, { ...newRow('optimizer', c) }, { ...newRow('seed', c), values: '1, 2' }] }), c, null);
    expect(Object.keys(built.spec!['grid'] as object)).toEqual(['arch', 'optimizer', 'seed']);
    expect(built.count).toBe(8);
  });

  it('adds ASHA the parser accepts, and refuses min epochs at or above the epochs naming the field', () => {
    const c = tiny();
    const ok = buildSweep(draft(c, { asha: { enabled: true, metric: 'testCost', minEpochs: '5', reduction: '3' } }), c, null);
    expect(ok.problems).toEqual([]);
    expect(checkSweepSpec(ok.spec).ok).toBe(true);
    const bad = buildSweep(draft(c, { asha: { enabled: true, metric: 'testCost', minEpochs: '30', reduction: '1' } }), c, null);
    expect(bad.spec).toBeNull();
    expect(bad.problems).toEqual([
      "min epochs: 30 must be below the design's epochs (30), or no trial can be stopped early",
      'reduction: must be an integer ≥ 2 (3 keeps the top third at each rung)',
    ]);
  });

  it('names the field of every problem and gives no spec while there is one', () => {
    const c = tiny();
    const cases: Array<[SweepDraft['params'][number], string]> = [
      [{ ...newRow('lr', c), values: '0.1, x' }, 'learning rate values: "x" is not a number'],
      [{ ...newRow('lr', c), values: '0.1, -1' }, 'learning rate values: "-1" must be a number > 0'],
      [{ ...newRow('lr', c), values: '0.1, 0.1' }, 'learning rate values: list each value once'],
      [{ ...newRow('lr', c), values: ' , ' }, 'learning rate values: list at least one value, separated by commas'],
      [{ ...newRow('lr', c), mode: 'uniform', low: '1', high: '0.1' }, 'learning rate range: low 1 must be below high 0.1'],
      [{ ...newRow('lr', c), mode: 'log_uniform', low: '0', high: '1' }, 'learning rate range: log-uniform needs low > 0'],
      [{ ...newRow('seed', c), mode: 'int', low: '0.5', high: '4' }, 'init seed range: int bounds must be integers'],
      [{ ...newRow('optimizer', c), values: 'sgd, adamw' }, 'optimizer values: "adamw" must be one of sgd, momentum, adam'],
      [{ ...newRow('batch-size', c), values: '32, half' }, 'batch size values: "half" is not a number'],
    ];
    for (const [row, message] of cases) {
      const built = buildSweep(draft(c, { params: [row] }), c, null);
      expect(built.problems).toEqual([message]);
      expect(built.spec).toBeNull();
    }
    expect(buildSweep(draft(c, { params: [] }), c, null).problems).toEqual(['parameters: add at least one parameter to vary']);
    const random = { ...newRow('lr', c), mode: 'uniform' as const, low: '0.01', high: '1' };
    expect(buildSweep(draft(c, { params: [random], trials: '0' }), c, null).problems).toEqual(['trials: the number of random draws must be an integer from 1 to 10000']);
  });
});

const trial = (i: number, params: Record<string, unknown>, testCost: number | null): SweepTrialInfo => ({
  trialIndex: i,
  runId: `r${i}`,
  status: testCost === null ? 'pending' : 'finished',
  params,
  epochs: 0,
  finalCost: testCost,
  testCost,
  testAccuracy: null,
  worker: null,
  reason: null,
});

describe('the sweep plots', () => {
  const trials = [trial(0, { lr: 0.01, optimizer: 'sgd' }, 0.5), trial(1, { lr: 0.1, optimizer: 'adam' }, 0.3), trial(2, { lr: 1, optimizer: 'sgd' }, null)];

  it('puts the learning rate on a log axis, names on a category axis, and the metric last', () => {
    const axes = buildAxes(trials, 'testCost');
    expect(axes.map((a) => [a.key, a.scale])).toEqual([
      ['lr', 'log'],
      ['optimizer', 'category'],
      ['$metric', 'linear'],
    ]);
    expect(position(axes[0]!, 0.1)).toBeCloseTo(0.5, 12);
    expect(axes[1]!.categories).toEqual(['sgd', 'adam']);
    const pos = positions(trials, axes, 'testCost');
    expect(Array.from(pos.slice(0, 3))).toEqual([0, 0, 1]);
    expect(Number.isNaN(pos[8]!)).toBe(true); // no metric yet
  });

  it('keeps the trials inside every brush, and none is filtered without a brush', () => {
    const axes = buildAxes(trials, 'testCost');
    const pos = positions(trials, axes, 'testCost');
    expect(passingTrials(pos, axes, {})).toBeNull();
    expect([...passingTrials(pos, axes, { lr: [0.4, 1] })!]).toEqual([1, 2]);
    expect([...passingTrials(pos, axes, { lr: [0.4, 1], optimizer: [0, 0.2] })!]).toEqual([2]);
    // a trial without a metric never passes a brush on the metric
    expect([...passingTrials(pos, axes, { $metric: [0, 1] })!]).toEqual([0, 1]);
  });
});

describe('the windowed table', () => {
  it('renders the rows in view and a few around them, and pads the rest', () => {
    expect(visibleWindow(1000, 28, 0, 280, 6)).toEqual({ start: 0, end: 16, before: 0, after: 984 * 28 });
    const w = visibleWindow(1000, 28, 28 * 500, 280, 6);
    expect(w).toEqual({ start: 494, end: 516, before: 494 * 28, after: 484 * 28 });
    expect(visibleWindow(1000, 28, 28 * 995, 280, 6)).toEqual({ start: 989, end: 1000, before: 989 * 28, after: 0 });
    expect(visibleWindow(0, 28, 0, 280)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});

describe('the time estimate', () => {
  const run = (architecture: string, epochsDone: number, durationMs: number): RunSummary =>
    ({ id: architecture, name: architecture, status: 'finished', architecture, dataset: 'moons', epochsDone, durationMs }) as RunSummary;

  it('is unknown before any run is recorded', () => {
    expect(estimateSweep([], '2-4-1', 'moons', 30, 4, 2)).toBeNull();
  });

  it("takes the median pace of the same network's runs, a start per trial, and trials at once", () => {
    const e = estimateSweep([run('2-4-1', 100, 1000), run('2-4-1', 100, 3000), run('2-4-1', 10, 50), run('2-8-1', 100, 99_000)], '2-4-1', 'moons', 30, 4, 2)!;
    expect(e.msPerEpoch).toBe(10);
    expect(e.ms).toBe(2 * (TRIAL_START_MS + 30 * 10));
    expect(e.rough).toBe(false);
  });

  it('scales another network by parameters when none of this one is recorded', () => {
    // 2-4-1 has 17 parameters, 2-8-1 has 33
    const e = estimateSweep([run('2-8-1', 100, 3300)], '2-4-1', 'moons', 10, 1, 1)!;
    expect(e.msPerEpoch).toBeCloseTo(17, 9);
    expect(e.rough).toBe(true);
  });
});

describe('log axis ticks', () => {
  it('label powers of ten over wide ranges and 1-2-5 steps over narrow ones', () => {
    const axis = (min: number, max: number) => ({ key: 'lr', label: 'lr', scale: 'log' as const, min, max, categories: [], metric: false });
    expect(axisTicks(axis(1e-4, 1)).map(([, t]) => t)).toEqual(['1e-4', '0.001', '0.01', '0.1', '1']);
    expect(axisTicks(axis(0.0472, 0.564)).map(([, t]) => t)).toEqual(['0.05', '0.1', '0.2', '0.5']);
    expect(axisTicks(axis(0.3, 0.4)).map(([, t]) => t)).toEqual(['0.3', '0.4']);
  });
});
