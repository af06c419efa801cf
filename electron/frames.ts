// Binary frames: a message whose long numeric arrays travel as raw typed-array bytes instead of JSON numbers, so
// a 132,609-weight snapshot costs the page a memcpy-sized decode rather than a JSON parse with a reviver.
//   frame = "BPL1" · u32 header bytes · header (UTF-8 JSON) · padding to 8 · chunk · padding · chunk · …
//   header = {"c": [[dtype, byteOffset, length], …], "m": message}, each packed array in m replaced by {"$ta": i}
// Generic over the message's shape (no field list): every array of PACK_MIN_LENGTH or more numbers, and every
// typed array, is packed wherever it sits; a number[] arrives as a Float64Array (bit for bit, NaN, ±Infinity and
// −0 included), a typed array as the same kind. Everything else — and non-finite numbers in it, as {"$nf": …} —
// stays JSON. The same packing (packNumbers) makes an event cheap to structured-clone over Electron IPC, so both
// bridges hand the page the same shapes. Pure TypeScript: no Node, no DOM.

/** An array this long or longer, all numbers, is packed; shorter ones (tuples, small rows) stay plain arrays. */
export const PACK_MIN_LENGTH = 64;

/** What a packed array may arrive as. */
export type PackedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

const DTYPES = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u16: Uint16Array,
  i8: Int8Array,
  u8: Uint8Array,
} as const;
type Dtype = keyof typeof DTYPES;

const MAGIC = [0x42, 0x50, 0x4c, 0x31]; // "BPL1"
const align8 = (n: number) => (n + 7) & ~7;

function dtypeOf(v: unknown): Dtype | null {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return null;
  for (const [name, ctor] of Object.entries(DTYPES)) if (v.constructor === ctor) return name as Dtype;
  return null; // Uint8ClampedArray, BigInt arrays: left to JSON (none in the contract)
}

/** True for an array of at least PACK_MIN_LENGTH values that are all numbers. */
function isLongNumberArray(v: unknown): v is number[] {
  if (!Array.isArray(v) || v.length < PACK_MIN_LENGTH) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return false;
  return true;
}

/**
 * A copy of `value` with every long number[] turned into a Float64Array (typed arrays are kept as they are):
 * what the IPC bridge sends, so Electron's structured clone copies bytes instead of walking numbers. Objects
 * that hold nothing to pack are returned as they are, not copied.
 */
export function packNumbers<T>(value: T): T {
  return pack(value) as T;
}

function pack(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return v;
  if (isLongNumberArray(v)) return Float64Array.from(v);
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const p = pack(v[i]);
      if (p !== v[i]) (out ??= v.slice())[i] = p;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | null = null;
  for (const [k, x] of Object.entries(v)) {
    const p = pack(x);
    if (p !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = p;
  }
  return out ?? v;
}

/**
 * Encodes a message: the JSON text (exactly as transport.ts's encodeMessage writes it) when it holds nothing to
 * pack, else a binary frame. NaN and ±Infinity outside the packed arrays are written as {"$nf": …}, as in text.
 */
export function encodeFrame(message: unknown): string | Uint8Array {
  const chunks: Array<{ dtype: Dtype; src: ArrayLike<number> | PackedArray }> = [];
  const json = JSON.stringify(message, (_key, v: unknown) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $nf: String(v) };
    if (v === null || typeof v !== 'object') return v;
    const dtype = dtypeOf(v);
    if (dtype) {
      chunks.push({ dtype, src: v as PackedArray });
      return { $ta: chunks.length - 1 };
    }
    if (isLongNumberArray(v)) {
      chunks.push({ dtype: 'f64', src: v });
      return { $ta: chunks.length - 1 };
    }
    return v;
  });
  if (chunks.length === 0) return json;

  // lay the chunks out after the header, each 8-byte aligned so the receiver can view them in place
  const table: Array<[Dtype, number, number]> = [];
  let headerBytes: Uint8Array;
  // the table's offsets depend on the header's length, which depends on the offsets' digits: both only grow, so
  // this settles (in two or three rounds)
  let start = 0;
  for (;;) {
    table.length = 0;
    let off = start;
    for (const c of chunks) {
      off = align8(off);
      table.push([c.dtype, off, c.src.length]);
      off += c.src.length * DTYPES[c.dtype].BYTES_PER_ELEMENT;
    }
    headerBytes = new TextEncoder().encode(`{"c":${JSON.stringify(table)},"m":${json}}`);
    const need = align8(8 + headerBytes.length);
    if (need === start) break;
    start = need;
  }
  const last = table[table.length - 1]!;
  const total = last[1] + last[2] * DTYPES[last[0]].BYTES_PER_ELEMENT;
  const frame = new Uint8Array(total);
  frame.set(MAGIC, 0);
  new DataView(frame.buffer).setUint32(4, headerBytes.length, true);
  frame.set(headerBytes, 8);
  chunks.forEach((c, i) => {
    const [dtype, off, length] = table[i]!;
    const Ctor = DTYPES[dtype];
    if (ArrayBuffer.isView(c.src)) frame.set(new Uint8Array(c.src.buffer, c.src.byteOffset, c.src.byteLength), off);
    else new Ctor(frame.buffer, off, length).set(c.src as number[]);
  });
  return frame;
}

/** True when `data` starts like a binary frame. */
export function isFrame(data: Uint8Array): boolean {
  return data.length >= 8 && MAGIC.every((b, i) => data[i] === b);
}

/**
 * Decodes a binary frame back to the message, packed arrays as typed-array views over one buffer; null when the
 * bytes are not a well-formed frame. `revive` is the text encoding's reviver for {"$nf": …}.
 */
export function decodeFrame(data: Uint8Array, revive: (key: string, v: unknown) => unknown): unknown {
  if (!isFrame(data)) return null;
  // views need their element alignment: copy a frame that does not start on an 8-byte boundary (a Node Buffer
  // slice of a pooled allocation, say)
  const bytes = data.byteOffset % 8 === 0 ? data : data.slice();
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) return null;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    return null;
  }
  if (header === null || typeof header !== 'object' || !Array.isArray((header as { c?: unknown }).c)) return null;
  const views: PackedArray[] = [];
  for (const entry of (header as { c: unknown[] }).c) {
    if (!Array.isArray(entry) || entry.length !== 3) return null;
    const [dtype, off, length] = entry as [unknown, unknown, unknown];
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPES, dtype) || !Number.isSafeInteger(off) || !Number.isSafeInteger(length)) return null;
    const Ctor = DTYPES[dtype as Dtype];
    const o = off as number, n = length as number;
    if (o < 8 + headerLength || n < 0 || o % Ctor.BYTES_PER_ELEMENT !== 0 || o + n * Ctor.BYTES_PER_ELEMENT > bytes.length) return null;
    views.push(new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + o, n));
  }
  // a second walk of the (small) header: placeholders become their views, {"$nf"} its number
  let broken = false;
  const restore = (key: string, v: unknown): unknown => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o['$ta'] === 'number' && Object.keys(o).length === 1) {
        const view = views[o['$ta']];
        if (!view) broken = true;
        return view;
      }
    }
    return revive(key, v);
  };
  const m = reviveTree((header as { m?: unknown }).m, restore);
  return broken ? null : m;
}

/** JSON.parse's reviver applied to an already parsed tree (children first, as JSON.parse does). */
function reviveTree(v: unknown, reviver: (key: string, v: unknown) => unknown, key = ''): unknown {
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = reviveTree(v[i], reviver, String(i));
    else for (const k of Object.keys(v)) (v as Record<string, unknown>)[k] = reviveTree((v as Record<string, unknown>)[k], reviver, k);
  }
  return reviver(key, v);
}
