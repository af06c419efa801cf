// The gpu.js backend against the float64 cpu backend, in ms/epoch and GFLOP/s, on the seed workload
// (2-25-50-50-25-1, 900 samples, full batch) and the scale workload (16384 samples × 64 features, 64-256-256-1,
// full batch and mini-batch 512). Every run trains through the real Trainer, so an epoch includes the cost,
// the output read-back and the update, as the app does it. Prints ratios; it asserts nothing about speed.
//
//   npx tsx scripts/bench-gpu.ts [--backends cpu,webasm,headlessgl] [--workloads seed,scale-full,scale-mb512]
//                                [--seed-epochs N] [--scale-epochs N] [--json]
// headlessgl needs the `gl` module built (scripts/setup-headlessgl.sh) and a display: prefix with xvfb-run -a.

import type { Backend } from '../engine/backends/backend';
import { CpuBackend } from '../engine/backends/cpu';
import { createGpuBackend, type GpuBackend } from '../engine/backends/gpu';
import { explainHeadlessGL } from '../engine/backends/gpu-node';
import { resolveConfig, type RunConfig } from '../engine/config';
import { loadData, type DataSplit } from '../engine/datasets/index';
import { NumpyRandom } from '../engine/random';
import { createTrainer } from '../engine/train';

interface Workload {
  id: string;
  config: RunConfig;
  data: () => DataSplit;
}

/** 16384 samples of 64 standard-normal features, labelled by the sign of a fixed random projection (seeded). */
function scaleData(): DataSplit {
  const n = 16384, f = 64;
  const rng = new NumpyRandom(7);
  const X = rng.randnArray(n * f);
  const w = rng.randnArray(f);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < f; j++) s += X[i * f + j] * w[j];
    y[i] = s > 0 ? 1 : 0;
  }
  const empty = { X: new Float64Array(0), y: new Float64Array(0), n: 0, features: f };
  return {
    train: { X, y, n, features: f },
    test: empty,
    classes: 2,
    features: f,
    featureNames: Array.from({ length: f }, (_, i) => `x${i + 1}`),
    classNames: ['0', '1'],
  };
}

const SCALE_ARCH = [
  { input_dim: 64, output_dim: 256, activation: 'relu' as const },
  { input_dim: 256, output_dim: 256, activation: 'relu' as const },
  { input_dim: 256, output_dim: 1, activation: 'sigmoid' as const },
];

const WORKLOADS: Workload[] = [
  { id: 'seed', config: resolveConfig(), data: () => loadData(resolveConfig().data) },
  { id: 'scale-full', config: resolveConfig({ architecture: SCALE_ARCH, training: { batchSize: null } }), data: scaleData },
  { id: 'scale-mb512', config: resolveConfig({ architecture: SCALE_ARCH, training: { batchSize: 512 } }), data: scaleData },
];

/** Forward W·A, backward dW = dZ·Aᵀ and dA = Wᵀ·dZ (none for the input layer): 2 flops per multiply-add. */
function flopsPerEpoch(config: RunConfig, m: number): number {
  return config.architecture.reduce((s, l, i) => s + (i === 0 ? 2 : 3) * 2 * l.input_dim * l.output_dim * m, 0);
}

type BackendId = 'cpu' | 'webasm' | 'headlessgl';

async function openBackend(id: BackendId): Promise<Backend & { modeReason?: string }> {
  if (id === 'cpu') return new CpuBackend();
  return createGpuBackend({ mode: id, explainHeadlessGL });
}

interface Row {
  workload: string;
  backend: string;
  mode: string;
  epochs: number;
  msPerEpoch: number;
  gflops: number;
  finalCost: number;
  vsCpu: number | null;
}

/** One untimed epoch (kernels compile on their first call), then `epochs` timed ones. */
async function time(w: Workload, data: DataSplit, backend: Backend, epochs: number): Promise<{ msPerEpoch: number; finalCost: number }> {
  const config: RunConfig = { ...w.config, training: { ...w.config.training, epochs: epochs + 1 } };
  const trainer = await createTrainer(config, { data, backend: { backend, info: { name: backend.name, mode: backend.mode, precision: backend.precision, reason: 'bench' } }, evalTestEvery: 0 });
  trainer.step();
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) trainer.step();
  const msPerEpoch = (performance.now() - t0) / epochs;
  const finalCost = trainer.evaluate('train')!.cost;
  trainer.free();
  return { msPerEpoch, finalCost };
}

function parse(argv: string[]) {
  const o = { backends: ['cpu', 'webasm', 'headlessgl'] as BackendId[], workloads: WORKLOADS.map((w) => w.id), seedEpochs: 200, scaleEpochs: 2, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i] ?? '';
    if (a === '--backends') o.backends = v().split(',') as BackendId[];
    else if (a === '--workloads') o.workloads = v().split(',');
    else if (a === '--seed-epochs') o.seedEpochs = Number(v());
    else if (a === '--scale-epochs') o.scaleEpochs = Number(v());
    else if (a === '--json') o.json = true;
    else throw new Error(`bench-gpu: unknown option ${a}`);
  }
  return o;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const backends = new Map<BackendId, Backend & { modeReason?: string }>();
  for (const id of o.backends) {
    try {
      const b = await openBackend(id);
      backends.set(id, b);
      console.error(`bench-gpu: ${id}: ${b.name} ${b.mode} (${b.precision})${b.modeReason ? ` — ${b.modeReason}` : ''}`);
    } catch (e) {
      console.error(`bench-gpu: ${id} skipped: ${(e as Error).message}`);
    }
  }
  const rows: Row[] = [];
  for (const w of WORKLOADS.filter((x) => o.workloads.includes(x.id))) {
    const data = w.data();
    const flops = flopsPerEpoch(w.config, data.train.n);
    const epochs = w.id === 'seed' ? o.seedEpochs : o.scaleEpochs;
    let cpuMs: number | null = null;
    for (const [id, b] of backends) {
      const r = await time(w, data, b, epochs);
      if (id === 'cpu') cpuMs = r.msPerEpoch;
      const row: Row = { workload: w.id, backend: b.name, mode: b.mode, epochs, msPerEpoch: r.msPerEpoch, gflops: flops / r.msPerEpoch / 1e6, finalCost: r.finalCost, vsCpu: cpuMs === null ? null : r.msPerEpoch / cpuMs };
      rows.push(row);
      if (!o.json) {
        const ratio = row.vsCpu === null ? '' : id === 'cpu' ? '  (1×)' : `  (${row.vsCpu.toFixed(2)}× the cpu time)`;
        console.log(`${w.id.padEnd(12)} ${`${b.name} ${b.mode}`.padEnd(20)} ${row.msPerEpoch.toFixed(2).padStart(10)} ms/epoch ${row.gflops.toFixed(2).padStart(7)} GFLOP/s  cost ${row.finalCost.toPrecision(8)}${ratio}`);
      }
    }
  }
  for (const b of backends.values()) if ('dispose' in b) await (b as GpuBackend).dispose();
  if (o.json) console.log(JSON.stringify(rows));
}

await main();
