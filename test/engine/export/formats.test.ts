// The one format table and exportRun, the one function every front end exports through.

import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../engine/architecture';
import { resolveConfig } from '../../../engine/config';
import { ExportError, type ExportErrorCode } from '../../../engine/export/errors';
import * as table from '../../../engine/export/format-table';
import { exportRun, exportRunFile, FORMATS, FORMAT_NAMES, formatOfFile, formatInfo, isWeightsFile, TRAIN_EXPORT_FORMATS, WEIGHTS_IMPORT_ACCEPT, type RunParts } from '../../../engine/export/formats';
import { importWeights } from '../../../engine/export/index';
import { metricsFromJSON, type MetricsRow } from '../../../engine/export/metrics';
import { decodeOnnx } from '../../../engine/export/onnx';
import { initLayers, type Params } from '../../../engine/init';

const ARCH: LayerSpec[] = [
  { input_dim: 2, output_dim: 3, activation: 'tanh' },
  { input_dim: 3, output_dim: 1, activation: 'sigmoid' },
];
const config = resolveConfig({ architecture: ARCH, init: { seed: 5, scale: 0.5 }, training: { epochs: 4 } });
const params = initLayers(ARCH, 7, 0.4);
const rows: MetricsRow[] = [
  { epoch: 0, trainCost: 0.7, trainAccuracy: 0.5, testCost: 0.71, testAccuracy: 0.4, elapsedMs: 1 },
  { epoch: 1, trainCost: NaN, trainAccuracy: 0.5, testCost: Infinity, testAccuracy: null, elapsedMs: 2, extra: { lr: 0.1 } },
  { epoch: 2, trainCost: -Infinity, trainAccuracy: 1, testCost: null, testAccuracy: null, elapsedMs: 3 },
];
const parts = (over: Partial<RunParts> = {}): RunParts => ({ architecture: ARCH, config, params, title: 'r', epochMetrics: rows, summary: { finalCost: 0.5 }, producerVersion: '9.9', ...over });

function exportErrorOf(fn: () => unknown): ExportError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExportError) return e;
    throw new Error(`expected an ExportError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  throw new Error('expected an ExportError, but the export succeeded');
}

describe('format table', () => {
  it('has one row per format name, each with an extension, a MIME type and its flags', () => {
    expect(FORMATS.map((f) => f.name)).toEqual([...FORMAT_NAMES]);
    expect(FORMATS.map((f) => [f.name, f.ext, f.mime, f.binary, f.needsWeights, f.trainExport, f.importsWeights])).toEqual([
      ['json', '.json', 'application/json', false, true, true, true],
      ['npz', '.npz', 'application/zip', true, true, true, true],
      ['onnx', '.onnx', 'application/octet-stream', true, true, true, true],
      ['py', '.py', 'text/x-python', false, false, true, false],
      ['metrics-csv', '.csv', 'text/csv', false, false, false, false],
      ['metrics-json', '.json', 'application/json', false, false, false, false],
    ]);
    expect(Object.isFrozen(FORMATS) && FORMATS.every(Object.isFrozen)).toBe(true);
    expect(TRAIN_EXPORT_FORMATS).toEqual(['json', 'npz', 'onnx', 'py']);
    expect(WEIGHTS_IMPORT_ACCEPT).toBe('.json,.npz,.onnx');
    expect(formatInfo('py')?.label).toBe('Notebook script');
    expect(formatInfo('pickle')).toBeUndefined();
  });

  it('tells a file’s format by its extension, case-insensitively; .json is the weights; train --export takes no .csv', () => {
    expect(['w.json', 'W.NPZ', 'dir.v2/model.Onnx', 'C:\\runs\\run.py', 'm.csv', 'x.tar.npz'].map((n) => formatOfFile(n))).toEqual(['json', 'npz', 'onnx', 'py', 'metrics-csv', 'npz']);
    expect(['m.csv', 'noext', '.json', 'a.json/', 'a.pkl', 'dir.npz/file'].map((n) => formatOfFile(n, { trainExport: true }))).toEqual([null, null, null, null, null, null]);
    expect(formatOfFile('m.csv', { trainExport: true })).toBeNull();
    expect(formatOfFile('w.json', { trainExport: true })).toBe('json');
    expect(['a.json', 'a.NPZ', 'a.onnx', 'a.py', 'a.csv', 'onnx'].map(isWeightsFile)).toEqual([true, true, true, false, false, false]);
  });

  it('format-table.ts imports nothing, so the renderer can take it', async () => {
    const { readFileSync } = await import('node:fs');
    const src = readFileSync(new URL('../../../engine/export/format-table.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/^\s*import\s/m);
    expect(table.FORMATS).toBe(FORMATS);
  });
});

describe('exportRun', () => {
  it('makes every format; the file details come from the table', () => {
    for (const f of FORMATS) {
      const file = exportRunFile(f.name, parts());
      expect([file.ext, file.mime, file.binary]).toEqual([f.ext, f.mime, f.binary]);
      expect(typeof file.content === 'string').toBe(!f.binary);
      expect(file.bytes.length).toBeGreaterThan(0);
      if (typeof file.content === 'string') expect(new TextDecoder().decode(file.bytes)).toBe(file.content);
    }
  });

  it('writes the weights formats so that they import back (json and npz exactly, onnx within float32)', () => {
    for (const f of ['json', 'npz', 'onnx'] as const) {
      const content = exportRun(f, parts());
      const w = importWeights(typeof content === 'string' ? new TextEncoder().encode(content) : content, { fileName: `w.${f}` });
      expect(w.architecture).toEqual(ARCH);
      w.params.forEach((p, i) => {
        const want = Array.from(params[i].data, (v) => (f === 'onnx' ? Math.fround(v) : v));
        expect(Array.from(p.data)).toEqual(want);
      });
    }
    const f64 = importWeights(exportRun('onnx', parts({ onnxPrecision: 'float64' })) as Uint8Array, { fileName: 'w.onnx' });
    expect(f64.params.map((p) => Array.from(p.data))).toEqual(params.map((p) => Array.from(p.data)));
    expect(JSON.parse(exportRun('json', parts()) as string).metrics).toEqual({ finalCost: 0.5 });
    expect(decodeOnnx(exportRun('onnx', parts()) as Uint8Array).producer_version).toBe('9.9');
  });

  it('writes the metrics with NaN and ±Infinity spelled out, empty cells for what was not recorded, and every extra column', () => {
    expect(exportRun('metrics-csv', parts())).toBe(
      'epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms,lr\n' +
        '0,0.7,0.5,0.71,0.4,1,\n' +
        '1,NaN,0.5,Infinity,,2,0.1\n' +
        '2,-Infinity,1,,,3,\n',
    );
    const json = exportRun('metrics-json', parts({ metricsInfo: { run: { id: 'abc' } } })) as string;
    expect(JSON.parse(json)).toMatchObject({ run: { id: 'abc' }, columns: ['epoch', 'train_cost', 'train_accuracy', 'test_cost', 'test_accuracy', 'elapsed_ms', 'lr'] });
    const back = metricsFromJSON(json);
    expect(back[1]).toEqual({ ...rows[1] });
    expect(back[0]).toEqual({ ...rows[0], extra: {} });
    expect(exportRun('metrics-csv', parts({ epochMetrics: undefined }))).toBe('epoch,train_cost,train_accuracy,test_cost,test_accuracy,elapsed_ms\n');
  });

  it('reads the metrics only for a metrics format (a lazy source is not called for weights)', () => {
    let calls = 0;
    const lazy = () => (calls++, rows);
    exportRun('npz', parts({ epochMetrics: lazy }));
    exportRun('py', parts({ epochMetrics: lazy }));
    expect(calls).toBe(0);
    exportRun('metrics-csv', parts({ epochMetrics: lazy }));
    expect(calls).toBe(1);
  });

  it('embeds starting weights in the script unless they are exactly init_layers(seed)’s', () => {
    const plain = exportRun('py', parts()) as string;
    expect(plain).not.toContain('INITIAL_PARAMS');
    expect(exportRun('py', parts({ initialParams: initLayers(ARCH, config.init.seed, config.init.scale) }))).toBe(plain);
    const embedded = exportRun('py', parts({ initialParams: params })) as string;
    expect(embedded).toContain('INITIAL_PARAMS = {');
    expect(embedded).toContain('params_values = initial_params()');
    expect(embedded).not.toContain('params_values = init_layers(');
  });

  const cases: Array<[string, () => unknown, ExportErrorCode, RegExp]> = [
    ['a weights format without weights', () => exportRun('onnx', parts({ params: null, noWeightsWhy: 'run 3f2a failed: diverged' })), 'no_weights', /^cannot export onnx: there are no weights \(run 3f2a failed: diverged\); export the metrics/],
    ['json without weights', () => exportRun('json', parts({ params: undefined })), 'no_weights', /^cannot export json: there are no weights;/],
    ['an unknown format', () => exportRun('pickle' as never, parts()), 'unknown_format', /^cannot export "pickle": the formats are json, npz, onnx, py, metrics-csv and metrics-json$/],
    ['weights of another shape', () => exportRun('npz', parts({ params: initLayers([{ input_dim: 2, output_dim: 4, activation: 'tanh' }, ARCH[1]], 1, 1) })), 'bad_weights', /^cannot export npz: the weights: W1 is \(4, 2\) but the architecture needs \(3, 2\)$/],
    ['a missing parameter', () => exportRun('json', parts({ params: params.slice(0, 3) })), 'bad_weights', /^cannot export json: the weights: parameter b2 is missing/],
    ['starting weights of another shape', () => exportRun('py', parts({ initialParams: params.slice(1) })), 'bad_weights', /^cannot export py: the starting weights: parameter W1 is missing/],
    ['a weight beyond float32 in ONNX', () => exportRun('onnx', parts({ params: withValue(params, 2, 0, 1e39) })), 'not_representable', /^cannot export onnx: W2\[0\] = 1e\+39 to ONNX: it is not finite in float32; export npz or json/],
    ['a NaN weight in JSON', () => exportRun('json', parts({ params: withValue(params, 0, 2, NaN) })), 'not_representable', /^cannot export json: W1\[2\] is NaN, which JSON cannot hold; export npz instead$/],
    ['a non-finite starting weight', () => exportRun('py', parts({ initialParams: withValue(params, 3, 0, -Infinity) })), 'not_representable', /^cannot export py: the starting weight b2\[0\] is -Infinity/],
  ];
  it.each(cases)('refuses %s with a typed, one-line error', (_, fn, code, message) => {
    const e = exportErrorOf(fn);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it('writes npz of non-finite weights (numpy holds NaN), which the importer then refuses', () => {
    const npz = exportRun('npz', parts({ params: withValue(params, 0, 0, NaN) })) as Uint8Array;
    expect(() => importWeights(npz, { fileName: 'w.npz' })).toThrow(/W1\.npy\[0, 0\] is NaN/);
  });
});

function withValue(p: Params, which: number, at: number, v: number): Params {
  return p.map((q, i) => {
    const data = Float64Array.from(q.data);
    if (i === which) data[at] = v;
    return { ...q, data };
  });
}
