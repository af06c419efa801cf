// The gpu backend: float32 kernels on gpu.js 2.24. In Node gpu.js runs them as GLSL shaders on a headless WebGL
// context when the optional `gl` module is built ('headlessgl': the real GPU on a desktop, Mesa's software GL under
// xvfb), else compiles them to WebAssembly with f32x4 SIMD ('webasm'); in a browser page, 'webgl2' or 'webgl'.
// Tensors stay where the kernels put them (textures on the GL modes) and `read` downloads; one op is one kernel
// pass per output cell, compiled once per shape.

import { GPU, type IKernelRunShortcut, type Texture } from 'gpu.js';
import type { Activation } from '../architecture';
import { gemmDims, shapeError as backendShapeError, type Backend, type Tensor, type UpdateRule } from './backend';
import {
  activationBackwardSource,
  activationSource,
  ADAM_M,
  ADAM_STEP,
  ADAM_V,
  backwardInputs,
  BIAS_ADD,
  COPY,
  gemmSource,
  MOMENTUM_STEP,
  MOMENTUM_VELOCITY,
  ROW_SUM,
  ROW_SUM_BLOCK,
  ROW_SUM_PARTIAL,
  SGD,
} from './gpu/kernels';

/** The gpu.js modes this backend runs on, best first, as gpu.js's own automatic order. gpu.js's 'cpu' is not one:
 * plain JS float32 kernels would only be a slower copy of the cpu backend. */
export const GPU_MODES = ['headlessgl', 'webgl2', 'webgl', 'webasm'] as const;
export type GpuMode = (typeof GPU_MODES)[number];

/** What gpu.js keeps for a tensor: a texture on the GL modes, rows of float32 on webasm (no device memory). */
type Value = Texture | Float32Array[];

/** A gpu tensor: its data is only reachable through the backend. */
export class GpuTensor implements Tensor {
  /** null once freed. */
  value: Value | null;
  constructor(readonly rows: number, readonly cols: number, value: Value) {
    this.value = value;
  }
}

export interface GpuBackendOptions {
  /** 'auto' (default): the first of GPU_MODES that this platform supports and that passes a probe kernel. */
  mode?: 'auto' | GpuMode;
  /**
   * Says exactly why headlessgl is unavailable (gpu.js only knows that it is); Node hosts pass
   * explainHeadlessGL from ./gpu-node, which this file cannot import (the renderer reaches it).
   */
  explainHeadlessGL?: () => string | null;
}

type Kernel = (...args: unknown[]) => unknown;

const SUPPORTED: Record<GpuMode, () => boolean> = {
  headlessgl: () => GPU.isHeadlessGLSupported,
  webgl2: () => GPU.isWebGL2Supported,
  webgl: () => GPU.isWebGLSupported,
  webasm: () => GPU.isWebAssemblySupported,
};

const UNSUPPORTED_REASON: Record<GpuMode, string> = {
  headlessgl: 'gpu.js found no headless WebGL context: the optional `gl` module is not built, or has no display (build it with scripts/setup-headlessgl.sh; on a server run under xvfb-run)',
  webgl2: 'no WebGL2 here (not a browser page, or WebGL is off)',
  webgl: 'no WebGL here (not a browser page, or WebGL is off)',
  webasm: 'WebAssembly is not available',
};

function isTexture(v: Value): v is Texture {
  return !Array.isArray(v);
}

const shapeError = (op: string, detail: string) => backendShapeError('gpu', op, detail);

export class GpuBackend implements Backend {
  readonly name = 'gpu';
  readonly precision = 'float32' as const;
  /**
   * Relative tolerance against float64, per op (max |error| / max |value|): float32 rounding of the inputs and
   * sums of a few hundred terms. Measured worst case over the conformance suite: under 1e-6 on webasm (IEEE f32),
   * 2e-6 on headlessgl over Mesa's llvmpipe (softmax's backward); a GPU driver's exp and division may be a few ulp.
   */
  readonly tolerance = 1e-5;
  /** True when kernel outputs stay on the device between kernels (textures), so `read` is a download. */
  readonly resident: boolean;
  private readonly kernels = new Map<string, Kernel>();

  private constructor(private readonly gpu: GPU, readonly mode: GpuMode, readonly modeReason: string) {
    this.resident = mode !== 'webasm';
  }

  /** A backend on the given gpu.js mode; throws with the reason when the mode cannot run here. */
  static open(mode: GpuMode, reason: string, explain?: () => string | null): GpuBackend {
    if (!SUPPORTED[mode]()) {
      const why = (mode === 'headlessgl' && explain?.()) || UNSUPPORTED_REASON[mode];
      throw new Error(`gpu.js mode ${mode} is unavailable: ${why}`);
    }
    const gpu = new GPU({ mode });
    const b = new GpuBackend(gpu, mode, reason);
    try {
      b.probe();
    } catch (e) {
      void gpu.destroy().catch(() => undefined);
      throw new Error(`gpu.js mode ${mode} failed its probe kernel: ${(e as Error).message}`, { cause: e });
    }
    return b;
  }

  /** Runs one small gemm and checks the result and that gpu.js did not silently fall back to its cpu kernels. */
  private probe(): void {
    const a = this.tensor(3, 5, [1, 2, 3, 4, 5, -1, -2, -3, -4, -5, 0.5, 0.25, 0.125, 2, 4]);
    const b = this.tensor(5, 2, [1, 0, 0, 1, 1, 1, 2, -1, 0.5, 0.5]);
    const c = this.tensor(3, 2);
    this.gemm(a, b, c, false, false, 2);
    const got = this.read(c);
    const want = [(1 + 3 + 8 + 2.5) / 2, (2 + 3 - 4 + 2.5) / 2, (-1 - 3 - 8 - 2.5) / 2, (-2 - 3 + 4 - 2.5) / 2, (0.5 + 0.125 + 4 + 2) / 2, (0.25 + 0.125 - 2 + 2) / 2];
    for (let i = 0; i < want.length; i++) {
      if (Math.abs(got[i] - want[i]) > 1e-5 * Math.abs(want[i]) + 1e-6) throw new Error(`wrong result ${got[i]} for ${want[i]}`);
    }
    for (const t of [a, b, c]) this.free(t);
  }

  /**
   * Throws when gpu.js built a kernel on something other than this mode: a kernel it cannot build is swapped for
   * its cpu kernel with only a console warning, and the run would no longer be what `mode` says.
   */
  private checkBuilt(k: Kernel, what: string): void {
    const chosen = (this.gpu as unknown as { Kernel: unknown }).Kernel;
    const inner = (k as unknown as IKernelRunShortcut).kernel as unknown as { constructor: { mode: string }; fallbackReason?: string };
    if (inner.constructor !== chosen) {
      throw new Error(`gpu backend: gpu.js ran the ${what} kernel on ${inner.constructor.mode} instead of ${this.mode}${inner.fallbackReason ? ` (${inner.fallbackReason})` : ''}`);
    }
  }

  /** A compiled kernel for this op and output shape (gpu.js bakes sizes into the code), built on first use. */
  private kernel(key: string, source: string, rows: number, cols: number, constants: Record<string, number> = {}): Kernel {
    const id = `${key}|${rows}x${cols}|${JSON.stringify(constants)}`;
    let k = this.kernels.get(id);
    if (!k) {
      k = this.gpu.createKernel(source, {
        output: [cols, rows],
        pipeline: true,
        // every call returns a new texture: the same kernel (one shape) writes many tensors
        immutable: true,
        precision: 'single',
        tactic: 'precision',
        constants,
      }) as unknown as Kernel;
      const built = k;
      // gpu.js builds on the first call: check that one, then call the kernel directly from then on
      const first: Kernel = (...args) => {
        const out = built(...args);
        this.checkBuilt(built, key);
        this.kernels.set(id, built);
        return out;
      };
      this.kernels.set(id, first);
      return first;
    }
    return k;
  }

  private v(t: Tensor): Value {
    const v = (t as GpuTensor).value;
    if (v === null) throw new Error(`gpu backend: a ${t.rows}×${t.cols} tensor was used after free()`);
    return v;
  }

  /** Gives t a kernel's result, releasing the texture it held. */
  private set(t: Tensor, v: unknown): void {
    const g = t as GpuTensor;
    const old = g.value;
    g.value = v as Value;
    if (old !== null && old !== v && isTexture(old)) old.delete();
  }

  /** Host rows (views of one float32 copy), on the device when the mode has one. */
  private upload(rows: number, cols: number, data?: ArrayLike<number>): Value {
    const flat = new Float32Array(rows * cols);
    if (data) flat.set(data);
    const rowViews = Array.from({ length: rows }, (_, r) => flat.subarray(r * cols, (r + 1) * cols));
    if (!this.resident) return rowViews;
    return this.kernel('copy', COPY, rows, cols)(rowViews) as Texture;
  }

  tensor(rows: number, cols: number, data?: ArrayLike<number>): GpuTensor {
    if (data && data.length !== rows * cols) throw shapeError('tensor', `${data.length} values for ${rows}×${cols}`);
    return new GpuTensor(rows, cols, this.upload(rows, cols, data));
  }

  read(t: Tensor): Float64Array {
    const v = this.v(t);
    const rows = (isTexture(v) ? v.toArray() : v) as unknown as ArrayLike<number>[] | Float32Array;
    const out = new Float64Array(t.rows * t.cols);
    // a texture of one row may come back flat
    if (rows instanceof Float32Array) out.set(rows.subarray(0, out.length));
    else for (let r = 0; r < t.rows; r++) out.set(rows[r], r * t.cols);
    return out;
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.rows * t.cols) throw shapeError('write', `${data.length} values for ${t.rows}×${t.cols}`);
    this.set(t, this.upload(t.rows, t.cols, data));
  }

  gemm(a: Tensor, b: Tensor, out: Tensor, transA: boolean, transB: boolean, divisor: number): void {
    const { M, K, N } = gemmDims('gpu', a, b, out, transA, transB);
    const k = this.kernel(`gemm${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`, gemmSource(transA, transB), M, N, { K, div: divisor });
    this.set(out, k(this.v(a), this.v(b)));
  }

  /** Always true: finding a NaN would mean a download per layer. The trainer still stops on divergence, because it
   * reads the output layer every epoch and a NaN or Infinity anywhere reaches the cost (DivergenceError, layer null). */
  biasActivation(z: Tensor, bias: Tensor, activation: Activation, a: Tensor): boolean {
    if (bias.rows !== z.rows || a.rows !== z.rows || a.cols !== z.cols) throw shapeError('biasActivation', `z ${z.rows}×${z.cols}, bias ${bias.rows}×${bias.cols}, a ${a.rows}×${a.cols}`);
    this.set(z, this.kernel('bias', BIAS_ADD, z.rows, z.cols)(this.v(z), this.v(bias)));
    const consts: Record<string, number> = activation === 'softmax' ? { R: z.rows } : {};
    this.set(a, this.kernel(`act-${activation}`, activationSource(activation), z.rows, z.cols, consts)(this.v(z)));
    return true;
  }

  activationBackward(dA: Tensor, z: Tensor, a: Tensor, activation: Activation, dz: Tensor): void {
    const consts: Record<string, number> = activation === 'softmax' ? { R: z.rows } : {};
    const inputs = backwardInputs(activation).map((n) => this.v(n === 'z' ? z : a));
    this.set(dz, this.kernel(`dact-${activation}`, activationBackwardSource(activation), z.rows, z.cols, consts)(this.v(dA), ...inputs));
  }

  /** Two passes when a row is long (blocks of ROW_SUM_BLOCK, then their sums): a shorter float32 summation chain and,
   * on a GPU, rows × blocks threads instead of one per row. */
  rowSums(x: Tensor, out: Tensor, divisor: number): void {
    if (out.rows !== x.rows || out.rows * out.cols !== x.rows) throw shapeError('rowSums', `${x.rows}×${x.cols} → ${out.rows}×${out.cols}`);
    let v: unknown = this.v(x);
    let C = x.cols;
    let partial: GpuTensor | null = null;
    if (C > ROW_SUM_BLOCK) {
      const P = Math.ceil(C / ROW_SUM_BLOCK);
      v = this.kernel('rowsum-partial', ROW_SUM_PARTIAL, x.rows, P, { B: ROW_SUM_BLOCK, C })(v);
      partial = new GpuTensor(x.rows, P, v as Value);
      C = P;
    }
    this.set(out, this.kernel('rowsum', ROW_SUM, x.rows, 1, { C, div: divisor })(v));
    if (partial) this.free(partial);
  }

  update(param: Tensor, grad: Tensor, state: Tensor[], rule: UpdateRule): void {
    const { rows, cols } = param;
    const p = this.v(param), g = this.v(grad);
    const { lr, l2 } = rule;
    switch (rule.kind) {
      case 'sgd':
        this.set(param, this.kernel('sgd', SGD, rows, cols)(p, g, lr, l2));
        break;
      case 'momentum': {
        const [vel] = state;
        this.set(vel, this.kernel('mom-v', MOMENTUM_VELOCITY, rows, cols)(p, g, this.v(vel), rule.momentum, l2));
        this.set(param, this.kernel('mom-step', MOMENTUM_STEP, rows, cols)(p, this.v(vel), lr));
        break;
      }
      case 'adam': {
        const [m, v] = state;
        const c1 = 1 - Math.pow(rule.beta1, rule.t);
        const c2 = 1 - Math.pow(rule.beta2, rule.t);
        this.set(m, this.kernel('adam-m', ADAM_M, rows, cols)(p, g, this.v(m), rule.beta1, 1 - rule.beta1, l2));
        this.set(v, this.kernel('adam-v', ADAM_V, rows, cols)(p, g, this.v(v), rule.beta2, 1 - rule.beta2, l2));
        this.set(param, this.kernel('adam-step', ADAM_STEP, rows, cols)(p, this.v(m), this.v(v), lr, c1, c2, rule.epsilon));
        break;
      }
    }
  }

  free(t: Tensor): void {
    const g = t as GpuTensor;
    if (g.value !== null && isTexture(g.value)) g.value.delete();
    g.value = null;
  }

  /** Releases every kernel and the GL context (or the kernels' WebAssembly memories). */
  async dispose(): Promise<void> {
    this.kernels.clear();
    await this.gpu.destroy();
  }
}

/** Why webasm, when it is chosen: what it is, and why it runs on one thread. */
const WEBASM_NOTE = 'WebAssembly f32x4 SIMD on one thread (gpu.js threads only run under its async contract, and backend ops are synchronous)';

/**
 * A ready gpu backend. With mode 'auto' it takes the first gpu.js mode that works here and keeps why the ones
 * before it did not (modeReason); an explicit mode that cannot run rejects with the reason.
 */
export async function createGpuBackend(opts: GpuBackendOptions = {}): Promise<GpuBackend> {
  const want = opts.mode ?? 'auto';
  if (want !== 'auto') return GpuBackend.open(want, want === 'webasm' ? `webasm was asked for: ${WEBASM_NOTE}` : `${want} was asked for`, opts.explainHeadlessGL);
  const skipped: string[] = [];
  for (const mode of GPU_MODES) {
    // in Node only headlessgl and webasm can exist; don't list the browser modes as reasons there
    if ((mode === 'webgl2' || mode === 'webgl') && typeof document === 'undefined') continue;
    try {
      const note = mode === 'webasm' ? `; ${WEBASM_NOTE}` : mode === 'headlessgl' ? ': GLSL shaders on a headless WebGL context' : ': GLSL shaders on the page\'s WebGL';
      return GpuBackend.open(mode, skipped.length ? `${skipped.join('; ')} → ${mode}${note}` : `${mode}${note}`, opts.explainHeadlessGL);
    } catch (e) {
      skipped.push((e as Error).message);
    }
  }
  throw new Error(`gpu.js has no mode that runs here: ${skipped.join('; ')}`);
}
