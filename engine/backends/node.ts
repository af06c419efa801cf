// node-only: the backend list for Node hosts (the command line, the trainer workers, the service, the bench).
// The threaded float64 CPU backend (numpy-exact, bit-identical to one thread) before the one-thread one, the same
// pair in float32 (cpu-f32, only when asked for by name), then gpu.js, whose entry can say exactly why headlessgl
// cannot run. Training measures them on the actual network (./index.ts) and, on a threaded backend, keeps
// choosing its thread count as the run goes (./threads.ts). A run limited to one thread (selectBackend's or
// createTrainer's `threads: 1`) leaves the threaded entries out.

import { explainHeadlessGL } from './gpu-node';
import { cpuF32Factory, cpuFactory, gpuFactory, type BackendFactory } from './index';
import { defaultThreads, ParallelCpuBackend } from './parallel';

/** The threaded CPU backend in one precision; `create({ threads })` caps its threads. */
export function threadedCpuFactory(precision: 'float64' | 'float32'): BackendFactory {
  return {
    name: precision === 'float64' ? 'cpu' : 'cpu-f32',
    auto: precision === 'float64',
    threaded: true,
    create: (opts) => ParallelCpuBackend.create({ precision, threads: Math.min(defaultThreads(), opts?.threads ?? Infinity) }),
  };
}

/** Every backend a Node host can offer, in order of preference. */
export function nodeBackendFactories(): BackendFactory[] {
  return [threadedCpuFactory('float64'), cpuFactory, threadedCpuFactory('float32'), cpuF32Factory, gpuFactory({ explainHeadlessGL })];
}

export const NODE_BACKENDS: BackendFactory[] = nodeBackendFactories();
