// Binary frames (electron/frames.ts) and how the transport uses them: long numeric arrays cross as typed arrays
// bit for bit wherever they sit in an event (nested, optional, unknown to the codec), everything else as JSON;
// a run's snapshots are coalesced per connection (latest wins) while metrics never are; the IPC bridge hands the
// page the same shapes. Real core and trainer for the end-to-end check, over the in-memory transport.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventName, LayerSpec, Result, RunSnapshotEvent } from '../../electron/contract';
import { createService } from '../../electron/service';
import { decodeFrame, encodeFrame, isFrame, PACK_MIN_LENGTH, packNumbers } from '../../electron/frames';
import { wireIpc, type IpcMainLike, type WebContentsLike } from '../../electron/main-wiring';
import { openStore } from '../../electron/store/index';
import { createClient, createMemoryTransport, decodeMessage, encodeMessage, memoryConnectionPair, serveConnection, withLastWeights, type ServiceEndpoint } from '../../electron/transport';
import { SNAPSHOT_WEIGHTS_INTERVAL_MS, SNAPSHOT_WEIGHTS_LIGHT_PARAMS } from '../../electron/limits';

/** Same bits: NaN is NaN, and −0 is not +0. */
const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
};

const roundTrip = (m: unknown) => {
  const f = encodeFrame(m);
  return decodeMessage(f);
};

/**
 * Trains a run on 100 moons samples through a real core (snapshots every 20 ms) and the in-memory transport, and
 * returns the snapshots the host sent and those the client received, once the client has the last one.
 */
async function observeRun(architecture: LayerSpec[], epochs: number): Promise<{ hostSide: RunSnapshotEvent[]; pageSide: RunSnapshotEvent[]; wallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bpl-frames-'));
  const store = openStore({ path: join(dir, 'runs.db') });
  const service = createService({ store, host: 'browser', version: 't', trainer: { snapshotIntervalMs: 20 } });
  try {
    const hostSide: RunSnapshotEvent[] = [];
    service.subscribe((e, p) => e === 'run.snapshot' && hostSide.push(p as RunSnapshotEvent));
    const client = createMemoryTransport(service);
    const pageSide: RunSnapshotEvent[] = [];
    let ended = false;
    client.api.on['run.snapshot']((s) => pageSide.push(s));
    client.api.on['run.status']((s) => (ended ||= s.status === 'finished'));
    const t0 = Date.now();
    const started = await client.api.runs.start({ config: { architecture, data: { samples: 100 }, training: { epochs } } });
    expect(started.ok).toBe(true);
    await expect.poll(() => ended && pageSide.length > 0 && pageSide.at(-1)!.epoch === hostSide.at(-1)!.epoch, { timeout: 60_000 }).toBe(true);
    const wallMs = Date.now() - t0;
    client.close();
    return { hostSide, pageSide, wallMs };
  } finally {
    await service.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('binary frames', () => {
  it('carry every double bit for bit, NaN, ±Infinity, −0 and subnormals included', () => {
    const special = [NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1 + 0.2, 1 / 3, 2 ** -1074];
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: PACK_MIN_LENGTH, maxLength: 400 }), (xs) => {
        const values = [...special, ...xs];
        const frame = encodeFrame({ event: 'run.snapshot', payload: { values } });
        expect(frame).toBeInstanceOf(Uint8Array);
        const back = decodeMessage(frame) as { payload: { values: Float64Array } };
        expect(back.payload.values).toBeInstanceOf(Float64Array);
        expect(sameBits(back.payload.values, values)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('packs long number arrays wherever they sit (nested, optional fields) and leaves the rest JSON', () => {
    const long = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * k) * 1e3);
    const heat = new Float32Array(20 * 20).map((_, i) => Math.cos(i) / 7);
    const payload = {
      runId: 'r1',
      epoch: 12,
      boundary: { size: 9, x: [-1, 2], y: [-0.5, 1], kind: 'probability', values: long(81, 1), plane: { kind: 'pca', origin: long(64, 2), u: [1, 0], v: [0, 1], labels: ['PC1', 'PC2'] } },
      weights: [
        { name: 'W1', rows: 64, cols: 2, data: long(128, 3) },
        { name: 'b1', rows: 64, cols: 1, data: long(64, 4) },
        { name: 'W2', rows: 1, cols: 64, data: long(64, 5) },
        { name: 'b2', rows: 1, cols: 1, data: [NaN] },
      ],
      layers: [{ layer: 1, gradNormW: Infinity, gradNormB: 0.5, deadShare: null }],
      // fields the codec has never heard of: another helper's heatmaps, a gradient summary
      neurons: [{ layer: 1, maps: [heat, heat.subarray(100, 164)] }],
      gradients: { percentiles: [[0.1, 0.2, NaN]], perUnit: long(100, 6) },
      confusion: { matrix: [[3, 1], [0, 4]], perClass: [0.75, null] },
      missing: undefined,
    };
    const back = roundTrip({ event: 'run.snapshot', payload }) as { event: string; payload: typeof payload & Record<string, any> };
    const p = back.payload;
    expect(back.event).toBe('run.snapshot');
    expect(p.boundary.values).toBeInstanceOf(Float64Array);
    expect(sameBits(p.boundary.values, payload.boundary.values)).toBe(true);
    expect(sameBits(p.boundary.plane.origin, payload.boundary.plane.origin)).toBe(true);
    // short arrays (tuples, confusion rows) stay plain arrays
    expect(p.boundary.x).toEqual([-1, 2]);
    expect(Array.isArray(p.boundary.plane.u)).toBe(true);
    expect(p.confusion).toEqual({ matrix: [[3, 1], [0, 4]], perClass: [0.75, null] });
    for (const [i, w] of payload.weights.entries()) {
      expect(p.weights[i]!.name).toBe(w.name);
      expect(sameBits(p.weights[i]!.data, w.data)).toBe(true);
      expect(p.weights[i]!.data instanceof Float64Array).toBe(w.data.length >= PACK_MIN_LENGTH);
    }
    expect(p.layers).toEqual([{ layer: 1, gradNormW: Infinity, gradNormB: 0.5, deadShare: null }]);
    // a typed array keeps its kind and bits, a subarray only its own elements
    expect(p.neurons[0].maps[0]).toBeInstanceOf(Float32Array);
    expect(sameBits(p.neurons[0].maps[0], heat)).toBe(true);
    expect(sameBits(p.neurons[0].maps[1], heat.subarray(100, 164))).toBe(true);
    expect(p.gradients.percentiles[0][2]).toBeNaN();
    expect(sameBits(p.gradients.perUnit, payload.gradients.perUnit)).toBe(true);
    expect('missing' in p).toBe(false); // as JSON drops undefined
  });

  it('is the plain JSON text when there is nothing to pack, and arrays with a non-number stay JSON', () => {
    const m = { event: 'run.metrics', payload: { runId: 'a', metrics: [{ epoch: 0, trainCost: NaN, testCost: null }] } };
    expect(encodeFrame(m)).toBe(encodeMessage(m));
    const mixed = [...Array.from({ length: 100 }, (_, i) => i), null];
    const text = encodeFrame({ event: 'x', payload: { mixed } });
    expect(typeof text).toBe('string');
    expect((decodeMessage(text) as { payload: { mixed: unknown[] } }).payload.mixed).toEqual(mixed);
  });

  it('decodes a frame that does not start on an 8-byte boundary (a pooled Node Buffer)', () => {
    const values = Array.from({ length: 70 }, (_, i) => i / 7);
    const frame = encodeFrame({ event: 'e', payload: { values } }) as Uint8Array;
    const pool = new Uint8Array(frame.length + 3);
    pool.set(frame, 3);
    const back = decodeMessage(pool.subarray(3)) as { payload: { values: Float64Array } };
    expect(sameBits(back.payload.values, values)).toBe(true);
  });

  it('refuses malformed frames (wrong magic, truncated, offsets outside the frame) with null, never a throw', () => {
    const frame = encodeFrame({ event: 'e', payload: { values: Array.from({ length: 80 }, (_, i) => i) } }) as Uint8Array;
    expect(isFrame(frame)).toBe(true);
    const revive = (_k: string, v: unknown) => v;
    expect(decodeFrame(frame.slice(0, frame.length - 8), revive)).toBeNull();
    expect(decodeFrame(frame.slice(0, 12), revive)).toBeNull();
    const bad = frame.slice();
    bad[0] = 0x58;
    expect(decodeFrame(bad, revive)).toBeNull();
    expect(decodeMessage(new Uint8Array([1, 2, 3]))).toBeNull();
    const forged = new TextEncoder().encode('{"c":[["f64",0,10]],"m":{"event":"e","payload":{"$ta":0}}}');
    const f2 = new Uint8Array(8 + forged.length + 200);
    f2.set([0x42, 0x50, 0x4c, 0x31]);
    new DataView(f2.buffer).setUint32(4, forged.length, true);
    f2.set(forged, 8);
    expect(decodeMessage(f2)).toBeNull(); // offset 0 points into the header
  });

  it('packNumbers copies only what it packs: the IPC bridge structured-clones bytes, not numbers', () => {
    const small = { runId: 'a', epoch: 1, layers: [{ layer: 1 }] };
    expect(packNumbers(small)).toBe(small);
    const big = { runId: 'a', weights: [{ name: 'W1', data: Array.from({ length: 64 }, (_, i) => -i) }, { name: 'b1', data: [1, 2] }] };
    const packed = packNumbers(big);
    expect(packed).not.toBe(big);
    expect(packed.weights[0]!.data).toBeInstanceOf(Float64Array);
    expect(packed.weights[1]).toBe(big.weights[1]); // untouched branches are shared
    expect(Array.isArray(big.weights[0]!.data)).toBe(true); // the host's own object is not changed
    expect(structuredClone(packed).weights[0]!.data).toEqual(Float64Array.from(big.weights[0]!.data));
  });
});

describe('snapshots over a connection', () => {
  function endpoint() {
    const listeners = new Set<(e: EventName, p: unknown) => void>();
    const ep: ServiceEndpoint = {
      call: async (): Promise<Result<unknown>> => ({ ok: true, value: null }),
      subscribe(l) {
        listeners.add(l);
        return Object.assign(() => void listeners.delete(l), { narrow() {} });
      },
    };
    return { ep, emit: (e: EventName, p: unknown) => listeners.forEach((l) => l(e, p)) };
  }
  const snap = (runId: string, epoch: number) => ({ runId, epoch, boundary: null, weights: [{ name: 'W1', rows: 8, cols: 8, data: Array.from({ length: 64 }, () => epoch) }], layers: [] });

  it('coalesces a run’s snapshots while one is on its way (latest wins), per run, and never drops metrics', async () => {
    const { ep, emit } = endpoint();
    const client = createMemoryTransport(ep);
    const snaps: Array<[string, number]> = [];
    const metrics: number[] = [];
    client.api.on['run.snapshot']((s) => snaps.push([s.runId, s.epoch]));
    client.api.on['run.metrics']((m) => metrics.push(m.metrics[0]!.epoch));
    for (let e = 0; e < 10; e++) {
      emit('run.snapshot', snap('a', e));
      emit('run.snapshot', snap('b', 100 + e));
      emit('run.metrics', { runId: 'a', metrics: [{ epoch: e }] });
    }
    await new Promise((r) => setTimeout(r, 10));
    // the first of each run went at once; of the nine that came while it was on its way, only the last
    expect(snaps).toEqual([
      ['a', 0],
      ['b', 100],
      ['a', 9],
      ['b', 109],
    ]);
    expect(metrics).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // once the connection is idle, the next snapshot goes straight away
    emit('run.snapshot', snap('a', 10));
    await new Promise((r) => setTimeout(r, 10));
    expect(snaps.at(-1)).toEqual(['a', 10]);
    client.close();
  });

  it('sends a snapshot as one binary frame and responses as JSON text', async () => {
    const { ep, emit } = endpoint();
    const [clientEnd, serverEnd] = memoryConnectionPair();
    serveConnection(serverEnd, ep);
    const seen: Array<string | Uint8Array> = [];
    clientEnd.onMessage((d) => seen.push(d));
    const client = createClient(clientEnd);
    await client.invoke('app.info', {});
    emit('run.snapshot', snap('a', 1));
    await new Promise((r) => setTimeout(r, 10));
    expect(typeof seen[0]).toBe('string');
    expect(seen[1]).toBeInstanceOf(Uint8Array);
    // 64 doubles in 512 bytes plus a small header, not ~64 decimal numbers
    expect((seen[1] as Uint8Array).length).toBeLessThan(512 + 400);
  });

  it('the IPC bridge sends each event once packed: a window gets typed arrays, equal bit for bit', () => {
    const { ep, emit } = endpoint();
    const sent: Array<[string, unknown]> = [];
    const win: WebContentsLike = { send: (c, p) => void sent.push([c, p]), isDestroyed: () => false };
    const ipc: IpcMainLike = { handle: () => {}, removeHandler: () => {} };
    wireIpc(ipc, ep, { windows: () => [win, win] });
    const s = snap('a', 3);
    s.weights![0]!.data[5] = -0;
    emit('run.snapshot', s);
    expect(sent).toHaveLength(2);
    const [channel, payload] = sent[0] as [string, RunSnapshotEvent];
    expect(channel).toBe('bpl:evt:run.snapshot');
    expect(payload.weights![0]!.data).toBeInstanceOf(Float64Array);
    expect(sameBits(payload.weights![0]!.data, s.weights![0]!.data)).toBe(true);
    expect(sent[1]![1]).toBe(payload); // packed once, not per window
  });

  it('a real run’s snapshots reach the client as typed arrays equal to what the trainer sent', async () => {
    const { hostSide, pageSide } = await observeRun(
      [
        { input_dim: 2, output_dim: 64, activation: 'tanh' },
        { input_dim: 64, output_dim: 1, activation: 'sigmoid' },
      ],
      200,
    );
    const last = pageSide.at(-1)!;
    const host = hostSide.find((h) => h.epoch === last.epoch)!;
    expect(last.weights!.map((w) => w.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(last.weights![0]!.data).toBeInstanceOf(Float64Array);
    last.weights!.forEach((w, i) => expect(sameBits(w.data, host.weights![i]!.data)).toBe(true));
    expect(last.boundary!.values).toBeInstanceOf(Float64Array);
    expect(sameBits(last.boundary!.values, host.boundary!.values)).toBe(true);
    expect(last.layers).toEqual(host.layers);
    // 321 parameters: every snapshot carries the weights
    expect(hostSide.every((h) => h.weights !== undefined)).toBe(true);
  });

  it('a wide network’s running snapshots carry its weights at most once a second, as float32; the last carries them exact, and the page keeps the last weights', async () => {
    // 2-160-128-1: 21,217 parameters, over SNAPSHOT_WEIGHTS_LIGHT_PARAMS
    const { hostSide, pageSide, wallMs } = await observeRun(
      [
        { input_dim: 2, output_dim: 160, activation: 'tanh' },
        { input_dim: 160, output_dim: 128, activation: 'tanh' },
        { input_dim: 128, output_dim: 1, activation: 'sigmoid' },
      ],
      400,
    );
    expect(SNAPSHOT_WEIGHTS_LIGHT_PARAMS).toBeLessThan(21_217);
    // the first (nothing to keep yet) and the last (the end's) carry them; in between at most one a second
    expect(hostSide[0]!.weights).toBeDefined();
    expect(hostSide.at(-1)!.weights).toBeDefined();
    const carrying = hostSide.filter((h) => h.weights !== undefined).length;
    expect(carrying).toBeLessThanOrEqual(2 + Math.ceil(wallMs / SNAPSHOT_WEIGHTS_INTERVAL_MS));
    if (hostSide.length > carrying) expect(hostSide.some((h) => h.weights === undefined)).toBe(true);
    // while it runs they are float32 (for drawing); the end's are exact
    expect(hostSide[0]!.weights![0]!.data).toBeInstanceOf(Float32Array);
    expect(hostSide.at(-1)!.weights![0]!.data).toBeInstanceOf(Float64Array);
    // what the page ends with: the final weights, bit for bit
    const last = withLastWeights(pageSide.at(-2), pageSide.at(-1)!);
    last.weights!.forEach((w, i) => expect(sameBits(w.data, hostSide.at(-1)!.weights![i]!.data)).toBe(true));
  });

  it('withLastWeights: the newest snapshot, with the weights of the one before when it has none', () => {
    const w = [{ name: 'W1', rows: 1, cols: 1, data: [1] }];
    const v = [{ name: 'W1', rows: 1, cols: 1, data: [2] }];
    expect(withLastWeights({ epoch: 1, weights: w }, { epoch: 2 })).toEqual({ epoch: 2, weights: w });
    expect(withLastWeights({ epoch: 1, weights: w }, { epoch: 2, weights: v })).toEqual({ epoch: 2, weights: v });
    expect(withLastWeights<{ epoch: number; weights?: unknown }>(null, { epoch: 2 })).toEqual({ epoch: 2 });
    expect(withLastWeights<{ epoch: number; weights?: unknown }>({ epoch: 1 }, { epoch: 2 })).toEqual({ epoch: 2 });
  });
});
