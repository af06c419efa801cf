// ONNX weights import: what the exporter writes comes back (float32 exactly as float32, float64 bit for bit),
// the imported network predicts what onnxruntime predicts, and anything else is refused naming the file and
// what is unsupported.

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../engine/architecture';
import { resolveConfig } from '../../../engine/config';
import { importWeights } from '../../../engine/export/index';
import { exportOnnx, onnxModel } from '../../../engine/export/onnx';
import { modelProtoType } from '../../../engine/export/onnx-proto';
import { readOnnx } from '../../../engine/export/onnx-read';
import { initLayers, type Params } from '../../../engine/init';
import { cpuTrainer, splitFromArrays } from '../../helpers/engine';
import { enginePredictions, importErrorOf, moonsRows, trainedReference } from './support';

const ALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 16, activation: 'relu' },
  { input_dim: 16, output_dim: 12, activation: 'leaky_relu' },
  { input_dim: 12, output_dim: 10, activation: 'tanh' },
  { input_dim: 10, output_dim: 8, activation: 'linear' },
  { input_dim: 8, output_dim: 6, activation: 'sigmoid' },
  { input_dim: 6, output_dim: 3, activation: 'softmax' },
];
const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 3, activation: 'leaky_relu' },
  { input_dim: 3, output_dim: 2, activation: 'softmax' },
];
const smallParams = initLayers(SMALL, 3, 0.5);

/** Encodes a model object (onnx.proto field names) as protobufjs does for the exporter. */
function encode(model: Record<string, any>): Uint8Array {
  const Model = modelProtoType();
  const problem = Model.verify(model);
  if (problem) throw new Error(problem);
  return Model.encode(Model.fromObject(model)).finish();
}

/** The exporter's model object for SMALL, changed by `edit`, encoded. */
function edited(edit: (m: any) => void, opts: Parameters<typeof onnxModel>[1] = {}): Uint8Array {
  const m = onnxModel({ architecture: SMALL, params: smallParams }, opts) as any;
  edit(m);
  return encode(m);
}

const bits = (p: Params) => p.map((q) => [q.name, q.rows, q.cols, Array.from(q.data)]);

describe('ONNX import', () => {
  it('reads back the trained seed network: architecture from the graph, W and b exactly as float32 stored them', async () => {
    const { config, trainer } = await trainedReference(300);
    const params = trainer.params();
    const model = exportOnnx({ architecture: config.architecture, params });
    const w = importWeights(model, { fileName: 'seed.onnx' });
    expect(w).toMatchObject({ format: 'onnx', architecture: config.architecture });
    expect(w.config).toBeUndefined();
    expect(bits(w.params)).toEqual(params.map((q) => [q.name, q.rows, q.cols, Array.from(q.data, Math.fround)]));
    // within float32 precision of the engine's float64 weights: |w − fround(w)| ≤ 2^-24·|w|
    params.forEach((q, i) => q.data.forEach((v, j) => expect(Math.abs(w.params[i].data[j] - v)).toBeLessThanOrEqual(2 ** -24 * Math.abs(v))));
    trainer.free();
  });

  it('keeps float64 weights bit for bit, and onnxruntime runs the float64 model to the engine’s predictions', async () => {
    const { config, trainer } = await trainedReference(200);
    const params = trainer.params();
    const model = exportOnnx({ architecture: config.architecture, params }, { precision: 'float64' });
    const w = importWeights(model); // told by content: no file name
    expect(w.architecture).toEqual(config.architecture);
    expect(bits(w.params)).toEqual(bits(params));
    const rows = moonsRows();
    const session = await ort.InferenceSession.create(model);
    const { output } = await session.run({ input: new ort.Tensor('float64', Float64Array.from(rows.flat()), [rows.length, 2]) });
    await session.release();
    const engine = enginePredictions(trainer, rows);
    let worst = 0;
    (output.data as Float64Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - engine[i]))));
    expect(worst).toBeLessThan(1e-12);
    trainer.free();
  });

  it('reads every activation at opsets 13 and 17, and the imported network predicts what onnxruntime does', async () => {
    const moons = moonsRows();
    const data = splitFromArrays({ X_train: moons.slice(0, 200), y_train: moons.slice(0, 200).map((_, i) => i % 3), X_test: [], y_test: [] });
    const config = resolveConfig({ architecture: ALL, init: { seed: 4, scale: 1 }, training: { epochs: 5, optimizer: 'adam', learningRate: 0.05 } });
    const trained = await cpuTrainer(config, data);
    await trained.run();
    for (const opset of [13, 17] as const) {
      const model = exportOnnx({ architecture: ALL, params: trained.params() }, { opset });
      const w = readOnnx(model, { fileName: `all-${opset}.onnx` });
      expect(w.architecture).toEqual(ALL);
      // the engine, started from the imported weights, against onnxruntime on the same file
      const again = await cpuTrainer(resolveConfig({ architecture: w.architecture, training: { epochs: 0 } }), data, { params: w.params });
      const session = await ort.InferenceSession.create(model);
      const { output } = await session.run({ input: new ort.Tensor('float32', Float32Array.from(moons.flat()), [moons.length, 2]) });
      await session.release();
      const engine = enginePredictions(again, moons);
      let worst = 0;
      (output.data as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - engine[i]))));
      expect(worst).toBeLessThan(1e-6);
      again.free();
    }
    trained.free();
  });

  it('reads the variations ONNX allows: float_data / double_data instead of raw_data, b as (1, out), a Gemm with no activation after it, Softmax axis -1, initializers listed as inputs', () => {
    const fromFloats = edited((m) => {
      for (const t of m.graph.initializer) {
        t.float_data = Array.from(new Float32Array(t.raw_data.slice().buffer));
        delete t.raw_data;
      }
    });
    expect(bits(readOnnx(fromFloats).params)).toEqual(smallParams.map((q) => [q.name, q.rows, q.cols, Array.from(q.data, Math.fround)]));
    const fromDoubles = edited((m) => {
      for (const t of m.graph.initializer) {
        t.double_data = Array.from(new Float64Array(t.raw_data.slice().buffer));
        delete t.raw_data;
      }
    }, { precision: 'float64' });
    expect(bits(readOnnx(fromDoubles).params)).toEqual(bits(smallParams));
    const variants = edited((m) => {
      m.graph.initializer[1].dims = [1, 3];
      m.graph.node[3].attribute[0].i = -1;
      m.graph.input.push(...m.graph.initializer.map((t: any) => ({ name: t.name })));
      m.metadata_props = [];
    });
    expect(readOnnx(variants).architecture).toEqual(SMALL);
    const noIdentity = edited((m) => {
      m.graph.node.splice(1, 1); // layer 1's activation node gone: linear, its Gemm feeds layer 2
      m.graph.node[1].input[0] = m.graph.node[0].output[0];
      m.metadata_props = [];
    });
    expect(readOnnx(noIdentity).architecture).toEqual([{ ...SMALL[0], activation: 'linear' }, SMALL[1]]);
  });

  const refusals: Array<[string, () => Uint8Array, RegExp]> = [
    ['a LeakyRelu whose slope is not 0.01', () => edited((m) => (m.graph.node[1].attribute[0].f = 0.2)), /node 2 \("LeakyRelu" "layer1_leaky_relu"\) has slope alpha = 0\.2\d*, but leaky_relu's is 0\.01/],
    ['W stored as (in, out) (transB = 0)', () => edited((m) => (m.graph.node[0].attribute[0].i = 0)), /node 1 \("Gemm" "layer1_gemm"\) has transB = 0/],
    ['a Gemm without a bias', () => edited((m) => m.graph.node[0].input.pop()), /has 2 inputs and 1 outputs, not 3 \(A, W, b\) and 1/],
    ['an operator it does not have', () => edited((m) => (m.graph.node[1].op_type = 'Elu')), /node 2 \("Elu" "layer1_leaky_relu"\) is not an activation Backprop Lab has/],
    ['a convolution where a Gemm should be', () => edited((m) => (m.graph.node[2].op_type = 'Conv')), /node 3 \("Conv" "layer2_gemm"\) is where layer 2's Gemm should be/],
    ['a custom operator domain', () => edited((m) => m.opset_import.push({ domain: 'com.example', version: 1 })), /imports the operator set "com\.example"/],
    ['an old opset', () => edited((m) => (m.opset_import[0].version = 9)), /opset 9 \(opsets 11 to 23 are read\)/],
    ['integer weights', () => edited((m) => (m.graph.initializer[0].data_type = 6)), /initializer W1 has data type 6; only float32 \(1\) and float64 \(11\)/],
    ['weights kept in another file', () => edited((m) => (m.graph.initializer[2].data_location = 1)), /initializer W2 keeps its values in another file/],
    ['raw data of the wrong length', () => edited((m) => (m.graph.initializer[0].raw_data = m.graph.initializer[0].raw_data.subarray(4))), /not a readable ONNX model: initializer W1 holds 20 bytes of data but its shape \(3, 2\) needs 24/],
    ['a W that does not fit the previous layer', () => edited((m) => (m.graph.initializer[2].dims = [3, 2])), /b of layer 2 has shape \(2\), not \(3\)|layer 2's W is \(3, 2\) but its input has 3 features/],
    ['an extra node at the end', () => edited((m) => m.graph.node.push({ name: 'extra', op_type: 'Relu', input: ['output'], output: ['y2'] })), /node 5 \("Relu" "extra"\) is where layer 3's Gemm should be/],
    ['an unused initializer', () => edited((m) => m.graph.initializer.push({ ...m.graph.initializer[1], name: 'spare' })), /the initializer "spare" is not a layer's W or b/],
    ['two layers sharing a bias', () => edited((m) => (m.graph.node[2].input[2] = 'b1')), /shares its weights with another layer/],
    ['Softmax over the batch (axis 0)', () => edited((m) => (m.graph.node[3].attribute[0].i = 0)), /has the attribute "axis" = 0/],
    ['a node output named like a weight', () => edited((m) => {
      m.graph.node[1].output[0] = 'W2';
      m.graph.node[2].input[0] = 'W2';
    }), /node 2 \("LeakyRelu" "layer1_leaky_relu"\) writes "W2", a name already given to another value/],
    ['two graph inputs', () => edited((m) => m.graph.input.push({ name: 'mask' })), /the graph has 2 inputs besides its weights, not one/],
    ['an output the chain does not reach', () => edited((m) => (m.graph.output[0].name = 'other')), /the last layer writes "output", not the graph output "other"/],
    ['architecture metadata that disagrees with the graph', () => edited((m) => (m.metadata_props[0].value = JSON.stringify([{ ...SMALL[0], activation: 'relu' }, SMALL[1]]))), /the "architecture" metadata differs from the graph's layers \(2→3 leaky_relu, 3→2 softmax\)/],
    ['softmax before the last layer', () => edited((m) => {
      m.graph.node[1].op_type = 'Softmax';
      m.graph.node[1].attribute = [];
      m.metadata_props = [];
    }), /architecture: layer 1 uses softmax, which is only allowed on the output layer/],
    ['a shape far larger than the data', () => edited((m) => {
      m.graph.initializer[0].dims = [100000, 2];
      m.graph.initializer[1].dims = [100000];
    }), /W of layer 1 claims shape \(100000, 2\), more values than the file holds/],
    ['a NaN weight (float64)', () => edited((m) => new DataView(m.graph.initializer[3].raw_data.buffer, m.graph.initializer[3].raw_data.byteOffset).setFloat64(8, NaN, true), { precision: 'float64' }), /b2\[1\] is NaN; weights must be finite/],
    ['an input of integers', () => edited((m) => (m.graph.input[0].type.tensor_type.elem_type = 7)), /the graph input "input" has element type 7, not float32 or float64/],
    ['a newer IR version', () => edited((m) => (m.ir_version = 99)), /its IR version 99 is newer than this reader knows/],
    ['no graph', () => edited((m) => delete m.graph), /not a readable ONNX model: it has no graph/],
    ['JSON named .onnx', () => new TextEncoder().encode('{"architecture": []}'), /not a readable ONNX model/],
    ['an empty file', () => new Uint8Array(0), /is empty; export the network again as \.onnx/],
  ];
  it.each(refusals)('refuses %s with an ImportError naming the file and the problem', (_, bytes, message) => {
    const e = importErrorOf(() => importWeights(bytes(), { fileName: 'model.onnx' }));
    expect(e.message).toMatch(/^model\.onnx/);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it('refuses a file over the size limit before reading it', () => {
    const model = exportOnnx({ architecture: SMALL, params: smallParams });
    expect(importErrorOf(() => importWeights(model, { fileName: 'm.onnx', limits: { maxFileBytes: 100 } })).message).toMatch(/^m\.onnx is \d+ bytes, over the import limit of 100 bytes/);
  });

  it('refuses 16 MiB of empty nodes after the first 4096, quickly', () => {
    const n = 8 * 1024 * 1024;
    const graph = new Uint8Array(n * 2);
    for (let i = 0; i < n; i++) graph[2 * i] = 0x0a; // field 1 (node), length 0
    const len = [];
    for (let v = graph.length; ; v = Math.floor(v / 128)) {
      len.push((v & 0x7f) | (v >= 128 ? 0x80 : 0));
      if (v < 128) break;
    }
    const bytes = Uint8Array.from([0x08, 0x08, 0x42, 0x02, 0x10, 0x11, 0x3a, ...len]);
    const file = new Uint8Array(bytes.length + graph.length);
    file.set(bytes);
    file.set(graph, bytes.length);
    const t0 = performance.now();
    expect(importErrorOf(() => importWeights(file, { fileName: 'many.onnx' })).message).toMatch(/^many\.onnx is not a readable ONNX model: more than 4096 nodes/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('refuses nesting and lengths that a general decoder might follow: groups, a length past the end, 11-byte varints', () => {
    for (const bytes of [
      Uint8Array.from([0x08, 0x08, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b]), // start-group tags
      Uint8Array.from([0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // graph of 4 GiB
      Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ]) {
      expect(importErrorOf(() => importWeights(bytes)).message).toMatch(/^the \.onnx file is not a readable ONNX model: (wire type 3|a field claims 4294967295 bytes|a number is longer than 10 bytes)/);
    }
  });
});
