// `npm run bench`: its JSON shape, the engine entry, and (where python has numpy) the numpy entry with the
// engine's final cost checked against numpy's. No time limits: a benchmark prints ratios, it does not assert them.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config';
import { findNumpyScript, findPython, flopsPerEpoch, IMPLS, main, parseBenchArgs, WORKLOADS } from '../../scripts/bench';

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
    const r = await bench(['--epochs', '20', '--repeats', '1', '--json']);
    expect(r.code).toBe(0);
    const engine = r.json.results.find((x: any) => x.impl === 'engine-cpu-f64');
    expect(engine).toMatchObject({ workload: 'seed-moons', epochs: 20 });
    expect(engine.msPerEpoch).toBeGreaterThan(0);
    expect(engine.gflops).toBeGreaterThan(0);
    expect(engine.runsMs).toHaveLength(1);
    expect(r.stdout).toMatch(/seed-moons\s+engine-cpu-f64\s+20\s+[\d.]+\s+[\d.]+/);
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
    expect(r.json.checks).toEqual([expect.objectContaining({ workload: 'seed-moons', impl: 'engine-cpu-f64', reference: 'numpy-f64', ok: true })]);
    expect(r.json.checks[0].relDiff).toBeLessThan(1e-9);
    expect(r.stdout).toMatch(/engine-cpu-f64 is [\d.]+× (slower|faster) than numpy-f64/);
    expect(r.stdout).toMatch(/check final cost after 20 epochs: .* OK/);
  });

  it('runs as `node bin/bench.js` (npm run bench) with --impl to pick implementations', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/bench.js'), '--epochs', '5', '--repeats', '1', '--impl', 'engine-cpu-f64', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const out = JSON.parse(lines[lines.length - 1]!);
    expect(out.results.map((x: any) => x.impl)).toEqual(['engine-cpu-f64']);
    expect(out.ratio).toBeNull();
  });

  it('counts 3·2·Σ(in·out)·m flops per epoch and parses its options', () => {
    expect(flopsPerEpoch(resolveConfig(), 900)).toBe(6 * (2 * 25 + 25 * 50 + 50 * 50 + 50 * 25 + 25) * 900);
    expect(parseBenchArgs([])).toEqual({ json: false, epochs: 2000, repeats: 3, workloads: null, impls: null });
    expect(parseBenchArgs(['--epochs=50', '--repeats', '2', '--workload', 'seed-moons'])).toMatchObject({ epochs: 50, repeats: 2, workloads: ['seed-moons'] });
    expect(() => parseBenchArgs(['--epochs', '0'])).toThrow('--epochs must be an integer ≥ 1');
    expect(() => parseBenchArgs(['--impl', 'numpy-f16'])).toThrow('--impl must name some of');
    expect(WORKLOADS.map((w) => w.id)).toContain('seed-moons');
    expect(IMPLS.map((i) => i.id)).toEqual(expect.arrayContaining(['engine-cpu-f64', 'numpy-f64']));
  });

  it('a bad option exits 2', async () => {
    const r = await bench(['--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --fast/);
  });
});
