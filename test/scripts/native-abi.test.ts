// scripts/native-abi.mjs and scripts/ensure-electron-native.mjs: a better-sqlite3 build for Electron is checked
// for Electron's ABI before it is cached, npm's nodedir never reaches the build, and a failure says what is
// missing. The "wrong build" is the real Node build in node_modules (ABI 115 on Node 20), which is exactly what
// node-gyp produced where npm set nodedir=/usr; the "right build" is the same bytes registering Electron's ABI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript modules without declarations
import { cacheIfElectronAbi, checkModuleAbi, electronAbi, electronBuildEnv, moduleAbi, nodeGypArgs } from '../../scripts/native-abi.mjs';
// @ts-expect-error plain JavaScript modules without declarations
import { electronBindingPath, ensureElectronBinding, explainFailure, installedElectronVersion } from '../../scripts/ensure-electron-native.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const NODE_BUILD = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const ELECTRON = installedElectronVersion() as string;
const ELECTRON_ABI = Number(readFileSync(join(repo, 'node_modules', 'electron', 'abi_version'), 'utf8').trim());
const NODE_ABI = Number(process.versions.modules);

/** The Node build's bytes, registering `abi` instead (same length: only the digits change). */
function registeringAs(abi: number): Buffer {
  const bytes = readFileSync(NODE_BUILD);
  const from = Buffer.from(`node_register_module_v${NODE_ABI}`), to = Buffer.from(`node_register_module_v${abi}`);
  expect(to.length).toBe(from.length);
  for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1)) to.copy(bytes, i);
  return bytes;
}

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'bpl-abi-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('moduleAbi', () => {
  it("reads the Node build's ABI from its bytes, and node-abi gives Electron's", () => {
    expect(moduleAbi(readFileSync(NODE_BUILD))).toBe(NODE_ABI);
    expect(electronAbi(ELECTRON)).toBe(ELECTRON_ABI);
    expect(ELECTRON_ABI).not.toBe(NODE_ABI);
    expect(moduleAbi(registeringAs(ELECTRON_ABI))).toBe(ELECTRON_ABI);
  });

  it('says nothing for a file without the symbol and refuses one naming two ABIs', () => {
    expect(moduleAbi(Buffer.from('\x7fELF napi_register_module_v1'))).toBeUndefined();
    expect(() => moduleAbi(Buffer.from('node_register_module_v115 node_register_module_v150'))).toThrow(/several ABIs \(115, 150\)/);
  });

  it('checkModuleAbi names both ABIs and the cause when they differ', () => {
    const r = checkModuleAbi(NODE_BUILD, ELECTRON);
    expect(r).toMatchObject({ ok: false, found: NODE_ABI, expected: ELECTRON_ABI });
    expect(r.message).toContain(`ABI ${NODE_ABI}`);
    expect(r.message).toContain(`Electron ${ELECTRON} needs ABI ${ELECTRON_ABI}`);
    expect(r.message).toMatch(/Node's headers/);
  });
});

describe('the build environment', () => {
  it("drops npm's nodedir in any spelling and points node-gyp at Electron's headers", () => {
    const env = electronBuildEnv(
      { PATH: '/usr/bin', npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr', npm_config_target: '20.0.0', npm_package_config_node_gyp_nodedir: '/usr', npm_config_cache: '/c' },
      ELECTRON,
    );
    expect(Object.keys(env).filter((k) => /nodedir/i.test(k))).toEqual([]);
    expect(env).toMatchObject({ PATH: '/usr/bin', npm_config_cache: '/c', npm_config_runtime: 'electron', npm_config_target: ELECTRON, npm_config_disturl: 'https://electronjs.org/headers' });
    const args = nodeGypArgs(ELECTRON, 'x64') as string[];
    expect(args).toEqual(expect.arrayContaining(['rebuild', `--target=${ELECTRON}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers']));
    expect(args.some((a) => a.startsWith('--nodedir'))).toBe(false);
  });
});

describe('ensureElectronBinding', () => {
  const wrong = () => join(dir, 'wrong.node'), right = () => join(dir, 'right.node');
  beforeEach(() => {
    writeFileSync(wrong(), readFileSync(NODE_BUILD));
    writeFileSync(right(), registeringAs(ELECTRON_ABI));
  });
  const target = () => electronBindingPath(ELECTRON, join(dir, 'cache')) as string;
  /** Behaves as node-gyp does: with a nodedir in its environment it builds against those (Node's) headers. */
  const nodeGypLike = ({ env, workDir }: { env: Record<string, string>; workDir: string }) => {
    const out = join(workDir, 'better_sqlite3.node');
    const usesNodedir = Object.keys(env).some((k) => /^npm_config_nodedir$/i.test(k));
    writeFileSync(out, readFileSync(usesNodedir ? wrong() : right()));
    return { built: out, output: '' };
  };
  const quiet = () => undefined;

  it("with npm_config_nodedir=/usr the build still gets Electron's ABI, and that is cached", () => {
    const r = ensureElectronBinding({ electronVersion: ELECTRON, target: target(), env: { ...process.env, npm_config_nodedir: '/usr' }, build: nodeGypLike, log: quiet });
    expect(r).toMatchObject({ ok: true, status: 'built' });
    expect(moduleAbi(readFileSync(target()))).toBe(ELECTRON_ABI);
    // the next start finds it and builds nothing
    let built = 0;
    const again = ensureElectronBinding({ electronVersion: ELECTRON, target: target(), build: () => ((built += 1), { output: '' }), log: quiet });
    expect([again.status, built]).toEqual(['cached', 0]);
  });

  it('a build against the system headers (ABI of Node) is refused and not cached', () => {
    const r = ensureElectronBinding({
      electronVersion: ELECTRON,
      target: target(),
      env: { ...process.env, npm_config_nodedir: '/usr' },
      build: ({ workDir }: { workDir: string }) => (writeFileSync(join(workDir, 'm.node'), readFileSync(wrong())), { built: join(workDir, 'm.node'), output: '' }),
      log: quiet,
    });
    expect(r.ok).toBe(false);
    expect(r.message).toContain(`built for ABI ${NODE_ABI}`);
    expect(r.message).toContain(`needs ABI ${ELECTRON_ABI}`);
    expect(r.message).toContain('Nothing was cached');
    expect(existsSync(target())).toBe(false);
    expect(existsSync(dirname(target())) ? readdirSync(dirname(target())) : []).toEqual([]);
  });

  it('a wrong build cached by an older version is removed and rebuilt', () => {
    mkdirSync(dirname(target()), { recursive: true });
    writeFileSync(target(), readFileSync(wrong()));
    const logged: string[] = [];
    const r = ensureElectronBinding({ electronVersion: ELECTRON, target: target(), env: {}, build: nodeGypLike, log: (m: string) => logged.push(m) });
    expect(r).toMatchObject({ ok: true, status: 'built' });
    expect(logged[0]).toMatch(new RegExp(`removing a cached build of the wrong kind: .*ABI ${NODE_ABI}`));
    expect(moduleAbi(readFileSync(target()))).toBe(ELECTRON_ABI);
  });

  it('cacheIfElectronAbi never leaves a mismatch or a partial file', () => {
    expect(cacheIfElectronAbi(wrong(), target(), ELECTRON).ok).toBe(false);
    expect(existsSync(target())).toBe(false);
    expect(cacheIfElectronAbi(right(), target(), ELECTRON).ok).toBe(true);
    expect(readdirSync(dirname(target()))).toEqual(['better_sqlite3.node']);
  });
});

describe('when it cannot be built', () => {
  it('names the missing toolchain', () => {
    const msg = explainFailure(ELECTRON, 'gyp ERR! not ok', { PATH: join(dir, 'empty') }) as string;
    expect(msg).toContain(`could not get better-sqlite3 for Electron ${ELECTRON} (ABI ${ELECTRON_ABI})`);
    expect(msg).toMatch(/missing Python 3, make, a C\+\+ compiler/);
  });

  it('the real script, with npm_config_nodedir=/usr, caches an Electron-ABI module or nothing, and says why', () => {
    const cache = join(dir, 'cache');
    const r = spawnSync(process.execPath, [join(repo, 'scripts', 'ensure-electron-native.mjs'), '--cache-dir', cache], {
      cwd: repo,
      env: { ...process.env, npm_config_nodedir: '/usr' },
      encoding: 'utf8',
    });
    const file = electronBindingPath(ELECTRON, cache) as string;
    if (r.status === 0) {
      // a machine with internet access: whatever it built must be Electron's
      expect(moduleAbi(readFileSync(file))).toBe(ELECTRON_ABI);
    } else {
      expect(r.status, r.stderr).toBe(1);
      expect(existsSync(file)).toBe(false);
      const last = r.stderr.trim().split('\n').pop()!;
      expect(last).toMatch(new RegExp(`could not get better-sqlite3 for Electron ${ELECTRON.replace(/\./g, '\\.')} \\(ABI ${ELECTRON_ABI}\\): .*(offline|toolchain|failed)`));
    }
  }, 600_000);
});
