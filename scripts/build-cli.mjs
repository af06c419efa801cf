#!/usr/bin/env node
// Builds the command line to JavaScript so `backprop-lab` starts without compiling TypeScript (issue 12):
//   electron/cli.ts            → out/cli/cli.js             the command line (ESM, Node 20)
//   electron/trainer/worker.ts → out/cli/trainer-worker.js  the training worker; electron/trainer/host.ts's
//                                                           workerEntry() finds it beside the bundled host code
//   shared and lazily imported code → out/cli/chunk-*.js, gpu-*.js (code splitting: gpu.js loads only when asked)
//   out/cli/manifest.json      every source bundled in, with its size and mtime, so bin/backprop-lab.js can tell
//                              with a stat per file whether the build still matches the sources (else it runs them
//                              through tsx)
// Packages from node_modules stay external (better-sqlite3 is native; the rest load as in the app).
// All files sit flat in out/cli, two folders below the root like electron/cli/*.ts, so URLs the code builds from
// import.meta.url (../../package.json, ../../out/renderer, trainer-worker.js) resolve the same from every chunk.
//
// `npm install` runs it (the "prepare" script), as does `npm run build:cli`. Options: --outdir DIR.

import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Output name (without .js) → entry source. host.ts looks for exactly `trainer-worker.js`. */
export const CLI_ENTRIES = { cli: 'electron/cli.ts', 'trainer-worker': 'electron/trainer/worker.ts' };

/** Manifest format; bin/cli-entry.js runs the build only when it reads this version. */
export const MANIFEST_VERSION = 1;

/**
 * Builds the CLI into `outdir` (default out/cli): into a fresh folder beside it, then swapped in with two renames,
 * so a `backprop-lab` starting meanwhile sees the old build, the new one, or none (and runs the sources) — never
 * half of one. Returns the manifest.
 */
export async function buildCli({ outdir = join(root, 'out', 'cli'), quiet = false } = {}) {
  const esbuild = await import('esbuild');
  const t0 = performance.now();
  const tmp = `${outdir}.tmp-${process.pid}`;
  const old = `${outdir}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: CLI_ENTRIES,
      outdir: tmp,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // better-sqlite3 (native), ws, zod, fflate, gpu.js… load from node_modules at run time, as in the app
      packages: 'external',
      chunkNames: '[name]-[hash]',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      legalComments: 'none',
    });
    const sources = Object.keys(result.metafile.inputs)
      .sort()
      .map((file) => {
        const s = statSync(join(root, file));
        return { file, size: s.size, mtimeMs: s.mtimeMs };
      });
    const manifest = { version: MANIFEST_VERSION, builtAt: new Date().toISOString(), entries: CLI_ENTRIES, sources };
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    if (existsSync(outdir)) renameSync(outdir, old);
    renameSync(tmp, outdir);
    if (!quiet) {
      const ms = Math.round(performance.now() - t0);
      console.error(`build-cli: ${relative(root, outdir) || outdir}/{cli,trainer-worker}.js from ${sources.length} sources in ${ms} ms`);
    }
    return manifest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--outdir');
  const outdir = i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : undefined;
  // Under `npm install` a failed build must not fail the install: bin/backprop-lab.js then runs the sources.
  const duringInstall = process.env['npm_lifecycle_event'] === 'prepare';
  try {
    await buildCli({ outdir });
  } catch (e) {
    if (e?.code === 'ERR_MODULE_NOT_FOUND' && /esbuild/.test(e.message)) {
      console.error('build-cli: esbuild is not installed (devDependencies omitted?), so the command line runs from its TypeScript sources');
    } else {
      console.error(`build-cli: the command-line build failed, so the command line runs from its TypeScript sources: ${e?.message ?? e}`);
    }
    if (!duringInstall) process.exitCode = 1;
  }
}
