import { describe, expect, it } from 'vitest';
import { ArchitectureError, MAX_PARAMETERS, parameterCount, SEED_ARCHITECTURE, validateArchitecture } from '../../engine/architecture';
import { ConfigError, defaultConfig, resolveConfig } from '../../engine/config';

const NOTEBOOK_JSON = `[
    {"input_dim": 2, "output_dim": 25, "activation": "relu"},
    {"input_dim": 25, "output_dim": 50, "activation": "relu"},
    {"input_dim": 50, "output_dim": 50, "activation": "relu"},
    {"input_dim": 50, "output_dim": 25, "activation": "relu"},
    {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"},
]`;

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('architecture', () => {
  it('accepts the seed notebook list verbatim (as JSON) and counts its 5,226 parameters', () => {
    // the notebook's Python list has a trailing comma, which JSON does not allow: strip it as a user would
    const arch = validateArchitecture(NOTEBOOK_JSON.replace(/,\s*\]/, ']'));
    expect(arch).toEqual(SEED_ARCHITECTURE);
    expect(parameterCount(arch)).toBe(2 * 25 + 25 + 25 * 50 + 50 + 50 * 50 + 50 + 50 * 25 + 25 + 25 + 1);
    expect(parameterCount(arch)).toBe(5226);
  });

  it.each([
    ['mismatched input_dim', [{ input_dim: 2, output_dim: 25, activation: 'relu' }, { input_dim: 24, output_dim: 1, activation: 'sigmoid' }], 'layer 2 expects input_dim 24 but layer 1 outputs 25; set layer 2 input_dim to 25'],
    ['unknown activation', [{ input_dim: 2, output_dim: 1, activation: 'swish' }], 'layer 1 has unknown activation "swish"; use one of relu, sigmoid, tanh, leaky_relu, linear, softmax'],
    ['the notebook typo', [{ input_dim: 2, output_dim: 1, activiation: 'relu' }], 'layer 1 has an unknown field "activiation"'],
    ['zero size', [{ input_dim: 2, output_dim: 0, activation: 'relu' }], 'layer 1 output_dim must be a positive integer, got 0'],
    ['fractional size', [{ input_dim: 2.5, output_dim: 3, activation: 'relu' }], 'layer 1 input_dim must be a positive integer, got 2.5'],
    ['string size', [{ input_dim: '2', output_dim: 3, activation: 'relu' }], 'layer 1 input_dim must be a positive integer, got "2"'],
    ['negative size', [{ input_dim: 2, output_dim: -3, activation: 'relu' }], 'layer 1 output_dim must be a positive integer, got -3'],
    ['no layers', [], 'architecture has no layers'],
    ['not a list', { layers: [] }, 'architecture must be a list of layers'],
    ['a layer that is not an object', [3], 'layer 1 must be an object'],
    ['softmax in a hidden layer', [{ input_dim: 2, output_dim: 4, activation: 'softmax' }, { input_dim: 4, output_dim: 2, activation: 'softmax' }], 'layer 1 uses softmax, which is only allowed on the output layer'],
    ['softmax with one unit', [{ input_dim: 2, output_dim: 1, activation: 'softmax' }], 'softmax needs at least 2 classes'],
  ])('refuses %s with a message naming the layer and the fix', (_name, arch, expected) => {
    const m = message(() => validateArchitecture(arch));
    expect(m).toContain(expected);
  });

  it('refuses bad JSON text with the parser message', () => {
    expect(() => validateArchitecture('[{"input_dim": 2,')).toThrow(ArchitectureError);
    expect(message(() => validateArchitecture('[{"input_dim": 2,'))).toMatch(/^architecture is not valid JSON/);
  });

  it('refuses a network over 50 million parameters before allocating anything', () => {
    // 3 layers of 10^5 × 10^5 would need 240 GB as float64: the check must come first
    const huge = [
      { input_dim: 100000, output_dim: 100000, activation: 'relu' },
      { input_dim: 100000, output_dim: 100000, activation: 'relu' },
      { input_dim: 100000, output_dim: 1, activation: 'sigmoid' },
    ];
    expect(message(() => validateArchitecture(huge))).toBe(
      `network has 20,000,300,001 parameters, over the limit of ${MAX_PARAMETERS.toLocaleString('en-US')}; use fewer or smaller layers`,
    );
    // just under the limit is fine
    expect(() => validateArchitecture([{ input_dim: 7000, output_dim: 7000, activation: 'linear' }])).not.toThrow();
  });
});

describe('run configuration', () => {
  it('defaults to the seed experiment', () => {
    const c = resolveConfig();
    expect(c).toEqual(defaultConfig());
    expect(c.init).toEqual({ seed: 101, scale: 0.1 });
    expect(c.data).toMatchObject({ kind: 'moons', samples: 1000, noise: 0.2, seed: 100, testSize: 0.1, splitSeed: 42 });
    expect(c.training).toMatchObject({ epochs: 10000, learningRate: 0.01, batchSize: null, optimizer: 'sgd' });
  });

  it.each([
    [{ training: { learningRate: -1 } }, 'training.learningRate must be a positive number, got -1'],
    [{ training: { epochs: 1.5 } }, 'training.epochs must be an integer from 0 to 100,000,000, got 1.5'],
    [{ training: { optimizer: 'rmsprop' } }, 'training.optimizer must be one of sgd, momentum, adam, got "rmsprop"'],
    [{ data: { testSize: 1 } }, 'data.testSize must be a fraction from 0 up to (not including) 1, got 1'],
    [{ init: { seed: -1 } }, 'init.seed must be an integer from 0 to 4294967295'],
    [{ backend: 'tpu' }, 'backend must be one of auto, cpu, cpu-f32, gpu, got "tpu"'],
    [{ data: { kind: 'csv' } }, 'data.csv.path is missing'],
  ])('refuses %j', (partial, expected) => {
    expect(() => resolveConfig(partial as never)).toThrow(ConfigError);
    expect(message(() => resolveConfig(partial as never))).toContain(expected);
  });
});
