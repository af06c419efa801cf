// The lint rules that hold the lines between engine/, electron/ and renderer/ (lint/boundaries.js, DESIGN.md) fail
// on violations: each rule is run through ESLint's Node API on small in-memory files with the repository's config.
// The repository itself is checked by `npm run lint`, which `npm test` runs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const eslint = new ESLint({ cwd: repoRoot });

/** Lints `lines` as if they were the file at `path` (repository-relative; the file need not exist). */
async function lint(path: string, ...lines: string[]): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(lines.join('\n'), { filePath: path });
  const fatal = result!.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(`${path} does not parse: ${fatal.map((m) => m.message).join('; ')}`);
  return result!.messages;
}

/** The boundary problems ESLint reports for a file, by message id (the rule's name for the problem). */
async function boundaries(path: string, ...lines: string[]): Promise<string[]> {
  return (await lint(path, ...lines)).filter((m) => m.ruleId?.startsWith('boundaries/')).map((m) => m.messageId!);
}

describe('boundary rules on synthetic files', () => {
  it('flag an engine file that imports electron, react or react-dom', async () => {
    expect(await boundaries('engine/a.ts', "import { app } from 'electron';")).toEqual(['electron']);
    expect(await boundaries('engine/a.ts', "import { useState } from 'react';")).toEqual(['enginePackage']);
    expect(await boundaries('engine/a.ts', "import { jsx } from 'react/jsx-runtime';")).toEqual(['enginePackage']);
    expect(await boundaries('engine/a.ts', "export { createRoot } from 'react-dom/client';")).toEqual(['enginePackage']);
  });

  it('flag Node builtins in the engine, with or without node:, static, dynamic, required or as types', async () => {
    for (const line of [
      "import { readFileSync } from 'fs';",
      "import * as path from 'node:path';",
      "import { Worker } from 'worker_threads';",
      "import { readFile } from 'fs/promises';",
      "import 'os';",
      "export * from 'node:os';",
      "const cp = await import('child_process');",
      "const { createHash } = require('crypto');",
      "import os = require('os');",
      "import type { URL } from 'url';",
      "type Stats = import('node:fs').Stats;",
      "import {\n  cpus,\n} from 'node:os';",
    ]) {
      expect(await boundaries('engine/a.ts', line), line).toEqual(['engineNodeBuiltin']);
    }
    // A package that merely looks like a builtin is not one.
    expect(await boundaries('engine/a.ts', "import Database from 'better-sqlite3';", "import { GPU } from 'gpu.js';")).toEqual([]);
  });

  it('let a file marked "// node-only: <reason>" in its first 5 lines use Node builtins, and nothing else', async () => {
    const marked = ['// Loads a CSV from disk.', '// node-only: reads files with fs', "import { readFileSync } from 'node:fs';"];
    expect(await boundaries('engine/datasets/csv-file.ts', ...marked)).toEqual([]);
    expect(await boundaries('engine/a.ts', ...marked, "import React from 'react';")).toEqual(['enginePackage']);
    // The marker needs a reason, and must be in the first 5 lines.
    expect(await boundaries('engine/a.ts', '// node-only:', "import 'fs';")).toEqual(['engineNodeBuiltin']);
    expect(await boundaries('engine/a.ts', '', '', '', '', '', '// node-only: too late', "import 'fs';")).toEqual(['engineNodeBuiltin']);
  });

  it('flag DOM globals in the engine but not typeof checks, locals, properties, comments or strings', async () => {
    expect(await boundaries('engine/a.ts', "const c = document.createElement('canvas');")).toEqual(['domGlobal']);
    expect(await boundaries('engine/a.ts', 'const w = window.innerWidth;')).toEqual(['domGlobal']);
    expect(await boundaries('engine/a.ts', "const x = window['devicePixelRatio'];")).toEqual(['domGlobal']);
    expect(await boundaries('engine/a.ts', 'const d = globalThis.document;')).toEqual(['domGlobal']);
    expect(await boundaries('engine/a.ts', 'const b = document?.body;')).toEqual(['domGlobal']);
    expect(await boundaries('engine/a.ts', 'export const root = () => document;')).toEqual(['domGlobal']);
    expect(
      await boundaries(
        'engine/a.ts',
        "export const inBrowser = typeof window !== 'undefined' && typeof document === 'object';",
        'export const size = (opts: { window: { size: number } }) => opts.window.size; // window.size in a comment',
        'export const local = (window: { size: number }) => window.size;',
        "export const msg = 'document.title is not used here';",
        '/* window.open() */',
      ),
    ).toEqual([]);
    // The renderer is a page: it may use the DOM.
    expect(await boundaries('renderer/src/a.ts', 'export const w = window.innerWidth;')).toEqual([]);
  });

  it('flag Node globals in the engine outside node-only files, but not typeof checks or locals', async () => {
    expect(await boundaries('engine/a.ts', "export const debug = process.env['DEBUG'];")).toEqual(['nodeGlobal']);
    expect(await boundaries('engine/a.ts', "export const b = Buffer.from('x');")).toEqual(['nodeGlobal']);
    expect(await boundaries('engine/a.ts', 'export const here = __dirname;')).toEqual(['nodeGlobal']);
    expect(await boundaries('engine/a.ts', 'export const p = globalThis.process;')).toEqual(['nodeGlobal']);
    expect(
      await boundaries(
        'engine/a.ts',
        "export const inNode = typeof process !== 'undefined';",
        'export const f = (process: { env: object }) => process.env;',
        "export const yields = typeof setImmediate === 'function';",
      ),
    ).toEqual([]);
    expect(await boundaries('engine/a.ts', '// node-only: reads the environment', "export const debug = process.env['DEBUG'];")).toEqual([]);
    expect(await boundaries('electron/a.ts', "export const debug = process.env['DEBUG'];")).toEqual([]);
  });

  it('flag an engine import of electron/ or renderer/ code, types included', async () => {
    expect(await boundaries('engine/a.ts', "import type { Api } from '../electron/contract';")).toEqual(['engineImportsApp']);
    expect(await boundaries('engine/x/a.ts', "import { App } from '../../renderer/src/App';")).toEqual(['engineImportsApp']);
    expect(await boundaries('engine/x/a.ts', "import { mulberry } from '../random';")).toEqual([]);
  });

  it("allow 'electron' only in electron/main.ts and electron/preload.ts", async () => {
    const line = "import { app } from 'electron';";
    expect(await boundaries('electron/main.ts', line)).toEqual([]);
    expect(await boundaries('electron/preload.ts', "import { contextBridge } from 'electron';")).toEqual([]);
    expect(await boundaries('electron/service.ts', line)).toEqual(['electron']);
    expect(await boundaries('electron/contract.ts', "import type { IpcMain } from 'electron';")).toEqual(['electron']);
    expect(await boundaries('renderer/src/App.tsx', "import { ipcRenderer } from 'electron/renderer';")).toEqual(['electron']);
    expect(await boundaries('bin/cli.js', "const { app } = require('electron');")).toEqual(['electron']);
    expect(await boundaries('scripts/x.mjs', "const { app } = await import('electron');")).toEqual(['electron']);
    // The Playwright Electron driver is not electron itself; an import inside a string is not an import.
    expect(await boundaries('test/e2e/x.spec.ts', "import { _electron } from '@playwright/test';", "export const src = \"import { app } from 'electron'\";")).toEqual([]);
  });

  it('flag Node builtins in the page: renderer/ and the host modules it bundles', async () => {
    expect(await boundaries('renderer/src/App.tsx', "import { readFileSync } from 'node:fs';")).toEqual(['pageNodeBuiltin']);
    expect(await boundaries('renderer/src/x.ts', "import path from 'path';")).toEqual(['pageNodeBuiltin']);
    expect(await boundaries('electron/transport.ts', "import { EventEmitter } from 'node:events';")).toEqual(['pageNodeBuiltin']);
    expect(await boundaries('renderer/src/x.ts', "import { resolveConfig } from '../../engine/config';")).toEqual([]);
    // The host side proper runs in Node.
    expect(await boundaries('electron/service.ts', "import { readFileSync } from 'node:fs';")).toEqual([]);
  });

  it('let the page take only types from electron/, except the modules it shares with the host', async () => {
    expect(await boundaries('renderer/src/api/x.ts', "import { COMMANDS } from '../../../electron/contract';")).toEqual(['pageValueImportsHost']);
    expect(await boundaries('renderer/src/api/x.ts', "export { COMMANDS } from '../../../electron/contract';")).toEqual(['pageValueImportsHost']);
    expect(await boundaries('renderer/src/api/x.ts', "import { buildRuns } from '../../../electron/service';")).toEqual(['pageValueImportsHost']);
    expect(await boundaries('electron/preload-api.ts', "import { COMMANDS } from './contract';")).toEqual(['pageValueImportsHost']);
    expect(
      await boundaries(
        'renderer/src/api/x.ts',
        "import type { RunConfig } from '../../../electron/contract';",
        "import { type RunId, type RunStatus } from '../../../electron/contract';",
        "export type { DesktopApi } from '../../../electron/preload-api';",
        "import { createClient } from '../../../electron/transport';",
        "import { buildApi } from '../../../electron/preload-api';",
      ),
    ).toEqual([]);
  });

  it('flag value imports of a node-only file from the page or from an engine file that is not node-only', async () => {
    // engine/backends/parallel.ts is marked node-only (worker_threads).
    expect(await boundaries('renderer/src/x.ts', "import { ParallelCpuBackend } from '../../engine/backends/parallel';")).toEqual(['reachesNodeOnly']);
    expect(await boundaries('engine/a.ts', "export { ParallelCpuBackend } from './backends/parallel';")).toEqual(['reachesNodeOnly']);
    expect(await boundaries('engine/a.ts', "const p = () => import('./backends/parallel.ts');")).toEqual(['reachesNodeOnly']);
    // Types are erased; a node-only file, or the host, may import it.
    expect(await boundaries('renderer/src/x.ts', "import type { ParallelCpuBackend } from '../../engine/backends/parallel';")).toEqual([]);
    expect(await boundaries('engine/a.ts', '// node-only: runs on worker threads', "import { ParallelCpuBackend } from './backends/parallel';")).toEqual([]);
    expect(await boundaries('electron/x.ts', "import { ParallelCpuBackend } from '../engine/backends/parallel';")).toEqual([]);
  });

  it('report the line and a message that says the way out', async () => {
    const [m] = (await lint('engine/a.ts', '// purpose', '', "import fs from 'fs';", 'export const x = fs;')).filter((x) => x.ruleId === 'boundaries/imports');
    expect(m).toMatchObject({ line: 3, messageId: 'engineNodeBuiltin', severity: 2 });
    expect(m!.message).toMatch(/node-only: <reason>/);
  });
});

describe('other rules of the config', () => {
  it('holds the rules of hooks and their dependencies in the renderer, as errors', async () => {
    const messages = await lint(
      'renderer/src/components/X.tsx',
      "import { useEffect, useState } from 'react';",
      'export function X({ id, on }: { id: string; on: boolean }) {',
      '  if (on) useState(0);',
      '  useEffect(() => console.log(id), []);',
      '  return null;',
      '}',
    );
    expect(messages.filter((m) => m.severity === 2).map((m) => m.ruleId)).toEqual(['react-hooks/rules-of-hooks', 'react-hooks/exhaustive-deps']);
  });

  it("reports typescript-eslint's recommended rules and unused disable comments", async () => {
    const messages = await lint('engine/a.ts', 'export const f = (x: any) => x; // eslint-disable-line no-console');
    expect(messages.map((m) => m.ruleId)).toEqual(['@typescript-eslint/no-explicit-any', null]);
    expect(messages[1]!.message).toMatch(/Unused eslint-disable directive/);
  });
});

describe('the repository is linted', () => {
  it('every part gets the boundary rules (a narrowed `files` glob would silently skip it)', async () => {
    const severity = async (file: string, rule: string) => {
      const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> } | undefined;
      const entry = config?.rules?.[rule];
      return Array.isArray(entry) ? entry[0] : entry;
    };
    for (const file of ['engine/network.ts', 'engine/backends/cpu.ts', 'electron/service.ts', 'electron/main.ts', 'renderer/src/App.tsx', 'test/lint/eslint.test.ts', 'scripts/bench.ts', 'scripts/ensure-electron-native.mjs', 'bin/backprop-lab.js']) {
      expect(await severity(file, 'boundaries/imports'), file).toBe(2);
    }
    expect(await severity('engine/network.ts', 'boundaries/engine-globals')).toBe(2);
    expect(await severity('renderer/src/App.tsx', 'react-hooks/exhaustive-deps')).toBe(2);
    expect(await eslint.isPathIgnored('engine/network.ts')).toBe(false);
    // The node-only files are listed in the config, so the lint cache is dropped when a file gains or loses the marker.
    const settings = ((await eslint.calculateConfigForFile('renderer/src/App.tsx')) as { settings?: { boundaries?: { nodeOnly?: string[] } } }).settings;
    expect(settings?.boundaries?.nodeOnly).toEqual(expect.arrayContaining(['engine/backends/parallel.ts', 'engine/backends/gpu-node.ts']));
    expect(await eslint.isPathIgnored('renderer/src/components/TrainView.tsx')).toBe(false);
  });

  it('npm test runs the linter, and any warning fails it', () => {
    const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test']).toMatch(/npm run lint &&/);
    expect(pkg.scripts['lint']).toMatch(/^eslint .*--max-warnings 0/);
  });
});
