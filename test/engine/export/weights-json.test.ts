// Weights as JSON: the export document, the foundation CLI's format, and strict import.

import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../engine/architecture';
import { resolveConfig } from '../../../engine/config';
import { ImportError } from '../../../engine/export/errors';
import { importWeights } from '../../../engine/export/index';
import { parseWeightsJSON, stringifyWeights, weightsToJSON } from '../../../engine/export/weights-json';
import { initLayers, paramsToJSON } from '../../../engine/init';
import { importErrorOf } from './support';

const ARCH: LayerSpec[] = [
  { input_dim: 2, output_dim: 3, activation: 'leaky_relu' },
  { input_dim: 3, output_dim: 2, activation: 'softmax' },
];
const params = initLayers(ARCH, 9, 0.3);
const config = resolveConfig({ architecture: ARCH, data: { kind: 'circles' } });

describe('weights JSON', () => {
  it('writes format, version, architecture, config, params (W (out, in), b (out, 1)) and metrics', () => {
    const doc = weightsToJSON({ architecture: ARCH, params, config, metrics: { finalCost: 0.5 } });
    expect(Object.keys(doc)).toEqual(['format', 'version', 'architecture', 'config', 'params', 'metrics']);
    expect(doc).toMatchObject({ format: 'backprop-lab-weights', version: 1, architecture: ARCH });
    expect(doc.params.W1).toHaveLength(3);
    expect(doc.params.W1[0]).toHaveLength(2);
    expect(doc.params.b2).toEqual([[params[3].data[0]], [params[3].data[1]]]);
  });

  it('round-trips every parameter bit for bit (shortest round-trip decimals)', () => {
    const w = parseWeightsJSON(stringifyWeights({ architecture: ARCH, params, config, metrics: { epochs: 3 } }), { fileName: 'w.json' });
    expect(w).toMatchObject({ format: 'json', architecture: ARCH, config, metrics: { epochs: 3 } });
    w.params.forEach((p, i) => {
      expect(p).toMatchObject({ name: params[i].name, rows: params[i].rows, cols: params[i].cols });
      expect(Array.from(p.data)).toEqual(Array.from(params[i].data));
    });
  });

  it("accepts the foundation CLI's --export file (no format or version field), as text or bytes", () => {
    const cli = { architecture: ARCH, params: paramsToJSON(params), config, metrics: { status: 'finished', finalCost: null } };
    const text = JSON.stringify(cli, null, 1) + '\n';
    expect(parseWeightsJSON(text).params).toHaveLength(4);
    expect(importWeights(new TextEncoder().encode('\ufeff' + text), { fileName: 'run.json' }).format).toBe('json');
  });

  it("accepts the notebook's 1-d biases", () => {
    const doc = { architecture: ARCH, params: { ...paramsToJSON(params), b1: [0.1, 0.2, 0.3] } };
    expect(Array.from(parseWeightsJSON(JSON.stringify(doc)).params[1].data)).toEqual([0.1, 0.2, 0.3]);
  });

  const good = () => JSON.parse(stringifyWeights({ architecture: ARCH, params, config }));
  const cases: Array<[string, () => string | Uint8Array, string, RegExp]> = [
    ['malformed JSON', () => '{"architecture": [', 'json', /not valid JSON/],
    ['bytes that are not UTF-8', () => new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'file', /not UTF-8/],
    ['a JSON array', () => '[1, 2]', 'json', /must hold a JSON object/],
    ['a top-level __proto__ key', () => '{"__proto__": {"polluted": true}, "architecture": [], "params": {}}', 'json', /key named "__proto__"/],
    ['a nested constructor key', () => JSON.stringify({ ...good(), config: { constructor: { prototype: {} } } }), 'json', /key named "constructor" in config/],
    ['no params', () => JSON.stringify({ architecture: ARCH }), 'params', /params/],
    ['another format', () => JSON.stringify({ ...good(), format: 'keras' }), 'format', /is a "keras" file/],
    ['a newer version', () => JSON.stringify({ ...good(), version: 2 }), 'version', /newer Backprop Lab; update the app/],
    ['a bad architecture', () => JSON.stringify({ ...good(), architecture: [{ input_dim: 2, output_dim: 3, activation: 'relu' }, { input_dim: 4, output_dim: 2, activation: 'softmax' }] }), 'architecture', /layer 2 expects input_dim 4 but layer 1 outputs 3/],
    ['an unknown parameter name', () => JSON.stringify({ ...good(), params: { ...good().params, gamma1: [[1]] } }), 'params.gamma1', /only W1, b1, W2, b2, … are allowed/],
    ['a parameter of a layer that does not exist', () => JSON.stringify({ ...good(), params: { ...good().params, W3: [[1]] } }), 'params.W3', /not a parameter of this 2-layer network/],
    ['a missing parameter', () => { const d = good(); delete d.params.b2; return JSON.stringify(d); }, 'params.b2', /params\.b2 is missing/],
    ['a transposed W', () => { const d = good(); d.params.W1 = [[1, 2, 3], [4, 5, 6]]; return JSON.stringify(d); }, 'params.W1', /shape \(2, 3\) but layer 1 \(2 → 3\) needs \(3, 2\)/],
    ['ragged rows', () => { const d = good(); d.params.W1[1] = [1]; return JSON.stringify(d); }, 'params.W1', /\[1\] has 1 values but row 0 has 2/],
    ['a null (NaN when written)', () => { const d = good(); d.params.W2[1][2] = null; return JSON.stringify(d); }, 'params.W2', /W2 \[1\]\[2\] is null \(the value was NaN or Infinity/],
    ['a string weight', () => { const d = good(); d.params.W2[0][0] = '1'; return JSON.stringify(d); }, 'params.W2', /is "1"; weights must be finite numbers/],
    ['a config for another network', () => JSON.stringify({ ...good(), config: { ...config, architecture: [{ input_dim: 2, output_dim: 2, activation: 'softmax' }] } }), 'config', /config\.architecture differs/],
    ['an invalid config', () => JSON.stringify({ ...good(), config: { ...config, training: { ...config.training, learningRate: -1 } } }), 'config', /training\.learningRate must be a positive number/],
    ['nesting deeper than the limit', () => `{"architecture": ${'['.repeat(100)}${']'.repeat(100)}, "params": {}}`, 'json', /nested more than 32 levels/],
  ];
  it.each(cases)('refuses %s with an ImportError naming the part', (_, make, part, message) => {
    const e = importErrorOf(() => parseWeightsJSON(make(), { fileName: 'w.json' }));
    expect(e).toBeInstanceOf(ImportError);
    expect(e.part).toBe(part);
    expect(e.message).toMatch(/^w\.json/);
    expect(e.message).toMatch(message);
  });

  it('refuses a file over the size cap before decoding it', () => {
    const e = importErrorOf(() => parseWeightsJSON(new Uint8Array(2000), { limits: { maxFileBytes: 1000 } }));
    expect(e.message).toMatch(/over the import limit of 1000 bytes/);
  });

  it('leaves Object.prototype alone', () => {
    importErrorOf(() => parseWeightsJSON('{"__proto__": {"polluted": 1}, "architecture": [], "params": {}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
