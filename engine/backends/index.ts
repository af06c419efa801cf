// Backend selection: an ordered list of factories. Under 'auto' a factory that fails is skipped and its
// reason kept; an explicit request that fails is an error.

import type { BackendChoice } from '../config';
import type { Backend } from './backend';
import { CpuBackend } from './cpu';

export type { Backend, Tensor, UpdateRule, Precision } from './backend';

/** What ran, and why: recorded with every run and shown to the user. */
export interface BackendInfo {
  name: string;
  mode: string;
  precision: string;
  reason: string;
}

export interface BackendFactory {
  name: 'cpu' | 'gpu';
  /** Resolves to a ready backend, or rejects with the reason it cannot run here. */
  create(): Promise<Backend>;
}

export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

/** Factories in order of preference. The gpu.js backend registers itself here when it is built. */
export const BACKEND_FACTORIES: BackendFactory[] = [
  {
    name: 'gpu',
    create: () => Promise.reject(new BackendUnavailableError('the gpu.js backend is not part of this build yet')),
  },
  { name: 'cpu', create: async () => new CpuBackend() },
];

export async function selectBackend(choice: BackendChoice, factories: BackendFactory[] = BACKEND_FACTORIES): Promise<{ backend: Backend; info: BackendInfo }> {
  const info = (b: Backend, reason: string): BackendInfo => {
    // a backend may say why it runs in this mode (e.g. the CPU backend without WebAssembly SIMD)
    const modeReason = (b as { modeReason?: string }).modeReason;
    return { name: b.name, mode: b.mode, precision: b.precision, reason: modeReason ? `${reason}; ${modeReason}` : reason };
  };
  if (choice !== 'auto') {
    const f = factories.find((x) => x.name === choice);
    if (!f) throw new BackendUnavailableError(`backend ${choice} is not available; use --backend cpu or auto`);
    try {
      const b = await f.create();
      return { backend: b, info: info(b, `${choice} was asked for`) };
    } catch (e) {
      throw new BackendUnavailableError(`backend ${choice} cannot start: ${(e as Error).message}; use --backend cpu or auto`);
    }
  }
  const skipped: string[] = [];
  for (const f of factories) {
    try {
      const b = await f.create();
      const why = skipped.length ? `auto: ${skipped.join('; ')}` : `auto: ${f.name} is the first available`;
      return { backend: b, info: info(b, why) };
    } catch (e) {
      skipped.push(`${f.name} unavailable (${(e as Error).message})`);
    }
  }
  throw new BackendUnavailableError(`no backend could start: ${skipped.join('; ')}`);
}
