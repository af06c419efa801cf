// The .npy writer and the strict header reader.

import { describe, expect, it } from 'vitest';
import { ImportError } from '../../../engine/export/errors';
import { encodeNpyFloat64, encodeNpyText, npyFloats, npyText, parseNpy } from '../../../engine/export/npy';
import { importErrorOf } from './support';

/** A .npy file with the given header dict text (v1.0) and data. */
function npy(dict: string, data: Uint8Array = new Uint8Array(0), major = 1, newline = true): Uint8Array {
  const text = dict + (newline ? '\n' : ' ');
  const pre = major === 1 ? 10 : 12;
  const out = new Uint8Array(pre + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const v = new DataView(out.buffer);
  if (major === 1) v.setUint16(8, text.length, true);
  else v.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[pre + i] = text.charCodeAt(i);
  out.set(data, pre + text.length);
  return out;
}

const f8 = (...xs: number[]) => new Uint8Array(Float64Array.from(xs).buffer);

describe('npy', () => {
  it('writes float64 arrays that it reads back bit for bit, with the 64-byte aligned header numpy writes', () => {
    const data = Float64Array.from([0.1, -2.5e-300, 1 / 3, -0, 7, 1e300]);
    const bytes = encodeNpyFloat64(data, [2, 3]);
    const hlen = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + hlen) % 64).toBe(0);
    const a = parseNpy(bytes, 'x.npy');
    expect(a).toMatchObject({ descr: '<f8', shape: [2, 3], size: 6 });
    const back = npyFloats(a, 'x.npy');
    expect(Array.from(new Uint8Array(back.buffer))).toEqual(Array.from(new Uint8Array(data.buffer)));
  });

  it('writes text as a 0-d unicode array and reads it back, astral characters included', () => {
    const text = '[{"activation": "relu"}] — ünïcode 𝛼';
    const a = parseNpy(encodeNpyText(text), 'a.npy');
    expect(a.shape).toEqual([]);
    expect(a.descr).toMatch(/^<U\d+$/);
    expect(npyText(a, 'a.npy')).toBe(text);
  });

  it('accepts versions 2.0 and 3.0, float32, and the 1-d shape spelling (3,)', () => {
    expect(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8(1, 2), 2), 'v2').shape).toEqual([2]);
    expect(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8(1), 3), 'v3').size).toBe(1);
    const a = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", new Uint8Array(Float32Array.from([0.1]).buffer)), 'f4');
    expect(npyFloats(a, 'f4')[0]).toBe(Math.fround(0.1));
  });

  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['not .npy at all', new TextEncoder().encode('hello world, not numpy'), /does not start with \\x93NUMPY/],
    ['version 4.0', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", f8(1), 4), /version 4\.0 is not supported/],
    ['Fortran order', npy("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", f8(1)), /Fortran/],
    ['big-endian', npy("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", f8(1)), /big-endian/],
    ['an object array (pickle)', npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", f8(1)), /dtype '\|O' is not supported/],
    ['int64', npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", f8(1)), /dtype '<i8'/],
    ['an unknown key', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }", f8(1)), /not a dict numpy writes|unknown key/],
    ['a missing shape', npy("{'descr': '<f8', 'fortran_order': False, }", f8(1)), /no 'shape'/],
    ['a repeated key', npy("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8(1)), /repeated/],
    ['Python code in the header', npy("{'descr': __import__('os'), 'fortran_order': False, 'shape': (1,), }", f8(1)), /not a dict numpy writes/],
    ['(3) without its comma', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1), }", f8(1)), /trailing comma/],
    ['truncated data', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", f8(1, 2, 3)), /truncated/],
    ['extra data', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8(1, 2)), /after the data/],
    ['a header without its final newline', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8(1), 1, false), /does not end with a newline/],
    ['an empty file', new Uint8Array(0), /does not start with/],
  ];
  it.each(bad)('refuses %s with an ImportError that names the part', (_, bytes, message) => {
    const e = importErrorOf(() => parseNpy(bytes, 'W1.npy', 'w.npz'));
    expect(e).toBeInstanceOf(ImportError);
    expect(e.part).toBe('W1.npy');
    expect(e.message).toMatch(/^w\.npz: W1\.npy: /);
    expect(e.message).toMatch(message);
  });

  it('refuses a header over numpy’s 10000-byte limit before parsing it', () => {
    const e = importErrorOf(() => parseNpy(npy(`{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }${' '.repeat(20_000)}`, f8(1)), 'W1.npy'));
    expect(e.message).toMatch(/over numpy's limit of 10000/);
  });
});
