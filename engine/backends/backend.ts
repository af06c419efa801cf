// The small interface every compute backend implements (cpu float64, gpu.js float32).
// The network is written once against it; a backend owns its tensors' memory.

import type { Activation } from '../architecture';
import type { Network } from '../network';
import type { SampleSplit } from './split';

export type Precision = 'float64' | 'float32';

/** A matrix that lives in a backend; its data is only reachable through `read` / `write`. */
export interface Tensor {
  readonly rows: number;
  readonly cols: number;
}

/** Hyperparameters of one optimizer step; `t` counts steps from 1 (adam's bias correction). */
export interface UpdateRule {
  kind: 'sgd' | 'momentum' | 'adam';
  lr: number;
  /** L2 penalty λ: the gradient gains λ·W (biases are not decayed). */
  l2: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  t: number;
}

export interface Backend {
  /** 'cpu' or 'gpu'. */
  readonly name: string;
  /** What actually runs, e.g. 'js-f64', 'wasm-simd-f64', 'webasm', 'headlessgl'. */
  readonly mode: string;
  readonly precision: Precision;
  /** Relative tolerance the conformance suite allows this backend against float64. */
  readonly tolerance: number;

  /** A rows×cols tensor, zero-filled or copied from row-major `data`. */
  tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor;
  /** A row-major float64 copy of the tensor's contents. */
  read(t: Tensor): Float64Array;
  /** Overwrites the tensor with row-major `data` (length rows·cols). */
  write(t: Tensor, data: ArrayLike<number>): void;
  /**
   * out = op(a) · op(b) / divisor, where op transposes when asked. A divisor (not a factor) because the
   * notebook divides by m after the dot product, and x / m is not always x · (1 / m) in floating point.
   */
  gemm(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, divisor: number): void;
  /**
   * z += bias (a column, broadcast over z's columns), then a = g(z).
   * Returns false when some value of a is NaN or ±Infinity (a backend that cannot tell cheaply returns true).
   */
  biasActivation(z: Tensor, bias: Tensor, activation: Activation, a: Tensor): boolean;
  /** dz = dA ⊙ g'(z); for softmax, the Jacobian-vector product computed from a. */
  activationBackward(dA: Tensor, z: Tensor, a: Tensor, activation: Activation, dz: Tensor): void;
  /** out (rows×1) = Σ over columns of t, divided by `divisor`. */
  rowSums(t: Tensor, out: Tensor, divisor: number): void;
  /** One optimizer step on a parameter with its gradient and its state tensors (velocity, or adam's m and v). */
  update(param: Tensor, grad: Tensor, state: Tensor[], rule: UpdateRule): void;
  free(t: Tensor): void;
}

/**
 * The sizes of out = op(a)·op(b): M×K times K×N. Throws, naming the backend and all three shapes, when they do not
 * fit together.
 */
export function gemmDims(backend: string, a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean): { M: number; K: number; N: number } {
  const M = transA ? a.cols : a.rows;
  const K = transA ? a.rows : a.cols;
  const Kb = transB ? b.cols : b.rows;
  const N = transB ? b.rows : b.cols;
  if (K !== Kb || out.rows !== M || out.cols !== N) {
    const shape = (x: Tensor, tr: boolean) => `${x.rows}×${x.cols}${tr ? 'ᵀ' : ''}`;
    throw shapeError(backend, 'gemm', `${shape(a, transA)} · ${shape(b, transB)} → ${out.rows}×${out.cols}`);
  }
  return { M, K, N };
}

/** The error for tensors whose shapes do not fit an op, naming the backend, the op and the shapes. */
export function shapeError(backend: string, op: string, detail: string): Error {
  return new Error(`${backend} backend: ${op} got mismatched shapes (${detail})`);
}

/** A backend whose kernels are split over threads, and whose thread count can change between kernels. */
export interface ThreadedBackend extends Backend {
  /** Threads it was made with (the most it can use). */
  readonly threads: number;
  /** Threads its kernels run on now. */
  readonly activeThreads: number;
  /** Uses n (1 … threads) from the next kernel on; results are the same at any count. */
  setThreads(n: number): void;
  /**
   * The network's full batch (X: features × n) trained as two blocks of samples at once, and the test set (Xt:
   * features × nt) measured in two halves, with the one-thread bits (./split.ts); null where that does not apply.
   */
  splitSamples?(net: Network, X: Float64Array, n: number, Xt: Float64Array, nt: number): SampleSplit | null;
}

export function isThreaded(b: Backend): b is ThreadedBackend {
  return typeof (b as Partial<ThreadedBackend>).setThreads === 'function' && typeof (b as Partial<ThreadedBackend>).threads === 'number';
}
