// Runs Python with numpy and scikit-learn for live cross-checks against the engine.
// Debian's /usr/bin/python3 has them from apt (python3-numpy, python3-sklearn); the python3
// first on PATH may not. Tests that need it skip visibly where no such Python exists.

import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let found: string | null | undefined;

/** The first of /usr/bin/python3, python3 that can `import numpy, sklearn`, or null (cached). */
export function findNumpyPython(): string | null {
  if (found !== undefined) return found;
  found = null;
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import numpy, sklearn'], { stdio: 'ignore', timeout: 30_000 });
      found = candidate;
      break;
    } catch {
      // not there, or without numpy/sklearn: try the next one
    }
  }
  return found;
}

/** That Python, or an error saying none was found. */
function requireNumpyPython(): string {
  const py = findNumpyPython();
  if (!py) throw new Error('no Python with numpy and scikit-learn found (tried /usr/bin/python3, python3)');
  return py;
}

/**
 * Runs `code` with that Python (`python -c code args…`) and returns its stdout. Throws when no
 * such Python exists or the script fails (the error carries its stderr).
 */
export function runPython(code: string, args: string[] = []): string {
  const py = requireNumpyPython();
  return execFileSync(py, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
}

/**
 * The seed of a live cross-check: LIVE_SEED from the environment (to repeat a case that failed), else 1–1000 at
 * random. The test prints it, so a failure can be repeated.
 */
export function liveSeed(test: string): number {
  const given = Number(process.env.LIVE_SEED);
  const seed = Number.isInteger(given) && given > 0 ? given : 1 + Math.floor(Math.random() * 1000);
  console.log(`${test}: seed ${seed} (repeat it with LIVE_SEED=${seed})`);
  return seed;
}

/**
 * Trains one configuration in numpy now (scripts/fixtures/make_training_fixtures.py --stdin-case) and returns its
 * record. Throws with the script's one-line reason when it fails, e.g. on a case whose numpy cost is not finite.
 */
export function trainInNumpy<T>(spec: { name: string }): T {
  const py = requireNumpyPython();
  const script = fileURLToPath(new URL('../../scripts/fixtures/make_training_fixtures.py', import.meta.url));
  const out = spawnSync(py, [script, '-', '--stdin-case'], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) {
    const reason = out.stderr.trim().split('\n').at(-1);
    throw new Error(`numpy could not train ${spec.name}: ${reason || `exit ${out.status}`}`);
  }
  return JSON.parse(out.stdout) as T;
}
