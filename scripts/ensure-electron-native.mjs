#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI beside (not over) the Node build, so that `npm test` (Node) and
// `npm start` (Electron) both work from one clone. The Electron build is cached in
// node_modules/.cache/backprop-lab/ and handed to the store as better-sqlite3's `nativeBinding`.
// Packaged apps do not use it: electron-builder rebuilds native modules for Electron itself (npmRebuild).

import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** Where the Electron build of better-sqlite3 lives for this Electron version. */
export function electronBindingPath(electronVersion) {
  return join(root, 'node_modules', '.cache', 'backprop-lab', `better-sqlite3-electron-${electronVersion}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
}

function run(cmd, args, cwd) {
  const bin = process.platform === 'win32' ? `${cmd}.cmd` : cmd;
  const r = spawnSync(join(root, 'node_modules', '.bin', bin), args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status === 0;
}

function main() {
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const target = electronBindingPath(electronVersion);
  if (existsSync(target)) return;
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  const work = mkdtempSync(join(tmpdir(), 'bpl-sqlite-electron-'));
  try {
    // a copy of the package without its Node build, so the Node build in node_modules stays as it is
    cpSync(pkgDir, work, { recursive: true, filter: (src) => !src.startsWith(join(pkgDir, 'build')) });
    console.log(`backprop-lab: building better-sqlite3 for Electron ${electronVersion} (once; cached in node_modules/.cache)`);
    const ok =
      run('prebuild-install', ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], work) ||
      run('node-gyp', ['rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', '--runtime=electron', `--arch=${process.arch}`], work);
    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (!ok || !existsSync(built)) {
      console.error('backprop-lab: could not build better-sqlite3 for Electron (it needs internet access for Electron headers or a prebuilt binary, and a C++ toolchain); the app cannot open its database without it');
      process.exit(1);
    }
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(built, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
