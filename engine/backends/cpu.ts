// The reference backend: float64 on the CPU. Its inner loops run as WebAssembly SIMD kernels over tensors that
// live in the module's memory ('wasm-simd-f64'), or as plain TypeScript over Float64Arrays ('js-f64') where
// WebAssembly SIMD is missing or the plain path is asked for. Both give numpy's results to ~1e-15 per operation.

import type { Activation } from '../architecture';
import { activationBackward, biasActivate, LEAKY_SLOPE } from '../activations';
import { gemmDims, shapeError as backendShapeError, type Backend, type Tensor, type UpdateRule } from './backend';
import { gemmNN, gemmNT, gemmTN, gemmTT, rowSumsPairwise } from './kernels';
import { FUSED_NOTE, kernelModule, WASM_ACT, WasmHeap } from './wasm/heap';

/** A CPU tensor: its float64 data is directly reachable (row-major). */
export class CpuTensor implements Tensor {
  /** Byte offset of the data in `heap`'s memory, or -1 when the tensor owns a plain Float64Array. */
  readonly ptr: number;
  private view: Float64Array;

  constructor(readonly rows: number, readonly cols: number, data?: ArrayLike<number>, readonly heap: WasmHeap | null = null) {
    const n = rows * cols;
    if (heap) {
      this.ptr = heap.alloc(n * 8);
      heap.track(this, this.ptr);
      this.view = heap.f64(this.ptr, n);
      if (!data || data.length < n) this.view.fill(0); // a reused block holds old values
    } else {
      this.ptr = -1;
      this.view = new Float64Array(n);
    }
    if (data) this.view.set(data);
  }

  /** The values, row-major. In wasm memory the view is re-taken after the memory grows; don't keep it across calls. */
  get data(): Float64Array {
    if (this.heap !== null && this.view.buffer !== this.heap.memory.buffer) this.view = this.heap.f64(this.ptr, this.rows * this.cols);
    return this.view;
  }
}

function t(x: Tensor): CpuTensor {
  return x as CpuTensor;
}

const shapeError = (op: string, detail: string) => backendShapeError('cpu', op, detail);

export interface CpuBackendOptions {
  /** 'auto' (default): WebAssembly SIMD when this engine supports it, else plain JS. 'wasm' throws when it can't. */
  kernels?: 'auto' | 'wasm' | 'js';
  /**
   * Run on these float64 kernels and memory instead of a fresh one-thread instance (./parallel.ts passes kernels
   * split over worker threads); `modeReason` then says what they are.
   */
  heap?: WasmHeap;
  modeReason?: string;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  /** 'wasm-simd-f64' or 'js-f64'. */
  readonly mode: 'wasm-simd-f64' | 'js-f64';
  /** Why this mode runs (e.g. why WebAssembly SIMD was not used). */
  readonly modeReason: string;
  readonly precision = 'float64' as const;
  readonly tolerance = 1e-12;
  /** The kernels' memory, where this backend's tensors live; null in 'js-f64' mode. */
  readonly heap: WasmHeap | null;

  constructor(opts: CpuBackendOptions = {}) {
    const want = opts.heap ? 'given' : opts.kernels ?? 'auto';
    let heap: WasmHeap | null = opts.heap ?? null;
    let reason = opts.heap ? opts.modeReason ?? 'WebAssembly SIMD kernels were given' : 'plain JS kernels were asked for';
    if (want !== 'js' && want !== 'given') {
      const m = kernelModule();
      if ('module' in m) {
        try {
          heap = new WasmHeap(m.module);
          reason = `WebAssembly SIMD is available${m.fused ? FUSED_NOTE : ''}`;
        } catch (e) {
          reason = `the WebAssembly kernels could not start: ${(e as Error).message}`;
        }
      } else reason = m.reason;
      if (!heap && want === 'wasm') throw new Error(`cpu backend: ${reason}; use kernels 'auto' or 'js'`);
    }
    this.heap = heap;
    this.mode = heap ? 'wasm-simd-f64' : 'js-f64';
    this.modeReason = reason;
  }

  tensor(rows: number, cols: number, data?: ArrayLike<number>): CpuTensor {
    if (data && data.length !== rows * cols) throw shapeError('tensor', `${data.length} values for ${rows}×${cols}`);
    return new CpuTensor(rows, cols, data, this.heap);
  }

  read(x: Tensor): Float64Array {
    return t(x).data.slice();
  }

  write(x: Tensor, data: ArrayLike<number>): void {
    if (data.length !== x.rows * x.cols) throw shapeError('write', `${data.length} values for ${x.rows}×${x.cols}`);
    t(x).data.set(data);
  }

  /** True when every tensor lives in this backend's wasm memory (tensors made elsewhere take the JS path). */
  private inHeap(a: Tensor, b: Tensor, c: Tensor, d?: Tensor): boolean {
    const h = this.heap;
    return h !== null && t(a).heap === h && t(b).heap === h && t(c).heap === h && (d === undefined || t(d).heap === h);
  }

  gemm(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, divisor: number): void {
    const { M, K, N } = gemmDims('cpu', a, b, out, transA, transB);
    if (!(transA && transB) && this.inHeap(a, b, out)) {
      const h = this.heap!, k = h.kernels;
      const pa = t(a).ptr, pb = t(b).ptr, pc = t(out).ptr;
      const scratch = h.scratch(k.gemm_scratch_bytes(M, K, N, transB ? 1 : 0)); // the live-row lists and the packed operands
      if (!transA && !transB) k.gemm_nn(pa, pb, pc, M, K, N, divisor, scratch);
      else if (transB) k.gemm_nt(pa, pb, pc, M, K, N, divisor, scratch);
      else k.gemm_tn(pa, pb, pc, M, K, N, divisor, scratch);
      return;
    }
    const A = t(a).data, B = t(b).data, C = t(out).data;
    if (!transA && !transB) gemmNN(A, B, C, M, K, N);
    else if (!transA && transB) gemmNT(A, B, C, M, K, N);
    else if (transA && !transB) gemmTN(A, B, C, M, K, N);
    else gemmTT(A, B, C, M, K, N);
    if (divisor !== 1) for (let i = 0; i < M * N; i++) C[i] /= divisor;
  }

  biasActivation(z: Tensor, bias: Tensor, activation: Activation, a: Tensor): boolean {
    if ((activation === 'relu' || activation === 'leaky_relu' || activation === 'linear') && this.inHeap(z, bias, a)) {
      return this.heap!.kernels.bias_act(t(z).ptr, t(bias).ptr, t(a).ptr, z.rows, z.cols, WASM_ACT[activation], LEAKY_SLOPE) === 1;
    }
    // sigmoid, tanh (Math.exp / Math.tanh) and softmax stay in JS: they are the output layer's few values
    return biasActivate(t(z).data, t(bias).data, z.rows, z.cols, activation, t(a).data);
  }

  activationBackward(dA: Tensor, z: Tensor, a: Tensor, activation: Activation, dz: Tensor): void {
    if (activation !== 'softmax' && this.inHeap(dA, z, a, dz)) {
      this.heap!.kernels.act_backward(t(dA).ptr, t(z).ptr, t(a).ptr, t(dz).ptr, z.rows * z.cols, WASM_ACT[activation], LEAKY_SLOPE);
      return;
    }
    activationBackward(t(dA).data, t(z).data, t(a).data, z.rows, z.cols, activation, t(dz).data);
  }

  /** out = np.sum(x, axis=1) / divisor, with numpy's pairwise summation (so db matches numpy bit for bit). */
  rowSums(x: Tensor, out: Tensor, divisor: number): void {
    if (out.rows !== x.rows || out.rows * out.cols !== x.rows) throw shapeError('rowSums', `${x.rows}×${x.cols} → ${out.rows}×${out.cols}`);
    if (this.inHeap(x, out, out)) this.heap!.kernels.row_sums(t(x).ptr, t(out).ptr, x.rows, x.cols, divisor);
    else rowSumsPairwise(t(x).data, t(out).data, x.rows, x.cols, divisor);
  }

  update(param: Tensor, grad: Tensor, state: Tensor[], rule: UpdateRule): void {
    const n = param.rows * param.cols;
    if (this.inHeap(param, grad, state[0] ?? grad, state[1])) {
      const k = this.heap!.kernels, p = t(param).ptr, g = t(grad).ptr;
      if (rule.kind === 'sgd') k.sgd(p, g, n, rule.lr, rule.l2);
      else if (rule.kind === 'momentum') k.momentum(p, g, t(state[0]).ptr, n, rule.lr, rule.l2, rule.momentum);
      else {
        const { beta1, beta2 } = rule;
        // the same doubles cpuUpdate computes (1 − β, 1 − β^t), so both paths give the same bits
        k.adam(p, g, t(state[0]).ptr, t(state[1]).ptr, n, rule.lr, rule.l2, beta1, 1 - beta1, beta2, 1 - beta2, 1 - Math.pow(beta1, rule.t), 1 - Math.pow(beta2, rule.t), rule.epsilon);
      }
      return;
    }
    cpuUpdate(t(param).data, t(grad).data, state.map((s) => t(s).data), rule);
  }

  /** Returns a tensor's wasm memory for reuse (tensors that are never freed are reclaimed when collected). */
  free(x: Tensor): void {
    const c = t(x);
    if (c.heap) c.heap.release(c, c.ptr);
  }
}

/** The optimizer step over flat arrays; state is [] for sgd, [velocity] for momentum, [m, v] for adam. */
export function cpuUpdate(p: Float64Array, g: Float64Array, state: Float64Array[], rule: UpdateRule): void {
  const n = p.length;
  const { lr, l2 } = rule;
  switch (rule.kind) {
    case 'sgd':
      // the notebook's W -= lr · dW (with the L2 term only when asked for, so the plain case stays exact)
      if (l2 === 0) for (let i = 0; i < n; i++) p[i] -= lr * g[i];
      else for (let i = 0; i < n; i++) p[i] -= lr * (g[i] + l2 * p[i]);
      break;
    case 'momentum': {
      const v = state[0];
      const mu = rule.momentum;
      for (let i = 0; i < n; i++) {
        const gi = l2 === 0 ? g[i] : g[i] + l2 * p[i];
        v[i] = mu * v[i] + gi;
        p[i] -= lr * v[i];
      }
      break;
    }
    case 'adam': {
      const [m, v] = state;
      const { beta1, beta2, epsilon } = rule;
      const c1 = 1 - Math.pow(beta1, rule.t);
      const c2 = 1 - Math.pow(beta2, rule.t);
      for (let i = 0; i < n; i++) {
        const gi = l2 === 0 ? g[i] : g[i] + l2 * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
      }
      break;
    }
  }
}
