// ONNX export: onnxruntime-node runs it to the engine's predictions; the graph is valid ONNX (checker rules).

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../engine/architecture';
import { resolveConfig } from '../../../engine/config';
import { decodeOnnx, exportOnnx } from '../../../engine/export/onnx';
import type { Trainer } from '../../../engine/train';
import { cpuTrainer, splitFromArrays } from '../../helpers/engine';
import { enginePredictions, moonsRows, trainedReference } from './support';

/** onnxruntime's output for rows (float32 input [N, in]), as float64. */
async function ortPredict(model: Uint8Array, rows: number[][]): Promise<{ dims: readonly number[]; y: Float64Array }> {
  const session = await ort.InferenceSession.create(model);
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0].length]);
  const { output } = await session.run({ input });
  await session.release();
  return { dims: output.dims, y: Float64Array.from(output.data as Float32Array) };
}

/** max over outputs of |ort − engine| / max(1, |engine|): the "within 1e-6 in float32". */
function worst(ortY: Float64Array, engine: Float64Array): number {
  let w = 0;
  for (let i = 0; i < engine.length; i++) w = Math.max(w, Math.abs(ortY[i] - engine[i]) / Math.max(1, Math.abs(engine[i])));
  return w;
}

/** The checker's structural rules: opset import, typed graph inputs/outputs, unique names, every node input defined before use. */
function checkGraph(model: Record<string, any>, arch: readonly LayerSpec[]): void {
  expect(model.ir_version).toBe(8);
  expect(model.opset_import.map((o: any) => [o.domain ?? '', o.version])).toEqual([['', 17]]); // '' is ai.onnx
  const g = model.graph;
  expect(g.name).toBeTruthy();
  const dims = (v: any) => v.type.tensor_type.shape.dim.map((d: any) => d.dim_value ?? d.dim_param);
  expect(g.input.map((v: any) => [v.name, v.type.tensor_type.elem_type, dims(v)])).toEqual([['input', 1, ['N', arch[0].input_dim]]]);
  expect(g.output.map((v: any) => [v.name, v.type.tensor_type.elem_type, dims(v)])).toEqual([['output', 1, ['N', arch[arch.length - 1].output_dim]]]);
  const defined = new Set<string>(['input', ...g.initializer.map((t: any) => t.name)]);
  expect(defined.size).toBe(1 + g.initializer.length); // initializer names are unique
  const nodeNames = new Set<string>();
  for (const n of g.node) {
    expect(nodeNames.has(n.name)).toBe(false);
    nodeNames.add(n.name);
    for (const i of n.input) expect(defined.has(i), `${n.name} reads ${i} before it is defined`).toBe(true);
    for (const o of n.output) {
      expect(defined.has(o), `${o} is written twice`).toBe(false);
      defined.add(o);
    }
  }
  expect(defined.has('output')).toBe(true);
  for (const t of g.initializer) {
    expect(t.data_type).toBe(1);
    expect(t.raw_data.length).toBe(4 * t.dims.reduce((a: number, b: number) => a * b, 1));
  }
  expect(g.node.map((n: any) => n.op_type)).toEqual(arch.flatMap((l) => ['Gemm', { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', leaky_relu: 'LeakyRelu', linear: 'Identity', softmax: 'Softmax' }[l.activation]]));
}

describe('ONNX export', () => {
  it('runs in onnxruntime to the engine’s predictions on the reference moons, within 1e-6 (float32)', async () => {
    const { config, trainer } = await trainedReference(300);
    const rows = moonsRows();
    const model = exportOnnx({ architecture: config.architecture, params: trainer.params() });
    checkGraph(decodeOnnx(model), config.architecture);
    const { dims, y } = await ortPredict(model, rows);
    expect(dims).toEqual([rows.length, 1]);
    const engine = enginePredictions(trainer, rows);
    expect(worst(y, engine)).toBeLessThanOrEqual(1e-6);
    trainer.free();
  });

  it('covers every activation: relu, leaky_relu (alpha 0.01), tanh, linear, sigmoid and softmax (axis 1), opset 17 and 13', async () => {
    const moons = moonsRows();
    const data = splitFromArrays({ X_train: moons.slice(0, 200), y_train: moons.slice(0, 200).map((_, i) => i % 3), X_test: [], y_test: [] });
    const arch: LayerSpec[] = [
      { input_dim: 2, output_dim: 16, activation: 'relu' },
      { input_dim: 16, output_dim: 12, activation: 'leaky_relu' },
      { input_dim: 12, output_dim: 10, activation: 'tanh' },
      { input_dim: 10, output_dim: 8, activation: 'linear' },
      { input_dim: 8, output_dim: 6, activation: 'sigmoid' },
      { input_dim: 6, output_dim: 3, activation: 'softmax' },
    ];
    const trainer: Trainer = await cpuTrainer(resolveConfig({ architecture: arch, init: { seed: 4, scale: 1 }, training: { epochs: 20, optimizer: 'adam', learningRate: 0.05 } }), data);
    await trainer.run();
    const engine = enginePredictions(trainer, moons);
    for (const opset of [17, 13] as const) {
      const model = exportOnnx({ architecture: arch, params: trainer.params() }, { opset });
      const decoded = decodeOnnx(model);
      expect(decoded.opset_import[0].version).toBe(opset);
      if (opset === 17) checkGraph(decoded, arch);
      const leaky = decoded.graph.node.find((n: any) => n.op_type === 'LeakyRelu');
      expect(leaky.attribute).toHaveLength(1);
      expect(leaky.attribute[0]).toMatchObject({ name: 'alpha', type: 1, f: Math.fround(0.01) });
      expect(decoded.graph.node.find((n: any) => n.op_type === 'Softmax').attribute[0]).toMatchObject({ name: 'axis', type: 2, i: 1 });
      const { dims, y } = await ortPredict(model, moons);
      expect(dims).toEqual([moons.length, 3]);
      expect(worst(y, engine)).toBeLessThanOrEqual(1e-6);
    }
    trainer.free();
  });

  it('records the architecture and producer for Netron, and refuses weights that float32 cannot hold', () => {
    const arch: LayerSpec[] = [{ input_dim: 2, output_dim: 1, activation: 'sigmoid' }];
    const params = [
      { name: 'W1', rows: 1, cols: 2, data: Float64Array.from([1, 2]) },
      { name: 'b1', rows: 1, cols: 1, data: Float64Array.from([0]) },
    ];
    const m = decodeOnnx(exportOnnx({ architecture: arch, params }, { producerVersion: '1.2.3' }));
    expect(m).toMatchObject({ producer_name: 'backprop-lab', producer_version: '1.2.3' });
    expect(JSON.parse(m.metadata_props[0].value)).toEqual(arch);
    params[0].data[1] = 1e39;
    expect(() => exportOnnx({ architecture: arch, params })).toThrow(/W1\[1\] = 1e\+39 to ONNX: it is not finite in float32/);
    expect(() => exportOnnx({ architecture: arch, params: params.slice(0, 1) })).toThrow(/parameter b1 is missing/);
  });
});
