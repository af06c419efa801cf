// A strict, in-memory reader for the zip container of an untrusted .npz. The container (end record,
// central directory, local headers) is parsed here with bounds checks on every read, because fflate's
// own unzip trusts the headers: its streaming Unzip loops forever on a local header that claims zip64
// sizes without the zip64 extra field (checked with fflate 0.8.2), and unzipSync sizes its output from
// the declared size. The DEFLATE data itself is fflate's streaming Inflate, fed in small chunks under a
// hard output cap; every entry's size and CRC-32 are verified.

import { Inflate } from 'fflate';
import { ImportError, formatBytes } from './errors';

/** One file inside the zip, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  /** The inflated size the directory declares (checked against the real one while inflating). */
  size: number;
  /** Offset of the entry's data in the archive. */
  dataStart: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zip uses), continued from `crc` (0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export interface ZipListOptions {
  /** The archive's name for messages. */
  file: string;
  maxEntries: number;
  maxTotalBytes: number;
  /** null when the name is acceptable, else why not (with the fix). */
  checkName: (name: string) => string | null;
  /** The largest inflated size allowed for an entry of this (accepted) name. */
  maxEntryBytes: (name: string) => number;
}

/** Reads and checks the central directory and every local header; inflates nothing. */
export function listZip(bytes: Uint8Array, o: ZipListOptions): ZipEntry[] {
  const { file } = o;
  const fail = (problem: string, part = 'zip'): never => {
    throw new ImportError(part, `${file}: ${problem}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  const u16 = (at: number) => (at + 2 <= len ? view.getUint16(at, true) : fail('the zip is cut short; the file is truncated'));
  const u32 = (at: number) => (at + 4 <= len ? view.getUint32(at, true) : fail('the zip is cut short; the file is truncated'));

  // the end-of-central-directory record: 22 bytes plus a comment of up to 65535 bytes, at the very end
  let eocd = -1;
  for (let at = len - 22; at >= 0 && at >= len - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === 0x06054b50 && at + 22 + view.getUint16(at + 20, true) === len) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end-of-central-directory record); a .npz is a zip written by np.savez — the file may be truncated');
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== u16(eocd + 10)) fail('a multi-part zip archive, which is not supported; save it as one file with np.savez');
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) fail('a zip64 archive (over 4 GiB or 65535 files), which a weights file never needs');
  if (count > o.maxEntries) fail(`the archive holds ${count} entries; a weights file holds at most ${o.maxEntries}`);
  if (cdOffset + cdSize > eocd) fail('the central directory runs past its end record; the file is damaged');

  const entries: ZipEntry[] = [];
  const spans: Array<[number, number, string]> = [];
  const names = new Set<string>();
  let total = 0;
  let at = cdOffset;
  for (let k = 0; k < count; k++) {
    if (at + 46 > cdOffset + cdSize || u32(at) !== 0x02014b50) fail(`central directory entry ${k + 1} is damaged`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    const csize = u32(at + 20);
    const usize = u32(at + 24);
    const nlen = u16(at + 28), xlen = u16(at + 30), clen = u16(at + 32);
    const local = u32(at + 42);
    if (at + 46 + nlen + xlen + clen > cdOffset + cdSize) fail(`central directory entry ${k + 1} runs past the directory; the file is damaged`);
    const nameBytes = bytes.subarray(at + 46, at + 46 + nlen);
    let name = '';
    for (const b of nameBytes) {
      if (b < 0x20 || b > 0x7e) {
        name = '';
        break;
      }
      name += String.fromCharCode(b);
    }
    if (!name) fail(`entry ${k + 1} has an empty or non-ASCII name; a weights .npz holds only W1.npy, b1.npy, … and architecture.npy`);
    const why = o.checkName(name);
    if (why) fail(`entry ${JSON.stringify(name)} is not allowed: ${why}`, name);
    if (names.has(name)) fail(`entry ${JSON.stringify(name)} appears twice; a weights .npz holds each array once`, name);
    names.add(name);
    if (flags & 0x41) fail(`entry ${name} is encrypted; save the weights without a password`, name);
    if (method !== 0 && method !== 8) fail(`entry ${name} uses compression method ${method}; only stored and deflated (np.savez, np.savez_compressed) are supported`, name);
    if (usize === 0xffffffff || csize === 0xffffffff || local === 0xffffffff) fail(`entry ${name} uses zip64 sizes, which a weights file never needs`, name);
    if (u16(at + 34) !== 0) fail(`entry ${name} is on another disk of a multi-part zip`, name);
    const cap = o.maxEntryBytes(name);
    if (usize > cap) fail(`entry ${name} would inflate to ${formatBytes(usize)}, over the limit of ${formatBytes(cap)} for it; this is not a weights file of this network (or a zip bomb)`, name);
    total += usize;
    if (total > o.maxTotalBytes) fail(`the entries would inflate to more than ${formatBytes(o.maxTotalBytes)} together; this is too large for a weights file (or a zip bomb)`);
    if (method === 0 && csize !== usize) fail(`entry ${name} is stored uncompressed but its two sizes differ (${csize} and ${usize}); the file is damaged`, name);

    // the local header repeats the name and method; the data follows its name and extra field
    if (local + 30 > cdOffset || u32(local) !== 0x04034b50) fail(`the local header of entry ${name} is missing or damaged`, name);
    if (u16(local + 8) !== method) fail(`entry ${name} has different compression methods in its two headers; the file is damaged`, name);
    const lnlen = u16(local + 26), lxlen = u16(local + 28);
    if (lnlen !== nlen || bytes.subarray(local + 30, local + 30 + lnlen).some((b, i) => b !== nameBytes[i])) {
      fail(`entry ${name} has a different name in its local header; the file is damaged`, name);
    }
    const dataStart = local + 30 + lnlen + lxlen;
    if (dataStart + csize > cdOffset) fail(`the data of entry ${name} runs into the central directory; the file is truncated or damaged`, name);
    spans.push([local, dataStart + csize, name]);
    entries.push({ name, method: method as 0 | 8, crc32: crc, compressedSize: csize, size: usize, dataStart });
    at += 46 + nlen + xlen + clen;
  }
  // entries that share bytes are a zip-bomb technique; a real archive never overlaps them
  spans.sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < spans.length; k++) {
    if (spans[k][0] < spans[k - 1][1]) fail(`entries ${spans[k - 1][2]} and ${spans[k][2]} overlap; the file is damaged (or a zip bomb)`);
  }
  return entries;
}

/** Compressed bytes fed to the inflater at a time: one push yields at most ~1032× this (DEFLATE's limit). */
const CHUNK = 16 * 1024;

/**
 * An entry's bytes. Deflated data is inflated in chunks and refused the moment it outgrows the declared
 * size, so a header that lies cannot make it allocate more; the result must then have exactly that size
 * and CRC-32.
 */
export function readZipEntry(bytes: Uint8Array, e: ZipEntry, file: string): Uint8Array {
  const fail = (problem: string): never => {
    throw new ImportError(e.name, `${file}: entry ${e.name} ${problem}`);
  };
  const src = bytes.subarray(e.dataStart, e.dataStart + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) {
    out = src;
  } else {
    out = new Uint8Array(e.size);
    let n = 0;
    let ended = false;
    let over = false;
    const inflater = new Inflate((chunk: Uint8Array, final: boolean) => {
      if (n + chunk.length > e.size) {
        over = true;
        return;
      }
      out.set(chunk, n);
      n += chunk.length;
      if (final) ended = true;
    });
    try {
      for (let at = 0; at < src.length && !over; at += CHUNK) {
        const end = Math.min(at + CHUNK, src.length);
        inflater.push(src.subarray(at, end), end === src.length);
      }
      if (src.length === 0) inflater.push(new Uint8Array(0), true);
    } catch (err) {
      if (over) fail(`inflates to more than its declared ${formatBytes(e.size)}; the file is damaged (or a zip bomb)`);
      fail(`has damaged compressed data (${(err as Error).message}); the file is truncated or corrupt`);
    }
    if (over) fail(`inflates to more than its declared ${formatBytes(e.size)}; the file is damaged (or a zip bomb)`);
    if (!ended || n !== e.size) fail(`inflates to ${formatBytes(n)} but declares ${formatBytes(e.size)}; the file is truncated or damaged`);
  }
  if (crc32(out) !== e.crc32) fail('fails its CRC-32 check; the file is damaged');
  return out;
}
