// The backend list for Node hosts (the command line, the trainer workers, the service): the multi-threaded
// float64 CPU backend (numpy-exact, bit-identical to one thread) before the one-thread one, the same pair in
// float32 (cpu-f32, only when asked for by name), then gpu.js, whose
// entry can say exactly why headlessgl cannot run (which only Node can find out). Training measures them on the
// actual network (engine/backends/index.ts): threads pay off on bigger networks, one thread on tiny ones.

import { explainHeadlessGL } from '../engine/backends/gpu-node';
import { cpuF32Factory, cpuFactory, gpuFactory, type BackendFactory } from '../engine/backends/index';
import { ParallelCpuBackend } from '../engine/backends/parallel';

const threaded = (precision: 'float64' | 'float32'): BackendFactory => ({
  name: precision === 'float64' ? 'cpu' : 'cpu-f32',
  auto: precision === 'float64',
  create: () => ParallelCpuBackend.create({ precision }),
});

export const NODE_BACKENDS: BackendFactory[] = [threaded('float64'), cpuFactory, threaded('float32'), cpuF32Factory, gpuFactory({ explainHeadlessGL })];
