// The packaging configuration is valid for electron-builder, points at what electron-vite builds, flips Electron's
// fuses, and ships exactly the packages the built app imports at run time (electron-builder ships `dependencies`
// and their dependencies, less what `files` excludes).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../electron/built-app/build';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
// electron-builder's own parser and schema check (dependencies of electron-builder, loaded untyped).
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load: (text: string) => unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const config = yaml.load(readFileSync(resolve(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as Record<string, any>;

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('packages the electron-vite output and keeps native modules out of the asar', () => {
    expect(config['appId']).toBe('dev.backproplab.app');
    expect(config['productName']).toBe('Backprop Lab');
    expect(config['files']).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', 'package.json']));
    // not out/** : out/cli is the command line's build, nothing the desktop app runs
    expect((config['files'] as string[]).filter((f) => !f.startsWith('!') && /^out\/(\*|cli)/.test(f))).toEqual([]);
    expect(config['asarUnpack']).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/better-sqlite3/**']));
    expect(config['npmRebuild']).toBe(true);
    // electron-vite writes the main bundle to out/main/index.js (electron.vite.config.ts).
    expect(pkg['main']).toBe('out/main/index.js');
  });

  it('builds an installer for each desktop platform', () => {
    expect(config['win'].target).toContain('nsis');
    expect(config['mac'].target).toContain('dmg');
    expect(config['mac'].category).toBe('public.app-category.developer-tools');
    expect(config['linux'].target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config['linux'].category).toBe('Development');
    expect(config['linux'].maintainer).toMatch(/\S+ <\S+@\S+>/);
  });
});

describe("Electron's fuses", () => {
  it('are flipped as the security checklist asks', () => {
    expect(config['electronFuses']).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});

/** acorn, as electron-builder's and vite's dependency trees have it (parsed, not pattern-matched). */
const acorn = require('acorn') as { parse(code: string, options: object): unknown };

/**
 * Every package a bundle imports at run time: import declarations, re-exports, import() and require() of a
 * literal name, found in its syntax tree. An import() or require() of a computed name is returned as `<computed …>`
 * so that the check fails rather than miss it.
 */
function importedPackages(code: string, sourceType: 'module' | 'script'): Set<string> {
  const specs: string[] = [];
  const literal = (n: any): string | undefined =>
    n?.type === 'Literal' && typeof n.value === 'string' ? n.value : n?.type === 'TemplateLiteral' && n.expressions.length === 0 ? n.quasis[0].value.cooked : undefined;
  const visit = (n: any): void => {
    if (!n || typeof n.type !== 'string') return;
    if ((n.type === 'ImportDeclaration' || n.type === 'ExportAllDeclaration' || n.type === 'ExportNamedDeclaration') && n.source) specs.push(n.source.value);
    if (n.type === 'ImportExpression') specs.push(literal(n.source) ?? `<computed import() at ${n.start}>`);
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require') specs.push(literal(n.arguments[0]) ?? `<computed require() at ${n.start}>`);
    for (const v of Object.values(n)) {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') visit(v);
    }
  };
  visit(acorn.parse(code, { ecmaVersion: 'latest', sourceType }));
  const out = new Set<string>();
  for (const spec of specs) {
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || isBuiltin(spec)) continue;
    out.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return out;
}

/** The folder of package `name` as Node resolves it from `from`, or undefined. */
function packageDir(name: string, from: string): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    const p = join(d, 'node_modules', name);
    if (existsSync(join(p, 'package.json'))) return p;
    if (dirname(d) === d) return undefined;
  }
}

/** The packages `names` and everything they depend on (optional dependencies too), by folder, with how each came in. */
function closure(names: Iterable<string>): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (name: string, from: string, via: string[]) => {
    const dir = packageDir(name, from);
    if (!dir || seen.has(dir)) return;
    seen.set(dir, via);
    const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const d of Object.keys({ ...p.dependencies, ...p.optionalDependencies })) visit(d, dir, [...via, d]);
  };
  for (const n of names) visit(n, repoRoot, [n]);
  return seen;
}

describe('what the desktop package ships', () => {
  let app: BuiltApp;
  beforeAll(async () => {
    app = await buildApp('packaging');
  }, 600_000);
  afterAll(() => app?.remove());

  const bundles = () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.(c|m)?js$/.test(e.name)) files.push(join(d, e.name));
      }
    };
    walk(join(app.dir, 'main'));
    walk(join(app.dir, 'preload'));
    return files;
  };
  const runtimeImports = () => {
    const used = new Map<string, string>();
    for (const f of bundles()) {
      let imported: Set<string>;
      try {
        imported = importedPackages(readFileSync(f, 'utf8'), f.endsWith('.cjs') ? 'script' : 'module');
      } catch (e) {
        // a bundle that does not parse would not load either (e.g. a module's own `require` beside electron-vite's ESM shim)
        throw new Error(`the built ${relative(app.dir, f)} does not parse: ${(e as Error).message}`, { cause: e });
      }
      for (const p of imported) if (!used.has(p)) used.set(p, relative(app.dir, f));
    }
    used.delete('electron'); // the runtime itself
    return used;
  };

  it('every package the built main, worker and preload import at run time is in dependencies', () => {
    const used = runtimeImports();
    // the scan sees the app's real imports (a scan that finds nothing would pass vacuously)
    expect([...used.keys()]).toEqual(expect.arrayContaining(['better-sqlite3', 'zod']));
    const deps = pkg['dependencies'] as Record<string, string>;
    const missing = [...used].filter(([p]) => !(p in deps)).map(([p, f]) => `${p} (imported by out/${f}${p in (pkg['devDependencies'] ?? {}) ? '; it is a devDependency' : ''})`);
    expect(missing, `electron-builder ships only dependencies; move these there: ${missing.join(', ')}`).toEqual([]);
  });

  it('ships nothing that only the command line or the tests need, and excludes nothing the app needs', () => {
    const { Minimatch } = createRequire(require.resolve('app-builder-lib/package.json'))('minimatch') as {
      Minimatch: new (pattern: string, options: object) => { match(path: string): boolean };
    };
    const excludes = (config['files'] as string[]).filter((f) => f.startsWith('!')).map((f) => new Minimatch(f.slice(1), { dot: true }));
    const excluded = (dir: string) => excludes.some((m) => m.match(relative(repoRoot, dir).split('\\').join('/')));

    const needed = closure(runtimeImports().keys());
    const shipped = closure(Object.keys(pkg['dependencies'] as Record<string, string>));
    const cut = [...needed].filter(([dir]) => excluded(dir)).map(([dir, via]) => `${relative(repoRoot, dir)} (${via.join(' > ')})`);
    expect(cut, `the built app needs these, but electron-builder.yml's files exclude them: ${cut.join(', ')}`).toEqual([]);
    const extra = [...shipped].filter(([dir]) => !needed.has(dir) && !excluded(dir)).map(([dir, via]) => `${relative(repoRoot, dir)} (${via.join(' > ')})`);
    expect(
      extra,
      `shipped to desktop users, but the built app never imports them (the command line or the tests need them): ${extra.join(', ')}; ` +
        'exclude them in electron-builder.yml files ("!**/node_modules/NAME{,/**}") or move them to devDependencies',
    ).toEqual([]);
  });
});
