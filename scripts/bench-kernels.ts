// Micro-benchmark of the CPU backend's kernels on the seed workload's shapes (2-25-50-50-25-1, m = 900):
// µs per call for the WebAssembly SIMD and plain-JS modes, and their ratio. `npx tsx scripts/bench-kernels.ts`
import { CpuBackend, type CpuTensor } from '../engine/backends/cpu';

const m = Number(process.argv[2] ?? 900);
const dims = [2, 25, 50, 50, 25, 1];

function rand(n: number, zeros = 0): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() < zeros ? 0 : Math.random() * 2 - 1;
  return a;
}

/** µs per call: the best of 7 rounds of at least 25 ms each (the least disturbed by other work). */
function time(f: () => void): number {
  for (let i = 0; i < 20; i++) f();
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < 25) {
      for (let i = 0; i < 5; i++) f();
      n += 5;
      t = performance.now();
    }
    best = Math.min(best, ((t - t0) / n) * 1000);
  }
  return best;
}

type Case = { name: string; run: (b: CpuBackend) => () => void };
const cases: Case[] = [];
for (let l = 1; l < dims.length; l++) {
  const [i, o] = [dims[l - 1], dims[l]];
  const mk = (b: CpuBackend, r: number, c: number, z = 0): CpuTensor => b.tensor(r, c, rand(r * c, z));
  cases.push({ name: `NN  W${l}·A  ${o}×${i}·${i}×${m}`, run: (b) => { const W = mk(b, o, i), A = mk(b, i, m, 0.5), Z = mk(b, o, m); return () => b.gemm(W, A, Z, false, false, 1); } });
  cases.push({ name: `NT  dZ·Aᵀ   ${o}×${m}·(${i}×${m})ᵀ`, run: (b) => { const D = mk(b, o, m, 0.5), A = mk(b, i, m, 0.5), W = mk(b, o, i); return () => b.gemm(D, A, W, false, true, m); } });
  if (l > 1) cases.push({ name: `TN  Wᵀ·dZ   (${o}×${i})ᵀ·${o}×${m}`, run: (b) => { const W = mk(b, o, i), D = mk(b, o, m, 0.5), A = mk(b, i, m); return () => b.gemm(W, D, A, true, false, 1); } });
}
cases.push({ name: `bias+relu 50×${m}`, run: (b) => { const Z = b.tensor(50, m, rand(50 * m)), bb = b.tensor(50, 1, rand(50)), A = b.tensor(50, m); return () => b.biasActivation(Z, bb, 'relu', A); } });
cases.push({ name: `relu backward 50×${m}`, run: (b) => { const D = b.tensor(50, m, rand(50 * m)), Z = b.tensor(50, m, rand(50 * m)), A = b.tensor(50, m), O = b.tensor(50, m); return () => b.activationBackward(D, Z, A, 'relu', O); } });
cases.push({ name: `rowSums 50×${m}`, run: (b) => { const D = b.tensor(50, m, rand(50 * m)), o = b.tensor(50, 1); return () => b.rowSums(D, o, m); } });

const wasm = new CpuBackend({ kernels: 'wasm' }), js = new CpuBackend({ kernels: 'js' });
const only = process.argv[3] === 'wasm';
let tw = 0, tj = 0;
console.log(`${'kernel'.padEnd(36)} ${'wasm µs'.padStart(9)} ${'js µs'.padStart(9)}  js/wasm`);
for (const c of cases) {
  const w = time(c.run(wasm)), j = only ? NaN : time(c.run(js));
  tw += w; tj += j;
  console.log(`${c.name.padEnd(36)} ${w.toFixed(1).padStart(9)} ${j.toFixed(1).padStart(9)}  ${(j / w).toFixed(2)}`);
}
console.log(`${'sum'.padEnd(36)} ${tw.toFixed(1).padStart(9)} ${tj.toFixed(1).padStart(9)}  ${(tj / tw).toFixed(2)}`);
