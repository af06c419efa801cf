// `npm run bench`: its JSON shape, the engine entries, and (where python has numpy) the numpy entries with every
// final cost checked against numpy's, on the seed workload and the scale ones. No time limits: a benchmark prints
// ratios, it does not assert them.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config';
import { findNumpyScript, findPython, flopsPerEpoch, IMPLS, main, parseBenchArgs, WORKLOADS } from '../../scripts/bench';
import { SCALE_ARCH } from '../../scripts/bench/scale';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function bench(argv: string[]) {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  const lines = stdout.trimEnd().split('\n');
  return { code, stdout, stderr, json: argv.includes('--json') ? JSON.parse(lines[lines.length - 1]!) : null };
}

const numpy = (() => {
  if (!findNumpyScript()) return { ok: false, why: 'numpy_ref.py not found' };
  const py = findPython();
  return py.exe ? { ok: true, why: '' } : { ok: false, why: py.why };
})();

describe('bench', () => {
  it('--epochs 20 --repeats 1 --json: engine-cpu-f64 timed, numpy alongside, the same final cost', async () => {
    const r = await bench(['--workload', 'seed-moons', '--impl', 'engine-cpu-f64,numpy-f64', '--epochs', '20', '--repeats', '1', '--json']);
    expect(r.code).toBe(0);
    const engine = r.json.results.find((x: any) => x.impl === 'engine-cpu-f64');
    expect(engine).toMatchObject({ workload: 'seed-moons', epochs: 20 });
    expect(engine.msPerEpoch).toBeGreaterThan(0);
    expect(engine.gflops).toBeGreaterThan(0);
    expect(engine.runsMs).toHaveLength(1);
    expect(r.stdout).toMatch(/seed-moons\s+engine-cpu-f64\s+20\s+[\d.]+\s+[\d.]+\s+(\d+ %|-)\s/);
    // the host's steal during the row's runs: measured wherever /proc/stat is (Linux), else null and '-'
    if (existsSync('/proc/stat')) {
      expect(engine.hostSteal).toBeGreaterThanOrEqual(0);
      expect(engine.hostSteal).toBeLessThanOrEqual(1);
      expect(r.stdout).toMatch(new RegExp(`seed-moons\\s+engine-cpu-f64\\s+20\\s+[\\d.]+\\s+[\\d.]+\\s+${Math.round(engine.hostSteal * 100)} %`));
      expect(r.stdout).toContain("steal: the share of this machine's CPU time its host gave to others during the row's runs (a virtual machine's neighbours; from /proc/stat)");
    } else expect(engine.hostSteal).toBeNull();
    if (!numpy.ok) {
      console.warn(`bench test: numpy reference not available, its entry is not checked (${numpy.why})`);
      expect(r.json.ratio).toBeNull();
      expect(r.stdout).toContain('numpy-f64 skipped');
      return;
    }
    const ref = r.json.results.find((x: any) => x.impl === 'numpy-f64');
    expect(ref).toMatchObject({ workload: 'seed-moons', epochs: 20 });
    expect(ref.msPerEpoch).toBeGreaterThan(0);
    expect(r.json.ratio).toBeCloseTo(engine.msPerEpoch / ref.msPerEpoch, 10);
    expect(r.json.checks).toEqual([expect.objectContaining({ workload: 'seed-moons', impl: 'engine-cpu-f64', reference: 'numpy-f64', epochs: 20, tolerance: 1e-9, ok: true })]);
    expect(r.json.checks[0].relDiff).toBeLessThan(1e-9);
    expect(r.stdout).toMatch(/engine-cpu-f64 is [\d.]+× (slower|faster) than numpy-f64/);
    expect(r.stdout).toMatch(/check final cost after 20 epochs: .* OK/);
  });

  it('--repeats 3 times in rounds, one run of every implementation each, so a drifting machine slows them alike', async () => {
    const r = await bench(['--workload', 'seed-moons', '--impl', 'engine-cpu-f64-1thread,engine-cpu-f64,numpy-f64', '--epochs', '5', '--repeats', '3', '--json']);
    expect(r.code).toBe(0);
    // the order the runs were made in: round by round, every implementation in each
    const order = [...r.stderr.matchAll(/seed-moons × (\S+): (?:1 checked run \+ )?timed run (\d) of 3/g)].map((m) => `${m[1]}#${m[2]}`);
    const impls = numpy.ok ? ['engine-cpu-f64', 'engine-cpu-f64-1thread', 'numpy-f64'] : ['engine-cpu-f64', 'engine-cpu-f64-1thread'];
    expect(order).toEqual([1, 2, 3].flatMap((round) => impls.map((i) => `${i}#${round}`)));
    for (const id of ['engine-cpu-f64', 'engine-cpu-f64-1thread']) {
      const e = r.json.results.find((x: any) => x.impl === id);
      expect(e.runsMs).toHaveLength(3);
      // the figure is the median of the three rounds' runs, the checked cost the first round's
      expect(e.msPerEpoch).toBe([...e.runsMs].sort((a: number, b: number) => a - b)[1]);
      expect(Number.isFinite(e.finalCost)).toBe(true);
    }
    if (!numpy.ok) return console.warn(`bench test: numpy reference not available, its rounds are not checked (${numpy.why})`);
    const ref = r.json.results.find((x: any) => x.impl === 'numpy-f64');
    expect(ref.runsMs).toHaveLength(3);
    expect(ref.detail).toMatch(/; 1 thread [\d.]+ ms\/epoch, 2 threads [\d.]+ ms\/epoch; the [12]-thread figure counts$/);
    expect(r.json.checks.every((c: any) => c.ok)).toBe(true);
  });

  it('runs as `node bin/bench.js` (npm run bench) with --impl to pick implementations', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/bench.js'), '--workload', 'seed-moons', '--epochs', '5', '--repeats', '1', '--impl', 'engine-cpu-f64', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const out = JSON.parse(lines[lines.length - 1]!);
    expect(out.results.map((x: any) => x.impl)).toEqual(['engine-cpu-f64']);
    expect(out.ratio).toBeNull();
  });

  it('scale and scale-mb512 --epochs 1: every cpu path and numpy f32/f64, checked against numpy-f64, with the numpy-f32 ratio', async () => {
    const r = await bench(['--workload', 'scale,scale-mb512', '--impl', 'engine-cpu-f64,engine-cpu-f64-threads,engine-cpu-f32,engine-cpu-f32-threads,numpy-f64,numpy-f32', '--epochs', '1', '--repeats', '1', '--json']);
    expect(r.code).toBe(0);
    for (const w of ['scale', 'scale-mb512']) {
      for (const impl of ['engine-cpu-f64', 'engine-cpu-f64-threads', 'engine-cpu-f32', 'engine-cpu-f32-threads']) {
        const e = r.json.results.find((x: any) => x.workload === w && x.impl === impl);
        expect(e, `${w} × ${impl}`).toMatchObject({ epochs: 1, precision: impl.includes('f32') ? 'float32' : 'float64' });
        expect(e.msPerEpoch).toBeGreaterThan(0);
        expect(e.gflops).toBeGreaterThan(0);
      }
      // the threaded float64 path is the one-thread path, bit for bit
      const cost = (impl: string) => r.json.results.find((x: any) => x.workload === w && x.impl === impl).finalCost;
      expect(cost('engine-cpu-f64-threads')).toBe(cost('engine-cpu-f64'));
      expect(cost('engine-cpu-f32-threads')).toBe(cost('engine-cpu-f32'));
    }
    if (!numpy.ok) {
      console.warn(`bench test: python with numpy not available, the scale numpy entries are not checked (${numpy.why})`);
      expect(r.stdout).toContain('numpy-f32 skipped');
      return;
    }
    for (const w of ['scale', 'scale-mb512']) {
      for (const impl of ['numpy-f64', 'numpy-f32']) expect(r.json.results.find((x: any) => x.workload === w && x.impl === impl), `${w} × ${impl}`).toBeDefined();
      const checks = r.json.checks.filter((c: any) => c.workload === w);
      expect(checks.map((c: any) => c.impl).sort()).toEqual(['engine-cpu-f32', 'engine-cpu-f32-threads', 'engine-cpu-f64', 'engine-cpu-f64-threads', 'numpy-f32']);
      for (const c of checks) {
        expect(c.ok, `${w} × ${c.impl}: ${c.relDiff}`).toBe(true);
        expect(c.tolerance).toBe(c.impl.includes('f32') ? 1e-3 : 1e-9);
      }
      const s = r.json.scale.find((x: any) => x.workload === w);
      expect(s).toMatchObject({ target: 0.5 });
      expect(s.best).toMatch(/^engine-/);
      expect(s.fractionOfNumpyF32).toBeGreaterThan(0);
    }
    expect(r.stdout).toMatch(/scale: best engine path engine-\S+ \([\d.]+ ms\/epoch\) reaches [\d.]+ of numpy-f32's throughput/);
  });

  it('bench_numpy.py makes the same scale data as the engine (numpy-f64 and the engine agree after one epoch to 1e-12)', async () => {
    if (!numpy.ok) {
      console.warn(`bench test: python with numpy not available, bench_numpy.py is not run (${numpy.why})`);
      return;
    }
    const r = spawnSync(findPython().exe!, [join(ROOT, 'scripts/bench_numpy.py'), '--dtype', 'float64', '--samples', '512', '--epochs', '1', '--repeats', '1', '--check-epochs', '1'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(Object.keys(out.costs_at)).toEqual(['1']);
    const { scaleData } = await import('../../scripts/bench/scale');
    const { createTrainer } = await import('../../engine/train');
    const { CpuBackend } = await import('../../engine/backends/cpu');
    const b = new CpuBackend();
    const tr = await createTrainer(resolveConfig({ architecture: SCALE_ARCH, training: { epochs: 1 } }), { data: scaleData(512), backend: { backend: b, info: { name: 'cpu', mode: b.mode, precision: 'float64', reason: 'test' } } });
    const res = await tr.run();
    expect(Math.abs(res.finalCost - out.final_cost) / out.final_cost).toBeLessThan(1e-12);
  });

  it('wide-mb64 --epochs 1: the engine as `train` runs it and numpy at its best thread count, checked, with the goal ratios', async () => {
    const r = await bench(['--workload', 'wide-mb64', '--impl', 'engine-cpu-f64,engine-cpu-f32,numpy-f64,numpy-f32', '--epochs', '1', '--repeats', '1', '--json']);
    expect(r.code).toBe(0);
    const e = r.json.results.find((x: any) => x.impl === 'engine-cpu-f64');
    expect(e.detail).toMatch(/^backprop-lab train --backend cpu \(the command, its runs recorded\): wasm-simd-f64/);
    // the multiply-add ceiling of each precision, on one thread and on every core
    expect(r.json.ceilings.map((c: any) => c.precision)).toEqual(['float64', 'float32']);
    for (const c of r.json.ceilings) {
      expect(c.threads).toBe(availableParallelism());
      expect(c.gflopsOne).toBeGreaterThan(0);
      expect(c.gflopsAll).toBeGreaterThan(0);
    }
    expect(r.stdout).toMatch(/^ceiling: float64 WebAssembly SIMD multiply-add \(f64x2, (fused|multiply then add)\): [\d.]+ GFLOP\/s on 1 thread, [\d.]+ on \d+$/m);
    expect(r.stdout).toMatch(/^ceiling: float32 WebAssembly SIMD multiply-add \(f32x4, (fused|multiply then add)\): [\d.]+ GFLOP\/s on 1 thread, [\d.]+ on \d+$/m);
    if (!numpy.ok) {
      console.warn(`bench test: python with numpy not available, the wide numpy entries are not checked (${numpy.why})`);
      return;
    }
    const np64 = r.json.results.find((x: any) => x.impl === 'numpy-f64');
    expect(np64.detail).toMatch(/1 thread [\d.]+ ms\/epoch, 2 threads [\d.]+ ms\/epoch; the [12]-thread figure counts/);
    for (const c of r.json.checks) expect(c.ok, `${c.impl}: ${c.relDiff}`).toBe(true);
    expect(r.json.goals.map((g: any) => `${g.impl}/${g.reference}`).sort()).toEqual(['engine-cpu-f32/numpy-f32', 'engine-cpu-f64/numpy-f64']);
    for (const g of r.json.goals) expect(g.ratio).toBeCloseTo(r.json.results.find((x: any) => x.impl === g.impl).msPerEpoch / r.json.results.find((x: any) => x.impl === g.reference).msPerEpoch, 10);
    // what each goal takes of its precision's ceiling: the run's GFLOP/s × ratio / target
    for (const g of r.json.goals) {
      const run = r.json.results.find((x: any) => x.impl === g.impl);
      const top = r.json.ceilings.find((c: any) => c.precision === run.precision);
      expect(g.ceiling.needGflops).toBeCloseTo((run.gflops * g.ratio) / g.target, 9);
      expect(g.ceiling.share).toBeCloseTo(g.ceiling.needGflops / top.gflopsAll, 9);
      expect(g.ceiling.runShare).toBeCloseTo(run.gflops / top.gflopsAll, 9);
    }
    expect(r.stdout).toMatch(/goal: wide-mb64: engine-cpu-f64 \/ numpy-f64 = [\d.]+× \(target ≤ 1\): (met|NOT met); 1× takes [\d.]+ GFLOP\/s, \d+ % of the float64 ceiling \(this run: \d+ %\)/);
  });

  it('counts 3·2·Σ(in·out)·m flops per epoch and parses its options', () => {
    expect(flopsPerEpoch(resolveConfig(), 900)).toBe(6 * (2 * 25 + 25 * 50 + 50 * 50 + 50 * 25 + 25) * 900);
    expect(flopsPerEpoch(resolveConfig({ architecture: SCALE_ARCH }), 16384)).toBe(6 * (64 * 256 + 256 * 256 + 256) * 16384);
    expect(parseBenchArgs([])).toEqual({ json: false, epochs: null, repeats: 3, workloads: null, impls: null });
    expect(parseBenchArgs(['--epochs=50', '--repeats', '2', '--workload', 'seed-moons'])).toMatchObject({ epochs: 50, repeats: 2, workloads: ['seed-moons'] });
    expect(() => parseBenchArgs(['--epochs', '0'])).toThrow('--epochs must be an integer ≥ 1');
    expect(() => parseBenchArgs(['--impl', 'numpy-f16'])).toThrow('--impl must name some of');
    expect(WORKLOADS.map((w) => w.id)).toEqual(['seed-moons', 'seed-contended', 'wide-full', 'wide-mb64', 'scale', 'scale-mb512']);
    expect(WORKLOADS.find((w) => w.id === 'seed-moons')!.epochs).toBe(2000);
    expect(IMPLS.map((i) => i.id)).toEqual(expect.arrayContaining(['engine-cpu-f64', 'engine-cpu-f64-1thread', 'engine-cpu-f64-threads', 'engine-cpu-f32', 'engine-cpu-f32-threads', 'engine-gpu-webasm', 'engine-gpu-headlessgl', 'numpy-f64', 'numpy-f32']));
    expect(parseBenchArgs(['--workload', 'startup,wide-mb64'])).toMatchObject({ workloads: ['startup', 'wide-mb64'] });
  });

  it('a bad option exits 2', async () => {
    const r = await bench(['--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --fast/);
  });
});
