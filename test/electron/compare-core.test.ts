// The core's comparison reads as the Compare page asks for them, in plain Node over a real SQLite file: runs.diff
// gives each run's task (regression runs hold R² in their accuracy fields) and the readable settings rows, and
// runs.curves gives the accuracy and wall-time curves the overlays and the time axis draw.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, unwrap, type Core } from '../../electron/core/index';
import { openStore, type Store } from '../../electron/store/index';
import { resolveConfig } from '../../engine/config';
import { tempDir } from './store/helpers';

let store: Store;
let core: Core;
const ids: Record<string, string> = {};

const epochs = (n: number, acc: (e: number) => number) =>
  Array.from({ length: n }, (_, e) => [
    { key: 'train_cost', step: e, value: 1 / (e + 1) },
    { key: 'train_accuracy', step: e, value: acc(e) },
    { key: 'test_accuracy', step: e, value: acc(e) - 0.01 },
    { key: 'elapsed_ms', step: e, value: 3 * (e + 1) },
  ]).flat();

beforeAll(() => {
  store = openStore({ path: join(tempDir(), 'compare-core.db') });
  core = createCore({ store, host: 'cli', version: 'test' });
  const arch = [
    { input_dim: 2, output_dim: 3, activation: 'tanh' as const },
    { input_dim: 3, output_dim: 1, activation: 'sigmoid' as const },
  ];
  ids['moons'] = store.importRun({ name: 'moons', config: resolveConfig({ architecture: arch }), metrics: epochs(30, (e) => 0.5 + e / 100) }).id;
  ids['adam'] = store.importRun({ name: 'adam', config: resolveConfig({ architecture: arch, training: { optimizer: 'adam' } }), metrics: epochs(300, () => 0.9) }).id;
  const linear = [arch[0]!, { input_dim: 3, output_dim: 1, activation: 'linear' as const }];
  ids['plane'] = store.importRun({ name: 'plane', config: resolveConfig({ architecture: linear, data: { kind: 'plane' } }), metrics: epochs(20, (e) => -1 + e / 10) }).id;
});

afterAll(() => store?.close());

describe('runs.diff and runs.curves for the Compare page', () => {
  it('names each run’s task, so the page says R² for regression runs', async () => {
    const d = unwrap(await core.invoke('runs.diff', { runIds: [ids['moons']!, ids['plane']!] }));
    expect(d.final.map((f) => f.task)).toEqual(['classification', 'regression']);
    expect(d.rows[0]).toEqual({ path: 'architecture', values: ['2-3-1 (tanh, sigmoid)', '2-3-1 (tanh, linear)'], differs: true });
  });

  it('gives the settings as readable rows: a setting that applies to one run only is null for the other', async () => {
    const d = unwrap(await core.invoke('runs.diff', { runIds: [ids['moons']!, ids['adam']!], onlyDifferences: true }));
    expect(d.rows.map((r) => r.path)).toEqual(['training.optimizer', 'training.beta1', 'training.beta2', 'training.epsilon']);
    expect(d.rows[1]!.values).toEqual([null, 0.9]);
  });

  it('gives the accuracy and elapsed-time curves the overlays ask for, every epoch of runs of different lengths', async () => {
    const c = unwrap(await core.invoke('runs.curves', { runIds: [ids['moons']!, ids['adam']!], keys: ['trainCost', 'testCost', 'trainAccuracy', 'testAccuracy', 'elapsedMs'] }));
    expect(c[ids['moons']!]!.trainAccuracy!.value).toHaveLength(30);
    expect(c[ids['moons']!]!.testAccuracy!.value[10]).toBeCloseTo(0.59, 12);
    expect(c[ids['adam']!]!.trainAccuracy!.total).toBe(300);
    expect(c[ids['adam']!]!.elapsedMs!.value.at(-1)).toBe(900);
    // no test cost was recorded: the curve is left out rather than empty
    expect(c[ids['moons']!]!.testCost).toBeUndefined();
  });
});
