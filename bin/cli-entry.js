// Which code `backprop-lab` runs: the build in out/cli (scripts/build-cli.mjs) when it matches the sources, else
// the TypeScript sources through tsx (development). The check is cheap — one small JSON file and a stat per source
// file (about 80, ~1 ms) — and never writes: a stale build is not rebuilt here (concurrent commands, read-only
// installs), it is skipped; `npm run build:cli` (or `npm install`) brings it up to date.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Must equal MANIFEST_VERSION in scripts/build-cli.mjs. */
const MANIFEST_VERSION = 1;

/**
 * Decides what to run for the repository or package at `root`.
 * @param {string} root
 * @returns {{ kind: 'built', file: string } | { kind: 'sources', file: string, reason: string }}
 */
export function chooseEntry(root) {
  const built = join(root, 'out', 'cli', 'cli.js');
  const sources = join(root, 'electron', 'cli.ts');
  const stale = (reason) => ({ kind: 'sources', file: sources, reason });
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'out', 'cli', 'manifest.json'), 'utf8'));
  } catch {
    return stale('the command line is not built (no out/cli/manifest.json)');
  }
  if (manifest?.version !== MANIFEST_VERSION || !Array.isArray(manifest.sources)) return stale('out/cli was built by another version of scripts/build-cli.mjs');
  if (!existsSync(built)) return stale('out/cli/cli.js is missing');
  // a package shipped without its sources has nothing to compare against
  if (!existsSync(sources)) return { kind: 'built', file: built };
  for (const { file, size, mtimeMs } of manifest.sources) {
    let s;
    try {
      s = statSync(join(root, file));
    } catch {
      return stale(`${file} was removed since the build`);
    }
    if (s.size !== size || s.mtimeMs !== mtimeMs) return stale(`${file} changed since the build`);
  }
  return { kind: 'built', file: built };
}
