// Which Node ABI a native module (.node) was built for, and the environment that builds one for Electron.
// Used by ensure-electron-native.mjs so that a build for the wrong ABI is never cached: where npm sets
// `nodedir` (Debian's and Ubuntu's packaged npm set nodedir=/usr), node-gyp builds against the system Node's
// headers whatever --target says, and the result registers as node_register_module_v115 instead of Electron's.

import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The NODE_MODULE_VERSION a native module registers with, read from its bytes: a module built with
 * NODE_MODULE() exports `node_register_module_v<N>`. Undefined when the file has no such symbol (an N-API module
 * or not a Node module at all); an error when it names two different versions.
 * @param {Uint8Array} bytes
 * @returns {number | undefined}
 */
export function moduleAbi(bytes) {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const found = new Set();
  for (const m of text.matchAll(/node_register_module_v(\d+)/g)) found.add(Number(m[1]));
  if (found.size > 1) throw new Error(`the module names several ABIs (${[...found].join(', ')}); it is not one build`);
  return found.size ? [...found][0] : undefined;
}

/**
 * The ABI (NODE_MODULE_VERSION) Electron `version` loads, as node-abi knows it.
 * @param {string} version
 * @returns {number}
 */
export function electronAbi(version) {
  const { getAbi } = require('node-abi');
  return Number(getAbi(version, 'electron'));
}

/**
 * Compares a built module's ABI with Electron's. `message` says what is wrong and why it usually happens.
 * @param {string} file
 * @param {string} electronVersion
 * @returns {{ ok: boolean, found: number | undefined, expected: number, message: string }}
 */
export function checkModuleAbi(file, electronVersion) {
  const expected = electronAbi(electronVersion);
  if (!existsSync(file)) return { ok: false, found: undefined, expected, message: `${file} does not exist` };
  let found;
  try {
    found = moduleAbi(readFileSync(file));
  } catch (e) {
    return { ok: false, found: undefined, expected, message: `${file}: ${e.message}` };
  }
  if (found === expected) return { ok: true, found, expected, message: `${file} is built for ABI ${found} (Electron ${electronVersion})` };
  const what = found === undefined ? 'registers no node_register_module_v<N> symbol' : `is built for ABI ${found}`;
  const nodeHint = found === Number(process.versions.modules) ? ` (Node ${process.versions.node}'s ABI: it was built against Node's headers, e.g. because npm's nodedir points at them)` : '';
  return { ok: false, found, expected, message: `${file} ${what}${nodeHint}, but Electron ${electronVersion} needs ABI ${expected}` };
}

/** Where node-gyp keeps Electron's headers, apart from Node's (the place @electron/rebuild uses). */
export const electronHeadersDir = () => join(homedir(), '.electron-gyp');

/**
 * The environment for prebuild-install and node-gyp building for Electron: npm's `nodedir` (and a `target`,
 * `runtime` or `disturl` of the user's) removed, whatever their case, so that nothing points the build at Node's
 * headers; Electron's runtime, version and header URL set. (node-gyp reads npm_config_* case-insensitively and
 * lets them, and npm_package_config_node_gyp_*, override its command-line flags.)
 * @param {NodeJS.ProcessEnv} env
 * @param {string} electronVersion
 * @returns {NodeJS.ProcessEnv}
 */
export function electronBuildEnv(env, electronVersion) {
  const out = {};
  const drop = new Set(['npm_config_nodedir', 'npm_config_target', 'npm_config_runtime', 'npm_config_disturl', 'npm_config_dist_url', 'npm_config_devdir', 'npm_config_build_from_source']);
  for (const [k, v] of Object.entries(env)) {
    if (drop.has(k.toLowerCase()) || /^npm_package_config_node_gyp_/i.test(k)) continue;
    out[k] = v;
  }
  return {
    ...out,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_disturl: 'https://electronjs.org/headers',
    npm_config_devdir: electronHeadersDir(),
  };
}

/**
 * node-gyp's arguments for a build against Electron's headers: the URL they come from and a headers folder of
 * their own, given explicitly so that no npm configuration can substitute Node's.
 * @param {string} electronVersion
 * @param {string} arch
 */
export function nodeGypArgs(electronVersion, arch = process.arch) {
  return ['rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers', `--devdir=${electronHeadersDir()}`, `--arch=${arch}`];
}

/**
 * Copies `built` to `target` only when it is built for Electron's ABI (through a temporary file and a rename, so
 * that a half-written file is never taken for a build). A mismatch is never cached, and is removed from `target`
 * if an older run left it there.
 * @param {string} built
 * @param {string} target
 * @param {string} electronVersion
 * @returns {{ ok: boolean, message: string }}
 */
export function cacheIfElectronAbi(built, target, electronVersion) {
  const check = checkModuleAbi(built, electronVersion);
  if (!check.ok) return { ok: false, message: `refused to cache it: ${check.message}` };
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    copyFileSync(built, partial);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return { ok: true, message: check.message };
}
