// The Train page's data views computed in the renderer (renderer/src/lib/data-views.ts) against the host's own
// computations: the grid over a plane of two chosen features equals the training worker's (electron/trainer/snapshot.ts,
// through the engine's backend), regression predictions equal the trainer's on the test set, and the Design panel's
// input-feature and dataset rules (renderer/src/live/design.ts).
import { describe, expect, it } from 'vitest';
import { boundary, paramsToPlain, planeGrid } from '../../electron/trainer/snapshot';
import type { DataPreview } from '../../electron/contract';
import { DATASET_KINDS, defaultConfig, resolveConfig, type RunConfig } from '../../engine/config';
import { featurePlane, loadData, type DataSplit } from '../../engine/datasets/index';
import { atChance, chanceLevel, classCounts, planeGridFromWeights, predict, previewPlane, rowTotals, stillFalling } from '../../renderer/src/lib/data-views';
import { DATASET_GROUPS, inputCount, setFeatures, setKind, takesFeatures } from '../../renderer/src/live/design';
import { cpuTrainer } from '../helpers/engine';

/** The preview the host sends for a split (electron/core/data.ts: every point when there are at most 5,000). */
function previewOf(d: DataSplit): DataPreview {
  const set = (s: DataSplit['train']) => ({ X: Array.from(s.X), y: Array.from(s.y), n: s.n });
  return { features: d.features, classes: d.classes, featureNames: d.featureNames, classNames: d.classNames, train: set(d.train), test: set(d.test), totalTrain: d.train.n, totalTest: d.test.n, range: [] };
}

describe('the boundary over a plane of two chosen features', () => {
  it('is the training worker’s grid for that plane, cell for cell (iris, petal length × petal width)', async () => {
    const config = resolveConfig({
      architecture: [{ input_dim: 4, output_dim: 6, activation: 'tanh' }, { input_dim: 6, output_dim: 3, activation: 'softmax' }],
      data: { ...defaultConfig().data, kind: 'iris', standardize: true },
      training: { epochs: 30, optimizer: 'adam', learningRate: 0.05 },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    await t.run();
    const preview = previewOf(data);
    const plane = previewPlane(preview, { kind: 'features', features: [2, 3] })!;
    expect(plane).toEqual(featurePlane(data.train, 2, 3, data.featureNames));
    expect(plane.labels).toEqual(['petal length (cm)', 'petal width (cm)']);
    const size = 12;
    const host = boundary(t, planeGrid(data, plane, size), size)!;
    const mine = planeGridFromWeights(config.architecture, paramsToPlain(t.params()), preview, plane, size)!;
    expect(mine.kind).toBe('class');
    expect(mine.x).toEqual(host.x);
    expect(mine.y).toEqual(host.y);
    expect(mine.values).toEqual(host.values);
    for (let i = 0; i < size * size; i++) expect(mine.confidence![i]).toBeCloseTo(host.confidence![i]!, 12);
    // the trained network does not answer one class everywhere in this plane
    expect(new Set(mine.values).size).toBeGreaterThan(1);
    // weights of another input width draw nothing rather than something wrong
    expect(planeGridFromWeights([{ input_dim: 2, output_dim: 3, activation: 'softmax' }], paramsToPlain(t.params()).slice(0, 2), preview, plane, size)).toBeNull();
  });

  it('the principal-component plane of the preview is the host’s (the train set’s PCA)', () => {
    const data = loadData({ ...defaultConfig().data, kind: 'wine', standardize: true });
    const mine = previewPlane(previewOf(data), { kind: 'pca' })!;
    expect(mine.kind).toBe('pca');
    expect(mine.labels).toEqual(['PC1', 'PC2']);
    // unit, orthogonal directions
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, k) => s + x * b[k]!, 0);
    expect(dot(mine.u, mine.u)).toBeCloseTo(1, 10);
    expect(dot(mine.v, mine.v)).toBeCloseTo(1, 10);
    expect(dot(mine.u, mine.v)).toBeCloseTo(0, 8);
    expect(previewPlane(previewOf(loadData(defaultConfig().data)), { kind: 'pca' })).toBeNull(); // 2-D data: no plane
  });
});

describe('regression predictions on the test set', () => {
  it('equal the trainer’s own outputs, input features computed from the two columns', async () => {
    const config = resolveConfig({
      architecture: [{ input_dim: 3, output_dim: 5, activation: 'tanh' }, { input_dim: 5, output_dim: 1, activation: 'linear' }],
      data: { ...defaultConfig().data, kind: 'plane', samples: 200, features: ['x1', 'x2', 'x1*x2'] },
      training: { epochs: 20, optimizer: 'adam', learningRate: 0.01 },
    });
    const data = loadData(config.data);
    const t = await cpuTrainer(config, data);
    await t.run();
    // the preview shows the two columns (electron/core/data.ts); the renderer computes the features itself
    const preview = previewOf({ ...data, ...data.columns!, features: 2, featureNames: ['x1', 'x2'] });
    const mine = predict(config.architecture, paramsToPlain(t.params()), preview, preview.test, config.data.features)!;
    // the trainer's network on the test set's inputs (features × m), as the worker's snapshot runs it
    const m = data.test.n, f = data.features;
    const X = new Float64Array(f * m);
    for (let i = 0; i < m; i++) for (let k = 0; k < f; k++) X[k * m + i] = data.test.X[i * f + k]!;
    const ws = t.net.workspace(m, 'test-predictions');
    t.net.backend.write(ws.A[0]!, X);
    t.net.forward(ws);
    const host = t.net.output(ws);
    expect(mine.length).toBe(data.test.n);
    for (let i = 0; i < data.test.n; i++) expect(mine[i]).toBeCloseTo(host[i]!, 12);
  });
});

describe('chance level', () => {
  it('is the majority class’s share; a network answering one class is at chance, a better one is not', () => {
    expect(chanceLevel([54, 46])).toBe(0.54);
    expect(chanceLevel(rowTotals([[40, 14], [30, 16]]))).toBe(0.54);
    expect(chanceLevel([0, 0])).toBeNull();
    expect(classCounts([0, 1, 1, 2, 1], 3)).toEqual([1, 3, 1]);
    expect(atChance(0.46, 0.54)).toBe(true);
    expect(atChance(0.54, 0.54)).toBe(true);
    expect(atChance(0.55, 0.54)).toBe(false);
    expect(atChance(null, 0.54)).toBe(false);
    expect(atChance(NaN, 0.54)).toBe(false);
  });

  it('tells a run still learning at chance (the seed experiment at lr 0.01, 300 epochs) from a collapsed one (lr 5)', async () => {
    const history = async (learningRate: number) => {
      const config = resolveConfig({ backend: 'cpu', training: { epochs: 300, learningRate } });
      const t = await cpuTrainer(config, loadData(config.data));
      try {
        await t.run();
        return { epochs: t.costHistory.map((_, i) => i), costs: [...t.costHistory], accuracy: t.evaluate('test')!.accuracy };
      } finally {
        t.free();
      }
    };
    const slow = await history(0.01), collapsed = await history(5);
    // both end at chance on the test set (0.46 against the majority's 0.54)
    expect(atChance(slow.accuracy, 0.54) && atChance(collapsed.accuracy, 0.54)).toBe(true);
    expect(stillFalling(slow.epochs, slow.costs)).toBe(true);
    expect(stillFalling(collapsed.epochs, collapsed.costs)).toBe(false);
    // thinned series (every other point, as the live view keeps long runs) read the same
    const odd = (xs: number[]) => xs.filter((_, i) => i % 2 === 0 || i === xs.length - 1);
    expect(stillFalling(odd(slow.epochs), odd(slow.costs))).toBe(true);
    // a cost that fell but has gone flat is not still falling; too short a series says nothing
    expect(stillFalling([0, 1, 2, 3], [0.7, 0.6, 0.6, 0.6])).toBe(false);
    expect(stillFalling([0, 1], [0.7, 0.6])).toBe(false);
  });
});

describe('the Design panel’s data rules', () => {
  const c = (): RunConfig => defaultConfig();
  it('input features: layer 1 takes as many inputs as are chosen, in the engine’s order; x1, x2 alone is no features', () => {
    const f = setFeatures(c(), ['x2^2', 'x1^2']);
    expect(f.data.features).toEqual(['x1^2', 'x2^2']);
    expect(f.architecture[0]!.input_dim).toBe(2);
    const three = setFeatures(c(), ['sin(x1)', 'x1', 'x1*x2']);
    expect(three.data.features).toEqual(['x1', 'x1*x2', 'sin(x1)']);
    expect(three.architecture[0]!.input_dim).toBe(3);
    expect(inputCount(three.data, 2)).toBe(3);
    const plain = setFeatures(three, ['x2', 'x1']);
    expect('features' in plain.data).toBe(false);
    expect(plain.architecture[0]!.input_dim).toBe(2);
    // the engine accepts what the panel builds
    expect(resolveConfig(three).data.features).toEqual(['x1', 'x1*x2', 'sin(x1)']);
  });

  it('a dataset that is not 2-D drops the features (the engine refuses them there); 2-D data keeps them', () => {
    const f = setFeatures(c(), ['x1^2', 'x2^2', 'x1*x2']);
    expect(setKind(f, 'circles').data.features).toEqual(['x1^2', 'x2^2', 'x1*x2']);
    const iris = setKind(f, 'iris');
    expect('features' in iris.data).toBe(false);
    expect(() => resolveConfig(iris)).not.toThrow();
    expect(takesFeatures('plane', 2)).toBe(true);
    expect(takesFeatures('csv', 2)).toBe(true);
    expect(takesFeatures('csv', 3)).toBe(false);
    expect(takesFeatures('digits', 64)).toBe(false);
  });

  it('the picker lists every dataset kind exactly once', () => {
    expect(DATASET_GROUPS.flatMap((g) => g.kinds).sort()).toEqual([...DATASET_KINDS].sort());
  });
});
