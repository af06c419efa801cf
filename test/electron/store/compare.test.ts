// The comparison reads: run lists with filters and sorts, downsampled curves that keep spikes, and the
// settings diff in readable rows (the architecture as one row, settings that mean nothing left out).

import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import {
  configsOf,
  countRuns,
  diffParams,
  downsampleMinMax,
  flattenConfig,
  listRuns,
  loadCurves,
  openStore,
  readableConfig,
  settingApplies,
  StoreError,
  type Store,
} from '../../../electron/store/index';
import { tempDir } from './helpers';

let store: Store;
beforeAll(() => {
  store = openStore({ path: join(tempDir(), 'compare.db') });
  const add = (id: string, o: { name: string; createdAt: number; status?: 'finished' | 'failed' | 'stopped' | 'interrupted'; kind?: 'moons' | 'circles'; finalCost?: number | null; testAccuracy?: number | null; tags?: string[]; lr?: number }) =>
    store.importRun({
      id,
      name: o.name,
      createdAt: o.createdAt,
      status: o.status ?? 'finished',
      config: resolveConfig({ data: { kind: o.kind ?? 'moons' }, training: { learningRate: o.lr ?? 0.01 } }),
      tags: o.tags ?? [],
      final: { finalCost: o.finalCost ?? null, testAccuracy: o.testAccuracy ?? null },
    });
  add('r1', { name: 'Baseline moons', createdAt: 1000, finalCost: 0.30, testAccuracy: 0.90, tags: ['baseline'] });
  add('r2', { name: 'wide 100%', createdAt: 2000, finalCost: 0.10, testAccuracy: 0.97, tags: ['wide', 'best'] });
  add('r3', { name: 'circles try', createdAt: 3000, kind: 'circles', finalCost: 0.20, testAccuracy: 0.95, tags: ['baseline'] });
  add('r4', { name: 'diverged', createdAt: 4000, status: 'failed', finalCost: null, testAccuracy: null, lr: 5 });
  add('r5', { name: 'stopped early', createdAt: 5000, status: 'stopped', finalCost: 0.50, testAccuracy: 0.80 });
  add('r6', { name: 'killed', createdAt: 6000, status: 'interrupted' });
});
afterAll(() => store.close());
const ids = (runs: { id: string }[]) => runs.map((r) => r.id);

describe('listRuns', () => {
  it('lists newest first by default, with tags, and pages with limit and offset', () => {
    const all = listRuns(store);
    expect(ids(all)).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    expect(all.find((r) => r.id === 'r2')!.tags).toEqual(['best', 'wide']);
    expect(ids(listRuns(store, { limit: 2, offset: 2 }))).toEqual(['r4', 'r3']);
    expect(ids(listRuns(store, { order: 'asc', limit: 2 }))).toEqual(['r1', 'r2']);
    expect(all[0]).toMatchObject({ id: 'r6', name: 'killed', status: 'interrupted', createdAt: 6000, finalCost: null, testAccuracy: null });
  });

  it('sorts by final cost (lowest first) and test accuracy (highest first), runs without the value last either way', () => {
    expect(ids(listRuns(store, { sort: 'finalCost' }))).toEqual(['r2', 'r3', 'r1', 'r5', 'r6', 'r4']);
    expect(ids(listRuns(store, { sort: 'finalCost', order: 'desc' }))).toEqual(['r5', 'r1', 'r3', 'r2', 'r6', 'r4']);
    expect(ids(listRuns(store, { sort: 'testAccuracy' }))).toEqual(['r2', 'r3', 'r1', 'r5', 'r6', 'r4']);
  });

  it('filters by name (case-insensitive part, % and _ taken literally), tag, status and dataset, and counts the matches', () => {
    expect(ids(listRuns(store, { name: 'MOONS' }))).toEqual(['r1']);
    expect(ids(listRuns(store, { name: '100%' }))).toEqual(['r2']);
    expect(ids(listRuns(store, { name: '_' }))).toEqual([]);
    expect(ids(listRuns(store, { tag: 'baseline' }))).toEqual(['r3', 'r1']);
    expect(ids(listRuns(store, { status: 'failed' }))).toEqual(['r4']);
    expect(ids(listRuns(store, { status: ['stopped', 'interrupted'] }))).toEqual(['r6', 'r5']);
    expect(ids(listRuns(store, { dataset: 'circles' }))).toEqual(['r3']);
    expect(ids(listRuns(store, { dataset: 'moons', tag: 'baseline', sort: 'finalCost' }))).toEqual(['r1']);
    expect(countRuns(store, { dataset: 'moons' })).toBe(5);
    expect(countRuns(store)).toBe(6);
  });

  it('refuses a bad query naming the value', () => {
    expect(() => listRuns(store, { sort: 'cost' as never })).toThrow('listRuns: query.sort must be one of "date", "finalCost", "testAccuracy", got "cost"');
    expect(() => listRuns(store, { status: 'done' as never })).toThrow(/listRuns: query.status/);
    expect(() => listRuns(store, { limit: 0 })).toThrow('listRuns: query.limit must be ≥ 1, got 0');
    expect(() => listRuns(store, { order: 'up' } as never)).toThrow('listRuns: query.order must be one of "asc", "desc", got "up"');
  });
});

describe('loadCurves', () => {
  let long: string, short: string;
  beforeAll(() => {
    long = store.importRun({ config: resolveConfig({}), metrics: [] }).id;
    short = store.importRun({ config: resolveConfig({}) }).id;
    const rows = Array.from({ length: 10_000 }, (_, step) => ({ key: 'train_cost', step, value: step === 6543 ? 50 : step === 7777 ? NaN : 1 / (step + 1) }));
    store.db.prepare("UPDATE runs SET status = 'running' WHERE id IN (?, ?)").run(long, short);
    store.appendMetrics(long, rows);
    store.appendMetrics(short, [0, 1, 2].map((step) => ({ key: 'train_cost', step, value: [-0, Infinity, -Infinity][step]! })));
  });

  it('downsamples a long curve to at most maxPoints, keeping the first and last points and every spike', () => {
    const [c] = loadCurves(store, [long], { maxPoints: 200 });
    expect(c!.total).toBe(10_000);
    expect(c!.steps.length).toBeLessThanOrEqual(200);
    expect(c!.steps.length).toBe(c!.values.length);
    expect(c!.steps[0]).toBe(0);
    expect(c!.steps.at(-1)).toBe(9999);
    expect(c!.values[c!.steps.indexOf(6543)]).toBe(50);
    expect(c!.values[c!.steps.indexOf(7777)]).toBeNaN();
    expect(c!.steps).toEqual([...c!.steps].sort((a, b) => a - b));
  });

  it('returns short curves whole, values as recorded, one curve per run and key in the order asked', () => {
    const curves = loadCurves(store, [short, long], { keys: ['train_cost', 'test_cost'], maxPoints: 1000 });
    expect(curves.map((c) => [c.runId, c.key, c.total])).toEqual([[short, 'train_cost', 3], [short, 'test_cost', 0], [long, 'train_cost', 10_000], [long, 'test_cost', 0]]);
    expect(curves[0]!.steps).toEqual([0, 1, 2]);
    expect(Object.is(curves[0]!.values[0], -0)).toBe(true);
    expect(curves[0]!.values.slice(1)).toEqual([Infinity, -Infinity]);
  });

  it('refuses unknown runs and bad options', () => {
    const e = (() => { try { loadCurves(store, ['nope']); } catch (x) { return x as StoreError; } })();
    expect(e?.code).toBe('NOT_FOUND');
    expect(() => loadCurves(store, [])).toThrow('loadCurves: runIds must name at least one run, got []');
    expect(() => loadCurves(store, [short], { maxPoints: 2 })).toThrow('loadCurves: options.maxPoints must be ≥ 4, got 2');
    expect(() => loadCurves(store, [short], { keys: ['a b'] })).toThrow('loadCurves: options.keys[0] must be a metric key such as train_cost, got "a b"');
  });
});

describe('downsampleMinMax', () => {
  it('keeps at most maxPoints increasing indices, the first and last, the global min, and the global max (a NaN when there is one)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.constant(NaN)), { minLength: 0, maxLength: 3000 }), fc.integer({ min: 4, max: 500 }), (values, maxPoints) => {
        const keep = downsampleMinMax(values, maxPoints);
        if (values.length <= maxPoints) return keep === null;
        const k = keep!;
        if (k.length > maxPoints || k[0] !== 0 || k.at(-1) !== values.length - 1) return false;
        for (let i = 1; i < k.length; i++) if (k[i]! <= k[i - 1]!) return false;
        const finite = values.filter((v) => !Number.isNaN(v));
        const kept = k.map((i) => values[i]!);
        if (finite.length && !kept.some((v) => Object.is(v, Math.min(...finite)) || v === Math.min(...finite))) return false;
        // NaN counts as above everything (a diverged epoch is the spike to keep)
        if (values.some(Number.isNaN)) return kept.some(Number.isNaN);
        if (!kept.some((v) => v === Math.max(...finite))) return false;
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('diffParams', () => {
  it('flattens a configuration to dotted paths in its own order', () => {
    const flat = flattenConfig(resolveConfig({}));
    expect([...flat.keys()].slice(0, 3)).toEqual(['architecture[0].input_dim', 'architecture[0].output_dim', 'architecture[0].activation']);
    expect(flat.get('training.learningRate')).toBe(0.01);
    expect(flat.get('training.batchSize')).toBeNull();
    expect(flattenConfig({ a: [], b: {} })).toEqual(new Map([['a', '[]'], ['b', '{}']]));
  });

  it('shows the runs’ configurations side by side, or only what differs', () => {
    const full = diffParams(store, ['r1', 'r3', 'r4']);
    expect(full.runs).toEqual([{ id: 'r1', name: 'Baseline moons' }, { id: 'r3', name: 'circles try' }, { id: 'r4', name: 'diverged' }]);
    expect(full.rows.find((r) => r.path === 'init.seed')).toEqual({ path: 'init.seed', values: [101, 101, 101], differs: false });
    const diff = diffParams(store, ['r1', 'r3', 'r4'], { onlyDifferences: true });
    expect(diff.rows).toEqual([
      { path: 'data.kind', values: ['moons', 'circles', 'moons'], differs: true },
      // circles' factor means something for the circles run only; it keeps its place in the configuration's order
      { path: 'data.factor', values: [undefined, 0.8, undefined], differs: true },
      { path: 'training.learningRate', values: [0.01, 0.01, 5], differs: true },
    ]);
  });

  it('shows the architecture as one row, first, in short form with activations; a deeper network differs there', () => {
    const deep = resolveConfig({
      architecture: [
        { input_dim: 2, output_dim: 4, activation: 'relu' },
        { input_dim: 4, output_dim: 4, activation: 'tanh' },
        { input_dim: 4, output_dim: 1, activation: 'sigmoid' },
      ],
    });
    const id = store.importRun({ config: deep }).id;
    const full = diffParams(store, ['r1', id]).rows;
    expect(full[0]).toEqual({ path: 'architecture', values: ['2-25-50-50-25-1 (relu, relu, relu, relu, sigmoid)', '2-4-4-1 (relu, tanh, sigmoid)'], differs: true });
    expect(full.some((r) => r.path.startsWith('architecture['))).toBe(false);
    expect(diffParams(store, ['r1', id], { onlyDifferences: true }).rows.map((r) => r.path)).toEqual(['architecture']);
    expect(diffParams(store, ['r1', 'r2']).rows[0]).toMatchObject({ path: 'architecture', differs: false });
    expect(() => diffParams(store, ['r1', 'zz'])).toThrow(/there is no run with id "zz"/);
  });

  it('leaves out settings that mean nothing for every run, and shows one a single run uses beside a blank', () => {
    const sgd = store.importRun({ config: resolveConfig({}) }).id;
    const adam = store.importRun({ config: resolveConfig({ training: { optimizer: 'adam', batchSize: 32 } }) }).id;
    const circles = store.importRun({ config: resolveConfig({ data: { kind: 'circles', factor: 0.5 } }) }).id;
    const paths = (ids: string[]) => diffParams(store, ids).rows.map((r) => r.path);
    // moons with full-batch SGD: no circles factor, momentum, Adam terms, shuffle seed or early-stopping details
    for (const p of ['data.factor', 'training.momentum', 'training.beta1', 'training.beta2', 'training.epsilon', 'training.shuffleSeed', 'training.earlyStopMetric', 'training.minDelta']) {
      expect(paths(['r1', sgd])).not.toContain(p);
    }
    expect(paths(['r1', sgd])).toEqual(expect.arrayContaining(['training.learningRate', 'data.noise', 'data.splitSeed', 'training.earlyStop', 'backend']));
    // SGD beside Adam with mini-batches: Adam's terms and the shuffle seed, blank for the SGD run
    const rows = diffParams(store, [sgd, adam], { onlyDifferences: true }).rows;
    expect(rows.map((r) => r.path)).toEqual(['training.batchSize', 'training.optimizer', 'training.beta1', 'training.beta2', 'training.epsilon', 'training.shuffleSeed']);
    expect(rows.find((r) => r.path === 'training.beta1')!.values).toEqual([undefined, 0.9]);
    expect(rows.find((r) => r.path === 'training.batchSize')!.values).toEqual(['full batch', 32]);
    // circles beside moons: the factor, for circles only
    expect(diffParams(store, [sgd, circles], { onlyDifferences: true }).rows).toEqual([
      { path: 'data.kind', values: ['moons', 'circles'], differs: true },
      { path: 'data.factor', values: [undefined, 0.5], differs: true },
    ]);
  });
});

describe('settingApplies', () => {
  it('is the one rule: each conditional setting applies exactly when its condition holds', () => {
    const base = resolveConfig({});
    const cases: Array<[string, Parameters<typeof resolveConfig>[0], boolean]> = [
      ['data.factor', { data: { kind: 'circles' } }, true],
      ['data.factor', { data: { kind: 'moons' } }, false],
      ['data.noise', { data: { kind: 'spiral' } }, true],
      ['data.noise', { data: { kind: 'iris' } }, false],
      ['data.samples', { data: { kind: 'diabetes' } }, false],
      ['data.seed', { data: { kind: 'xor' } }, true],
      ['data.splitSeed', { data: { testSize: 0 } }, false],
      ['data.splitSeed', { data: { testSize: 0.2 } }, true],
      ['training.momentum', { training: { optimizer: 'momentum' } }, true],
      ['training.momentum', { training: { optimizer: 'adam' } }, false],
      ['training.beta2', { training: { optimizer: 'adam' } }, true],
      ['training.epsilon', { training: { optimizer: 'momentum' } }, false],
      ['training.shuffleSeed', { training: { batchSize: 16 } }, true],
      ['training.shuffleSeed', { training: { batchSize: null } }, false],
      ['training.minDelta', { training: { earlyStop: 5 } }, true],
      ['training.earlyStopMetric', { training: { earlyStop: 0 } }, false],
      ['training.learningRate', {}, true],
      ['backend', {}, true],
    ];
    for (const [path, partial, applies] of cases) expect(settingApplies(resolveConfig(partial), path), `${path} with ${JSON.stringify(partial)}`).toBe(applies);
    // every path the rule names exists in a configuration (a renamed field would silently apply everywhere)
    const known = new Set(flattenConfig(base).keys());
    for (const [path] of cases) expect(known.has(path), path).toBe(true);
  });

  it('readableConfig joins the input features into one row', () => {
    const c = readableConfig(resolveConfig({ data: { kind: 'circles', features: ['x1^2', 'x2^2'] }, architecture: [{ input_dim: 2, output_dim: 1, activation: 'sigmoid' }] }));
    expect(c.get('data.features')).toBe('x1^2, x2^2');
    expect([...c.keys()][0]).toBe('architecture');
    expect(c.get('architecture')).toBe('2-1 (sigmoid)');
  });
});

describe('configsOf', () => {
  it('gives each listed run’s configuration in one query, leaving out ids that do not exist', () => {
    const ids = listRuns(store, { limit: 3 }).map((r) => r.id);
    const configs = configsOf(store, [...ids, 'no-such-run']);
    expect([...configs.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(configs.get(id)).toEqual(store.getRun(id).config);
    expect(configsOf(store, []).size).toBe(0);
    expect(() => configsOf(store, ['bad id'])).toThrow('configsOf: ids[0] must be a run id, got "bad id"');
  });
});
