// A full batch trained as two blocks of samples at once, one per thread (the threaded CPU backends, ./parallel.ts).
// Splitting each kernel over threads costs a hand-off per kernel — about thirty a step on the seed network, each
// a wait on the other core — while each block's forward and backward pass needs the other block only for the
// sums over samples (dW and db). So block 1's whole pass runs on a worker as one job (BLOCK_PROGRAM) while the
// calling thread runs block 0's: two hand-offs a step. The blocks are cut where numpy's pairwise summation cuts
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
/** Argument slots: the head, then PER_LAYER for each layer. */
const HEAD = 5;
const PER_LAYER = 12;
/** Fewest samples a block has: below that a step is too short for a hand-off to pay. */
export const MIN_BLOCK_SAMPLES = 128;

/** Arguments the program takes for a network of `layers` layers. */
export function blockArgs(layers: number): number {
  return HEAD + PER_LAYER * layers;
}

/**
 * One block's forward (phase 0) or backward (phase 1) pass, as the source of `(exports) => (args) => result` so
 * that the workers (which evaluate it beside their kernel loop) and the calling thread run the same code.
 * args: phase, layers, samples, scratch pointer, leaky slope; then per layer: out, in, activation code, and the
 * pointers of W, b, A_prev, Z, A, dA, dZ, and of this block's sums dW, db.
 * Forward runs every layer but leaves the output layer's bias and activation to the caller (sigmoid, tanh and
 * softmax run in JS); it returns the first layer whose output is not finite (0: none). Backward starts from the
 * output layer's dZ and leaves Σ over this block's samples of dZ·A_prevᵀ and of dZ, undivided.
 */
export const BLOCK_PROGRAM = `(ex) => {
  const nn = ex.gemm_nn_mt, tn = ex.gemm_tn_mt, nt = ex.gemm_nt_block, rs = ex.row_sums_block;
  const ba = ex.bias_act_mt, ab = ex.act_backward_mt;
  return (a) => {
    const L = a[1], m = a[2], s = a[3], slope = a[4];
    if (a[0] === 0) {
      let bad = 0;
      for (let l = 0; l < L; l++) {
        const o = ${HEAD} + ${PER_LAYER} * l;
        nn(a[o + 3], a[o + 5], a[o + 6], a[o], a[o + 1], m, 1, s, 0, 1);
        if (l < L - 1 && ba(a[o + 6], a[o + 4], a[o + 7], a[o], m, a[o + 2], slope, 0, 1) !== 1 && bad === 0) bad = l + 1;
      }
      return bad;
    }
    for (let l = L - 1; l >= 0; l--) {
      const o = ${HEAD} + ${PER_LAYER} * l;
      if (l < L - 1) ab(a[o + 8], a[o + 6], a[o + 7], a[o + 9], a[o] * m, a[o + 2], slope, 0, 1);
      nt(a[o + 9], a[o + 5], a[o + 10], a[o], m, a[o + 1], s);
      rs(a[o + 9], a[o + 11], a[o], m);
      if (l > 0) tn(a[o + 3], a[o + 9], a[o - ${PER_LAYER} + 8], a[o + 1], a[o], m, 1, s, 0, 1);
    }
    return 0;
  };
}`;

/** What the threaded backend lends a split: its kernels on this thread, a worker, and its memory. */
export interface BlockHost {
  readonly backend: Backend;
  /** The kernel module's exports on the calling thread. */
  readonly exports: Record<string, (...a: number[]) => number>;
  /** The tensor's byte offset in the kernels' memory. */
  ptr(t: Tensor): number;
  /** The tensor's values in place (Float64Array or Float32Array over the kernels' memory). */
  view(t: Tensor): Float64Array | Float32Array;
  /** Bytes of scratch one gemm of this shape needs. */
  scratchBytes(M: number, K: number, N: number): number;
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** Starts the program on a worker with these arguments; false when only the calling thread is active now. */
  post(args: Float64Array): boolean;
  /** Waits for the posted program; its result. */
  wait(): number;
}

/** Whether a full batch of n samples on this network can be trained as two blocks (see splitSamples). */
export function splittable(layers: readonly LayerSpec[], n: number, cut: number): boolean {
  return cut >= MIN_BLOCK_SAMPLES && n - cut >= MIN_BLOCK_SAMPLES && layers.slice(0, -1).every((l) => KERNEL_ACTIVATIONS.has(l.activation));
}

interface Block {
  ws: Workspace;
  /** First sample and count. */
  start: number;
  m: number;
  dW: Tensor[];
  db: Tensor[];
  scratch: number;
  args: Float64Array;
}

/** The full batch of `net`, split in two at `cut`; X (features × n) is copied in once. */
export class SampleSplit {
  private readonly blocks: Block[];
  private readonly program: (a: Float64Array) => number;
  private readonly L: number;
  /** Samples in the batch (as a Workspace's m). */
  readonly m: number;
  /** Samples in each block. */
  readonly sizes: readonly number[];

  constructor(private readonly net: Network, private readonly host: BlockHost, X: Float64Array, readonly n: number, cut: number) {
    this.m = n;
    this.sizes = [cut, n - cut];
    const B = host.backend;
    const layers = net.layers;
    this.L = layers.length;
    this.program = (new Function(`return ${BLOCK_PROGRAM}`)() as (ex: unknown) => (a: Float64Array) => number)(host.exports);
    const features = layers[0].input_dim;
    this.blocks = [0, 1].map((k) => {
      const start = k === 0 ? 0 : cut;
      const m = k === 0 ? cut : n - cut;
      const ws = net.workspace(m, `block${k}`);
      B.write(ws.A[0], columns(X, features, n, start, m));
      const dW = layers.map((l) => B.tensor(l.output_dim, l.input_dim));
      const db = layers.map((l) => B.tensor(l.output_dim, 1));
      let bytes = 0;
      for (const l of layers) bytes = Math.max(bytes, host.scratchBytes(l.output_dim, l.input_dim, m), host.scratchBytes(l.output_dim, m, l.input_dim), host.scratchBytes(l.input_dim, l.output_dim, m));
      const args = new Float64Array(blockArgs(layers.length));
      const scratch = host.alloc(bytes);
      args.set([0, layers.length, m, scratch, LEAKY_SLOPE]);
      layers.forEach((l, i) => {
        const p = (t: Tensor) => host.ptr(t);
        args.set([l.output_dim, l.input_dim, WASM_ACT[l.activation as 'relu'] ?? 0, p(net.W[i]), p(net.b[i]), p(ws.A[i]), p(ws.Z[i + 1]), p(ws.A[i + 1]), p(ws.dA[i + 1]), p(ws.dZ[i + 1]), p(dW[i]), p(db[i])], HEAD + PER_LAYER * i);
      });
      return { ws, start, m, dW, db, scratch, args };
    });
  }

  /** Runs phase 0 or 1 on both blocks: block 1 on a worker when one is active, block 0 here. */
  private both(phase: number): [number, number] {
    const [b0, b1] = this.blocks;
    b0.args[0] = b1.args[0] = phase;
    const posted = this.host.post(b1.args);
    const r0 = this.program(b0.args);
    const r1 = posted ? this.host.wait() : this.program(b1.args);
    return [r0, r1];
  }

  /** The forward pass over the whole batch; where a NaN or Infinity first appeared, or null. */
  forward(): NonFinite | null {
    const B = this.host.backend;
    const L = this.L;
    const out = this.net.layers[L - 1];
    const [r0, r1] = this.both(0);
    let bad: NonFinite | null = null;
    const at = (layer: number) => {
      for (const b of this.blocks) bad ??= firstNonFinite(B.read(b.ws.A[layer]), layer);
    };
    const first = Math.min(r0 || Infinity, r1 || Infinity);
    if (first !== Infinity) at(first);
    let finite = true;
    for (const b of this.blocks) finite = B.biasActivation(b.ws.Z[L], this.net.b[L - 1], out.activation, b.ws.A[L]) && finite;
    if (!finite && !bad) at(L);
    return bad;
  }

  /** Ŷ of the last forward pass, (outputs × n). */
  output(): Float64Array {
    const k = this.net.layers[this.L - 1].output_dim;
    const y = new Float64Array(k * this.n);
    for (const b of this.blocks) {
      const v = this.host.backend.read(b.ws.A[this.L]);
      for (let r = 0; r < k; r++) y.set(v.subarray(r * b.m, (r + 1) * b.m), r * this.n + b.start);
    }
    return y;
  }

  /** Backprop from the output gradient (as Network.backward); leaves dW and db of the whole batch in the network. */
  backward(grad: Float64Array, kind: 'dZ' | 'dA'): void {
    const B = this.host.backend;
    const L = this.L;
    const out = this.net.layers[L - 1];
    for (const b of this.blocks) {
      const g = columns(grad, out.output_dim, this.n, b.start, b.m);
      if (kind === 'dZ') B.write(b.ws.dZ[L], g);
      else {
        B.write(b.ws.dA[L], g);
        B.activationBackward(b.ws.dA[L], b.ws.Z[L], b.ws.A[L], out.activation, b.ws.dZ[L]);
      }
    }
    this.both(1);
    // the two sides' sums added, then divided by m: the one-thread kernels' last two operations
    const [b0, b1] = this.blocks;
    const sum = (to: Tensor, x: Tensor, y: Tensor) => {
      const o = this.host.view(to), p = this.host.view(x), q = this.host.view(y);
      const f32 = o instanceof Float32Array;
      for (let i = 0; i < o.length; i++) o[i] = (f32 ? Math.fround(p[i] + q[i]) : p[i] + q[i]) / this.n;
    };
    for (let i = 0; i < L; i++) {
      sum(this.net.dW[i], b0.dW[i], b1.dW[i]);
      sum(this.net.db[i], b0.db[i], b1.db[i]);
    }
  }

  free(): void {
    for (const b of this.blocks) {
      for (const t of [...b.dW, ...b.db]) this.host.backend.free(t);
      this.host.free(b.scratch);
    }
  }
}

/** Columns [start, start + m) of a rows × n row-major matrix. */
function columns(X: Float64Array, rows: number, n: number, start: number, m: number): Float64Array {
  const out = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) out.set(X.subarray(r * n + start, r * n + start + m), r * m);
  return out;
}
