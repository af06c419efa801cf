// ONNX export: the MLP as a ModelProto (IR version 8, opset 17 by default) that onnxruntime runs and
// Netron opens. Each layer k is a Gemm node (input · W_kᵀ + b_k, transB = 1, with W_k (out, in) and b_k
// (out) as float32 initializers, or float64 when asked) followed by its activation node. Input "input" is
// [N, in_dim], output "output" is [N, out_dim], of the weights' type: rows are samples, as in scikit-learn
// (the engine's X.T). onnx-read.ts reads such a file back.

import type { Activation, LayerSpec } from '../architecture';
import { LEAKY_SLOPE } from '../activations';
import type { InputPipeline } from './inputs';
import type { WeightsExport } from './npz';
import { modelProtoType } from './onnx-proto';
import { paramOf } from './validate';

export interface OnnxExportOptions {
  /** The ai.onnx opset the model imports: 17 (default) or 13; every node used has the same meaning in both. */
  opset?: 13 | 17;
  /** The model's graph name, shown by Netron (default "backprop_lab_mlp"). */
  graphName?: string;
  /** Written as producer_version (e.g. the app's version). */
  producerVersion?: string;
  /**
   * The weights' (and so the input's and output's) element type: float32 (default: what every ONNX runtime runs)
   * or float64, which keeps the engine's weights bit for bit.
   */
  precision?: 'float32' | 'float64';
  /**
   * What the run does to a sample before layer 1 (inputs.ts): the graph then takes the raw columns and computes it
   * (Sub and Div for the StandardScaler; Split, Mul, Sin and Concat for the input features), in nodes named
   * inputs_…, so onnxruntime on raw (x1, x2) gives the app's output. The reader (onnx-read.ts) skips these nodes.
   */
  inputs?: InputPipeline | null;
}

const FLOAT = 1, DOUBLE = 11; // TensorProto.DataType
const ATTR_FLOAT = 1, ATTR_INT = 2; // AttributeProto.AttributeType
export const ONNX_IR_VERSION = 8;

/** ONNX operator of each activation; linear is an Identity so every layer reads as two nodes. */
const OP: Record<Activation, string> = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  leaky_relu: 'LeakyRelu',
  linear: 'Identity',
  softmax: 'Softmax',
};

function float32Bytes(data: Float64Array, name: string): Uint8Array {
  const out = new Uint8Array(4 * data.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = Math.fround(data[i]);
    if (!Number.isFinite(v)) throw new RangeError(`cannot export ${name}[${i}] = ${data[i]} to ONNX: it is not finite in float32`);
    view.setFloat32(4 * i, v, true); // raw_data is little-endian
  }
  return out;
}

function float64Bytes(data: Float64Array, name: string): Uint8Array {
  const out = new Uint8Array(8 * data.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`cannot export ${name}[${i}] = ${data[i]} to ONNX: it is not finite`);
    view.setFloat64(8 * i, data[i], true);
  }
  return out;
}

function tensorType(name: string, dims: Array<number | string>, elemType: number) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/**
 * The input block: raw [N, rawInputs] → (x − mean)/scale → the chosen features of its two columns, concatenated
 * [N, k]. Returns the name of the value layer 1 reads.
 */
function inputNodes(pipe: InputPipeline, nodes: unknown[], initializers: unknown[], valueInfo: unknown[], elem: number, data: (v: Float64Array, name: string) => Uint8Array): string {
  let x = 'input';
  if (pipe.scaler) {
    const n = pipe.rawInputs;
    initializers.push({ name: 'inputs_mean', dims: [n], data_type: elem, raw_data: data(Float64Array.from(pipe.scaler.mean), 'inputs_mean') });
    initializers.push({ name: 'inputs_scale', dims: [n], data_type: elem, raw_data: data(Float64Array.from(pipe.scaler.scale), 'inputs_scale') });
    nodes.push({ name: 'inputs_center', op_type: 'Sub', input: [x, 'inputs_mean'], output: ['inputs_centered'] });
    nodes.push({ name: 'inputs_scale', op_type: 'Div', input: ['inputs_centered', 'inputs_scale'], output: ['inputs_standardized'] });
    valueInfo.push(tensorType('inputs_centered', ['N', n], elem), tensorType('inputs_standardized', ['N', n], elem));
    x = 'inputs_standardized';
  }
  if (pipe.features) {
    // x1, x2: [N, 1] each (Split into two equal parts along axis 1)
    nodes.push({ name: 'inputs_split', op_type: 'Split', input: [x], output: ['x1', 'x2'], attribute: [{ name: 'axis', type: ATTR_INT, i: 1 }] });
    valueInfo.push(tensorType('x1', ['N', 1], elem), tensorType('x2', ['N', 1], elem));
    const made: string[] = [];
    for (const f of pipe.features) {
      if (f === 'x1' || f === 'x2') {
        made.push(f);
        continue;
      }
      const [op, inputs, out] =
        f === 'x1^2' ? ['Mul', ['x1', 'x1'], 'x1_sq']
        : f === 'x2^2' ? ['Mul', ['x2', 'x2'], 'x2_sq']
        : f === 'x1*x2' ? ['Mul', ['x1', 'x2'], 'x1_x2']
        : f === 'sin(x1)' ? ['Sin', ['x1'], 'sin_x1']
        : ['Sin', ['x2'], 'sin_x2'];
      nodes.push({ name: `inputs_${out}`, op_type: op, input: inputs, output: [out] });
      valueInfo.push(tensorType(out as string, ['N', 1], elem));
      made.push(out as string);
    }
    nodes.push({ name: 'inputs_features', op_type: 'Concat', input: made, output: ['features'], attribute: [{ name: 'axis', type: ATTR_INT, i: 1 }] });
    valueInfo.push(tensorType('features', ['N', pipe.features.length], elem));
    x = 'features';
  }
  return x;
}

/** The model as a plain object in onnx.proto's field names (before encoding). */
export function onnxModel(w: WeightsExport, opts: OnnxExportOptions = {}): Record<string, unknown> {
  const arch: readonly LayerSpec[] = w.architecture;
  const L = arch.length;
  const nodes: unknown[] = [];
  const initializers: unknown[] = [];
  const valueInfo: unknown[] = [];
  const f64 = opts.precision === 'float64';
  const elem = f64 ? DOUBLE : FLOAT;
  const data = (v: Float64Array, name: string) => (f64 ? float64Bytes(v, name) : float32Bytes(v, name));
  let prev = 'input';
  const pipe = opts.inputs ?? null;
  if (pipe) prev = inputNodes(pipe, nodes, initializers, valueInfo, elem, data);
  arch.forEach((layer, idx) => {
    const k = idx + 1;
    const W = paramOf(w.params, `W${k}`, layer.output_dim, layer.input_dim);
    const b = paramOf(w.params, `b${k}`, layer.output_dim, 1);
    initializers.push({ name: `W${k}`, dims: [layer.output_dim, layer.input_dim], data_type: elem, raw_data: data(W, `W${k}`) });
    initializers.push({ name: `b${k}`, dims: [layer.output_dim], data_type: elem, raw_data: data(b, `b${k}`) });
    const z = `layer${k}_Z`;
    const a = k === L ? 'output' : `layer${k}_A`;
    // Z:(N,out) = A_prev:(N,in) · W:(out,in)ᵀ + b:(out)
    nodes.push({
      name: `layer${k}_gemm`,
      op_type: 'Gemm',
      input: [prev, `W${k}`, `b${k}`],
      output: [z],
      attribute: [{ name: 'transB', type: ATTR_INT, i: 1 }],
    });
    const attribute =
      layer.activation === 'leaky_relu' ? [{ name: 'alpha', type: ATTR_FLOAT, f: LEAKY_SLOPE }]
      : layer.activation === 'softmax' ? [{ name: 'axis', type: ATTR_INT, i: 1 }]
      : [];
    nodes.push({ name: `layer${k}_${layer.activation}`, op_type: OP[layer.activation], input: [z], output: [a], attribute });
    valueInfo.push(tensorType(z, ['N', layer.output_dim], elem));
    if (k < L) valueInfo.push(tensorType(a, ['N', layer.output_dim], elem));
    prev = a;
  });
  const last = arch[L - 1];
  const meaning =
    last.activation === 'sigmoid' ? 'the probability of class 1'
    : last.activation === 'softmax' ? 'the probability of each class'
    : 'the network output';
  return {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: opts.opset ?? 17 }],
    producer_name: 'backprop-lab',
    producer_version: opts.producerVersion ?? '',
    model_version: 1,
    doc_string: `An MLP exported from Backprop Lab: input [N, ${pipe ? `${pipe.rawInputs}] (${pipe.rawNames.join(', ')}${pipe.scaler ? '; standardized in the graph' : ''}${pipe.features ? `; the graph computes ${pipe.features.join(', ')}` : ''})` : `${arch[0].input_dim}]`} ${f64 ? 'float64' : 'float32'} (one sample per row) → output [N, ${last.output_dim}], ${meaning}.`,
    graph: {
      name: opts.graphName ?? 'backprop_lab_mlp',
      node: nodes,
      initializer: initializers,
      input: [tensorType('input', ['N', pipe ? pipe.rawInputs : arch[0].input_dim], elem)],
      output: [tensorType('output', ['N', last.output_dim], elem)],
      value_info: valueInfo,
    },
    metadata_props: [
      { key: 'architecture', value: JSON.stringify(arch) },
      ...(pipe ? [{ key: 'inputs', value: JSON.stringify(pipe) }] : []),
    ],
  };
}

/** The .onnx bytes of a network (float32 weights unless opts.precision is float64). */
export function exportOnnx(w: WeightsExport, opts: OnnxExportOptions = {}): Uint8Array {
  const Model = modelProtoType();
  const model = onnxModel(w, opts);
  const problem = Model.verify(model);
  if (problem) throw new Error(`cannot encode the ONNX model: ${problem}`);
  return Model.encode(Model.fromObject(model)).finish();
}

/** Decodes .onnx bytes written by exportOnnx into plain objects (int64 as numbers, bytes as Uint8Array). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- protobufjs' toObject: onnx.proto's fields, untyped
export function decodeOnnx(bytes: Uint8Array): Record<string, any> {
  const Model = modelProtoType();
  return Model.toObject(Model.decode(bytes), { longs: Number, defaults: false, arrays: true });
}
