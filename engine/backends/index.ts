// Backend selection: an ordered list of factories. An explicit choice that cannot start is an error. Under
// 'auto' every backend that starts is measured on the actual network and batch size (a short calibration the
// caller supplies), the fastest wins, and the reason — with the figures — is kept for the run's record.

import type { BackendChoice } from '../config';
import { isThreaded, type Backend } from './backend';
import { CpuBackend } from './cpu';
import { CpuF32Backend } from './cpu-f32';
import type { GpuBackendOptions } from './gpu';

export type { Backend, Tensor, UpdateRule, Precision, ThreadedBackend } from './backend';
export { isThreaded } from './backend';

/** What ran, and why: recorded with every run and shown to the user. */
export interface BackendInfo {
  name: string;
  mode: string;
  precision: string;
  reason: string;
}

export interface BackendFactory {
  name: Exclude<BackendChoice, 'auto'>;
  /** False for a backend that runs only when asked for by name (cpu-f32: auto never trades float64 for speed). */
  auto?: boolean;
  /** True for a backend that runs on several threads: it is left out when the run is limited to one thread. */
  threaded?: boolean;
  /** Resolves to a ready backend, or rejects with the reason it cannot run here. */
  create(opts?: CreateOptions): Promise<Backend>;
}

/** What a factory is asked for. */
export interface CreateOptions {
  /** Most threads the backend may use (the calling thread included); absent: the machine's. */
  threads?: number;
}

export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

/** The gpu.js backend, loaded only when asked for (gpu.js is large). Node hosts pass explainHeadlessGL. */
export function gpuFactory(opts: GpuBackendOptions = {}): BackendFactory {
  return { name: 'gpu', create: async () => (await import('./gpu')).createGpuBackend(opts) };
}

export const cpuFactory: BackendFactory = { name: 'cpu', create: async () => new CpuBackend() };
export const cpuF32Factory: BackendFactory = { name: 'cpu-f32', auto: false, create: async () => new CpuF32Backend() };

/** The backends in order of preference when measurements tie (cpu first: it is the float64 reference). */
export const BACKEND_FACTORIES: BackendFactory[] = [cpuFactory, cpuF32Factory, gpuFactory()];

/** What a calibration measured for one backend: ms per training step of the real batch. */
export interface Measurement {
  msPerStep: number;
  /** True when the backend's first step alone was so slow that it was not timed further. */
  cut?: boolean;
}

/**
 * Times training steps on a backend; `limitMs` is the longest a first step may take before the backend is
 * judged slower without further steps (a first step includes kernel compilation).
 */
export type Calibrate = (backend: Backend, limitMs: number | null) => Promise<Measurement>;

export interface SelectOptions {
  factories?: BackendFactory[];
  /** Required for a measured 'auto'; without it 'auto' takes the first backend that starts. */
  calibrate?: Calibrate;
  /**
   * Most threads the run may use (the calling thread included). 1 leaves out the threaded backends; a host that
   * trains several runs at once gives each its share of the cores so that they do not oversubscribe them.
   */
  threads?: number;
}

/** The chosen backend, what to record about it, and the calibration's figure for it (ms per step) when measured. */
export interface Selected {
  backend: Backend;
  info: BackendInfo;
  msPerStep?: number;
  /** For a threaded backend: the calibration's figure at its other thread count (one, or all), when measured. */
  otherMsPerStep?: number;
}

function describe(b: Backend, reason: string): BackendInfo {
  // a backend may say why it runs in this mode (e.g. the CPU backend without WebAssembly SIMD)
  const modeReason = (b as { modeReason?: string }).modeReason;
  return { name: b.name, mode: b.mode, precision: b.precision, reason: modeReason ? `${reason}; ${modeReason}` : reason };
}

/** Releases a backend that lost the selection (the gpu backend holds a gpu.js context). */
export async function releaseBackend(b: Backend): Promise<void> {
  const d = (b as { dispose?: () => Promise<void> | void }).dispose;
  if (d) await d.call(b);
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export async function selectBackend(choice: BackendChoice, opts: SelectOptions = {}): Promise<Selected> {
  const factories = opts.factories ?? BACKEND_FACTORIES;
  const threads = opts.threads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`threads must be a whole number ≥ 1, got ${threads}`);
  // an explicit choice may still have several candidates (a Node host offers a one-thread and a threaded cpu)
  const candidates = (choice === 'auto' ? factories.filter((f) => f.auto !== false) : factories.filter((f) => f.name === choice)).filter(
    (f) => !(f.threaded && threads !== undefined && threads < 2),
  );
  if (candidates.length === 0) throw new BackendUnavailableError(`backend ${choice} is not available; use --backend cpu or auto`);
  const skipped: string[] = [];
  const failures: string[] = [];
  const ready: Backend[] = [];
  for (const f of candidates) {
    try {
      ready.push(await f.create(threads === undefined ? undefined : { threads }));
    } catch (e) {
      failures.push((e as Error).message);
      skipped.push(`${f.name} unavailable (${(e as Error).message})`);
    }
  }
  if (ready.length === 0) {
    if (choice !== 'auto') throw new BackendUnavailableError(`backend ${choice} cannot start: ${failures.join('; ')}; use --backend cpu or auto`);
    throw new BackendUnavailableError(`no backend could start: ${skipped.join('; ')}`);
  }
  const asked = choice === 'auto' ? 'auto' : `${choice} was asked for`;
  const notes = skipped.length ? `; ${skipped.join('; ')}` : '';
  if (ready.length === 1 || !opts.calibrate) {
    for (const b of ready.slice(1)) await releaseBackend(b);
    const why =
      choice !== 'auto' ? asked : ready.length === 1 ? `auto: ${ready[0].name} is the only backend that starts here` : `auto: ${ready[0].name} is the first available`;
    return { backend: ready[0], info: describe(ready[0], why + notes) };
  }
  // measure each on the real network and batch; a backend whose first step takes 20× the best so far is cut short.
  // Each is timed twice, in the order A B … then … B A, and its faster timing counts: a process's first timings run
  // while the WebAssembly and JS compilers still optimise in the background (on two cores taking one from the timed
  // backend), which made whichever was measured first look up to 1.8× slower than it is
  const figures: { b: Backend; m: Measurement }[] = [];
  const measure = async (b: Backend): Promise<Measurement | null> => {
    const best = figures.length ? Math.min(...figures.map((f) => f.m.msPerStep)) : null;
    try {
      return await opts.calibrate!(b, best === null ? null : Math.max(20 * best, 200));
    } catch (e) {
      // a backend that fails while being measured is out, with the reason
      skipped.push(`${b.name} (${b.mode}) failed during calibration (${(e as Error).message})`);
      await releaseBackend(b);
      return null;
    }
  };
  for (const b of ready) {
    const m = await measure(b);
    if (m) figures.push({ b, m });
  }
  if (figures.length > 1) {
    for (const f of [...figures].reverse()) {
      if (f.m.cut) continue;
      const m = await measure(f.b);
      if (!m) figures.splice(figures.indexOf(f), 1);
      else if (!m.cut && m.msPerStep < f.m.msPerStep) f.m = m;
    }
  }
  if (figures.length === 0) throw new BackendUnavailableError(`no backend could train this network: ${skipped.join('; ')}`);
  // the first in the list keeps the run unless another is clearly faster (by 20%): the list puts the float64
  // CPU reference first, and a measurement within noise should not move a run to float32
  const winner = figures.reduce((a, c) => (c.m.msPerStep * 1.2 < a.m.msPerStep ? c : a));
  const measured = figures
    .map((f) => `${f.b.name} (${f.b.mode}) ${f.m.cut ? `first step ${ms(f.m.msPerStep)} ms, not timed further` : `${ms(f.m.msPerStep)} ms/step`}`)
    .join(', ');
  const fastest = figures.reduce((a, c) => (c.m.msPerStep < a.m.msPerStep ? c : a));
  const label = (b: Backend) => (figures.filter((f) => f.b.name === b.name).length > 1 ? `${b.name} (${b.mode})` : b.name);
  const verdict = fastest === winner ? `${label(winner.b)} is faster` : `${label(winner.b)} is kept: ${label(fastest.b)} is less than 20% faster`;
  // a one-thread winner with a threaded twin (same name and precision) runs on the twin held to one thread: the
  // same kernels and bits, and the run can take the other threads back when they pay (engine/backends/threads.ts)
  let chosen = winner.b, heldToOne = '';
  // the same kernels at the other thread count: the threaded twin of a one-thread winner, or the one-thread backend
  // beside a threaded one
  const twin = figures.find((f) => f !== winner && isThreaded(f.b) !== isThreaded(winner.b) && f.b.name === winner.b.name && f.b.precision === winner.b.precision);
  if (twin && isThreaded(twin.b)) {
    twin.b.setThreads(1);
    chosen = twin.b;
    heldToOne = `; it runs on one thread of ${twin.b.name} (${twin.b.mode}), which takes its other threads when they pay`;
  }
  for (const f of figures) if (f.b !== chosen) await releaseBackend(f.b);
  const why = `${asked}: measured on this network and batch: ${measured}; ${verdict}${heldToOne}${skipped.length ? `; ${skipped.join('; ')}` : ''}`;
  return { backend: chosen, info: describe(chosen, why), msPerStep: winner.m.msPerStep, ...(twin && !twin.m.cut ? { otherMsPerStep: twin.m.msPerStep } : {}) };
}
