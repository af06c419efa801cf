// The snapshot's per-neuron heatmaps: each input's and each unit's output over the boundary's plane, sampled from
// the boundary grid, checked cell by cell against the engine's own single-point forward pass (Trainer.inspect)
// and the input features computed by hand from the cell's (x1, x2); a stored run's maps, made by the page from its
// final weights (renderer/src/lib/forward.ts), against the snapshot's.

import { describe, expect, it } from 'vitest';
import { dataGrid, neuronMaps, snapshot } from '../../electron/trainer/snapshot';
import { mapCells, NEURON_MAP_UNITS } from '../../engine/neuron-maps';
import { defaultConfig, resolveConfig } from '../../engine/config';
import { loadData } from '../../engine/datasets/index';
import { cpuTrainer } from '../helpers/engine';

const circles = { ...defaultConfig().data, kind: 'circles' as const, samples: 200, noise: 0.05, factor: 0.5 };

/** A map's value at its cell (r, c) as the snapshot carries it: q / 127 · scale. */
const mapValue = (col: { scale: number[]; q: ArrayLike<number> }, size: number, u: number, r: number, c: number) => (col.q[u * size * size + r * size + c]! / 127) * col.scale[u]!;

describe('mapCells', () => {
  it('samples every stride-th cell of the boundary grid, centred, about 20 a side', () => {
    expect(mapCells(40)).toEqual({ stride: 2, offset: 1, size: 20 }); // cells 1, 3, …, 39
    expect(mapCells(10)).toEqual({ stride: 1, offset: 0, size: 10 });
    expect(mapCells(64)).toEqual({ stride: 3, offset: 1, size: 21 }); // 1, 4, …, 61
    for (const g of [7, 20, 33, 40, 64, 100]) {
      const { stride, offset, size } = mapCells(g);
      expect(offset + (size - 1) * stride).toBeLessThan(g);
      expect(offset + size * stride).toBeGreaterThanOrEqual(g);
    }
  });
});

describe('neuronMaps', () => {
  it('is each unit’s output at the sampled cells, to the quantization step, and each input feature’s value there', async () => {
    const config = resolveConfig({
      architecture: [
        { input_dim: 3, output_dim: 5, activation: 'tanh' },
        { input_dim: 5, output_dim: 4, activation: 'relu' },
        { input_dim: 4, output_dim: 1, activation: 'sigmoid' },
      ],
      data: { ...circles, standardize: true, features: ['x1', 'x2', 'x1^2'] },
      training: { epochs: 20, optimizer: 'adam' },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    await t.run();
    const G = 40;
    const g = dataGrid(data, G)!;
    const maps = neuronMaps(t, g, G)!;
    const { stride, offset, size } = mapCells(G);
    expect(maps.size).toBe(20);
    expect(maps.inputs).toEqual(['x1', 'x2', 'x1^2']);
    expect(maps.columns.map((c) => c.units)).toEqual([3, 5, 4, 1]);
    maps.columns.forEach((c) => expect(c.q.length).toBe(c.units * size * size));

    const largest = maps.columns.map((c) => new Array<number>(c.units).fill(0));
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        // the cell's point of the plane, from the grid's range (not from dataGrid's X)
        const gr = offset + r * stride, gc = offset + c * stride;
        const x1 = g.x[0] + ((g.x[1] - g.x[0]) * (gc + 0.5)) / G, x2 = g.y[0] + ((g.y[1] - g.y[0]) * (gr + 0.5)) / G;
        const layers = t.inspect([x1, x2, x1 * x1]);
        const columns = [[x1, x2, x1 * x1], ...layers.map((l) => l.A)];
        columns.forEach((want, k) => {
          const col = maps.columns[k]!;
          for (let u = 0; u < col.units; u++) {
            // q rounds 127·v/scale to an integer: off by at most half a step
            expect(Math.abs(mapValue(col, size, u, r, c) - want[u]!)).toBeLessThanOrEqual(col.scale[u]! / 254 + 1e-12);
            largest[k]![u] = Math.max(largest[k]![u]!, Math.abs(want[u]!));
          }
        });
      }
    }
    // each map's scale is its largest |value|, so every map uses the whole range −127…127 on at least one side
    maps.columns.forEach((col, k) => col.scale.forEach((s, u) => expect(s).toBeCloseTo(largest[k]![u]!, 12)));
    for (const col of maps.columns) {
      for (let u = 0; u < col.units; u++) {
        if (col.scale[u] === 0) continue; // a dead relu: all zero
        const q = Array.from(col.q).slice(u * size * size, (u + 1) * size * size);
        expect(Math.max(...q.map(Math.abs))).toBe(127);
      }
    }
    // a trained tanh unit varies over the plane: its picture is not one colour
    const first = Array.from(maps.columns[1]!.q).slice(0, size * size);
    expect(new Set(first).size).toBeGreaterThan(10);
  });

  it('data with more than two features: maps over the boundary’s plane (iris: its first two principal components)', async () => {
    const config = resolveConfig({
      architecture: [{ input_dim: 4, output_dim: 5, activation: 'tanh' }, { input_dim: 5, output_dim: 3, activation: 'softmax' }],
      data: { kind: 'iris', standardize: true },
      training: { epochs: 10, optimizer: 'adam' },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    await t.run();
    const G = 20;
    const g = dataGrid(data, G)!;
    const maps = neuronMaps(t, g, G)!;
    const p = g.plane!;
    expect(p.kind).toBe('pca');
    expect(maps.inputs).toEqual(data.featureNames);
    expect(maps.columns.map((c) => c.units)).toEqual([4, 5, 3]);
    const { size } = mapCells(G);
    for (const [r, c] of [[0, 0], [7, 13], [19, 19]] as const) {
      const a = g.x[0] + ((g.x[1] - g.x[0]) * (c + 0.5)) / G, b = g.y[0] + ((g.y[1] - g.y[0]) * (r + 0.5)) / G;
      const row = Array.from(p.origin, (o, f) => o + a * p.u[f]! + b * p.v[f]!); // the plane's point, by hand
      const layers = t.inspect(row);
      [row, ...layers.map((l) => l.A)].forEach((want, k) => {
        const col = maps.columns[k]!;
        for (let u = 0; u < col.units; u++) expect(Math.abs(mapValue(col, size, u, r, c) - want[u]!)).toBeLessThanOrEqual(col.scale[u]! / 254 + 1e-9);
      });
    }
  });

  it('carries a wide layer’s first 64 units only, and rides along in the snapshot', async () => {
    const config = resolveConfig({
      architecture: [
        { input_dim: 2, output_dim: 100, activation: 'relu' },
        { input_dim: 100, output_dim: 1, activation: 'sigmoid' },
      ],
      data: circles,
      training: { epochs: 1 },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    const g = dataGrid(data, 16)!;
    const s = snapshot(t, g, 16);
    const maps = s.neurons!;
    expect(NEURON_MAP_UNITS).toBe(64);
    expect(maps.size).toBe(16);
    expect(maps.columns.map((c) => c.units)).toEqual([2, 64, 1]);
    expect(maps.columns[1]!.q.length).toBe(64 * 256);
    // the output unit's map is the boundary itself, sampled
    for (const i of [0, 77, 255]) expect((maps.columns[2]!.q[i]! / 127) * maps.columns[2]!.scale[0]!).toBeCloseTo(s.boundary!.values[i]!, 2);
    expect(snapshot(t, null, 16).neurons).toBeNull();
  });
});

describe('the maps of a stored run (the page’s own forward pass over its final weights)', () => {
  it('are the maps the trainer’s snapshot sends for the same weights', async () => {
    const { createCore } = await import('../../electron/core/index');
    const { openStore } = await import('../../electron/store/index');
    const { paramsToPlain } = await import('../../electron/trainer/snapshot');
    const { neuronMapsFromWeights } = await import('../../renderer/src/lib/forward');
    const config = resolveConfig({
      architecture: [
        { input_dim: 2, output_dim: 6, activation: 'tanh' },
        { input_dim: 6, output_dim: 3, activation: 'leaky_relu' },
        { input_dim: 3, output_dim: 1, activation: 'sigmoid' },
      ],
      data: { ...circles, kind: 'moons' },
      training: { epochs: 30, optimizer: 'adam' },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    await t.run();
    const live = neuronMaps(t, dataGrid(data, 40)!, 40)!;
    const store = openStore({ path: ':memory:' });
    const core = createCore({ store, host: 'cli', version: 'test', maxLiveRuns: 1 });
    try {
      const preview = await core.invoke('data.preview', { data: config.data });
      expect(preview.ok).toBe(true);
      if (!preview.ok) return;
      const stored = neuronMapsFromWeights(config.architecture, paramsToPlain(t.params()), preview.value)!;
      expect([stored.size, stored.inputs]).toEqual([live.size, live.inputs]);
      stored.columns.forEach((col, k) => {
        const want = live.columns[k]!;
        expect(col.units).toBe(want.units);
        col.scale.forEach((s, u) => expect(s).toBeCloseTo(want.scale[u]!, 10));
        // the same values quantized; a value at a rounding edge may land one step over
        expect(Math.max(...Array.from(col.q, (q, i) => Math.abs(q - want.q[i]!)))).toBeLessThanOrEqual(1);
      });
    } finally {
      await core.close();
      store.close();
    }
  });
});
