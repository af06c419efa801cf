// A full batch trained as two blocks of samples at once, one per thread (the threaded CPU backends, ./parallel.ts).
// Splitting each kernel over threads costs a hand-off per kernel — about thirty a step on the seed network, each
// a wait on the other core — while each block's forward and backward pass needs the other block only for the
// sums over samples (dW and db). So a pass is one job for a worker (BLOCK_PROGRAM) beside the calling thread: two
// hand-offs a step. Both threads run the program, each taking its own block's chunks and then what is left of the
// other's, so neither waits long for the other. The blocks are cut where numpy's pairwise summation cuts
// the sample axis (the kernels' sample_cut), and the kernels sum dW and db over the two sides of that cut
// separately, so the blocks' sums, added and divided here, are the one-thread backend's bits — on any thread
// count, including one (the calling thread then runs both blocks).

import type { LayerSpec } from '../architecture';
import { LEAKY_SLOPE } from '../activations';
import { firstNonFinite, type Network, type NonFinite, type Workspace } from '../network';
import type { Backend, Tensor } from './backend';
import { WASM_ACT } from './wasm/heap';

/** Hidden activations the kernels apply themselves (the others run in JS, on the calling thread). */
const KERNEL_ACTIVATIONS = new Set<string>(['relu', 'leaky_relu', 'linear']);
/** Argument slots: the head, each block's chunk bounds, then for each block PER_LAYER and TEST_PER_LAYER per layer, then the order of the sums. */
const HEAD = 11;
const PER_LAYER = 12;
const TEST_PER_LAYER = 3;
/** Fewest samples a block has: below that a step is too short for a hand-off to pay. */
export const MIN_BLOCK_SAMPLES = 128;
/**
 * About this many samples make one chunk of a block (at most MAX_CHUNKS chunks a block), so a block of up to 767
 * samples is one chunk. Smaller chunks cost more than their sharing gains: a chunk runs the elementwise kernels on
 * short pieces of its block's rows and packs each layer's weights again. Chunks of 150 samples against one a block,
 * alternating in one process: 1.04–1.07× the step's time on the seed network, 1.12–1.17× on 2-256-256-256-1, idle;
 * 1.12× and 1.18× with another process taking a core 25 ms in every 250.
 */
const CHUNK_SAMPLES = 512;
const MAX_CHUNKS = 8;
/** Where the blocks' layer slots start (after the head and each block's MAX_CHUNKS + 1 chunk bounds). */
const LAYERS_AT = HEAD + 2 * (MAX_CHUNKS + 1);
/** Most layers a network trained as two blocks of samples may have. */
export const MAX_SPLIT_LAYERS = 64;
/** The sync slot of layer 0's count of blocks whose sums are done (after each block's next job and chunks done). */
const SUMS_DONE = 4;
/**
 * Int32 slots the program's threads share (BlockHost.sync): each block's next job, each block's chunks done, then
 * per layer the blocks whose sums are done.
 */
export const SYNC_SLOTS = SUMS_DONE + MAX_SPLIT_LAYERS;

/** Arguments the program takes for a network of `layers` layers. */
export function blockArgs(layers: number): number {
  return LAYERS_AT + 2 * (PER_LAYER + TEST_PER_LAYER) * layers + 4 * layers;
}

/**
 * Both blocks' forward (phase 0) or backward (phase 1) pass, as jobs that the calling thread and a worker take from
 * shared counters: each thread takes its own block's jobs (thread 0 block 0, thread 1 block 1, so each block's
 * values stay in one core's cache), then whatever is left of the other's, so that a thread that loses its core
 * for a while leaves its share to the other instead of holding it up. Source of
 * `(exports, sync) => (args, thread) => result`, so that the workers (which evaluate it beside their kernel loop)
 * and the calling thread run the same code.
 * A block's jobs: its chunks of samples, each through every layer (forward: Z and A; backward: dZ and dA), in
 * columns of the block's own matrices, so every value is computed as the whole block's kernels compute it; then
 * forward its test samples, or backward its sums of dZ·A_prevᵀ and dZ over its samples, one job per layer (the
 * largest first), each waiting until all the block's chunks are done; the thread that finishes a layer's second
 * block adds the two blocks' sums and divides them by the batch's samples into the network's dW and db (the
 * one-thread kernels' last two operations).
 * sync: each block's next job, then each block's chunks done, then per layer the blocks whose sums are done.
 * args: phase, layers, chunks per block, leaky slope, with test (1/0), each thread's scratch pointer, each
 * block's samples, each block's test samples; each block's chunk bounds (chunk c: columns [c0, c1) at c, c + 1);
 * then for each block, per layer: out, in, activation code, and the
 * pointers of W, b, A_prev, Z, A, dA, dZ, and of the block's sums dW, db; then per layer the block's test samples'
 * A_prev, Z, A; then for each block the layers in the order of their sums' jobs; then per layer the pointers of
 * the network's dW and db.
 * Forward leaves the output layer's bias and activation to the caller (sigmoid, tanh and softmax run in JS); it
 * returns the first layer (of the jobs this thread ran) whose output is not finite (0: none), the test samples'
 * in bits 16 and up.
 */
export const BLOCK_PROGRAM = `(ex, sync) => {
  const nn = ex.gemm_nn_cols, tn = ex.gemm_tn_cols, nt = ex.gemm_nt_block, rs = ex.row_sums_block;
  const ba = ex.bias_act_cols, ab = ex.act_backward_cols, ad = ex.add_div;
  const first = (x, y) => (x === 0 ? y : y === 0 ? x : Math.min(x, y));
  return (a, thread) => {
    const L = a[1], C = a[2], slope = a[3], s = a[5 + thread];
    const span = ${PER_LAYER + TEST_PER_LAYER} * L;
    // a layer's A_prev, Z, A at a[p], a[p + 1], a[p + 2]: p = o + 5 for the train samples, t for the test ones
    const forward = (o0, test, m, c0, c1) => {
      let bad = 0;
      for (let l = 0; l < L; l++) {
        const o = o0 + ${PER_LAYER} * l, p = test ? o0 + ${PER_LAYER} * L + ${TEST_PER_LAYER} * l : o + 5;
        nn(a[o + 3], a[p], a[p + 1], a[o], a[o + 1], m, s, c0, c1);
        if (l < L - 1 && ba(a[p + 1], a[o + 4], a[p + 2], a[o], m, a[o + 2], slope, c0, c1) !== 1 && bad === 0) bad = l + 1;
      }
      return bad;
    };
    let bad = 0, testBad = 0;
    for (let i = 0; i < 2; i++) {
      const b = i === 0 ? thread : 1 - thread, o0 = ${LAYERS_AT} + b * span, m = a[7 + b], at = ${HEAD} + ${MAX_CHUNKS + 1} * b;
      if (a[0] === 0) {
        const jobs = C + (a[4] && a[9 + b] > 0 ? 1 : 0);
        for (let j = Atomics.add(sync, b, 1); j < jobs; j = Atomics.add(sync, b, 1)) {
          if (j < C) bad = first(bad, forward(o0, false, m, a[at + j], a[at + j + 1]));
          else testBad = first(testBad, forward(o0, true, a[9 + b], 0, a[9 + b]));
        }
        continue;
      }
      for (let j = Atomics.add(sync, b, 1); j < C + L; j = Atomics.add(sync, b, 1)) {
        if (j < C) {
          const c0 = a[at + j], c1 = a[at + j + 1];
          for (let l = L - 1, o = o0 + ${PER_LAYER} * l; l >= 0; l--, o -= ${PER_LAYER}) {
            if (l < L - 1) ab(a[o + 8], a[o + 6], a[o + 7], a[o + 9], a[o], m, a[o + 2], slope, c0, c1);
            if (l > 0) tn(a[o + 3], a[o + 9], a[o - ${PER_LAYER} + 8], a[o + 1], a[o], m, s, c0, c1);
          }
          if (Atomics.add(sync, 2 + b, 1) === C - 1) Atomics.notify(sync, 2 + b);
        } else {
          const l = a[${LAYERS_AT} + 2 * span + b * L + j - C], o = o0 + ${PER_LAYER} * l;
          // the other thread may still be on one of this block's chunks: spin briefly, then sleep until it is done
          // (its core may be taken by another process for a while); a minute without progress means it stopped
          for (let k = 0, d = Atomics.load(sync, 2 + b); d < C; d = Atomics.load(sync, 2 + b)) {
            if (++k > 2000 && Atomics.wait(sync, 2 + b, d, 5) === 'timed-out' && k > 14000) throw new Error('the other kernel thread stopped in the middle of a pass');
          }
          nt(a[o + 9], a[o + 5], a[o + 10], a[o], m, a[o + 1], s);
          rs(a[o + 9], a[o + 11], a[o], m);
          if (Atomics.add(sync, ${SUMS_DONE} + l, 1) === 1) {
            // both blocks' sums of this layer are done: block 0's plus block 1's, divided by the batch's samples
            const p0 = ${LAYERS_AT} + ${PER_LAYER} * l, p1 = p0 + span, q = ${LAYERS_AT} + 2 * span + 2 * L + 2 * l, n = a[7] + a[8];
            ad(a[q], a[p0 + 10], a[p1 + 10], a[o] * a[o + 1], n);
            ad(a[q + 1], a[p0 + 11], a[p1 + 11], a[o], n);
          }
        }
      }
    }
    return bad + 65536 * testBad;
  };
}`;

/** What the threaded backend lends a split: its kernels on this thread, a worker, and its memory. */
export interface BlockHost {
  readonly backend: Backend;
  /** The kernel module's exports on the calling thread. */
  readonly exports: Record<string, (...a: number[]) => number>;
  /** The tensor's byte offset in the kernels' memory. */
  ptr(t: Tensor): number;
  /** Bytes of scratch one gemm of this shape needs (`nt`: a gemm NT, which packs nothing). */
  scratchBytes(M: number, K: number, N: number, nt: boolean): number;
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** Starts the program on a worker with these arguments; false when only the calling thread is active now. */
  post(args: Float64Array): boolean;
  /** Waits for the posted program; its result. */
  wait(): number;
  /** SYNC_SLOTS Int32 slots over shared memory: what the program's threads count jobs with. */
  readonly sync: Int32Array;
}

/** Whether a full batch of n samples on this network can be trained as two blocks (see splitSamples). */
export function splittable(layers: readonly LayerSpec[], n: number, cut: number): boolean {
  return cut >= MIN_BLOCK_SAMPLES && n - cut >= MIN_BLOCK_SAMPLES && layers.slice(0, -1).every((l) => KERNEL_ACTIVATIONS.has(l.activation));
}

/** A forward pass over a set of samples that the trainer can run (as the network over a workspace). */
export interface Pass {
  readonly m: number;
  /** Where a NaN or Infinity first appeared, or null. */
  forward(): NonFinite | null;
  /** Ŷ of the last forward pass, (outputs × m). */
  output(): Float64Array;
}

/** Samples [start, start + m) of a set, in a workspace of their own. */
interface Part {
  ws: Workspace;
  start: number;
  m: number;
}

interface Block {
  train: Part;
  /** This block's share of the test set (null: none). */
  test: Part | null;
  dW: Tensor[];
  db: Tensor[];
}

/**
 * The full batch of `net` (X: features × n), split in two at `cut`, and the test set (Xt: features × nt) in two
 * halves, its forward pass run with the batch's: the data is copied in once.
 */
export class SampleSplit implements Pass {
  private readonly blocks: Block[];
  private readonly program: (a: Float64Array, thread: number) => number;
  private readonly args: Float64Array;
  /** Each thread's gemm scratch. */
  private readonly scratch: number[];
  private readonly L: number;
  /** Samples in the batch. */
  readonly m: number;
  /** Samples in each block. */
  readonly sizes: readonly number[];
  /** Samples in each chunk of each block (the program's jobs). */
  readonly chunks: readonly (readonly number[])[];
  /** The test set's forward pass, run by the next `forward()` when `withTest` is set; null without a test set. */
  readonly test: Pass | null;
  /** Whether the next forward pass covers the test set too. */
  withTest = false;
  private testBad: NonFinite | null = null;
  /** The blocks' train parts and (where they have one) test parts, in sample order. */
  private readonly trainParts: Part[];
  private readonly testParts: Part[];

  constructor(private readonly net: Network, private readonly host: BlockHost, X: Float64Array, n: number, cut: number, Xt: Float64Array, nt: number) {
    this.m = n;
    this.sizes = [cut, n - cut];
    const B = host.backend;
    const layers = net.layers;
    const L = (this.L = layers.length);
    this.program = (new Function(`return ${BLOCK_PROGRAM}`)() as (ex: unknown, sync: Int32Array) => (a: Float64Array, thread: number) => number)(host.exports, host.sync);
    const features = layers[0].input_dim;
    const part = (data: Float64Array, total: number, start: number, m: number, key: string): Part => {
      const ws = net.workspace(m, key);
      B.write(ws.A[0], columns(data, features, total, start, m));
      return { ws, start, m };
    };
    const tcut = Math.ceil(nt / 2);
    const p = (t: Tensor) => host.ptr(t);
    this.blocks = [0, 1].map((k) => {
      const train = k === 0 ? part(X, n, 0, cut, 'block0') : part(X, n, cut, n - cut, 'block1');
      const tm = k === 0 ? tcut : nt - tcut;
      const test = tm > 0 ? part(Xt, nt, k === 0 ? 0 : tcut, tm, `test-block${k}`) : null;
      return { train, test, dW: layers.map((l) => B.tensor(l.output_dim, l.input_dim)), db: layers.map((l) => B.tensor(l.output_dim, 1)) };
    });
    let bytes = 0;
    for (const m of [cut, n - cut, tcut]) {
      for (const l of layers) bytes = Math.max(bytes, host.scratchBytes(l.output_dim, l.input_dim, m, false), host.scratchBytes(l.output_dim, m, l.input_dim, true), host.scratchBytes(l.input_dim, l.output_dim, m, false));
    }
    this.scratch = [host.alloc(bytes), host.alloc(bytes)];
    // chunks of about CHUNK_SAMPLES samples, the same count in both blocks, cut on multiples of 16 samples
    const C = Math.max(1, Math.min(MAX_CHUNKS, Math.round(Math.min(cut, n - cut) / CHUNK_SAMPLES)));
    const bounds = this.sizes.map((m) => {
      const units = Math.ceil(m / 16), per = Math.floor(units / C), rem = units % C;
      return Array.from({ length: C + 1 }, (_, c) => Math.min(16 * (c * per + Math.min(c, rem)), m));
    });
    this.chunks = bounds.map((b) => b.slice(1).map((x, c) => x - b[c]));
    const args = (this.args = new Float64Array(blockArgs(L)));
    args.set([0, L, C, LEAKY_SLOPE, 0, ...this.scratch, cut, n - cut, this.blocks[0].test?.m ?? 0, this.blocks[1].test?.m ?? 0]);
    bounds.forEach((b, k) => args.set(b, HEAD + (MAX_CHUNKS + 1) * k));
    const span = (PER_LAYER + TEST_PER_LAYER) * L;
    this.blocks.forEach(({ train, test, dW, db }, k) => {
      layers.forEach((l, i) => {
        const ws = train.ws;
        args.set([l.output_dim, l.input_dim, WASM_ACT[l.activation as 'relu'] ?? 0, p(net.W[i]), p(net.b[i]), p(ws.A[i]), p(ws.Z[i + 1]), p(ws.A[i + 1]), p(ws.dA[i + 1]), p(ws.dZ[i + 1]), p(dW[i]), p(db[i])], LAYERS_AT + k * span + PER_LAYER * i);
        if (test) args.set([p(test.ws.A[i]), p(test.ws.Z[i + 1]), p(test.ws.A[i + 1])], LAYERS_AT + k * span + PER_LAYER * L + TEST_PER_LAYER * i);
      });
    });
    // each block's sums, the largest first (a thread that comes to help takes what is left: the small ones)
    const order = layers.map((l, i) => ({ i, work: l.output_dim * l.input_dim })).sort((x, y) => y.work - x.work);
    for (const k of [0, 1]) args.set(order.map((x) => x.i), LAYERS_AT + 2 * span + k * L);
    layers.forEach((_, i) => args.set([p(net.dW[i]), p(net.db[i])], LAYERS_AT + 2 * span + 2 * L + 2 * i));
    this.trainParts = this.blocks.map((b) => b.train);
    this.testParts = this.blocks.flatMap((b) => (b.test ? [b.test] : []));
    this.test = nt > 0 ? { m: nt, forward: () => this.testBad, output: () => this.gather(this.testParts, nt) } : null;
  }

  /** Runs phase 0 or 1 of the program on this thread and, when one is active, a worker; each thread's result. */
  private both(phase: number): [number, number] {
    const a = this.args;
    a[0] = phase;
    a[4] = phase === 0 && this.withTest ? 1 : 0;
    const sync = this.host.sync;
    const slots = SUMS_DONE + this.L;
    for (let i = 0; i < slots; i++) Atomics.store(sync, i, 0);
    const posted = this.host.post(a);
    let r0: number;
    try {
      r0 = this.program(a, 0);
    } catch (e) {
      // a worker's program is always waited for, even when this thread's share threw: no job is left to take, and
      // the blocks' chunks count as done, so that it does not wait for the chunks this thread left unfinished
      if (posted) {
        for (let i = 0; i < SUMS_DONE; i++) Atomics.store(sync, i, 1 << 20);
        for (let i = 0; i < SUMS_DONE; i++) Atomics.notify(sync, i);
        this.host.wait();
      }
      throw e;
    }
    return [r0, posted ? this.host.wait() : 0];
  }

  /**
   * The forward pass over the whole batch (and over the test set when `withTest`: its result is `test`'s);
   * where a NaN or Infinity first appeared in the batch, or null.
   */
  forward(): NonFinite | null {
    const [r0, r1] = this.both(0);
    const withTest = this.withTest;
    this.testBad = withTest ? this.finish(this.testParts, r0 >> 16, r1 >> 16) : null;
    return this.finish(this.trainParts, r0 & 0xffff, r1 & 0xffff);
  }

  /** The output layer's bias and activation on the parts (here: sigmoid and softmax are JS); the first non-finite. */
  private finish(parts: Part[], bad0: number, bad1: number): NonFinite | null {
    const B = this.host.backend;
    const L = this.L;
    const out = this.net.layers[L - 1];
    let bad: NonFinite | null = null;
    const at = (layer: number) => {
      for (const q of parts) bad ??= firstNonFinite(B.read(q.ws.A[layer]), layer);
    };
    const first = Math.min(bad0 || Infinity, bad1 || Infinity);
    if (first !== Infinity) at(first);
    let finite = true;
    for (const q of parts) finite = B.biasActivation(q.ws.Z[L], this.net.b[L - 1], out.activation, q.ws.A[L]) && finite;
    if (!finite && !bad) at(L);
    return bad;
  }

  /** Ŷ of the last forward pass, (outputs × n). */
  output(): Float64Array {
    return this.gather(this.trainParts, this.m);
  }

  /** The parts' outputs side by side, (outputs × total). */
  private gather(parts: Part[], total: number): Float64Array {
    const k = this.net.layers[this.L - 1].output_dim;
    const y = new Float64Array(k * total);
    for (const q of parts) {
      const v = this.host.backend.read(q.ws.A[this.L]);
      for (let r = 0; r < k; r++) y.set(v.subarray(r * q.m, (r + 1) * q.m), r * total + q.start);
    }
    return y;
  }

  /** Backprop from the output gradient (as Network.backward); leaves dW and db of the whole batch in the network. */
  backward(grad: Float64Array, kind: 'dZ' | 'dA'): void {
    const B = this.host.backend;
    const L = this.L;
    const out = this.net.layers[L - 1];
    for (const { train: q } of this.blocks) {
      const g = columns(grad, out.output_dim, this.m, q.start, q.m);
      if (kind === 'dZ') B.write(q.ws.dZ[L], g);
      else {
        B.write(q.ws.dA[L], g);
        B.activationBackward(q.ws.dA[L], q.ws.Z[L], q.ws.A[L], out.activation, q.ws.dZ[L]);
      }
    }
    // leaves the blocks' sums added and divided in the network's dW and db
    this.both(1);
  }

  free(): void {
    for (const b of this.blocks) for (const t of [...b.dW, ...b.db]) this.host.backend.free(t);
    for (const s of this.scratch) this.host.free(s);
  }
}

/** Columns [start, start + m) of a rows × n row-major matrix. */
export function columns(X: Float64Array, rows: number, n: number, start: number, m: number): Float64Array {
  const out = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) out.set(X.subarray(r * n + start, r * n + start + m), r * m);
  return out;
}
