// The runs table's pure parts: every setting read from a real configuration (and left out where it means nothing
// for the run), the architecture in short form, grouping by sweep and by tag, the R² label of regression runs, and
// the remembered column choice.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config';
import type { RunSummary } from '../../electron/contract';
import { COLUMNS, DEFAULT_COLUMNS, columnLabel, loadColumns } from '../../renderer/src/components/RunColumns';
import { SETTINGS, groupRuns, settingsByGroup, settingText } from '../../renderer/src/lib/run-settings';

const setting = (key: string) => SETTINGS.find((s) => s.key === key)!;

let n = 0;
function run(over: Partial<RunSummary> = {}): RunSummary {
  n++;
  return {
    id: `run-${n}`,
    name: `run ${n}`,
    status: 'finished',
    dataset: 'moons',
    createdAt: n,
    startedAt: n,
    endedAt: n + 1,
    epochsDone: 10,
    finalCost: 0.5,
    trainAccuracy: 0.8,
    testCost: 0.6,
    testAccuracy: 0.75,
    backend: null,
    error: null,
    tags: [],
    notes: '',
    architecture: '2-4-1',
    durationMs: 1,
    sweep: null,
    ...over,
  };
}

describe('settings', () => {
  it('reads the architecture in short form in the table and with its activations in the detail pane', () => {
    const c = resolveConfig({ architecture: [{ input_dim: 2, output_dim: 25, activation: 'relu' }, { input_dim: 25, output_dim: 50, activation: 'relu' }, { input_dim: 50, output_dim: 1, activation: 'sigmoid' }] });
    expect(settingText(setting('architecture'), c)).toBe('2-25-50-1');
    const network = settingsByGroup(c).find((g) => g.group === 'Network')!;
    expect(network.rows[0]).toEqual({ key: 'architecture', label: 'Architecture', text: '2-25-50-1 (relu, relu, sigmoid)', path: 'architecture' });
    expect(network.rows.find((r) => r.key === 'parameters')!.text).toBe('1,426'); // 2·25+25 + 25·50+50 + 50·1+1
  });

  it('leaves out what means nothing for the run: momentum on Adam, β on SGD, the circles factor on moons, the shuffle seed of a full batch', () => {
    const adam = resolveConfig({ training: { optimizer: 'adam', learningRate: 0.005 } });
    const keys = (c: typeof adam) => settingsByGroup(c).flatMap((g) => g.rows.map((r) => r.key));
    expect(keys(adam)).toEqual(expect.arrayContaining(['beta1', 'beta2', 'epsilon', 'learningRate']));
    expect(keys(adam)).not.toContain('momentum');
    expect(keys(adam)).not.toContain('factor');
    expect(keys(adam)).not.toContain('shuffleSeed');
    expect(settingText(setting('momentum'), adam)).toBe('—');
    const momentum = resolveConfig({ training: { optimizer: 'momentum', batchSize: 32 }, data: { kind: 'circles' } });
    expect(keys(momentum)).toEqual(expect.arrayContaining(['momentum', 'factor', 'shuffleSeed']));
    expect(keys(momentum)).not.toContain('beta1');
    expect(settingText(setting('batchSize'), momentum)).toBe('32');
    expect(settingText(setting('batchSize'), adam)).toBe('full batch');
    // a built-in dataset has no samples, noise or data seed to set
    const iris = resolveConfig({ data: { kind: 'iris' }, architecture: [{ input_dim: 4, output_dim: 3, activation: 'softmax' }] });
    expect(keys(iris)).not.toContain('samples');
    expect(keys(iris)).not.toContain('noise');
  });

  it('every table column sorts numbers as numbers: a full batch after every batch size', () => {
    const col = COLUMNS.find((c) => c.key === 'batchSize')!;
    const rows = [run({ config: resolveConfig({ training: { batchSize: null } }) }), run({ config: resolveConfig({ training: { batchSize: 64 } }) }), run({ config: resolveConfig({ training: { batchSize: 8 } }) })];
    expect(rows.map((r) => col.sortValue(r)).sort((a, b) => (a as number) - (b as number))).toEqual([8, 64, Infinity]);
    expect(COLUMNS.filter((c) => c.key === 'learningRate' || c.key === 'epochs').every((c) => c.num)).toBe(true);
  });
});

describe('grouping', () => {
  it('by tag: a run with two tags is in both groups, untagged runs come last, each group keeps the rows’ order', () => {
    const a = run({ tags: ['baseline'] }), b = run({ tags: [] }), c = run({ tags: ['baseline', 'repeat'] });
    const groups = groupRuns([a, b, c], 'tag');
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.id)])).toEqual([
      ['baseline', [a.id, c.id]],
      ['repeat', [c.id]],
      ['no tag', [b.id]],
    ]);
    expect(groups.at(-1)!.rest).toBe(true);
  });

  it('by sweep: trials under their sweep’s name, other runs last; none: one group of every row', () => {
    const s = { id: 'sw-1', name: 'lr sweep' };
    const a = run(), b = run({ sweep: s }), c = run({ sweep: s });
    expect(groupRuns([a, b, c], 'sweep').map((g) => [g.key, g.label, g.runs.length])).toEqual([
      ['sweep:sw-1', 'lr sweep', 2],
      ['sweep:', 'not in a sweep', 1],
    ]);
    expect(groupRuns([a, b, c], 'none')).toEqual([{ key: '', label: '', rest: false, runs: [a, b, c] }]);
  });
});

describe('accuracy columns', () => {
  const acc = COLUMNS.find((c) => c.key === 'testAccuracy')!;
  it('say R² for regression runs (plane, multi-gaussian, diabetes), and both when the rows are mixed', () => {
    expect(columnLabel(acc, [run()])).toBe('Test acc');
    expect(columnLabel(acc, [run({ dataset: 'plane' }), run({ dataset: 'diabetes' })])).toBe('Test R²');
    expect(columnLabel(acc, [run({ dataset: 'plane' }), run()])).toBe('Test acc / R²');
  });
});

describe('the remembered column choice', () => {
  const store = new Map<string, string>();
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  };
  afterEach(() => store.clear());
  it('is the default without one, drops keys that are no longer columns, and survives bad JSON', () => {
    expect(loadColumns()).toEqual(DEFAULT_COLUMNS);
    store.set('bpl-runs-columns', JSON.stringify(['architecture', 'gone', 'batchSize']));
    expect(loadColumns()).toEqual(['architecture', 'batchSize']);
    store.set('bpl-runs-columns', '{not json');
    expect(loadColumns()).toEqual(DEFAULT_COLUMNS);
  });
});
