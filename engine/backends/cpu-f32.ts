// The float32 CPU path ('wasm-simd-f32'): the same network math as the float64 cpu backend, on WebAssembly SIMD
// kernels with four f32 lanes per vector instead of two f64 ones, and half the memory traffic. For big networks
// and batches, where float64's numpy-exactness is not the point; results agree with float64 to float32 precision.
// It needs WebAssembly SIMD (there is no plain-JS float32 mode: the float64 cpu backend is the fallback).
// Sigmoid, tanh and softmax and gemm with both operands transposed run in JS in float64 on the tensor's values
// (the output layer's few values); every optimizer step runs in the kernels, in float32.

import type { Activation } from '../architecture';
import { activationBackward, biasActivate, LEAKY_SLOPE } from '../activations';
import { gemmDims, shapeError as backendShapeError, type Backend, type Tensor, type UpdateRule } from './backend';
import { gemmTT } from './kernels';
import { FUSED_NOTE, kernelModuleF32, WASM_ACT, WasmHeap, type WasmF32Kernels } from './wasm/heap';

/** A float32 tensor in the kernels' memory (row-major). */
export class CpuF32Tensor implements Tensor {
  /** Byte offset of the data in `heap`'s memory. */
  readonly ptr: number;
  private view: Float32Array;

  constructor(readonly rows: number, readonly cols: number, data: ArrayLike<number> | undefined, readonly heap: WasmHeap<WasmF32Kernels>) {
    const n = rows * cols;
    this.ptr = heap.alloc(n * 4);
    heap.track(this, this.ptr);
    this.view = heap.f32(this.ptr, n);
    if (data && data.length >= n) this.view.set(data);
    else this.view.fill(0); // a reused block holds old values
  }

  /** The values, row-major; re-taken after the memory grows, so don't keep it across calls. */
  get data(): Float32Array {
    if (this.view.buffer !== this.heap.memory.buffer) this.view = this.heap.f32(this.ptr, this.rows * this.cols);
    return this.view;
  }
}

function t(x: Tensor): CpuF32Tensor {
  return x as CpuF32Tensor;
}

const shapeError = (op: string, detail: string) => backendShapeError('cpu float32', op, detail);

export interface CpuF32BackendOptions {
  /**
   * Kernels and memory to use instead of a fresh one-thread instance: ../parallel.ts passes a heap whose kernels
   * run on worker threads. `parts` is how many scratch blocks a gemm needs (its thread count).
   */
  heap?: WasmHeap<WasmF32Kernels>;
  parts?: number;
  /** The mode to report (default 'wasm-simd-f32'). */
  mode?: string;
  modeReason?: string;
}

/** float32 CPU backend on WebAssembly SIMD; construction throws where WebAssembly SIMD is missing. */
export class CpuF32Backend implements Backend {
  readonly name = 'cpu';
  readonly mode: string;
  readonly modeReason: string;
  readonly precision = 'float32' as const;
  /** Per op against float64, max |error| / max |value| (as the gpu backend's): float32 rounding of inputs and sums. */
  readonly tolerance = 1e-5;
  readonly heap: WasmHeap<WasmF32Kernels>;
  private readonly parts: number;
  private scratchFor = 0;
  private scratchPtr = 0;

  constructor(opts: CpuF32BackendOptions = {}) {
    let fused = false;
    if (opts.heap) this.heap = opts.heap;
    else {
      const m = kernelModuleF32();
      if (!('module' in m)) throw new Error(`cpu float32 backend: ${m.reason}; use the float64 cpu backend`);
      this.heap = new WasmHeap<WasmF32Kernels>(m.module);
      fused = m.fused === true;
    }
    this.parts = opts.parts ?? 1;
    this.mode = opts.mode ?? 'wasm-simd-f32';
    this.modeReason = opts.modeReason ?? `float32 WebAssembly SIMD kernels (f32x4${fused ? FUSED_NOTE : ''}) were asked for`;
  }

  tensor(rows: number, cols: number, data?: ArrayLike<number>): CpuF32Tensor {
    if (data && data.length !== rows * cols) throw shapeError('tensor', `${data.length} values for ${rows}×${cols}`);
    return new CpuF32Tensor(rows, cols, data, this.heap);
  }

  read(x: Tensor): Float64Array {
    return Float64Array.from(t(x).data);
  }

  write(x: Tensor, data: ArrayLike<number>): void {
    if (data.length !== x.rows * x.cols) throw shapeError('write', `${data.length} values for ${x.rows}×${x.cols}`);
    t(x).data.set(data);
  }

  /** Scratch for one gemm on every part (grown as needed, never shrunk). */
  private scratch(M: number, K: number, N: number, nt: boolean): number {
    const bytes = this.heap.kernels.gemm_scratch_bytes(M, K, N, nt ? 1 : 0) * this.parts;
    if (bytes > this.scratchFor) {
      if (this.scratchFor > 0) this.heap.free(this.scratchPtr);
      this.scratchPtr = this.heap.alloc(bytes);
      this.scratchFor = bytes;
    }
    return this.scratchPtr;
  }

  gemm(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, divisor: number): void {
    const { M, K, N } = gemmDims('cpu float32', a, b, out, transA, transB);
    const k = this.heap.kernels;
    const pa = t(a).ptr, pb = t(b).ptr, pc = t(out).ptr;
    if (transA && transB) {
      const C = new Float64Array(M * N);
      gemmTT(this.read(a), this.read(b), C, M, K, N);
      if (divisor !== 1) for (let i = 0; i < M * N; i++) C[i] /= divisor;
      t(out).data.set(C);
    } else if (transB) k.gemm_nt_mt(pa, pb, pc, M, K, N, divisor, this.scratch(M, K, N, true), 0, 1);
    else if (transA) k.gemm_tn_mt(pa, pb, pc, M, K, N, divisor, this.scratch(M, K, N, false), 0, 1);
    else k.gemm_nn_mt(pa, pb, pc, M, K, N, divisor, this.scratch(M, K, N, false), 0, 1);
  }

  biasActivation(z: Tensor, bias: Tensor, activation: Activation, a: Tensor): boolean {
    if (bias.rows !== z.rows || a.rows !== z.rows || a.cols !== z.cols) throw shapeError('biasActivation', `${z.rows}×${z.cols} + ${bias.rows}×${bias.cols} → ${a.rows}×${a.cols}`);
    if (activation === 'relu' || activation === 'leaky_relu' || activation === 'linear') {
      return this.heap.kernels.bias_act_mt(t(z).ptr, t(bias).ptr, t(a).ptr, z.rows, z.cols, WASM_ACT[activation], LEAKY_SLOPE, 0, 1) === 1;
    }
    // sigmoid, tanh, softmax in float64 JS (Math.exp / Math.tanh), rounded to float32 on the way back
    const Z = this.read(z), A = new Float64Array(Z.length);
    const finite = biasActivate(Z, this.read(bias), z.rows, z.cols, activation, A);
    t(z).data.set(Z);
    t(a).data.set(A);
    return finite;
  }

  activationBackward(dA: Tensor, z: Tensor, a: Tensor, activation: Activation, dz: Tensor): void {
    if (activation !== 'softmax') {
      this.heap.kernels.act_backward_mt(t(dA).ptr, t(z).ptr, t(a).ptr, t(dz).ptr, z.rows * z.cols, WASM_ACT[activation], LEAKY_SLOPE, 0, 1);
      return;
    }
    const out = new Float64Array(z.rows * z.cols);
    activationBackward(this.read(dA), this.read(z), this.read(a), z.rows, z.cols, activation, out);
    t(dz).data.set(out);
  }

  rowSums(x: Tensor, out: Tensor, divisor: number): void {
    if (out.rows !== x.rows || out.rows * out.cols !== x.rows) throw shapeError('rowSums', `${x.rows}×${x.cols} → ${out.rows}×${out.cols}`);
    this.heap.kernels.row_sums_mt(t(x).ptr, t(out).ptr, x.rows, x.cols, divisor, 0, 1);
  }

  update(param: Tensor, grad: Tensor, state: Tensor[], rule: UpdateRule): void {
    const k = this.heap.kernels, p = t(param).ptr, g = t(grad).ptr, n = param.rows * param.cols;
    // in float32 with the hyperparameters rounded to float32, as numpy's float32 arrays with python floats do
    if (rule.kind === 'sgd') k.sgd_mt(p, g, n, rule.lr, rule.l2, 0, 1);
    else if (rule.kind === 'momentum') k.momentum_mt(p, g, t(state[0]).ptr, n, rule.lr, rule.l2, rule.momentum, 0, 1);
    else {
      const { beta1, beta2 } = rule;
      k.adam_mt(p, g, t(state[0]).ptr, t(state[1]).ptr, n, rule.lr, rule.l2, beta1, 1 - beta1, beta2, 1 - beta2, 1 - Math.pow(beta1, rule.t), 1 - Math.pow(beta2, rule.t), rule.epsilon, 0, 1);
    }
  }

  free(x: Tensor): void {
    const c = t(x);
    c.heap.release(c, c.ptr);
  }
}
