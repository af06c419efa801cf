import { describe, expect, it } from 'vitest';
import { parseSweepSpec } from '../../../electron/sweeps/spec';
import { countTrials, drawRandom, generateTrials, gridPoints, mergeOptions, trialArgv, trialLabel } from '../../../electron/sweeps/trials';

/**
 * numpy 2.4.6, independently:
 *   rs = np.random.RandomState(5)
 *   for i in range(6):
 *     lr = float(np.exp(rs.uniform(np.log(0.0001), np.log(1.0))))
 *     bs = [32, 64, "full"][rs.randint(0, 3)]
 *     l2 = float(rs.uniform(0, 0.01))
 *     seed = int(rs.randint(1, 1000 + 1))
 */
const NUMPY_DRAWS = [
  { lr: 0.0007726319876517101, 'batch-size': 64, l2: 0.0020671915533942643, seed: 401 },
  { lr: 0.8275228539305429, 'batch-size': 32, l2: 0.006117438629026457, seed: 412 },
  { lr: 0.0026094691789007494, 'batch-size': 32, l2: 0.0029680050157622198, seed: 912 },
  { lr: 0.17105143900736763, 'batch-size': 32, l2: 0.008194727930524141, seed: 206 },
  { lr: 0.00042977333932534993, 'batch-size': 'full', l2: 0.0027408646199222463, seed: 638 },
  { lr: 0.00029948938217331394, 'batch-size': 64, l2: 0.006287879088794833, seed: 42 },
];

const RANDOM = {
  lr: { log_uniform: [0.0001, 1] },
  'batch-size': { choice: [32, 64, 'full'] },
  l2: { uniform: [0, 0.01] },
  seed: { int: [1, 1000] },
};

describe('grid', () => {
  it('is the Cartesian product in the spec’s key order, the last key varying fastest', () => {
    const points = gridPoints({ lr: [0.1, 0.2, 0.3], seed: [1, 2], optimizer: ['sgd', 'adam'] });
    expect(points).toHaveLength(12);
    expect(points.slice(0, 5)).toEqual([
      { lr: 0.1, seed: 1, optimizer: 'sgd' },
      { lr: 0.1, seed: 1, optimizer: 'adam' },
      { lr: 0.1, seed: 2, optimizer: 'sgd' },
      { lr: 0.1, seed: 2, optimizer: 'adam' },
      { lr: 0.2, seed: 1, optimizer: 'sgd' },
    ]);
    expect(points[11]).toEqual({ lr: 0.3, seed: 2, optimizer: 'adam' });
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(12);
  });

  it('makes as many trials as the product of the list lengths, each with base merged in', () => {
    const spec = parseSweepSpec({ base: { epochs: 50, lr: 0.5, dataset: 'xor' }, grid: { lr: [0.01, 0.05, 0.1], seed: [1, 2] } });
    const trials = generateTrials(spec);
    expect(countTrials(spec)).toBe(6);
    expect(trials.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trials[3]!.params).toEqual({ lr: 0.05, seed: 2 });
    // the grid's lr overrides base's; the options follow train's usage order (dataset before epochs before lr)
    expect(trials[3]!.options).toEqual({ dataset: 'xor', epochs: 50, lr: 0.05, seed: 2 });
    expect(Object.keys(trials[3]!.options)).toEqual(['dataset', 'epochs', 'lr', 'seed']);
  });
});

describe('random', () => {
  it('draws exactly what numpy’s RandomState(seed) draws, key by key and draw by draw', () => {
    const draws = drawRandom(parseSweepSpec({ random: RANDOM, trials: 6 }).random, 6, 5);
    expect(draws).toHaveLength(6);
    draws.forEach((d, i) => {
      const want = NUMPY_DRAWS[i]!;
      expect(d['batch-size']).toBe(want['batch-size']);
      expect(d.seed).toBe(want.seed);
      expect(d.l2).toBe(want.l2);
      // exp and log are V8's (fdlibm) here and the platform's in numpy: equal to the last bit or two
      expect(Math.abs((d.lr as number) - want.lr) / want.lr).toBeLessThan(1e-15);
    });
  });

  it('is reproducible: the same spec gives the same trials; another seed gives others', () => {
    const spec = { random: RANDOM, trials: 20, seed: 11 };
    const a = generateTrials(parseSweepSpec(spec));
    const b = generateTrials(parseSweepSpec(JSON.parse(JSON.stringify(spec))));
    expect(b).toEqual(a);
    const c = generateTrials(parseSweepSpec({ ...spec, seed: 12 }));
    expect(c.map((t) => t.params.lr)).not.toEqual(a.map((t) => t.params.lr));
  });

  it('the first k draws do not depend on how many are drawn', () => {
    const few = generateTrials(parseSweepSpec({ random: RANDOM, trials: 3, seed: 2 }));
    const many = generateTrials(parseSweepSpec({ random: RANDOM, trials: 30, seed: 2 }));
    expect(many.slice(0, 3)).toEqual(few);
  });

  it('keeps every draw inside its range, int bounds included', () => {
    const trials = generateTrials(parseSweepSpec({ random: { lr: { log_uniform: [0.001, 0.01] }, samples: { int: [2, 4] }, noise: { uniform: [0.1, 0.2] } }, trials: 2000, seed: 3 }));
    const samples = new Set<number>();
    for (const t of trials) {
      const lr = t.params.lr as number, noise = t.params.noise as number;
      expect(lr >= 0.001 && lr <= 0.01).toBe(true);
      expect(noise >= 0.1 && noise < 0.2).toBe(true);
      samples.add(t.params.samples as number);
    }
    expect([...samples].sort()).toEqual([2, 3, 4]);
    // log_uniform: about as many draws below the geometric middle (√(0.001·0.01)) as above
    const low = trials.filter((t) => (t.params.lr as number) < Math.sqrt(0.001 * 0.01)).length;
    expect(low).toBeGreaterThan(900);
    expect(low).toBeLessThan(1100);
  });
});

describe('grid and random combined', () => {
  const spec = parseSweepSpec({
    base: { epochs: 100 },
    grid: { seed: [1, 2], optimizer: ['sgd', 'adam'] },
    random: { lr: { log_uniform: [0.0001, 1] } },
    trials: 3,
    seed: 5,
  });

  it('crosses each random draw with the whole grid, draw-major: trials × |grid| trials', () => {
    const trials = generateTrials(spec);
    expect(countTrials(spec)).toBe(12);
    expect(trials).toHaveLength(12);
    const draws = drawRandom(spec.random, 3, 5);
    const points = gridPoints(spec.grid);
    trials.forEach((t, i) => {
      expect(t.index).toBe(i);
      expect(t.params).toEqual({ ...points[i % 4], ...draws[Math.floor(i / 4)] });
    });
    // every drawn lr is tried on every (seed, optimizer)
    expect(new Set(trials.map((t) => t.params.lr)).size).toBe(3);
    expect(trials.filter((t) => t.params.lr === draws[1]!.lr).map((t) => `${t.params.seed}/${t.params.optimizer}`)).toEqual([
      '1/sgd',
      '1/adam',
      '2/sgd',
      '2/adam',
    ]);
  });

  it('draws the same values as the random part alone (the grid does not consume draws)', () => {
    const alone = generateTrials(parseSweepSpec({ random: { lr: { log_uniform: [0.0001, 1] } }, trials: 3, seed: 5 }));
    expect(generateTrials(spec).filter((_, i) => i % 4 === 0).map((t) => t.params.lr)).toEqual(alone.map((t) => t.params.lr));
  });

  it('params list grid keys, then random keys', () => {
    expect(Object.keys(generateTrials(spec)[0]!.params)).toEqual(['seed', 'optimizer', 'lr']);
  });
});

describe('grid and random as a union', () => {
  it('runs the grid’s points, then the draws, each leaving the other part’s options at base', () => {
    const spec = parseSweepSpec({
      base: { lr: 0.5, 'batch-size': 32 },
      grid: { lr: [0.01, 0.1], seed: [1, 2] },
      random: { lr: { log_uniform: [0.0001, 1] }, 'batch-size': { choice: [16, 'full'] } },
      trials: 3,
      seed: 5,
      combine: 'union',
    });
    const trials = generateTrials(spec);
    expect(countTrials(spec)).toBe(7);
    expect(trials).toHaveLength(7);
    expect(trials.slice(0, 4).map((t) => t.options)).toEqual([
      { lr: 0.01, 'batch-size': 32, seed: 1 },
      { lr: 0.01, 'batch-size': 32, seed: 2 },
      { lr: 0.1, 'batch-size': 32, seed: 1 },
      { lr: 0.1, 'batch-size': 32, seed: 2 },
    ]);
    const draws = drawRandom(spec.random, 3, 5);
    expect(trials.slice(4).map((t) => t.params)).toEqual(draws);
    expect(trials.slice(4).every((t) => !('seed' in t.options))).toBe(true);
    expect(trials.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('trialArgv', () => {
  it('writes train’s flags in its usage order, numbers in their shortest exact form, arch as inline JSON', () => {
    const arch = [{ input_dim: 2, output_dim: 1, activation: 'sigmoid' as const }];
    const argv = trialArgv(mergeOptions({ epochs: 300, arch, dataset: 'moons' }, { lr: 0.0007726319876517101, 'batch-size': 'full', l2: 1e-7 }));
    expect(argv).toEqual([
      '--arch',
      '[{"input_dim":2,"output_dim":1,"activation":"sigmoid"}]',
      '--dataset',
      'moons',
      '--epochs',
      '300',
      '--lr',
      '0.0007726319876517101',
      '--batch-size',
      'full',
      '--l2',
      '1e-7',
    ]);
    expect(Number(argv[7])).toBe(0.0007726319876517101);
  });

  it('a value starting with a dash is attached with =, so it is not read as an option', () => {
    expect(trialArgv({ dataset: 'csv:-odd.csv', 'label-column': '-y' })).toEqual(['--dataset', 'csv:-odd.csv', '--label-column=-y']);
  });
});

describe('trialLabel', () => {
  it('names a trial by its params, briefly', () => {
    const arch = [
      { input_dim: 2, output_dim: 25, activation: 'relu' as const },
      { input_dim: 25, output_dim: 1, activation: 'sigmoid' as const },
    ];
    expect(trialLabel({ lr: 0.0007726319876517101, seed: 2, 'batch-size': 'full', arch })).toBe('lr=0.0007726 seed=2 batch-size=full arch=2-25-1');
    expect(trialLabel({})).toBe('base');
  });
});
