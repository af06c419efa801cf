// Parameters ↔ one blob: every matrix's float64 values back to back, little-endian, in the notebook's order
// (W1, b1, W2, b2, …), with [{ name, rows, cols }] as JSON beside it. Reading gives the same bits back.

import type { Params } from '../../engine/init';
import { StoreError, show } from './errors';

export interface ParamShape {
  name: string;
  rows: number;
  cols: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Checks the parameters and packs them; throws StoreError INVALID naming the bad matrix. */
export function encodeParams(params: Params, where: string): { shapes: string; data: Buffer } {
  if (!Array.isArray(params) || params.length === 0) throw new StoreError('INVALID', `${where}: params must be a non-empty array of { name, rows, cols, data: Float64Array }, got ${show(params)}`);
  const shapes: ParamShape[] = [];
  let total = 0;
  params.forEach((p, i) => {
    const bad = (what: string) => new StoreError('INVALID', `${where}: params[${i}]${p && typeof p.name === 'string' ? ` (${p.name})` : ''} ${what}`);
    if (!p || typeof p !== 'object') throw bad(`must be { name, rows, cols, data }, got ${show(p)}`);
    if (typeof p.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(p.name)) throw bad(`name must be like W1 or b1, got ${show(p.name)}`);
    if (!Number.isSafeInteger(p.rows) || p.rows < 1 || !Number.isSafeInteger(p.cols) || p.cols < 1) throw bad(`rows and cols must be integers ≥ 1, got ${show(p.rows)}×${show(p.cols)}`);
    if (!(p.data instanceof Float64Array)) throw bad(`data must be a Float64Array, got ${show(p.data)}`);
    if (p.data.length !== p.rows * p.cols) throw bad(`has ${p.data.length} values but is ${p.rows}×${p.cols} = ${p.rows * p.cols}`);
    shapes.push({ name: p.name, rows: p.rows, cols: p.cols });
    total += p.data.length;
  });
  const out = new Float64Array(total);
  let at = 0;
  for (const p of params) {
    out.set(p.data, at);
    at += p.data.length;
  }
  const data = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  if (!LITTLE_ENDIAN) data.swap64();
  return { shapes: JSON.stringify(shapes), data };
}

/** The parameters a row holds; fresh, aligned Float64Arrays (the blob's buffer may not be 8-byte aligned). */
export function decodeParams(shapesJson: string, blob: Uint8Array): Params {
  const shapes = JSON.parse(shapesJson) as ParamShape[];
  const bytes = new Uint8Array(blob.byteLength);
  bytes.set(blob);
  if (!LITTLE_ENDIAN) Buffer.from(bytes.buffer).swap64();
  const all = new Float64Array(bytes.buffer);
  const total = shapes.reduce((a, s) => a + s.rows * s.cols, 0);
  if (total !== all.length) throw new StoreError('CORRUPT', `stored weights hold ${all.length} values but their shapes need ${total}`);
  let at = 0;
  return shapes.map((s) => {
    const n = s.rows * s.cols;
    const data = all.slice(at, at + n);
    at += n;
    return { name: s.name, rows: s.rows, cols: s.cols, data };
  });
}
