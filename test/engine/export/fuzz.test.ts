// Fuzzing the importers: whatever the bytes, they return fully validated weights or throw ImportError —
// never another exception, never a half-built result, never a hang.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../engine/architecture';
import { resolveConfig } from '../../../engine/config';
import { ImportError } from '../../../engine/export/errors';
import { importWeights } from '../../../engine/export/index';
import { parseNpy, npyFloats, npyText } from '../../../engine/export/npy';
import { writeNpz, type ImportedWeights } from '../../../engine/export/npz';
import { exportOnnx, onnxModel } from '../../../engine/export/onnx';
import { modelProtoType } from '../../../engine/export/onnx-proto';
import { readOnnx } from '../../../engine/export/onnx-read';
import { parseWeightsJSON, stringifyWeights } from '../../../engine/export/weights-json';
import { initLayers } from '../../../engine/init';

const ARCH: LayerSpec[] = [
  { input_dim: 2, output_dim: 3, activation: 'relu' },
  { input_dim: 3, output_dim: 2, activation: 'softmax' },
];
const params = initLayers(ARCH, 1, 0.2);
const config = resolveConfig({ architecture: ARCH });
const NPZ_STORED = writeNpz({ architecture: ARCH, params, config });
const NPZ_DEFLATED = writeNpz({ architecture: ARCH, params, config }, { compress: true });
const JSON_TEXT = stringifyWeights({ architecture: ARCH, params, config });
const ONNX_F32 = exportOnnx({ architecture: ARCH, params });
const ONNX_F64 = exportOnnx({ architecture: ARCH, params }, { precision: 'float64', opset: 13 });
const RUNS = { numRuns: 1000 };
/** Far above any real import of these few-KiB inputs; a hang or blow-up trips it. */
const MAX_MS = 1000;

/** Runs an import: 'refused' for an ImportError, the weights when accepted; anything else fails the property. */
function attempt(fn: () => ImportedWeights): ImportedWeights | 'refused' {
  const t0 = performance.now();
  try {
    return fn();
  } catch (e) {
    if (e instanceof ImportError) return 'refused';
    throw e;
  } finally {
    expect(performance.now() - t0).toBeLessThan(MAX_MS);
  }
}

/** An accepted import must be whole: every parameter of its architecture, of the right shape, finite. */
function assertWhole(w: ImportedWeights): void {
  expect(w.params).toHaveLength(2 * w.architecture.length);
  w.architecture.forEach((l, i) => {
    const W = w.params[2 * i], b = w.params[2 * i + 1];
    expect([W.name, W.rows, W.cols, W.data.length]).toEqual([`W${i + 1}`, l.output_dim, l.input_dim, l.output_dim * l.input_dim]);
    expect([b.name, b.rows, b.cols, b.data.length]).toEqual([`b${i + 1}`, l.output_dim, 1, l.output_dim]);
    for (const v of [...W.data, ...b.data]) expect(Number.isFinite(v)).toBe(true);
  });
}

const check = (fn: () => ImportedWeights) => {
  const r = attempt(fn);
  if (r !== 'refused') assertWhole(r);
};

/** Up to 8 bytes of `base` replaced by random ones. */
const mutated = (base: Uint8Array) =>
  fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
    const out = base.slice();
    for (const [i, b] of edits) out[i] = b;
    return out;
  });

describe('importer fuzzing (fast-check)', () => {
  it('random bytes: ImportError, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => check(() => importWeights(bytes))), RUNS);
  });

  it('random bytes that start like a zip: ImportError', () => {
    const zipish = fc.uint8Array({ maxLength: 2048 }).map((b) => Uint8Array.from([0x50, 0x4b, 3, 4, ...b]));
    fc.assert(fc.property(zipish, (bytes) => check(() => importWeights(bytes))), RUNS);
  });

  it('random bytes ending in a plausible end-of-central-directory record: ImportError', () => {
    const tail = fc.tuple(fc.uint8Array({ maxLength: 1024 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).map(([body, rec]) =>
      Uint8Array.from([0x50, 0x4b, 3, 4, ...body, 0x50, 0x4b, 5, 6, ...rec, 0, 0]),
    );
    fc.assert(fc.property(tail, (bytes) => check(() => importWeights(bytes))), RUNS);
  });

  it('a local header claiming zip64 sizes without the zip64 field (which hangs fflate’s own Unzip): ImportError', () => {
    const h = new Uint8Array(30 + 6 + 40);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(8, 8, true);
    v.setUint32(18, 0xffffffff, true);
    v.setUint32(22, 0xffffffff, true);
    v.setUint16(26, 6, true);
    h.set(new TextEncoder().encode('W1.npy'), 30);
    expect(attempt(() => importWeights(h))).toBe('refused');
  });

  it('valid .npz files (stored and deflated) with a few bytes changed: whole weights or ImportError', () => {
    fc.assert(fc.property(mutated(NPZ_STORED), (bytes) => check(() => importWeights(bytes))), RUNS);
    fc.assert(fc.property(mutated(NPZ_DEFLATED), (bytes) => check(() => importWeights(bytes))), RUNS);
  });

  it('valid .npz files cut short or with bytes inserted or removed: ImportError', () => {
    for (const base of [NPZ_STORED, NPZ_DEFLATED]) {
      fc.assert(fc.property(fc.nat({ max: base.length - 1 }), (n) => check(() => importWeights(base.subarray(0, n)))), RUNS);
      const spliced = fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: 16 }), fc.uint8Array({ maxLength: 16 })).map(([at, del, ins]) =>
        Uint8Array.from([...base.subarray(0, at), ...ins, ...base.subarray(at + del)]),
      );
      fc.assert(fc.property(spliced, (bytes) => check(() => importWeights(bytes))), RUNS);
    }
  });

  it('every truncation of a valid .npz is refused', () => {
    for (let n = 0; n < NPZ_DEFLATED.length; n++) expect(attempt(() => importWeights(NPZ_DEFLATED.subarray(0, n)))).toBe('refused');
  });

  it('arbitrary JSON documents: whole weights or ImportError', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => check(() => parseWeightsJSON(JSON.stringify(v) ?? 'null'))), RUNS);
    const shaped = fc.record({
      format: fc.option(fc.oneof(fc.constant('backprop-lab-weights'), fc.string()), { nil: undefined }),
      version: fc.option(fc.oneof(fc.constant(1), fc.double()), { nil: undefined }),
      architecture: fc.oneof(fc.constant(ARCH as unknown), fc.jsonValue()),
      params: fc.dictionary(fc.constantFrom('W1', 'b1', 'W2', 'b2', '__proto__', 'W3', 'x'), fc.jsonValue()),
      config: fc.option(fc.jsonValue(), { nil: undefined }),
    });
    fc.assert(fc.property(shaped, (doc) => check(() => parseWeightsJSON(JSON.stringify(doc)))), RUNS);
  });

  it('a valid JSON export with characters changed, cut short or as random bytes: whole weights or ImportError', () => {
    const text = fc.tuple(fc.nat({ max: JSON_TEXT.length - 1 }), fc.nat({ max: 8 }), fc.string({ maxLength: 8 })).map(([at, del, ins]) => JSON_TEXT.slice(0, at) + ins + JSON_TEXT.slice(at + del));
    fc.assert(fc.property(text, (t) => check(() => parseWeightsJSON(t))), RUNS);
    fc.assert(fc.property(mutated(new TextEncoder().encode(JSON_TEXT)), (bytes) => check(() => importWeights(bytes))), RUNS);
  });

  it('.npy headers assembled from header-like tokens: parsed or ImportError', () => {
    const token = fc.constantFrom("'descr'", "'<f8'", "'<f4'", "'|u1'", "'<U5'", "'>f8'", "'fortran_order'", "'shape'", 'True', 'False', '(', ')', ',', ':', '{', '}', ' ', '3', '0', '99999999999', "'", '"', '\\');
    const header = fc.array(token, { maxLength: 30 }).map((ts) => ts.join(''));
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 64 }), fc.constantFrom(1, 2, 3), (dict, data, major) => {
        const text = new TextEncoder().encode(dict + '\n');
        const pre = major === 1 ? 10 : 12;
        const bytes = new Uint8Array(pre + text.length + data.length);
        bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
        const v = new DataView(bytes.buffer);
        if (major === 1) v.setUint16(8, text.length, true);
        else v.setUint32(8, text.length, true);
        bytes.set(text, pre);
        bytes.set(data, pre + text.length);
        try {
          const a = parseNpy(bytes, 'x.npy');
          if (a.kind === 'f8' || a.kind === 'f4') expect(npyFloats(a, 'x.npy')).toHaveLength(a.size);
          else expect(typeof npyText(a, 'x.npy')).toBe('string');
        } catch (e) {
          if (!(e instanceof ImportError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes named .onnx, or starting like a protobuf ModelProto: ImportError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      expect(attempt(() => importWeights(bytes, { fileName: 'm.onnx' }))).toBe('refused');
    }), RUNS);
    const protoish = fc.uint8Array({ maxLength: 2048 }).map((b) => Uint8Array.from([0x08, 0x08, ...b]));
    fc.assert(fc.property(protoish, (bytes) => {
      expect(attempt(() => importWeights(bytes))).toBe('refused');
    }), RUNS);
  });

  it('random protobuf fields (any number, wire type and length) as a model, a graph or a node: ImportError', () => {
    const varint = (n: number) => {
      const out: number[] = [];
      do {
        out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n = Math.floor(n / 128);
      } while (n > 0);
      return out;
    };
    const field = fc.tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom(0, 1, 2, 5), fc.uint8Array({ maxLength: 24 })).map(([no, wire, body]) =>
      wire === 2 ? [...varint(no * 8 + 2), ...varint(body.length), ...body] : wire === 0 ? [...varint(no * 8), ...varint(body[0] ?? 0)] : [...varint(no * 8 + wire), ...body.slice(0, wire === 1 ? 8 : 4), ...new Array(Math.max(0, (wire === 1 ? 8 : 4) - body.length)).fill(0)],
    );
    const message = fc.array(field, { maxLength: 12 }).map((fs) => fs.flat());
    // ir_version 8, opset 17, then a graph (field 7) of random fields, or a graph with one node (field 1) of random fields
    const model = fc.tuple(message, fc.boolean()).map(([body, inNode]) => {
      const graph = inNode ? [0x0a, ...varint(body.length), ...body] : body;
      return Uint8Array.from([0x08, 0x08, 0x42, 0x02, 0x10, 0x11, 0x3a, ...varint(graph.length), ...graph]);
    });
    fc.assert(fc.property(model, (bytes) => {
      expect(attempt(() => readOnnx(bytes))).toBe('refused');
    }), RUNS);
  });

  it('valid .onnx files (float32 and float64) with a few bytes changed: whole weights or ImportError', () => {
    fc.assert(fc.property(mutated(ONNX_F32), (bytes) => check(() => importWeights(bytes, { fileName: 'm.onnx' }))), RUNS);
    fc.assert(fc.property(mutated(ONNX_F64), (bytes) => check(() => importWeights(bytes))), RUNS);
  });

  it('valid .onnx files cut short or with bytes inserted or removed: whole weights or ImportError', () => {
    for (const base of [ONNX_F32, ONNX_F64]) {
      for (let n = 0; n < base.length; n++) check(() => importWeights(base.subarray(0, n), { fileName: 'm.onnx' }));
      const spliced = fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: 16 }), fc.uint8Array({ maxLength: 16 })).map(([at, del, ins]) =>
        Uint8Array.from([...base.subarray(0, at), ...ins, ...base.subarray(at + del)]),
      );
      fc.assert(fc.property(spliced, (bytes) => check(() => importWeights(bytes, { fileName: 'm.onnx' }))), RUNS);
    }
  });

  it('exporter models with their graph reshuffled (ops, attributes, names, dims, data types): whole weights or ImportError', () => {
    const Model = modelProtoType();
    const op = fc.constantFrom('Gemm', 'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Identity', 'Softmax', 'Conv', 'Add', '');
    const name = fc.constantFrom('input', 'output', 'W1', 'b1', 'W2', 'b2', 'layer1_Z', 'layer1_A', 'layer2_Z', 'x');
    const edit = fc.record({
      node: fc.nat({ max: 3 }),
      op: fc.option(op, { nil: undefined }),
      input: fc.option(fc.array(name, { maxLength: 4 }), { nil: undefined }),
      output: fc.option(fc.array(name, { maxLength: 2 }), { nil: undefined }),
      attr: fc.option(fc.record({ name: fc.constantFrom('transB', 'transA', 'alpha', 'beta', 'axis', 'x'), type: fc.constantFrom(1, 2, 3), i: fc.integer({ min: -3, max: 3 }), f: fc.constantFrom(0, 1, 0.01, Math.fround(0.01), 0.2, NaN) }), { nil: undefined }),
      init: fc.nat({ max: 3 }),
      dims: fc.option(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), { nil: undefined }),
      dataType: fc.option(fc.constantFrom(0, 1, 6, 7, 11), { nil: undefined }),
      drop: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), (edits, f64) => {
        const m = onnxModel({ architecture: ARCH, params }, f64 ? { precision: 'float64' } : {}) as any;
        for (const e of edits) {
          const n = m.graph.node[e.node];
          if (e.op !== undefined) n.op_type = e.op;
          if (e.input) n.input = e.input;
          if (e.output) n.output = e.output;
          if (e.attr) n.attribute = [{ name: e.attr.name, type: e.attr.type, ...(e.attr.type === 2 ? { i: e.attr.i } : e.attr.type === 1 ? { f: e.attr.f } : { s: new Uint8Array([65]) }) }];
          const t = m.graph.initializer[e.init];
          if (e.dims) t.dims = e.dims;
          if (e.dataType !== undefined) t.data_type = e.dataType;
          if (e.drop) m.metadata_props = [];
        }
        const bytes = Model.encode(Model.fromObject(m)).finish();
        check(() => importWeights(bytes, { fileName: 'm.onnx' }));
      }),
      RUNS,
    );
  });
});
