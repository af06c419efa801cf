// The worker's decision-boundary grid for runs with input features: drawn over the input plane (x1, x2), the
// network fed each grid point's features; the Design preview shows the same plane.

import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/index';
import { dataGrid } from '../../electron/trainer/snapshot';
import { openStore } from '../../electron/store/index';
import { defaultConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import { npSin } from '../../engine/datasets/npmath';

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
    expect(dataGrid(loadData({ ...spec, kind: 'iris' }), 10)).toBeNull();
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
