// The packaging configuration is valid for electron-builder and points at what electron-vite builds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
    expect(config['files']).toEqual(expect.arrayContaining(['out/**', 'package.json']));
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
