#!/usr/bin/env node
// The `backprop-lab` command (plain Node; it never loads Electron). Runs the JavaScript build in out/cli when it
// matches the sources (`npm install` builds it through the "prepare" script; `npm run build:cli` rebuilds it), else
// electron/cli.ts through tsx, as in development — see bin/cli-entry.js. BACKPROP_LAB_DEBUG_ENTRY=1 says on stderr
// which one ran, and why.
import './relaxed-simd.js';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry } from './cli-entry.js';

// Node ≥ 22.1 keeps the compiled bundle between runs; older Nodes lack the function.
module.enableCompileCache?.();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = chooseEntry(root);
if (process.env['BACKPROP_LAB_DEBUG_ENTRY']) {
  process.stderr.write(entry.kind === 'built' ? `backprop-lab: entry built ${entry.file}\n` : `backprop-lab: entry sources ${entry.file} through tsx (${entry.reason})\n`);
}
if (entry.kind === 'sources') {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(`backprop-lab: ${entry.reason}, and tsx (a development dependency) is not installed to run the sources; build it with npm run build:cli\n`);
    process.exit(1);
  }
  register();
}
const { main } = await import(pathToFileURL(entry.file).href);
process.exitCode = await main(process.argv.slice(2));
