// Runs Python with numpy and scikit-learn for live cross-checks against the engine.
// Debian's /usr/bin/python3 has them from apt (python3-numpy, python3-sklearn); the python3
// first on PATH may not. Tests that need it skip visibly where no such Python exists.

import { execFileSync } from 'node:child_process';

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

/**
 * Runs `code` with that Python (`python -c code args…`) and returns its stdout. Throws when no
 * such Python exists or the script fails (the error carries its stderr).
 */
export function runPython(code: string, args: string[] = []): string {
  const py = findNumpyPython();
  if (!py) throw new Error('no Python with numpy and scikit-learn found (tried /usr/bin/python3, python3)');
  return execFileSync(py, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
}
