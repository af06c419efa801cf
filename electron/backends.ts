// The backend list for Node hosts (the command line, the trainer workers, the service): the multi-threaded
// float64 CPU backend (numpy-exact, bit-identical to one thread) before the one-thread one, then gpu.js, whose
// entry can say exactly why headlessgl cannot run (which only Node can find out). Training measures them on the
// actual network (engine/backends/index.ts): threads pay off on bigger networks, one thread on tiny ones.

import { explainHeadlessGL } from '../engine/backends/gpu-node';
import { cpuFactory, gpuFactory, type BackendFactory } from '../engine/backends/index';
import { ParallelCpuBackend } from '../engine/backends/parallel';

const threadedCpu: BackendFactory = { name: 'cpu', create: () => ParallelCpuBackend.create({ precision: 'float64' }) };

export const NODE_BACKENDS: BackendFactory[] = [threadedCpu, cpuFactory, gpuFactory({ explainHeadlessGL })];
