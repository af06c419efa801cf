// ONNX weights import: reads back an MLP as our exporter writes it (onnx.ts) — a chain of Gemm nodes, each with
// W (out, in) (transB = 1) and b (out) initializers and optionally followed by one activation node — and
// recovers the architecture and W/b. The file is untrusted: it is read with a strict protocol-buffers walker of
// our own (no recursion beyond the schema's fixed depth, no groups, lengths checked against the bytes, counts
// capped) rather than a general decoder, and anything outside that shape is an ImportError naming the file and
// what is unsupported. Nothing half-built is returned.

import type { Activation, LayerSpec } from '../architecture';
import { LEAKY_SLOPE } from '../activations';
import type { Params } from '../init';
import { ImportError, formatBytes, type ImportLimits } from './errors';
import type { ImportedWeights } from './npz';
import { checkedArchitecture, checkedParams, limitsWith, parseUntrustedJson, type RawArray } from './validate';

export interface OnnxReadOptions {
  /** The file's name for messages (default "the .onnx file"). */
  fileName?: string;
  limits?: Partial<ImportLimits>;
}

/** The ai.onnx opsets whose Gemm, Relu, Sigmoid, Tanh, LeakyRelu, Identity and Softmax mean what they do here. */
export const ONNX_MIN_OPSET = 11;
export const ONNX_MAX_OPSET = 23;
/** IR versions this reader knows (3: ONNX 1.0 … 11: ONNX 1.18). */
const MAX_IR_VERSION = 11;
/** Nodes, initializers, graph inputs/outputs, opset imports, metadata entries and node inputs: each capped. */
const MAX_NODES = 4096;
const MAX_LIST = 64;
/** Separate (unpacked) float_data/double_data fields of one tensor. */
const MAX_RUNS = 65536;

const FLOAT = 1, DOUBLE = 11; // TensorProto.DataType
const ATTR_FLOAT = 1, ATTR_INT = 2; // AttributeProto.AttributeType
const EXTERNAL = 1; // TensorProto.DataLocation

/** Activation operator → the engine's activation. */
const ACTIVATION_OF: Record<string, Activation> = {
  Relu: 'relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  LeakyRelu: 'leaky_relu',
  Identity: 'linear',
  Softmax: 'softmax',
};

// ------------------------------------------------------------------------------------------ the wire format

type Fail = (problem: string) => never;

/** A field's value as the walker hands it over: a varint (as a number, exact up to 2^53, else ±Infinity) or a byte range. */
type Field = { no: number; wire: 0; value: number } | { no: number; wire: 1 | 2 | 5; start: number; end: number };

/**
 * Reads protobuf varints as numbers: exact below 2^53; larger magnitudes become ±Infinity (never a valid dim,
 * count or version here); a 10-byte two's-complement varint is a negative int64 (e.g. Softmax axis -1).
 */
function readVarint(bytes: Uint8Array, pos: number, end: number, fail: Fail): [number, number] {
  let lo = 0, hiBig = 0n, shift = 0, i = pos;
  for (;;) {
    if (i >= end) fail('a number is cut short');
    const b = bytes[i++];
    if (shift < 28) lo += (b & 0x7f) * 2 ** shift;
    else hiBig |= BigInt(b & 0x7f) << BigInt(shift - 28);
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift >= 70) fail('a number is longer than 10 bytes');
  }
  if (hiBig === 0n) return [lo, i];
  let v = (hiBig << 28n) | BigInt(lo);
  v &= (1n << 64n) - 1n;
  if (v >= 1n << 63n) v -= 1n << 64n; // int64 two's complement
  const n = Number(v);
  return [Math.abs(n) > Number.MAX_SAFE_INTEGER ? (n > 0 ? Infinity : -Infinity) : n, i];
}

/** Every field of the message in bytes[start, end), in order. Groups (wire types 3, 4) and bad lengths fail. */
function fieldsOf(bytes: Uint8Array, start: number, end: number, fail: Fail, visit: (f: Field) => void): void {
  let pos = start;
  while (pos < end) {
    const [key, p1] = readVarint(bytes, pos, end, fail);
    const no = Math.floor(key / 8), wire = key % 8;
    if (!(no >= 1 && no <= 536870911)) fail(`field number ${no} is not valid protobuf`);
    pos = p1;
    if (wire === 0) {
      const [value, p2] = readVarint(bytes, pos, end, fail);
      pos = p2;
      visit({ no, wire, value });
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > end) fail('a fixed-size value is cut short');
      visit({ no, wire, start: pos, end: pos + n });
      pos += n;
    } else if (wire === 2) {
      const [len, p2] = readVarint(bytes, pos, end, fail);
      if (!(len >= 0) || p2 + len > end) fail(`a field claims ${len} bytes but only ${end - p2} remain`);
      visit({ no, wire, start: p2, end: p2 + len });
      pos = p2 + len;
    } else {
      fail(`wire type ${wire} (groups or invalid) is not used by ONNX`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// ------------------------------------------------------------------------------------------ the messages read

interface Attribute { name: string; f?: number; i?: number; type?: number; other: boolean }
interface Node { name: string; op: string; domain: string; input: string[]; output: string[]; attribute: Attribute[] }
interface Tensor { name: string; dims: number[]; dataType: number; raw?: [number, number]; floats: Array<[number, number]>; doubles: Array<[number, number]>; external: boolean; otherData: boolean }
interface ValueInfo { name: string; elemType?: number; dims?: Array<number | string> }

/** The reader of one file: its bytes, its name and the failure that names both. */
class OnnxReader {
  readonly fail: Fail;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.fail = (problem: string): never => {
      throw new ImportError('onnx', `${file} is not a readable ONNX model: ${problem}; export it again (Backprop Lab writes Gemm and activation nodes)`);
    };
  }

  str(f: Field, what: string): string {
    if (f.wire !== 2) return this.fail(`${what} is not a string`);
    if (f.end - f.start > 4096) return this.fail(`${what} is longer than 4096 bytes`);
    try {
      return utf8.decode(this.bytes.subarray(f.start, f.end));
    } catch {
      return this.fail(`${what} is not UTF-8`);
    }
  }

  int(f: Field, what: string): number {
    if (f.wire !== 0) return this.fail(`${what} is not an integer`);
    return f.value;
  }

  sub(f: Field, what: string, visit: (g: Field) => void): void {
    if (f.wire !== 2) this.fail(`${what} is not a message`);
    const r = f as { start: number; end: number };
    fieldsOf(this.bytes, r.start, r.end, this.fail, visit);
  }

  push<T>(list: T[], item: T, what: string, max = MAX_LIST): void {
    if (list.length >= max) this.fail(`more than ${max} ${what}`);
    list.push(item);
  }

  attribute(f: Field): Attribute {
    const a: Attribute = { name: '', other: false };
    this.sub(f, 'an attribute', (g) => {
      if (g.no === 1) a.name = this.str(g, 'an attribute name');
      else if (g.no === 2) {
        if (g.wire !== 5) this.fail('an attribute float is not 4 bytes');
        a.f = new DataView(this.bytes.buffer, this.bytes.byteOffset + (g as { start: number }).start, 4).getFloat32(0, true);
      } else if (g.no === 3) a.i = this.int(g, 'an attribute integer');
      else if (g.no === 20) a.type = this.int(g, 'an attribute type');
      else if (g.no !== 13 && g.no !== 21) a.other = true; // 13 doc_string, 21 ref_attr_name; the rest hold values we do not read
    });
    // a writer may leave out a scalar that equals its default (0), as proto3 writers do
    if (a.type === ATTR_FLOAT) a.f ??= 0;
    else if (a.type === ATTR_INT) a.i ??= 0;
    else if (a.type !== undefined) a.other = true; // strings, tensors, graphs, lists: nothing here takes them
    return a;
  }

  node(f: Field): Node {
    const n: Node = { name: '', op: '', domain: '', input: [], output: [], attribute: [] };
    this.sub(f, 'a node', (g) => {
      if (g.no === 1) this.push(n.input, this.str(g, 'a node input'), 'inputs of a node');
      else if (g.no === 2) this.push(n.output, this.str(g, 'a node output'), 'outputs of a node');
      else if (g.no === 3) n.name = this.str(g, 'a node name');
      else if (g.no === 4) n.op = this.str(g, 'an op_type');
      else if (g.no === 5) this.push(n.attribute, this.attribute(g), 'attributes of a node');
      else if (g.no === 7) n.domain = this.str(g, 'a node domain');
    });
    return n;
  }

  /** A repeated scalar field, packed (one length-delimited run) or not: the byte ranges of its values. */
  fixedRuns(g: Field, size: 4 | 8, into: Array<[number, number]>): void {
    if (g.wire === 2) {
      if ((g.end - g.start) % size !== 0) this.fail(`a packed list of ${size}-byte values has ${g.end - g.start} bytes`);
      into.push([g.start, g.end]);
    } else if (g.wire === (size === 4 ? 5 : 1)) {
      into.push([g.start, g.end]);
    } else this.fail('a tensor value has the wrong wire type');
    if (into.length > MAX_RUNS) this.fail(`a tensor's values are stored as more than ${MAX_RUNS} separate fields (write them packed or as raw_data)`);
  }

  tensor(f: Field): Tensor {
    const t: Tensor = { name: '', dims: [], dataType: 0, floats: [], doubles: [], external: false, otherData: false };
    this.sub(f, 'an initializer', (g) => {
      if (g.no === 1) {
        if (g.wire === 0) this.push(t.dims, g.value, 'dimensions', 8);
        else if (g.wire === 2) {
          // packed: the varints one after another
          for (let pos = g.start; pos < g.end; ) {
            const [d, next] = readVarint(this.bytes, pos, g.end, this.fail);
            this.push(t.dims, d, 'dimensions', 8);
            pos = next;
          }
        }
        else this.fail('tensor dims have the wrong wire type');
      } else if (g.no === 2) t.dataType = this.int(g, 'a data_type');
      else if (g.no === 4) this.fixedRuns(g, 4, t.floats);
      else if (g.no === 8) t.name = this.str(g, 'an initializer name');
      else if (g.no === 9) {
        if (g.wire !== 2) this.fail('raw_data is not bytes');
        if (t.raw) this.fail('an initializer has raw_data twice');
        t.raw = [g.start, g.end];
      } else if (g.no === 10) this.fixedRuns(g, 8, t.doubles);
      else if (g.no === 13) t.external = true;
      else if (g.no === 14) t.external ||= this.int(g, 'a data_location') === EXTERNAL;
      else if (g.no === 3 || (g.no >= 5 && g.no <= 7) || g.no === 11) t.otherData = true; // segment, int32/string/int64/uint64 data
    });
    return t;
  }

  valueInfo(f: Field): ValueInfo {
    const v: ValueInfo = { name: '' };
    this.sub(f, 'a graph input or output', (g) => {
      if (g.no === 1) v.name = this.str(g, 'an input or output name');
      else if (g.no === 2) {
        this.sub(g, 'a type', (t) => {
          if (t.no !== 1) return; // not a tensor type: elemType stays unset, refused below
          this.sub(t, 'a tensor type', (tt) => {
            if (tt.no === 1) v.elemType = this.int(tt, 'an elem_type');
            else if (tt.no === 2) {
              v.dims = [];
              this.sub(tt, 'a shape', (s) => {
                if (s.no !== 1) return;
                let d: number | string = '?';
                this.sub(s, 'a dimension', (x) => {
                  if (x.no === 1) d = this.int(x, 'a dim_value');
                  else if (x.no === 2) d = this.str(x, 'a dim_param');
                });
                this.push(v.dims!, d, 'dimensions', 8);
              });
            }
          });
        });
      }
    });
    return v;
  }
}

// ------------------------------------------------------------------------------------------ the import

/** The values of a FLOAT or DOUBLE initializer as float64, from raw_data or float_data/double_data. */
function tensorValues(r: OnnxReader, t: Tensor, count: number, unsupported: (what: string) => never): Float64Array {
  if (t.external) unsupported(`initializer ${t.name} keeps its values in another file (external data)`);
  if (t.otherData) unsupported(`initializer ${t.name} has integer or string data`);
  if (t.dataType !== FLOAT && t.dataType !== DOUBLE) unsupported(`initializer ${t.name} has data type ${t.dataType}; only float32 (1) and float64 (11) weights are read`);
  const size = t.dataType === FLOAT ? 4 : 8;
  const runs = t.dataType === FLOAT ? t.floats : t.doubles;
  const other = t.dataType === FLOAT ? t.doubles : t.floats;
  if (other.length) r.fail(`initializer ${t.name} is ${t.dataType === FLOAT ? 'float32' : 'float64'} but has ${t.dataType === FLOAT ? 'double_data' : 'float_data'}`);
  if (t.raw && runs.length) r.fail(`initializer ${t.name} has both raw_data and ${size === 4 ? 'float_data' : 'double_data'}`);
  const ranges = t.raw ? [t.raw] : runs;
  const bytes = ranges.reduce((s, [a, b]) => s + (b - a), 0);
  if (bytes !== count * size) r.fail(`initializer ${t.name} holds ${bytes} bytes of data but its shape (${t.dims.join(', ')}) needs ${count * size}`);
  const out = new Float64Array(count);
  let k = 0;
  for (const [a, b] of ranges) {
    const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + a, b - a);
    for (let off = 0; off < b - a; off += size) out[k++] = size === 4 ? view.getFloat32(off, true) : view.getFloat64(off, true);
  }
  return out;
}

/**
 * Weights from untrusted .onnx bytes written by Backprop Lab's exporter (or any model of the same shape): the
 * architecture from the Gemm chain and its activations, W and b from the initializers (float32 values are
 * widened exactly; float64 ones are kept as they are). Throws ImportError for anything else.
 */
export function readOnnx(bytes: Uint8Array, opts: OnnxReadOptions = {}): ImportedWeights {
  const limits = limitsWith(opts.limits);
  const file = opts.fileName ?? 'the .onnx file';
  if (!(bytes instanceof Uint8Array)) throw new ImportError('file', `${file}: expected the file's bytes (a Uint8Array)`);
  if (bytes.length > limits.maxFileBytes) {
    throw new ImportError('file', `${file} is ${formatBytes(bytes.length)}, over the import limit of ${formatBytes(limits.maxFileBytes)}; a weights file that large is not supported`);
  }
  if (bytes.length === 0) throw new ImportError('onnx', `${file} is empty; export the network again as .onnx`);
  const r = new OnnxReader(bytes, file);
  const unsupported = (what: string): never => {
    throw new ImportError('onnx', `${file}: ${what}; Backprop Lab imports an MLP of Gemm layers (transB = 1, with a bias), each followed by at most one Relu, Sigmoid, Tanh, LeakyRelu (alpha 0.01), Identity or Softmax, as it exports them`);
  };

  // ModelProto
  let irVersion: number | undefined;
  const opsets: Array<{ domain: string; version: number }> = [];
  const metadata: Array<{ key: string; value: string }> = [];
  let graph: Field | undefined;
  fieldsOf(bytes, 0, bytes.length, r.fail, (f) => {
    if (f.no === 1) irVersion = r.int(f, 'ir_version');
    else if (f.no === 7) {
      if (graph) r.fail('the model has two graphs');
      graph = f;
    } else if (f.no === 8) {
      const o = { domain: '', version: NaN };
      r.sub(f, 'an opset import', (g) => {
        if (g.no === 1) o.domain = r.str(g, 'an opset domain');
        else if (g.no === 2) o.version = r.int(g, 'an opset version');
      });
      r.push(opsets, o, 'opset imports');
    } else if (f.no === 14) {
      const e = { key: '', value: '' };
      r.sub(f, 'a metadata entry', (g) => {
        if (g.no === 1) e.key = r.str(g, 'a metadata key');
        else if (g.no === 2) {
          if (g.wire !== 2 || g.end - g.start > limits.maxTextEntryBytes) r.fail(`a metadata value is over ${formatBytes(limits.maxTextEntryBytes)}`);
          try {
            e.value = utf8.decode(bytes.subarray((g as { start: number }).start, (g as { end: number }).end));
          } catch {
            r.fail('a metadata value is not UTF-8');
          }
        }
      });
      r.push(metadata, e, 'metadata entries');
    } else if (f.no === 20 || f.no === 25) {
      unsupported(f.no === 25 ? 'the model defines its own functions' : 'the model has a training section');
    }
  });
  if (irVersion === undefined || !graph) r.fail(irVersion === undefined ? 'it has no ir_version (is it an ONNX model?)' : 'it has no graph');
  if (!(irVersion! >= 3 && irVersion! <= MAX_IR_VERSION)) {
    unsupported(irVersion! > MAX_IR_VERSION && Number.isFinite(irVersion) ? `its IR version ${irVersion} is newer than this reader knows (${MAX_IR_VERSION})` : `IR version ${irVersion}`);
  }
  const main = opsets.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  const others = opsets.filter((o) => !(o.domain === '' || o.domain === 'ai.onnx'));
  if (others.length) unsupported(`it imports the operator set ${JSON.stringify(others[0].domain).slice(0, 60)}`);
  if (main.length !== 1) r.fail(main.length ? 'it imports the ai.onnx operator set twice' : 'it imports no ai.onnx operator set');
  const opset = main[0].version;
  if (!(opset >= ONNX_MIN_OPSET && opset <= ONNX_MAX_OPSET)) unsupported(`opset ${opset} (opsets ${ONNX_MIN_OPSET} to ${ONNX_MAX_OPSET} are read)`);

  // GraphProto
  const nodes: Node[] = [];
  const inits = new Map<string, Tensor>();
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  r.sub(graph!, 'the graph', (g) => {
    if (g.no === 1) r.push(nodes, r.node(g), 'nodes', MAX_NODES);
    else if (g.no === 5) {
      const t = r.tensor(g);
      if (inits.has(t.name)) r.fail(`two initializers are named ${JSON.stringify(t.name).slice(0, 60)}`);
      if (inits.size >= MAX_NODES) r.fail(`more than ${MAX_NODES} initializers`);
      inits.set(t.name, t);
    } else if (g.no === 11) r.push(inputs, r.valueInfo(g), 'graph inputs', MAX_NODES);
    else if (g.no === 12) r.push(outputs, r.valueInfo(g), 'graph outputs');
    else if (g.no === 15) unsupported('the graph has sparse initializers');
  });
  // IR < 4 lists initializers among the inputs too; those are not the network's input
  const dataInputs = inputs.filter((v) => !inits.has(v.name));
  if (dataInputs.length !== 1) unsupported(`the graph has ${dataInputs.length} inputs besides its weights, not one`);
  if (outputs.length !== 1) unsupported(`the graph has ${outputs.length} outputs, not one`);
  for (const [which, v] of [['input', dataInputs[0]], ['output', outputs[0]]] as const) {
    if (v.elemType !== undefined && v.elemType !== FLOAT && v.elemType !== DOUBLE) unsupported(`the graph ${which} ${JSON.stringify(v.name).slice(0, 60)} has element type ${v.elemType}, not float32 or float64`);
    if (v.dims && v.dims.length !== 2) unsupported(`the graph ${which} has ${v.dims.length} dimensions; an MLP's is [N, features]`);
  }

  // the chain: input → Gemm → activation? → Gemm → … → output
  const architecture: Array<{ input_dim: number; output_dim: number; activation: Activation }> = [];
  const arrays = new Map<string, RawArray>();
  const used = new Set<string>();
  let current = dataInputs[0].name;
  const label = (n: Node, i: number) => `node ${i + 1} (${JSON.stringify(n.op).slice(0, 40)}${n.name ? ` ${JSON.stringify(n.name).slice(0, 60)}` : ''})`;
  const written = new Set<string>([current]);
  /** A node's one output: a new name, not an initializer's, the input's or another node's (ONNX names each value once). */
  const output = (n: Node, i: number): string => {
    const o = n.output[0];
    if (inits.has(o) || written.has(o)) r.fail(`${label(n, i)} writes ${JSON.stringify(o).slice(0, 60)}, a name already given to another value`);
    written.add(o);
    return o;
  };
  // our exporter's input block (standardization, input features: onnx.ts inputNodes) comes first, in nodes named
  // inputs_…: it is skipped, and layer 1 reads its last value
  let first = 0;
  const INPUT_OPS = new Set(['Sub', 'Div', 'Split', 'Mul', 'Sin', 'Concat']);
  while (first < nodes.length && nodes[first].name.startsWith('inputs_')) {
    const n = nodes[first];
    if (!INPUT_OPS.has(n.op) || (n.domain !== '' && n.domain !== 'ai.onnx')) unsupported(`${label(n, first)} is not one of the input block's Sub, Div, Split, Mul, Sin or Concat`);
    for (const v of n.input) if (inits.has(v)) used.add(v);
    for (const o of n.output) {
      if (inits.has(o) || written.has(o)) r.fail(`${label(n, first)} writes ${JSON.stringify(o).slice(0, 60)}, a name already given to another value`);
      written.add(o);
    }
    current = n.output[n.output.length - 1] ?? current;
    first++;
  }
  for (let i = first; i < nodes.length; ) {
    const gemm = nodes[i];
    const k = architecture.length + 1;
    if (gemm.domain !== '' && gemm.domain !== 'ai.onnx') unsupported(`${label(gemm, i)} is from the operator domain ${JSON.stringify(gemm.domain).slice(0, 60)}`);
    if (gemm.op !== 'Gemm') unsupported(`${label(gemm, i)} is where layer ${k}'s Gemm should be`);
    if (gemm.input.length !== 3 || gemm.output.length !== 1) unsupported(`${label(gemm, i)} has ${gemm.input.length} inputs and ${gemm.output.length} outputs, not 3 (A, W, b) and 1`);
    if (gemm.input[0] !== current) unsupported(`${label(gemm, i)} reads ${JSON.stringify(gemm.input[0]).slice(0, 60)}, not the previous layer's output`);
    for (const a of gemm.attribute) {
      const ok =
        a.other ? false
        : a.name === 'transB' ? a.i === 1
        : a.name === 'transA' ? (a.i ?? 0) === 0
        : a.name === 'alpha' || a.name === 'beta' ? (a.f ?? 1) === 1
        : false;
      if (!ok) unsupported(`${label(gemm, i)} has ${a.name} = ${a.f ?? a.i ?? 'a value of another kind'}`);
    }
    if (!gemm.attribute.some((a) => a.name === 'transB')) unsupported(`${label(gemm, i)} lacks transB = 1 (W stored as (out, in))`);
    const [wName, bName] = [gemm.input[1], gemm.input[2]];
    const W = inits.get(wName), b = inits.get(bName);
    if (!W || !b) unsupported(`${label(gemm, i)} takes ${!W ? `W ${JSON.stringify(wName).slice(0, 60)}` : `b ${JSON.stringify(bName).slice(0, 60)}`}, which is not an initializer (weights computed in the graph are not read)`);
    if (used.has(wName) || used.has(bName) || wName === bName) unsupported(`${label(gemm, i)} shares its weights with another layer`);
    used.add(wName).add(bName);
    if (W!.dims.length !== 2) unsupported(`W of layer ${k} (${JSON.stringify(wName).slice(0, 60)}) has ${W!.dims.length} dimensions, not (out, in)`);
    const [out, inDim] = W!.dims;
    const bOk = (b!.dims.length === 1 && b!.dims[0] === out) || (b!.dims.length === 2 && b!.dims[0] === 1 && b!.dims[1] === out);
    if (!bOk) unsupported(`b of layer ${k} has shape (${b!.dims.join(', ')}), not (${out})`);
    if (!(Number.isSafeInteger(out) && out >= 1 && Number.isSafeInteger(inDim) && inDim >= 1)) r.fail(`W of layer ${k} has shape (${W!.dims.join(', ')})`);
    // the data must already be in the file, so this bounds the allocation by the file's size
    if (out * inDim * 4 > bytes.length) r.fail(`W of layer ${k} claims shape (${out}, ${inDim}), more values than the file holds`);
    // after an input block the graph's input is the raw columns, not layer 1's input
    const prevOut = architecture.length ? architecture[architecture.length - 1].output_dim : first > 0 ? undefined : dataInputs[0].dims?.[1];
    if (typeof prevOut === 'number' && prevOut !== inDim) unsupported(`layer ${k}'s W is (${out}, ${inDim}) but its input has ${prevOut} features`);
    arrays.set(`W${k}`, { shape: [out, inDim], data: tensorValues(r, W!, out * inDim, unsupported), part: `W${k}` });
    arrays.set(`b${k}`, { shape: [out], data: tensorValues(r, b!, out, unsupported), part: `b${k}` });
    current = output(gemm, i);
    i++;

    // the activation, if the next node applies one to this Gemm's output
    let activation: Activation = 'linear';
    const next = nodes[i];
    if (next && next.op !== 'Gemm') {
      if (next.domain !== '' && next.domain !== 'ai.onnx') unsupported(`${label(next, i)} is from the operator domain ${JSON.stringify(next.domain).slice(0, 60)}`);
      const act = Object.hasOwn(ACTIVATION_OF, next.op) ? ACTIVATION_OF[next.op] : undefined;
      if (!act) unsupported(`${label(next, i)} is not an activation Backprop Lab has`);
      if (next.input.length !== 1 || next.output.length !== 1 || next.input[0] !== current) unsupported(`${label(next, i)} does not take layer ${k}'s Gemm output alone`);
      for (const a of next.attribute) {
        const ok =
          a.other ? false
          : act === 'leaky_relu' && a.name === 'alpha' ? a.f === Math.fround(LEAKY_SLOPE)
          : act === 'softmax' && a.name === 'axis' ? a.i === 1 || a.i === -1
          : false;
        if (!ok) {
          unsupported(act === 'leaky_relu' && a.name === 'alpha' ? `${label(next, i)} has slope alpha = ${a.f}, but leaky_relu's is ${LEAKY_SLOPE}` : `${label(next, i)} has the attribute ${JSON.stringify(a.name).slice(0, 40)} = ${a.f ?? a.i ?? 'a value of another kind'}`);
        }
      }
      activation = act!;
      current = output(next, i);
      i++;
    }
    architecture.push({ input_dim: inDim, output_dim: out, activation });
  }
  if (architecture.length === 0) unsupported('the graph has no nodes');
  if (current !== outputs[0].name) unsupported(`the last layer writes ${JSON.stringify(current).slice(0, 60)}, not the graph output ${JSON.stringify(outputs[0].name).slice(0, 60)}`);
  const last = outputs[0].dims?.[1];
  if (typeof last === 'number' && last !== architecture[architecture.length - 1].output_dim) unsupported(`the graph output has ${last} columns but the last layer has ${architecture[architecture.length - 1].output_dim} units`);
  const unused = [...inits.keys()].find((n) => !used.has(n));
  if (unused !== undefined) unsupported(`the initializer ${JSON.stringify(unused).slice(0, 60)} is not a layer's W or b`);

  const arch: LayerSpec[] = checkedArchitecture(architecture, 'architecture', file);
  // our exporter also records the architecture as metadata: when it is there, it must agree with the graph
  const meta = metadata.find((m) => m.key === 'architecture');
  if (meta) {
    const recorded = parseUntrustedJson(meta.value, 'architecture', `${file}: the "architecture" metadata`, limits.maxJsonDepth);
    if (JSON.stringify(recorded) !== JSON.stringify(arch)) {
      throw new ImportError('architecture', `${file}: the "architecture" metadata differs from the graph's layers (${arch.map((l) => `${l.input_dim}→${l.output_dim} ${l.activation}`).join(', ')}); the file was edited — export it again`);
    }
  }
  const params: Params = checkedParams(arrays, arch, file, (name) => name);
  return { architecture: arch, params, format: 'onnx' };
}
