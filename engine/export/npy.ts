// numpy's .npy format (NEP 1): writing float64 and text arrays, and a strict reader for untrusted files.
// A file is: "\x93NUMPY", version (1.0, 2.0 or 3.0), header length (u16 for 1.0, u32 after), a Python dict
// literal {'descr': …, 'fortran_order': False, 'shape': (…), } padded with spaces and ending in '\n', then
// the raw little-endian data in C order.

import { ImportError } from './errors';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy ≥ 1.24 aligns the data to 64 bytes (ARRAY_ALIGN). */
const ALIGN = 64;
/** numpy's own default max_header_size: longer headers are refused before they are parsed. */
export const MAX_NPY_HEADER = 10_000;

/** The dtypes this reader accepts: float64 and float32 weights, unicode and byte strings for text. */
export type NpyKind = 'f8' | 'f4' | 'u1' | 'U';

/** A parsed .npy file: its header and a view of its data bytes (not yet decoded). */
export interface NpyArray {
  descr: string;
  kind: NpyKind;
  /** Bytes per element (4·n for '<Un'). */
  itemsize: number;
  shape: number[];
  /** Number of elements, the product of the shape (1 for a 0-d array). */
  size: number;
  /** The data, size·itemsize bytes, a view into the input. */
  data: Uint8Array;
}

function header(descr: string, shape: readonly number[]): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // magic(6) + version(2) + u16 length(2) + dict + spaces + '\n', padded to a multiple of ALIGN
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / ALIGN) * ALIGN;
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = text.length & 0xff;
  out[9] = text.length >>> 8;
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

function join(head: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** A float64 array ('<f8', C order) of the given shape; data is row-major. */
export function encodeNpyFloat64(data: Float64Array, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new RangeError(`shape (${shape.join(', ')}) holds ${size} values but ${data.length} were given`);
  const body = new Uint8Array(8 * size);
  const view = new DataView(body.buffer);
  for (let i = 0; i < size; i++) view.setFloat64(8 * i, data[i], true);
  return join(header('<f8', shape), body);
}

/** A 0-d unicode array ('<Un', UTF-32LE), what np.array("text") saves; np.load gives it back as str(arr). */
export function encodeNpyText(text: string): Uint8Array {
  const points = Array.from(text, (c) => c.codePointAt(0)!);
  const n = Math.max(1, points.length);
  const body = new Uint8Array(4 * n);
  const view = new DataView(body.buffer);
  points.forEach((p, i) => view.setUint32(4 * i, p, true));
  return join(header(`<U${n}`, []), body);
}

/** Where an array came from, for messages: "weights.npz: W2.npy: …". */
interface Where {
  part: string;
  file?: string;
}
function fail(at: Where, problem: string): never {
  throw new ImportError(at.part, `${at.file ? `${at.file}: ` : ''}${at.part}: ${problem}`);
}

/** A tiny tokenizer and parser for the header's Python dict literal: strings, True/False, tuples of ints. */
type HeaderValue = string | boolean | number[];

function parseHeaderDict(text: string, at: Where): Map<string, HeaderValue> {
  let i = 0;
  const bad = (what: string): never =>
    fail(at, `the .npy header is not a dict numpy writes (${what} at character ${i}); save the array again with np.save or np.savez`);
  const space = () => {
    while (text[i] === ' ') i++;
  };
  const expect = (c: string) => {
    space();
    if (text[i] !== c) bad(`expected '${c}'`);
    i++;
  };
  const str = (): string => {
    space();
    const q = text[i];
    if (q !== "'" && q !== '"') bad('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) bad('unterminated string');
    const s = text.slice(i + 1, end);
    if (s.includes('\\') || s.length > 64) bad('unexpected string');
    i = end + 1;
    return s;
  };
  const value = (): HeaderValue => {
    space();
    if (text.startsWith('True', i)) return (i += 4), true;
    if (text.startsWith('False', i)) return (i += 5), false;
    if (text[i] === "'" || text[i] === '"') return str();
    if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      let trailingComma = false;
      for (;;) {
        space();
        if (text[i] === ')') {
          i++;
          break;
        }
        const m = /^[0-9]{1,12}/.exec(text.slice(i, i + 13));
        if (!m) bad('expected a dimension');
        dims.push(Number(m![0]));
        i += m![0].length;
        space();
        trailingComma = text[i] === ',';
        if (trailingComma) i++;
        else if (text[i] !== ')') bad("expected ',' or ')'");
        if (dims.length > 32) bad('too many dimensions');
      }
      // Python needs a trailing comma for a 1-tuple: (3) is the number 3, not a shape
      if (dims.length === 1 && !trailingComma) bad('a one-dimensional shape needs a trailing comma, as (3,)');
      return dims;
    }
    return bad('unexpected value');
  };
  const out = new Map<string, HeaderValue>();
  expect('{');
  for (;;) {
    space();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = str();
    if (out.has(key)) bad(`key '${key}' repeated`);
    expect(':');
    out.set(key, value());
    space();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad("expected ',' or '}'");
  }
  if (text.slice(i).trim() !== '') bad('text after the dict');
  return out;
}

function kindOf(descr: string, at: Where): { kind: NpyKind; itemsize: number } {
  if (descr === '<f8') return { kind: 'f8', itemsize: 8 };
  if (descr === '<f4') return { kind: 'f4', itemsize: 4 };
  if (descr === '|u1' || descr === '<u1') return { kind: 'u1', itemsize: 1 };
  const u = /^<U([1-9][0-9]{0,8})$/.exec(descr);
  if (u) return { kind: 'U', itemsize: 4 * Number(u[1]) };
  if (descr === '>f8' || descr === '>f4') fail(at, `the array is big-endian ('${descr}'); save it little-endian, e.g. arr.astype('<f8')`);
  return fail(at, `dtype '${descr}' is not supported; weights must be float64 ('<f8') or float32 ('<f4'), e.g. arr.astype(np.float64)`);
}

/**
 * Parses a .npy file strictly: the magic, version 1.0/2.0/3.0, a header dict with exactly 'descr',
 * 'fortran_order' (False) and 'shape', a supported dtype, and exactly size·itemsize data bytes.
 * `part` names the array in messages (e.g. "W2.npy"), `file` the archive it came from. Throws ImportError; returns a view, copies nothing.
 */
export function parseNpy(bytes: Uint8Array, part: string, file?: string): NpyArray {
  const at: Where = { part, file };
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) {
    fail(at, 'is not a .npy array (it does not start with \\x93NUMPY); save it with np.save or np.savez');
  }
  const major = bytes[6], minor = bytes[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    fail(at, `.npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are); save it with numpy's np.save`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start: number, hlen: number;
  if (major === 1) {
    hlen = view.getUint16(8, true);
    start = 10;
  } else {
    if (bytes.length < 12) fail(at, 'is cut short inside its header; the file is truncated');
    hlen = view.getUint32(8, true);
    start = 12;
  }
  if (hlen > MAX_NPY_HEADER) fail(at, `header is ${hlen} bytes long, over numpy's limit of ${MAX_NPY_HEADER}; this is not an array numpy writes`);
  if (start + hlen > bytes.length) fail(at, 'is cut short inside its header; the file is truncated');
  let text = '';
  const raw = bytes.subarray(start, start + hlen);
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      fail(at, 'header is not valid UTF-8');
    }
  } else {
    for (let k = 0; k < raw.length; k++) text += String.fromCharCode(raw[k]);
  }
  if (!text.endsWith('\n')) fail(at, "header does not end with a newline, as numpy's do; the file is damaged");
  const dict = parseHeaderDict(text.slice(0, -1), at);
  for (const key of dict.keys()) {
    if (key !== 'descr' && key !== 'fortran_order' && key !== 'shape') fail(at, `header has an unknown key '${key}'; only 'descr', 'fortran_order' and 'shape' are allowed`);
  }
  const descr = dict.get('descr'), fortran = dict.get('fortran_order'), shape = dict.get('shape');
  if (typeof descr !== 'string') fail(at, "header has no 'descr' string (the dtype)");
  if (typeof fortran !== 'boolean') fail(at, "header has no 'fortran_order' True/False");
  if (!Array.isArray(shape)) fail(at, "header has no 'shape' tuple");
  if (fortran) fail(at, 'is stored in Fortran (column-major) order; save a C-ordered array, e.g. np.ascontiguousarray(arr)');
  const { kind, itemsize } = kindOf(descr as string, at);
  const dims = shape as number[];
  const size = dims.reduce((a, b) => a * b, 1);
  const body = bytes.length - (start + hlen);
  if (size * itemsize !== body) {
    const want = size * itemsize;
    fail(at, want > body
      ? `shape (${dims.join(', ')}) needs ${want} data bytes but only ${body} follow the header; the file is truncated`
      : `has ${body - want} bytes after the data for shape (${dims.join(', ')}); the file is damaged`);
  }
  return { descr: descr as string, kind, itemsize, shape: dims, size, data: bytes.subarray(start + hlen) };
}

/** The values of a float64 or float32 array as float64 (float32 widened exactly), in C order. */
export function npyFloats(a: NpyArray, part: string, file?: string): Float64Array {
  const at: Where = { part, file };
  if (a.kind !== 'f8' && a.kind !== 'f4') fail(at, `dtype '${a.descr}' is not a float; weights must be float64 ('<f8') or float32 ('<f4')`);
  const view = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const out = new Float64Array(a.size);
  if (a.kind === 'f8') for (let i = 0; i < a.size; i++) out[i] = view.getFloat64(8 * i, true);
  else for (let i = 0; i < a.size; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * The text of a 0-d or one-element unicode array ('<Un', trailing NULs stripped as numpy does), or of a
 * 1-d uint8 array holding UTF-8 bytes.
 */
export function npyText(a: NpyArray, part: string, file?: string): string {
  const at: Where = { part, file };
  if (a.kind === 'u1') {
    if (a.shape.length !== 1) fail(at, `a uint8 text array must be 1-d, got shape (${a.shape.join(', ')})`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(a.data);
    } catch {
      return fail(at, 'bytes are not valid UTF-8 text');
    }
  }
  if (a.kind !== 'U') fail(at, `dtype '${a.descr}' is not text; store the JSON as np.array(json_text) or as uint8 bytes`);
  if (a.size !== 1) fail(at, `holds ${a.size} strings; it must hold exactly one (a 0-d array, np.array(json_text))`);
  const view = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  let n = a.itemsize / 4;
  while (n > 0 && view.getUint32(4 * (n - 1), true) === 0) n--;
  const points: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = view.getUint32(4 * i, true);
    if (p > 0x10ffff || (p >= 0xd800 && p <= 0xdfff)) fail(at, `character ${i} (0x${p.toString(16)}) is not a Unicode code point`);
    points.push(p);
  }
  let s = '';
  for (let i = 0; i < points.length; i += 4096) s += String.fromCodePoint(...points.slice(i, i + 4096));
  return s;
}
