// The backend list for Node hosts (the command line, the trainer workers, the service): the engine's list,
// with the gpu entry able to say exactly why headlessgl cannot run (which only Node can find out).

import { explainHeadlessGL } from '../engine/backends/gpu-node';
import { cpuFactory, gpuFactory, type BackendFactory } from '../engine/backends/index';

export const NODE_BACKENDS: BackendFactory[] = [cpuFactory, gpuFactory({ explainHeadlessGL })];
