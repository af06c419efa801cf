// .npz weights: written for numpy's np.load, read back strictly; files numpy wrote; hostile archives.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_ARCHITECTURE, type LayerSpec } from '../../../engine/architecture';
import { resolveConfig } from '../../../engine/config';
import { ImportError } from '../../../engine/export/errors';
import { encodeNpyFloat64, encodeNpyText } from '../../../engine/export/npy';
import { readNpz, writeNpz } from '../../../engine/export/npz';
import { stringifyWeights } from '../../../engine/export/weights-json';
import { initLayers, type Params } from '../../../engine/init';
import { scaledError } from '../../helpers/engine';
import { enginePredictions, importErrorOf, moonsRows, numpyPython, tempDir, trainedReference } from './support';

const FIXTURES = new URL('../../fixtures/export/', import.meta.url);
const readFixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8'));

const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 4, activation: 'relu' },
  { input_dim: 4, output_dim: 3, activation: 'tanh' },
  { input_dim: 3, output_dim: 1, activation: 'sigmoid' },
];
const smallParams = (): Params => initLayers(SMALL, 3, 0.5);

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Offsets of the central-directory entries of a zip (for tests that make archives lie). */
function centralEntries(zip: Uint8Array): number[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  let at = v.getUint32(eocd + 16, true);
  const out: number[] = [];
  for (let k = 0; k < v.getUint16(eocd + 10, true); k++) {
    out.push(at);
    at += 46 + v.getUint16(at + 28, true) + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
  }
  return out;
}
const nameAt = (zip: Uint8Array, cd: number) => new TextDecoder().decode(zip.subarray(cd + 46, cd + 46 + new DataView(zip.buffer).getUint16(cd + 28, true)));

describe('npz export', () => {
  it('round-trips the parameters bit for bit, stored or deflated, with the architecture and config', () => {
    const params = smallParams();
    const config = resolveConfig({ architecture: SMALL });
    for (const compress of [false, true]) {
      const w = readNpz(writeNpz({ architecture: SMALL, params, config }, { compress }), { fileName: 'w.npz' });
      expect(w.format).toBe('npz');
      expect(w.architecture).toEqual(SMALL);
      expect(w.config).toEqual(config);
      expect(w.params.map((p) => [p.name, p.rows, p.cols])).toEqual(params.map((p) => [p.name, p.rows, p.cols]));
      w.params.forEach((p, i) => expect(sameBits(p.data, params[i].data)).toBe(true));
    }
  });

  it('reads from a view at any offset of a larger buffer (a Node Buffer from a pool)', () => {
    const npz = writeNpz({ architecture: SMALL, params: smallParams() }, { compress: true });
    const pooled = Buffer.concat([Buffer.alloc(5, 7), Buffer.from(npz), Buffer.alloc(3)]).subarray(5, 5 + npz.length);
    expect(pooled.byteOffset % 8).not.toBe(0);
    expect(readNpz(pooled).params[0].data).toEqual(smallParams()[0].data);
  });

  it('writes the same bytes for the same weights (fixed timestamps)', () => {
    const w = { architecture: SMALL, params: smallParams() };
    expect(Buffer.from(writeNpz(w)).equals(Buffer.from(writeNpz(w)))).toBe(true);
  });
});

describe('npz import of files numpy wrote (test/fixtures/export, make_npz.py)', () => {
  it('reads np.savez output bit for bit: W (out, in), b (out, 1), architecture as a 0-d unicode array', () => {
    const w = readNpz(readFixture('numpy-savez.npz'), { fileName: 'numpy-savez.npz' });
    expect(w.architecture).toEqual(expected.architecture);
    for (const p of w.params) expect(sameBits(p.data, Float64Array.from(expected.params[p.name]))).toBe(true);
  });

  it('reads np.savez_compressed output with 1-d biases, a float32 W2 and the architecture as UTF-8 bytes', () => {
    const w = readNpz(readFixture('numpy-savez-compressed.npz'));
    expect(w.architecture).toEqual(expected.architecture);
    const byName = new Map(w.params.map((p) => [p.name, p]));
    expect(sameBits(byName.get('W2')!.data, Float64Array.from(expected.W2_float32))).toBe(true);
    expect(byName.get('b1')).toMatchObject({ rows: 4, cols: 1 });
    for (const name of ['W1', 'b1', 'W3', 'b3']) expect(sameBits(byName.get(name)!.data, Float64Array.from(expected.params[name]))).toBe(true);
  });

  it("reads the notebook's bare params_values when the architecture is given, and says what is missing when not", () => {
    const bytes = readFixture('numpy-params-only.npz');
    expect(readNpz(bytes, { architecture: expected.architecture }).params).toHaveLength(6);
    const e = importErrorOf(() => readNpz(bytes, { fileName: 'p.npz' }));
    expect(e.part).toBe('architecture');
    expect(e.message).toMatch(/has no architecture\.npy.*architecture=json\.dumps/);
  });
});

describe('npz import refuses hostile or wrong files with an ImportError and returns nothing', () => {
  const w = { architecture: SMALL, params: smallParams() };
  const entries = (extra: Record<string, Uint8Array> = {}, drop: string[] = []) => {
    const files: Record<string, Uint8Array> = {};
    for (const p of w.params) files[`${p.name}.npy`] = encodeNpyFloat64(p.data, [p.rows, p.cols]);
    files['architecture.npy'] = encodeNpyText(JSON.stringify(SMALL));
    for (const d of drop) delete files[d];
    return zipSync({ ...files, ...extra }, { level: 0 });
  };
  const cases: Array<[string, () => Uint8Array, string, RegExp]> = [
    ['a path in an entry name', () => entries({ '../W1.npy': new Uint8Array(1) }), '../W1.npy', /not allowed.*no folders/],
    ['a folder entry', () => entries({ 'sub/W1.npy': new Uint8Array(1) }), 'sub/W1.npy', /not allowed/],
    ['a pickle entry', () => entries({ 'evil.pkl': new Uint8Array(1) }), 'evil.pkl', /not allowed/],
    ['a parameter the network lacks', () => entries({ 'W9.npy': encodeNpyFloat64(new Float64Array(1), [1, 1]) }), 'W9.npy', /not a parameter of this 3-layer network/],
    ['a missing parameter', () => entries({}, ['b2.npy']), 'b2.npy', /b2\.npy is missing; layer 2 \(4 → 3\) needs b2/],
    ['a wrong shape', () => entries({ 'W2.npy': encodeNpyFloat64(new Float64Array(12), [4, 3]) }), 'W2.npy', /shape \(4, 3\) but layer 2 \(4 → 3\) needs \(3, 4\)/],
    ['a NaN weight', () => entries({ 'W1.npy': encodeNpyFloat64(Float64Array.from([0, 0, 0, NaN, 0, 0, 0, 0]), [4, 2]) }), 'W1.npy', /W1\.npy\[1, 1\] is NaN/],
    ['an invalid architecture', () => entries({ 'architecture.npy': encodeNpyText('[{"input_dim": 2, "output_dim": 4, "activation": "swish"}]') }), 'architecture', /unknown activation "swish"/],
    ['__proto__ in the architecture', () => entries({ 'architecture.npy': encodeNpyText('[{"__proto__": {"x": 1}}]') }), 'architecture', /key named "__proto__"/],
    ['an architecture that is not JSON', () => entries({ 'architecture.npy': encodeNpyText('[{oops') }), 'architecture', /not valid JSON/],
    ['a JSON file named .npz', () => new TextEncoder().encode('{"architecture": []}'), 'zip', /not a zip archive/],
  ];
  it.each(cases)('%s', (_, make, part, message) => {
    const e = importErrorOf(() => readNpz(make(), { fileName: 'bad.npz' }));
    expect(e).toBeInstanceOf(ImportError);
    expect(e.part).toBe(part);
    expect(e.message).toMatch(/^bad\.npz/);
    expect(e.message).toMatch(message);
  });

  it('refuses a file over the size cap before reading it', () => {
    const e = importErrorOf(() => readNpz(entries(), { limits: { maxFileBytes: 1000 } }));
    expect(e.message).toMatch(/over the import limit of 1000 bytes/);
  });

  it('refuses an entry whose declared size is over the cap, from the central directory alone', () => {
    const e = importErrorOf(() => readNpz(entries(), { limits: { maxEntryBytes: 100 } }));
    expect(e.message).toMatch(/would inflate to .* over the limit of 100 bytes/);
  });

  it('refuses an entry larger than its layer can need (an honest zip bomb) without inflating it', () => {
    const bomb = zipSync({ 'W1.npy': new Uint8Array(32 << 20), 'architecture.npy': encodeNpyText(JSON.stringify(SMALL)) }, { level: 1 });
    expect(bomb.length).toBeLessThan(1 << 20);
    const e = importErrorOf(() => readNpz(bomb));
    expect(e.part).toBe('W1.npy');
    expect(e.message).toMatch(/more than a 8-value array of layer 1 can take/);
  });

  it('stops inflating a zip bomb whose headers lie about its size, at the declared size', () => {
    // 32 MiB of zeros deflate to a few hundred KiB; the headers claim 200 bytes
    const bomb = zipSync({ 'W1.npy': new Uint8Array(32 << 20), 'architecture.npy': encodeNpyText(JSON.stringify(SMALL)) }, { level: 1 });
    const v = new DataView(bomb.buffer);
    for (const cd of centralEntries(bomb)) {
      if (nameAt(bomb, cd) !== 'W1.npy') continue;
      v.setUint32(cd + 24, 200, true);
      v.setUint32(v.getUint32(cd + 42, true) + 22, 200, true); // the local header's copy
    }
    // the output buffer is the declared 200 bytes; the first chunk that would overflow it ends the import
    const e = importErrorOf(() => readNpz(bomb));
    expect(e.part).toBe('W1.npy');
    expect(e.message).toMatch(/inflates to more than its declared 200 bytes/);
  });

  it('refuses overlapping entries, a zip-bomb technique', () => {
    const zip = zipSync({ 'W1.npy': encodeNpyFloat64(new Float64Array(8), [4, 2]), 'b1.npy': encodeNpyFloat64(new Float64Array(4), [4, 1]) }, { level: 6 });
    const v = new DataView(zip.buffer);
    const [first] = centralEntries(zip);
    v.setUint32(first + 20, v.getUint32(first + 20, true) + 40, true); // its data now runs into the next entry
    const e = importErrorOf(() => readNpz(zip, { architecture: SMALL }));
    expect(e.message).toMatch(/overlap/);
  });

  it('refuses a damaged entry by its CRC-32', () => {
    const zip = entries();
    const v = new DataView(zip.buffer);
    const cd = centralEntries(zip).find((c) => nameAt(zip, c) === 'W1.npy')!;
    const local = v.getUint32(cd + 42, true);
    const dataStart = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    zip[dataStart + 130] ^= 0x01; // one bit of a weight, past the 128-byte .npy header
    const e = importErrorOf(() => readNpz(zip, { fileName: 'bad.npz' }));
    expect(e.part).toBe('W1.npy');
    expect(e.message).toBe('bad.npz: entry W1.npy fails its CRC-32 check; the file is damaged');
  });

  it('refuses too many entries from the end record', () => {
    const files: Record<string, Uint8Array> = {};
    for (let k = 1; k <= 20; k++) files[`W${k}.npy`] = new Uint8Array(0);
    expect(importErrorOf(() => readNpz(zipSync(files), { limits: { maxEntries: 10 } })).message).toMatch(/holds 20 entries; a weights file holds at most 10/);
  });
});

// ------------------------------------------------------------------ with real numpy

if (!numpyPython) console.warn('npz.test: no /usr/bin/python3 with numpy (apt-get install python3-numpy python3-sklearn); the live np.load checks are skipped, the committed numpy fixtures above still ran');

describe.runIf(numpyPython)('npz opened by numpy itself', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir()));
  afterAll(() => tmp?.cleanup());

  it('np.load (allow_pickle=False) gives float64 C-ordered W (out, in) and b (out, 1) equal bit for bit to the JSON export, and its forward pass gives the engine predictions', async () => {
    const { config, trainer } = await trainedReference(300);
    const params = trainer.params();
    const npz = tmp.write('w.npz', writeNpz({ architecture: config.architecture, params, config }));
    const json = tmp.write('w.json', stringifyWeights({ architecture: config.architecture, params, config }));
    const rows = moonsRows();
    const X = tmp.write('X.json', JSON.stringify(rows));
    const script = `
import json, sys
import numpy as np
z = np.load(sys.argv[1], allow_pickle=False)
doc = json.load(open(sys.argv[2]))
arch = json.loads(str(z["architecture"]))
assert arch == doc["architecture"], "architecture differs"
assert json.loads(str(z["config"]))["training"]["epochs"] == 300
report = {}
for i in range(1, len(arch) + 1):
    for k in ("W%d" % i, "b%d" % i):
        a = z[k]
        j = np.array(doc["params"][k], dtype=np.float64)
        assert a.dtype == np.dtype("<f8") and a.flags["C_CONTIGUOUS"], (k, a.dtype)
        assert a.shape == j.shape, (k, a.shape, j.shape)
        assert a.tobytes() == j.tobytes(), k + " differs from the JSON export"
        report[k] = list(a.shape)
# the notebook's forward pass on the samples (one per column)
def act(Z, name):
    return {"relu": lambda: np.maximum(0, Z), "sigmoid": lambda: 1 / (1 + np.exp(-Z)), "tanh": lambda: np.tanh(Z),
            "leaky_relu": lambda: np.where(Z > 0, Z, 0.01 * Z), "linear": lambda: Z}[name]()
A = np.array(json.load(open(sys.argv[3]))).T
for i, layer in enumerate(arch, 1):
    A = act(np.dot(z["W%d" % i], A) + z["b%d" % i], layer["activation"])
print(json.dumps({"shapes": report, "yhat": [repr(v) for v in A.T.reshape(-1)]}))
`;
    const out = JSON.parse(execFileSync(numpyPython!, ['-c', script, npz, json, X], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    expect(out.shapes).toEqual({ W1: [25, 2], b1: [25, 1], W2: [50, 25], b2: [50, 1], W3: [50, 50], b3: [50, 1], W4: [25, 50], b4: [25, 1], W5: [1, 25], b5: [1, 1] });
    const numpyYhat = Float64Array.from(out.yhat.map(Number));
    const engine = enginePredictions(trainer, rows);
    expect(numpyYhat.length).toBe(rows.length);
    expect(scaledError(engine, numpyYhat)).toBeLessThan(1e-12);
    trainer.free();
  });

  it('our reader takes what np.savez and np.savez_compressed write right now', () => {
    const arch = SEED_ARCHITECTURE.map((l) => ({ ...l }));
    const script = `
import json, sys
import numpy as np
arch = json.loads(sys.argv[1])
np.random.seed(5)
p = {}
for i, l in enumerate(arch, 1):
    p["W%d" % i] = np.random.randn(l["output_dim"], l["input_dim"])
    p["b%d" % i] = np.random.randn(l["output_dim"], 1)
np.savez(sys.argv[2] + "/live.npz", **p, architecture=json.dumps(arch))
np.savez_compressed(sys.argv[2] + "/live_c.npz", **p, architecture=json.dumps(arch))
print(json.dumps({k: [repr(x) for x in v.reshape(-1)] for k, v in p.items()}))
`;
    const values = JSON.parse(execFileSync(numpyPython!, ['-c', script, JSON.stringify(arch), tmp.dir], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    for (const f of ['live.npz', 'live_c.npz']) {
      const w = readNpz(new Uint8Array(readFileSync(`${tmp.dir}/${f}`)), { fileName: f });
      expect(w.architecture).toEqual(arch);
      for (const p of w.params) expect(sameBits(p.data, Float64Array.from(values[p.name].map(Number)))).toBe(true);
    }
  });
});
