#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI beside (not over) the Node build, so that `npm test` (Node) and
// `npm start` (Electron) both work from one clone. The Electron build is cached in
// node_modules/.cache/backprop-lab/ and handed to the store as better-sqlite3's `nativeBinding`.
// Packaged apps do not use it: electron-builder rebuilds native modules for Electron itself (npmRebuild).
//
// Built against Electron's headers whatever npm's configuration says (a `nodedir` from npm would otherwise make
// node-gyp use the system Node's), and checked before it is cached: a module whose ABI is not Electron's is
// refused, and one cached by an older run is removed and rebuilt. Usage: node scripts/ensure-electron-native.mjs
// [--cache-dir DIR].

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheIfElectronAbi, checkModuleAbi, electronAbi, electronBuildEnv, nodeGypArgs } from './native-abi.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** The default cache folder: node_modules/.cache/backprop-lab. */
export const defaultCacheDir = () => join(root, 'node_modules', '.cache', 'backprop-lab');

/** Where the Electron build of better-sqlite3 lives for this Electron version (main.ts looks for it there). */
export function electronBindingPath(electronVersion, cacheDir = defaultCacheDir()) {
  return join(cacheDir, `better-sqlite3-electron-${electronVersion}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
}

/** The installed Electron's version (node_modules/electron). */
export function installedElectronVersion() {
  return JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
}

function runTool(name, args, cwd, env) {
  const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
  const r = spawnSync(bin, args, { cwd, env, encoding: 'utf8', shell: process.platform === 'win32', maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { ok: r.status === 0, output };
}

/**
 * The real build, in `workDir`: a copy of better-sqlite3 without its Node build, then a prebuilt binary for
 * Electron (prebuild-install) or, failing that, a node-gyp build against Electron's headers.
 * @returns {{ built?: string, output: string }}
 */
export function buildWithTools({ electronVersion, env, workDir }) {
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  cpSync(pkgDir, workDir, { recursive: true, filter: (src) => !src.startsWith(join(pkgDir, 'build')) });
  const built = join(workDir, 'build', 'Release', 'better_sqlite3.node');
  let output = '';
  const pre = runTool('prebuild-install', ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], workDir, env);
  output += `prebuild-install: ${pre.output}\n`;
  if (pre.ok && checkModuleAbi(built, electronVersion).ok) return { built, output };
  rmSync(join(workDir, 'build'), { recursive: true, force: true });
  const gyp = runTool('node-gyp', nodeGypArgs(electronVersion), workDir, env);
  output += `node-gyp: ${gyp.output}\n`;
  return { built: gyp.ok && existsSync(built) ? built : undefined, output };
}

/** The build tools that cannot be found on PATH (Linux and macOS; on Windows node-gyp finds Visual Studio itself). */
export function missingToolchain(env = process.env) {
  if (process.platform === 'win32') return [];
  const dirs = (env['PATH'] ?? '').split(delimiter).filter(Boolean);
  const has = (names) => names.some((n) => dirs.some((d) => existsSync(join(d, n))));
  const missing = [];
  if (!has(['python3', 'python'])) missing.push('Python 3');
  if (!has(['make', 'gmake'])) missing.push('make');
  if (!(env['CXX'] && existsSync(env['CXX'])) && !has(['g++', 'c++', 'clang++'])) missing.push('a C++ compiler (g++ or clang++)');
  return missing;
}

const OFFLINE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|socket hang up|network/i;

/** One paragraph saying what is missing, from a failed build's output and the tools on PATH. */
export function explainFailure(electronVersion, output, env = process.env) {
  const reasons = [];
  if (OFFLINE.test(output)) {
    reasons.push(`no prebuilt binary and no Electron headers could be downloaded (https://electronjs.org/headers/v${electronVersion}/ was not reachable: is this machine offline?)`);
  }
  const tools = missingToolchain(env);
  if (tools.length) reasons.push(`a C++ toolchain is incomplete: missing ${tools.join(', ')} (Debian/Ubuntu: apt-get install build-essential python3; macOS: xcode-select --install)`);
  if (!reasons.length) reasons.push('prebuild-install and node-gyp both failed (their output is above)');
  return `backprop-lab: could not get better-sqlite3 for Electron ${electronVersion} (ABI ${electronAbi(electronVersion)}): ${reasons.join('; and ')}. ` +
    'The desktop app cannot open its database without it; fix that and run npm start again.';
}

/**
 * Makes sure `target` holds better-sqlite3 built for Electron `electronVersion`. `build` is buildWithTools
 * (tests pass their own). Returns what happened; never leaves a module of another ABI at `target`.
 * @returns {{ ok: boolean, status: 'cached' | 'built' | 'failed', message: string }}
 */
export function ensureElectronBinding({ electronVersion, target, env = process.env, build = buildWithTools, log = console.log }) {
  if (existsSync(target)) {
    const check = checkModuleAbi(target, electronVersion);
    if (check.ok) return { ok: true, status: 'cached', message: check.message };
    log(`backprop-lab: removing a cached build of the wrong kind: ${check.message}`);
    rmSync(target, { force: true });
  }
  const workDir = mkdtempSync(join(tmpdir(), 'bpl-sqlite-electron-'));
  try {
    log(`backprop-lab: building better-sqlite3 for Electron ${electronVersion} (once; cached in ${dirname(target)})`);
    const { built, output } = build({ electronVersion, env: electronBuildEnv(env, electronVersion), workDir });
    if (!built) return { ok: false, status: 'failed', message: explainFailure(electronVersion, output, env), output };
    const cached = cacheIfElectronAbi(built, target, electronVersion);
    if (!cached.ok) {
      return { ok: false, status: 'failed', message: `backprop-lab: the better-sqlite3 build for Electron ${electronVersion} is unusable, ${cached.message}. Nothing was cached.`, output };
    }
    return { ok: true, status: 'built', message: cached.message };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function main(argv) {
  const i = argv.indexOf('--cache-dir');
  if (i >= 0 && !argv[i + 1]) {
    console.error('backprop-lab: --cache-dir needs a folder, e.g. --cache-dir node_modules/.cache/backprop-lab');
    return 2;
  }
  const electronVersion = installedElectronVersion();
  const target = electronBindingPath(electronVersion, i >= 0 ? argv[i + 1] : undefined);
  const result = ensureElectronBinding({ electronVersion, target });
  if (!result.ok) {
    if (result.output) console.error(result.output.trimEnd().split('\n').slice(-30).join('\n'));
    console.error(result.message);
    return 1;
  }
  if (result.status === 'built') console.log(`backprop-lab: ${result.message}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
