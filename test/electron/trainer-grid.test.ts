// The worker's decision-boundary grid for runs with input features: drawn over the input plane (x1, x2), the
// network fed each grid point's features; the Design preview shows the same plane. Data with more than two
// features: the grid spans its first two principal components. The snapshot's confusion matrix.

import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/index';
import { boundary, dataGrid } from '../../electron/trainer/snapshot';
import { openStore } from '../../electron/store/index';
import { defaultConfig, resolveConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import { npSin } from '../../engine/datasets/npmath';
import { cpuTrainer } from '../helpers/engine';

const spec = { ...defaultConfig().data, kind: 'circles' as const, samples: 200, noise: 0.05, factor: 0.5 };

describe('boundary grid and preview of runs with input features', () => {
  it('spans the plane of x1, x2 and feeds the network the features of each grid point', () => {
    const data = loadData({ ...spec, standardize: true, features: ['x1', 'x1^2', 'sin(x2)'] });
    const g = dataGrid(data, 10)!;
    const plain = dataGrid(loadData({ ...spec, standardize: true }), 10)!;
    expect([g.x, g.y]).toEqual([plain.x, plain.y]); // the same plane as the run without features
    const m = 100;
    expect(g.X.length).toBe(3 * m);
    for (let i = 0; i < m; i++) {
      const x1 = plain.X[i]!, x2 = plain.X[m + i]!;
      expect([g.X[i], g.X[m + i], g.X[2 * m + i]]).toEqual([x1, x1 * x1, npSin(x2)]);
    }
    expect(dataGrid(loadData({ ...spec, kind: 'iris' }), 10)!.plane!.kind).toBe('pca'); // more than two columns: a plane
  });

  it('data.preview shows the input plane (two columns) of a run with features', async () => {
    const store = openStore({ path: ':memory:' });
    const core = createCore({ store, host: 'cli', version: 'test', maxLiveRuns: 1 });
    try {
      const r = await core.invoke('data.preview', { data: { ...spec, features: ['x1^2', 'x2^2', 'x1*x2'] } });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.features).toBe(2);
      expect(r.value.featureNames).toEqual(['x1', 'x2']);
      const raw = loadData(spec);
      expect(r.value.train.X.slice(0, 4)).toEqual(Array.from(raw.train.X.subarray(0, 4)));
    } finally {
      await core.close();
      store.close();
    }
  });
});

describe('the boundary of a run with input features', () => {
  it('is the network’s output at each grid point’s features (three features from the plane)', async () => {
    const config = resolveConfig({
      architecture: [{ input_dim: 3, output_dim: 4, activation: 'tanh' }, { input_dim: 4, output_dim: 1, activation: 'sigmoid' }],
      data: { ...spec, features: ['x1^2', 'x2^2', 'x1*x2'] },
      training: { epochs: 5 },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    await t.run();
    const g = dataGrid(data, 8)!;
    const b = boundary(t, g, 8)!;
    expect(b.kind).toBe('probability');
    const m = 64;
    for (const i of [0, 17, 63]) {
      const out = t.inspect([g.X[i]!, g.X[m + i]!, g.X[2 * m + i]!]);
      expect(b.values[i]).toBeCloseTo(out[out.length - 1]!.A[0]!, 12);
    }
  });
});

describe('the confusion matrix in the snapshot', () => {
  it('iris (3 classes): on the test set, its diagonal is the test accuracy; regression has none', async () => {
    const { confusionOf, snapshot } = await import('../../electron/trainer/snapshot');
    const config = resolveConfig({
      architecture: [{ input_dim: 4, output_dim: 8, activation: 'tanh' }, { input_dim: 8, output_dim: 3, activation: 'softmax' }],
      data: { kind: 'iris', testSize: 0.3, standardize: true },
      training: { epochs: 30, optimizer: 'adam' },
    });
    const t = await cpuTrainer(config, loadData(config.data));
    await t.run();
    const c = confusionOf(t)!;
    expect([c.set, c.samples, c.classes]).toEqual(['test', 45, 3]);
    const right = c.matrix.reduce((a, row, i) => a + row[i]!, 0);
    expect(right / c.samples).toBe(t.evaluate('test')!.accuracy);
    expect(c.wrong).toBe(c.samples - right);
    expect(c.misclassified.every((w) => w.actual !== w.predicted && t.data.test.y[w.index] === w.actual)).toBe(true);
    expect(snapshot(t, null, 8).confusion).toEqual(c);

    const r = resolveConfig({ architecture: [{ input_dim: 2, output_dim: 1, activation: 'linear' }], data: { kind: 'plane', samples: 50 }, training: { epochs: 1 } });
    expect(confusionOf(await cpuTrainer(r, loadData(r.data)))).toBeNull();
  });
});

describe('the boundary of data with more than two features', () => {
  it('spans the first two principal components and says so; each cell is the network at that point of the plane', async () => {
    const { fromPlane } = await import('../../engine/datasets/index');
    const config = resolveConfig({
      architecture: [{ input_dim: 4, output_dim: 6, activation: 'tanh' }, { input_dim: 6, output_dim: 3, activation: 'softmax' }],
      data: { kind: 'iris', standardize: true },
      training: { epochs: 20, optimizer: 'adam' },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    await t.run();
    const g = dataGrid(data, 6)!;
    const b = boundary(t, g, 6)!;
    expect(b.plane!.kind).toBe('pca');
    expect(b.plane!.labels).toEqual(['PC1', 'PC2']);
    expect(b.kind).toBe('class');
    for (const i of [0, 20, 35]) {
      const a = g.x[0] + ((g.x[1] - g.x[0]) * ((i % 6) + 0.5)) / 6, c = g.y[0] + ((g.y[1] - g.y[0]) * (Math.floor(i / 6) + 0.5)) / 6;
      // the event types the plane's vectors as NumericArray (typed arrays once they cross to the page)
      const p = b.plane!;
      const row = fromPlane({ X: Float64Array.of(a, c), y: new Float64Array(1), n: 1, features: 2 }, { ...p, origin: [...p.origin], u: [...p.u], v: [...p.v] });
      const out = t.inspect(Array.from(row.X));
      const A = out[out.length - 1]!.A;
      expect(b.values[i]).toBe(A.indexOf(Math.max(...A)));
    }
  });
});
