import { describe, expect, it } from 'vitest';
import { defaultConfig, resolveConfig } from '../../../engine/config';
import { checkSweepSpec, optionsToConfig, parseSweepSpec, sweepSpecToJson, SweepSpecError, MAX_TRIALS } from '../../../electron/sweeps/spec';

const ARCH = [
  { input_dim: 2, output_dim: 8, activation: 'relu' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];

/** The issue's example spec. */
const EXAMPLE = {
  name: 'lr x seed',
  base: { epochs: 300, dataset: 'moons', arch: ARCH },
  grid: { lr: [0.01, 0.05, 0.1], seed: [1, 2] },
  random: { l2: { log_uniform: [0.0001, 1] }, 'batch-size': { choice: [32, 64, 'full'] } },
  trials: 40,
  seed: 5,
  asha: { metric: 'testCost', min_epochs: 30, reduction: 3 },
};

/** The problems of a spec that must fail. */
function problems(spec: unknown): string[] {
  const r = checkSweepSpec(spec);
  if (r.ok) throw new Error(`expected the spec to be refused, but it parsed: ${JSON.stringify(r.spec)}`);
  return r.problems;
}

/** A spec with one change to the base example (without asha unless given). */
const withPart = (part: Record<string, unknown>) => ({ base: { epochs: 100 }, grid: { lr: [0.01, 0.1] }, ...part });

describe('parseSweepSpec: a valid spec', () => {
  it("reads the issue's example with its values, defaults and max epochs from base.epochs", () => {
    const spec = parseSweepSpec(JSON.stringify(EXAMPLE));
    expect(spec.name).toBe('lr x seed');
    expect(spec.base).toEqual({ epochs: 300, dataset: 'moons', arch: ARCH });
    expect(spec.grid).toEqual({ lr: [0.01, 0.05, 0.1], seed: [1, 2] });
    expect(spec.random).toEqual({ l2: { log_uniform: [0.0001, 1] }, 'batch-size': { choice: [32, 64, 'full'] } });
    expect(spec.trials).toBe(40);
    expect(spec.seed).toBe(5);
    expect(spec.combine).toBe('cross');
    expect(spec.asha).toEqual({ metric: 'testCost', minEpochs: 30, reduction: 3, maxEpochs: 300 });
  });

  it('fills defaults: seed 0, reduction 3, a name from the swept keys, max epochs from train’s default', () => {
    const spec = parseSweepSpec({ grid: { lr: [0.1, 0.2] }, random: { seed: { int: [1, 9] } }, trials: 3, asha: { metric: 'cost', min_epochs: 10 } });
    expect(spec.seed).toBe(0);
    expect(spec.name).toBe('lr × seed');
    expect(spec.asha).toEqual({ metric: 'cost', minEpochs: 10, reduction: 3, maxEpochs: defaultConfig().training.epochs });
    expect(spec.base).toEqual({});
  });

  it('reads back what sweepSpecToJson writes to the same spec', () => {
    const spec = parseSweepSpec(EXAMPLE);
    const json = sweepSpecToJson(spec);
    expect(json.asha).toEqual({ metric: 'testCost', min_epochs: 30, reduction: 3 });
    expect(parseSweepSpec(JSON.parse(JSON.stringify(json)))).toEqual(spec);
  });

  it('does not share arrays with the input (a later edit of the input does not change the spec)', () => {
    const input = structuredClone(EXAMPLE);
    const spec = parseSweepSpec(input);
    input.grid.lr.push(9);
    input.base.arch[0]!.output_dim = 99;
    expect(spec.grid.lr).toEqual([0.01, 0.05, 0.1]);
    expect((spec.base.arch as typeof ARCH)[0]!.output_dim).toBe(8);
  });
});

describe('parseSweepSpec: bad keys name the key and suggest the right one', () => {
  it('a mistyped top-level key: did you mean', () => {
    expect(problems({ ...withPart({}), trails: 4 })).toContainEqual(expect.stringMatching(/^unknown key "trails" \(did you mean "trials"\?\)/));
  });

  it('an option at the top level: says it belongs in base, grid or random', () => {
    expect(problems({ ...withPart({}), epochs: 4 })[0]).toMatch(/unknown key "epochs".*inside "base", "grid" or "random"/);
  });

  it('config field names and underscores point at the option name', () => {
    const p = problems({ base: { learningRate: 0.1, shuffle_seed: 3 }, grid: { batch_size: [8, 16], architecture: [ARCH] } });
    expect(p).toContainEqual(expect.stringMatching(/^unknown option base\.learningRate \(did you mean "lr"\?\)/));
    expect(p).toContainEqual(expect.stringMatching(/^unknown option base\.shuffle_seed \(did you mean "shuffle-seed"\?\)/));
    expect(p).toContainEqual(expect.stringMatching(/^unknown option grid\.batch_size \(did you mean "batch-size"\?\)/));
    expect(p).toContainEqual(expect.stringMatching(/^unknown option grid\.architecture \(did you mean "arch"\?\)/));
  });

  it('a key nothing resembles lists the option names', () => {
    expect(problems(withPart({ random: { zzzz: { uniform: [0, 1] } }, trials: 2 }))).toContainEqual(
      expect.stringMatching(/^unknown option random\.zzzz; keys are train's option names without the dashes \(arch, dataset, .*lr/),
    );
  });

  it('an option written with its dashes', () => {
    expect(problems({ grid: { '--lr': [0.1, 0.2] } })).toContainEqual('grid: write the option without the dashes: "lr", not "--lr"');
  });

  it('train options that are not about training are refused with the way out', () => {
    const p = problems({ base: { db: 'x.db', 'init-from': 'w.json' }, grid: { lr: [0.1, 0.2] } });
    expect(p).toContainEqual(expect.stringMatching(/^base\.db: a sweep cannot set --db: give the database to the sweep command/));
    expect(p).toContainEqual(expect.stringMatching(/^base\.init-from: a sweep cannot set --init-from: every trial starts from init_layers\(seed\)/));
  });

  it('an unknown asha key, and max_epochs pointing at base.epochs', () => {
    const p = problems(withPart({ asha: { metric: 'cost', min_epochs: 5, reducton: 2, max_epochs: 50 } }));
    expect(p).toContainEqual(expect.stringMatching(/^unknown key asha\.reducton \(did you mean "reduction"\?\)/));
    expect(p).toContainEqual(expect.stringMatching(/^asha\.max_epochs: .*set "base": \{"epochs": N\}/));
  });

  it('bad values name the key (and the index in a list)', () => {
    const p = problems({ base: { optimizer: 'adamw', dataset: 'mooons' }, grid: { lr: [0.1, -1], 'batch-size': [16, 'half'] } });
    expect(p).toContainEqual('base.optimizer: must be one of sgd, momentum, adam, got "adamw" (did you mean "adam"?)');
    expect(p).toContainEqual('base.dataset: must be one of moons, circles, xor, spiral, gaussian, plane, multi-gaussian, iris, wine, breast_cancer, digits, diabetes or "csv:PATH", got "mooons"');
    expect(p).toContainEqual('grid.lr[1]: must be a positive number, got -1');
    expect(p).toContainEqual('grid.batch-size[1]: must be an integer ≥ 1 or "full", got "half"');
  });

  it('an architecture is checked with the engine’s own rules', () => {
    const p = problems({ grid: { arch: [ARCH, [{ input_dim: 2, output_dim: 0, activation: 'relu' }]] } });
    expect(p).toEqual(['grid.arch[1]: layer 1 output_dim must be a positive integer, got 0']);
    expect(problems({ base: { arch: 'net.json' }, grid: { lr: [0.1, 0.2] } })).toEqual([
      'base.arch: must be a list of layers like [{"input_dim": 2, "output_dim": 25, "activation": "relu"}, …], got "net.json"',
    ]);
  });
});

describe('parseSweepSpec: bad ranges', () => {
  it('log_uniform with a bound ≤ 0', () => {
    expect(problems(withPart({ random: { l2: { log_uniform: [0, 1] } }, trials: 5 }))).toEqual([
      'random.l2.log_uniform bounds must be > 0 (it draws the logarithm uniformly), got [0, 1]; use a small positive low such as 1e-5 or a uniform distribution',
    ]);
  });

  it('low above high, with the fix', () => {
    expect(problems(withPart({ random: { momentum: { uniform: [0.99, 0.5] } }, trials: 5 }))).toEqual([
      'random.momentum.uniform: low 0.99 is above high 0.5; write [0.5, 0.99]',
    ]);
  });

  it('low equal to high varies nothing', () => {
    expect(problems(withPart({ random: { noise: { uniform: [0.2, 0.2] } }, trials: 5 }))[0]).toMatch(/low and high are both 0\.2, so nothing varies; put "noise": 0\.2 in base/);
  });

  it("a bound outside the option's own range", () => {
    expect(problems(withPart({ random: { momentum: { uniform: [0.5, 1] } }, trials: 5 }))).toEqual([
      'random.momentum.uniform high bound: momentum must be a number from 0 up to 1, got 1; narrow the range',
    ]);
  });

  it('int needs integer bounds; integer options need int; names need choice', () => {
    const p = problems({
      grid: { lr: [0.1, 0.2] },
      random: { samples: { int: [10.5, 20] }, epochs: { uniform: [10, 20] }, optimizer: { uniform: [0, 1] } },
      trials: 3,
    });
    expect(p).toContainEqual('random.samples.int bounds must be integers (both are included), got [10.5, 20]');
    expect(p).toContainEqual('random.epochs: epochs takes integers; draw it with {"int": [low, high]} or {"choice": [1, 2, 3]}');
    expect(p).toContainEqual('random.optimizer: optimizer takes names, not numbers; draw it with {"choice": ["sgd", "adam"]}');
  });

  it('an unknown distribution: did you mean; a list instead of a distribution: use choice', () => {
    const p = problems({ random: { lr: { loguniform: [0.001, 1] }, seed: [1, 2, 3] }, trials: 3 });
    expect(p[0]).toMatch(/^random\.lr: unknown distribution "loguniform" \(did you mean "log_uniform"\?\)/);
    expect(p[1]).toMatch(/^random\.seed must be a distribution, not a list; to pick from these values write \{"choice": \[1,2,3\]\}/);
  });

  it('two distributions for one option', () => {
    expect(problems({ random: { lr: { uniform: [0.1, 1], log_uniform: [0.1, 1] } }, trials: 3 })[0]).toBe(
      'random.lr must have exactly one distribution (uniform, log_uniform, int, choice), got "uniform", "log_uniform"',
    );
  });
});

describe('parseSweepSpec: grid and trials', () => {
  it('an empty grid list', () => {
    expect(problems({ grid: { lr: [] } })).toEqual(['grid.lr is an empty list; give at least one value, like {"grid": {"lr": [0.01, 0.1]}}, or remove lr']);
  });

  it('an empty grid object, and a spec that varies nothing', () => {
    expect(problems({ grid: {} })).toContainEqual(expect.stringMatching(/^grid is empty; list values to try/));
    expect(problems({ base: { lr: 0.1 } })).toEqual([expect.stringMatching(/^the spec varies nothing; add "grid".*or "random"/)]);
  });

  it('a grid value that is not a list, and a value listed twice', () => {
    const p = problems({ grid: { lr: 0.1, seed: [1, 2, 1] } });
    expect(p).toContainEqual(expect.stringMatching(/^grid\.lr must be a list of values to try, like \{"grid": \{"lr": \[0\.01, 0\.1\]\}\}, got 0\.1/));
    expect(p).toContainEqual('grid.seed[2] repeats grid.seed[0] (1); list each value once');
  });

  it('trials missing when random is given; trials without random', () => {
    expect(problems({ random: { lr: { log_uniform: [0.001, 1] } } })).toEqual([
      'trials is missing: "random" needs the number of configurations to draw, e.g. "trials": 20',
    ]);
    expect(problems({ grid: { lr: [0.1, 0.2] }, trials: 5 })[0]).toMatch(/^trials counts the draws of "random", which this spec does not have/);
  });

  it('trials out of range and a bad seed', () => {
    const p = problems({ random: { lr: { log_uniform: [0.001, 1] } }, trials: 0, seed: -1 });
    expect(p).toContainEqual(`trials must be an integer from 1 to ${MAX_TRIALS}, got 0`);
    expect(p).toContainEqual(expect.stringMatching(/^seed must be an integer from 0 to 4294967295/));
  });

  it('an option both in grid and random cannot be crossed; as a union it can', () => {
    const spec = { grid: { lr: [0.1, 0.2] }, random: { lr: { uniform: [0.1, 0.2] } }, trials: 2 };
    expect(problems(spec)).toEqual([
      'random.lr: lr is also in grid, and grid and random are crossed (each draw runs with every grid point); remove one, or set "combine": "union" to run the grid\'s trials and the random draws side by side',
    ]);
    expect(parseSweepSpec({ ...spec, combine: 'union' }).combine).toBe('union');
    expect(problems({ ...spec, combine: 'both' })[0]).toMatch(/^combine must be "cross" .* or "union"/);
  });

  it("the issue's own example lists lr in grid and draws it in random: refused crossed, read as a union", () => {
    const issue = { ...EXAMPLE, random: { lr: { log_uniform: [0.0001, 1] }, 'batch-size': { choice: [32, 64, 'full'] } } };
    expect(problems(issue)).toEqual([expect.stringMatching(/^random\.lr: lr is also in grid.*"combine": "union"/)]);
    const spec = parseSweepSpec({ ...issue, combine: 'union' });
    expect(spec.random.lr).toEqual({ log_uniform: [0.0001, 1] });
    expect(spec.grid.lr).toEqual([0.01, 0.05, 0.1]);
  });

  it('too many trials as a union (grid + draws)', () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    expect(problems({ grid: { seed: values, 'data-seed': values }, random: { lr: { uniform: [0.1, 1] } }, trials: 1, combine: 'union' })).toEqual([
      `the sweep has 10001 trials (grid 10000 + 1 random draws); at most ${MAX_TRIALS}: list fewer values or draw fewer trials`,
    ]);
  });

  it('too many trials in all (grid × draws)', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    expect(problems({ grid: { seed: values, 'data-seed': values } })).toEqual([
      `the sweep has 10201 trials (grid 10201); at most ${MAX_TRIALS}: list fewer values or draw fewer trials`,
    ]);
  });

  it('label-column only with a CSV dataset', () => {
    expect(problems({ base: { 'label-column': 'y' }, grid: { lr: [0.1, 0.2] } })[0]).toMatch(/^label-column is only for a CSV dataset, but dataset can be "moons"/);
    expect(checkSweepSpec({ base: { dataset: 'csv:d.csv', 'label-column': 'y' }, grid: { lr: [0.1, 0.2] } }).ok).toBe(true);
  });
});

describe('parseSweepSpec: asha', () => {
  it('a metric that is not one of the four, with a suggestion', () => {
    expect(problems(withPart({ asha: { metric: 'testcost', min_epochs: 5 } }))).toEqual([
      'asha.metric must be one of testCost, cost, testAccuracy, trainAccuracy, got "testcost" (did you mean "testCost"?)',
    ]);
  });

  it('reduction < 2 and min_epochs < 1', () => {
    const p = problems(withPart({ asha: { metric: 'cost', min_epochs: 0, reduction: 1 } }));
    expect(p).toContainEqual('asha.min_epochs must be an integer ≥ 1, got 0');
    expect(p).toContainEqual('asha.reduction must be an integer ≥ 2 (3 keeps the top third at each rung), got 1');
  });

  it('min_epochs not below the trials’ epochs', () => {
    expect(problems(withPart({ asha: { metric: 'cost', min_epochs: 100 } }))).toEqual([
      'asha.min_epochs 100 must be below the trials\' epochs 100 (base.epochs), or no trial can be stopped early; lower min_epochs',
    ]);
  });

  it('epochs varied by the grid', () => {
    expect(problems({ grid: { epochs: [50, 100] }, asha: { metric: 'cost', min_epochs: 5 } })[0]).toMatch(
      /^asha needs the same epochs for every trial; move epochs from grid to base/,
    );
  });

  it('a test metric when some trial has no test set', () => {
    expect(problems(withPart({ random: { 'test-size': { uniform: [0, 0.3] } }, trials: 4, asha: { metric: 'testAccuracy', min_epochs: 5 } }))).toEqual([
      'asha.metric testAccuracy needs a test set, but test-size can be 0; use "metric": "cost" or "trainAccuracy", or keep test-size above 0',
    ]);
  });

  it('missing metric and min_epochs', () => {
    const p = problems(withPart({ asha: {} }));
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^asha\.metric is missing/);
    expect(p[1]).toMatch(/^asha\.min_epochs is missing/);
  });
});

describe('parseSweepSpec: errors as a whole', () => {
  it('reports every problem at once, one line each, in a SweepSpecError with a code', () => {
    let caught: unknown;
    try {
      parseSweepSpec({ trails: 3, base: { lr: 0 }, grid: { seed: [] }, random: { l2: { log_uniform: [0, 1] } } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SweepSpecError);
    const err = caught as SweepSpecError;
    expect(err.code).toBe('BAD_SWEEP_SPEC');
    expect(err.problems).toHaveLength(5);
    for (const p of err.problems) expect(p).not.toContain('\n');
    expect(err.message.split('\n')).toEqual(err.problems);
  });

  it('text that is not JSON, and JSON that is not an object', () => {
    expect(problems('{"grid": ')[0]).toMatch(/^the spec is not valid JSON/);
    expect(problems([1, 2])[0]).toMatch(/^the spec must be a JSON object/);
  });
});

describe('optionsToConfig', () => {
  it('maps option names to the RunConfig fields train sets', () => {
    const cfg = resolveConfig(optionsToConfig({ lr: 0.05, 'batch-size': 'full', seed: 7, 'init-scale': 0.5, dataset: 'circles', factor: 0.5, arch: ARCH as never }));
    expect(cfg.training.learningRate).toBe(0.05);
    expect(cfg.training.batchSize).toBeNull();
    expect(cfg.init).toEqual({ seed: 7, scale: 0.5 });
    expect(cfg.data.kind).toBe('circles');
    expect(cfg.data.factor).toBe(0.5);
    expect(cfg.architecture).toEqual(ARCH);
  });

  it('a csv dataset with its label column', () => {
    expect(optionsToConfig({ dataset: 'csv:data/x.csv', 'label-column': 'y', 'batch-size': 16 })).toEqual({
      data: { kind: 'csv', csv: { path: 'data/x.csv', labelColumn: 'y' } },
      training: { batchSize: 16 },
    });
  });
});
