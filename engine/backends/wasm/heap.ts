// The WebAssembly SIMD kernels, loaded from the embedded modules, and the linear memory their tensors live in:
// one instance per CPU backend, with a first-fit allocator over its memory above the module's own data.
// The memory may be given (a shared one, for the threaded kernels of ../parallel.ts).

import { KERNELS_FMA_MT_WASM_BASE64 } from './kernels-fma-mt-wasm';
import { KERNELS_FMA_WASM_BASE64 } from './kernels-fma-wasm';
import { KERNELS_F32_FMA_MT_WASM_BASE64 } from './kernels-f32-fma-mt-wasm';
import { KERNELS_F32_FMA_WASM_BASE64 } from './kernels-f32-fma-wasm';
import { KERNELS_F32_MT_WASM_BASE64 } from './kernels-f32-mt-wasm';
import { KERNELS_F32_WASM_BASE64 } from './kernels-f32-wasm';
import { KERNELS_MT_WASM_BASE64 } from './kernels-mt-wasm';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';

/** The module's exports (see kernels.c); pointers are byte offsets into the heap's memory. */
export interface WasmKernels {
  /** Bytes of `scratch` a gemm of this shape needs: the live-row lists and (NN, TN: nt = 0) both operands packed. */
  gemm_scratch_bytes(M: number, K: number, N: number, nt: number): number;
  gemm_nn(a: number, b: number, c: number, M: number, K: number, N: number, divisor: number, scratch: number): void;
  gemm_tn(a: number, b: number, c: number, M: number, K: number, N: number, divisor: number, scratch: number): void;
  gemm_nt(a: number, b: number, c: number, M: number, K: number, N: number, divisor: number, scratch: number): void;
  row_sums(x: number, out: number, rows: number, cols: number, divisor: number): void;
  bias_act(z: number, bias: number, a: number, rows: number, cols: number, act: number, slope: number): number;
  act_backward(dA: number, z: number, a: number, dz: number, n: number, act: number, slope: number): void;
  sgd(p: number, g: number, n: number, lr: number, l2: number): void;
  momentum(p: number, g: number, v: number, n: number, lr: number, l2: number, mu: number): void;
  /** omb1 = 1 − b1, omb2 = 1 − b2, c1 = 1 − b1^t, c2 = 1 − b2^t (the caller's, as numpy's python floats). */
  adam(p: number, g: number, m: number, v: number, n: number, lr: number, l2: number, b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number): void;
}

/**
 * The float32 module's exports (see kernels-f32.c). Every kernel takes (part, nparts) last and does that share
 * of the work; the gemms use gemm_scratch_bytes(M, K, N, nt) bytes of scratch per part (part p at p times that).
 */
export interface WasmF32Kernels {
  gemm_scratch_bytes(M: number, K: number, N: number, nt: number): number;
  gemm_nn_mt(a: number, b: number, c: number, M: number, K: number, N: number, divisor: number, scratch: number, part: number, nparts: number): void;
  gemm_tn_mt(a: number, b: number, c: number, M: number, K: number, N: number, divisor: number, scratch: number, part: number, nparts: number): void;
  gemm_nt_mt(a: number, b: number, c: number, M: number, K: number, N: number, divisor: number, scratch: number, part: number, nparts: number): void;
  row_sums_mt(x: number, out: number, rows: number, cols: number, divisor: number, part: number, nparts: number): void;
  bias_act_mt(z: number, bias: number, a: number, rows: number, cols: number, act: number, slope: number, part: number, nparts: number): number;
  act_backward_mt(dA: number, z: number, a: number, dz: number, n: number, act: number, slope: number, part: number, nparts: number): void;
  sgd_mt(p: number, g: number, n: number, lr: number, l2: number, part: number, nparts: number): void;
  momentum_mt(p: number, g: number, v: number, n: number, lr: number, l2: number, mu: number, part: number, nparts: number): void;
  adam_mt(p: number, g: number, m: number, v: number, n: number, lr: number, l2: number, b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, part: number, nparts: number): void;
}

/** Activation codes of kernels.c and kernels-f32.c. */
export const WASM_ACT = { relu: 0, leaky_relu: 1, linear: 2, sigmoid: 3, tanh: 4 } as const;

const PAGE = 65536;
/** Every block starts on a cache line and is a whole number of them. */
const ALIGN = 64;

/** A compiled module (`fused`: the build whose gemms use relaxed SIMD's multiply-add), or why none runs here. */
export type Loaded = { module: WebAssembly.Module; fused?: boolean } | { reason: string };
const cache = new Map<string, Loaded>();

/** Compiles an embedded module once, or says why it cannot run here (no WebAssembly, no SIMD, compile refused). */
export function loadModule(base64: string): Loaded {
  let m = cache.get(base64);
  if (m) return m;
  try {
    if (typeof WebAssembly !== 'object') {
      m = { reason: 'WebAssembly is not available' };
    } else {
      const bytes = decodeBase64(base64);
      m = WebAssembly.validate(bytes)
        ? { module: new WebAssembly.Module(bytes) }
        : { reason: 'this WebAssembly engine does not support SIMD (simd128)' };
    }
  } catch (e) {
    m = { reason: `the WebAssembly kernels did not compile: ${(e as Error).message}` };
  }
  cache.set(base64, m);
  return m;
}

/**
 * The build of an embedded module whose gemms add every term with one relaxed-SIMD multiply-add where the WebAssembly
 * engine has relaxed SIMD (Chromium, Electron, Node ≥ 22, and Node 20 started through bin/relaxed-simd.js), else the
 * build with separate multiplies and adds, or why neither runs here. Same sums in the same order, one rounding fewer
 * per term (as numpy's OpenBLAS); steps about 15 % faster (README, "Changing a kernel").
 */
function fusedOrPlain(fused: string, plain: string): Loaded {
  const m = loadModule(fused);
  return 'module' in m ? { module: m.module, fused: true } : loadModule(plain);
}

/** The float64 kernel module (kernels.c; `shared`: the threaded build), or why it cannot run here. */
export function kernelModule(shared = false): Loaded {
  return shared ? fusedOrPlain(KERNELS_FMA_MT_WASM_BASE64, KERNELS_MT_WASM_BASE64) : fusedOrPlain(KERNELS_FMA_WASM_BASE64, KERNELS_WASM_BASE64);
}

/** The float32 kernel module (kernels-f32.c; `shared`: the threaded build), or why it cannot run here. */
export function kernelModuleF32(shared = false): Loaded {
  return shared ? fusedOrPlain(KERNELS_F32_FMA_MT_WASM_BASE64, KERNELS_F32_MT_WASM_BASE64) : fusedOrPlain(KERNELS_F32_FMA_WASM_BASE64, KERNELS_F32_WASM_BASE64);
}

/** What a backend's reason adds when it runs the fused build. */
export const FUSED_NOTE = ', gemms with fused multiply-adds';

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

interface Block {
  ptr: number;
  size: number;
}

export interface WasmHeapOptions<K = WasmKernels> {
  /** Initial size of a memory made here (default 4 MiB). */
  initialBytes?: number;
  /** Use this memory (e.g. a shared one) instead of making one; the module must import it as env.memory. */
  memory?: WebAssembly.Memory;
  /** Call these instead of the instance's exports (e.g. wrappers that split each call over threads). */
  kernels?: K;
}

/** One kernel instance and its memory. Blocks freed (explicitly or when their tensor is collected) are reused. */
export class WasmHeap<K = WasmKernels> {
  readonly memory: WebAssembly.Memory;
  readonly kernels: K;
  /** Free blocks, sorted by address, never adjacent (they are merged). */
  private readonly freeList: Block[] = [];
  private readonly sizes = new Map<number, number>();
  private readonly collected =
    typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<number>((ptr) => this.free(ptr)) : null;

  constructor(module: WebAssembly.Module, opts: number | WasmHeapOptions<K> = {}) {
    const o = typeof opts === 'number' ? { initialBytes: opts } : opts;
    this.memory = o.memory ?? new WebAssembly.Memory({ initial: Math.ceil((o.initialBytes ?? 4 << 20) / PAGE) });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.kernels = o.kernels ?? (instance.exports as unknown as K);
    const base = roundUp((instance.exports.__heap_base as WebAssembly.Global).value as number, ALIGN);
    this.freeList.push({ ptr: base, size: this.memory.buffer.byteLength - base });
  }

  /** A block of at least `bytes` bytes (contents undefined); grows the memory when no free block fits. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, roundUp(bytes, ALIGN));
    let i = this.freeList.findIndex((b) => b.size >= size);
    if (i < 0) i = this.grow(size);
    const b = this.freeList[i];
    const ptr = b.ptr;
    if (b.size === size) this.freeList.splice(i, 1);
    else {
      b.ptr += size;
      b.size -= size;
    }
    this.sizes.set(ptr, size);
    return ptr;
  }

  /** Returns a block; freeing one twice (or one never allocated) does nothing. */
  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i].ptr < ptr) i++;
    const prev = i > 0 ? list[i - 1] : null, next = i < list.length ? list[i] : null;
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += size;
      if (next && prev.ptr + prev.size === next.ptr) {
        prev.size += next.size;
        list.splice(i, 1);
      }
    } else if (next && ptr + size === next.ptr) {
      next.ptr = ptr;
      next.size += size;
    } else list.splice(i, 0, { ptr, size });
  }

  private scratchPtr = -1;
  private scratchBytes = 0;

  /** A block of at least `bytes` bytes for a kernel's temporary use, reused by every call. */
  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr >= 0) this.free(this.scratchPtr);
      this.scratchBytes = Math.max(bytes, 4096);
      this.scratchPtr = this.alloc(this.scratchBytes);
    }
    return this.scratchPtr;
  }

  /** Frees `ptr` once `owner` is garbage-collected, unless `release(owner)` came first. */
  track(owner: object, ptr: number): void {
    this.collected?.register(owner, ptr, owner);
  }

  release(owner: object, ptr: number): void {
    this.collected?.unregister(owner);
    this.free(ptr);
  }

  /** A float64 view of n values at ptr; views go stale (length 0) when the memory grows, so re-take them. */
  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }

  /** A float32 view of n values at ptr (goes stale as f64's do). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** Bytes allocated and not freed (for tests). */
  get allocatedBytes(): number {
    let s = 0;
    for (const v of this.sizes.values()) s += v;
    return s;
  }

  /** Grows by at least `size` bytes (and at least half again), returning the index of the free block at the end. */
  private grow(size: number): number {
    const oldEnd = this.memory.buffer.byteLength;
    const last = this.freeList[this.freeList.length - 1];
    const tailFree = last && last.ptr + last.size === oldEnd ? last.size : 0;
    const pages = Math.max(Math.ceil((size - tailFree) / PAGE), Math.ceil(oldEnd / 2 / PAGE));
    try {
      this.memory.grow(pages);
    } catch {
      throw new RangeError(`cpu backend: out of WebAssembly memory growing ${oldEnd} bytes for a ${size}-byte tensor; use smaller data or batches`);
    }
    const added = pages * PAGE;
    if (tailFree) last.size += added;
    else this.freeList.push({ ptr: oldEnd, size: added });
    return this.freeList.length - 1;
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
