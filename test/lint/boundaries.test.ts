// Holds the lines between engine/, electron/ and renderer/ (DESIGN.md), and shows the checker can fail.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkBoundaries, findDomGlobals, findImports, isNodeBuiltin, readRepository, type Rule, type SourceFile } from './boundaries';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const rules = (files: SourceFile[]): Rule[] => checkBoundaries(files).map((v) => v.rule);
const one = (path: string, ...lines: string[]): SourceFile[] => [{ path, text: lines.join('\n') }];

describe('boundary checker on synthetic files', () => {
  it('flags an engine file that imports electron, react or react-dom', () => {
    expect(rules(one('engine/a.ts', "import { app } from 'electron';"))).toEqual(['electron-import']);
    expect(rules(one('engine/a.ts', "import { useState } from 'react';"))).toEqual(['engine-forbidden-package']);
    expect(rules(one('engine/a.ts', "import { jsx } from 'react/jsx-runtime';"))).toEqual(['engine-forbidden-package']);
    expect(rules(one('engine/a.ts', "export { createRoot } from 'react-dom/client';"))).toEqual(['engine-forbidden-package']);
  });

  it('flags Node builtins in the engine, with or without node:, static, dynamic or required', () => {
    for (const line of [
      "import { readFileSync } from 'fs';",
      "import * as path from 'node:path';",
      "import { Worker } from 'worker_threads';",
      "import { readFile } from 'fs/promises';",
      "import 'os';",
      "const cp = await import('child_process');",
      "const { createHash } = require('crypto');",
      "import type { URL } from 'url';",
      "import {\n  cpus,\n} from 'node:os';",
    ]) {
      expect(rules(one('engine/a.ts', line)), line).toEqual(['engine-node-builtin']);
    }
  });

  it('lets a file marked "// node-only: <reason>" in its first 5 lines use Node builtins, and nothing else', () => {
    const marked = ['// Loads a CSV from disk.', '// node-only: reads files with fs', "import { readFileSync } from 'node:fs';"];
    expect(rules(one('engine/datasets/csv-file.ts', ...marked))).toEqual([]);
    expect(rules(one('engine/a.ts', ...marked, "import React from 'react';"))).toEqual(['engine-forbidden-package']);
    // The marker needs a reason, and must be in the first 5 lines.
    expect(rules(one('engine/a.ts', '// node-only:', "import 'fs';"))).toEqual(['engine-node-builtin']);
    expect(rules(one('engine/a.ts', '', '', '', '', '', '// node-only: too late', "import 'fs';"))).toEqual(['engine-node-builtin']);
  });

  it('flags DOM globals in the engine but not typeof checks, properties, comments or strings', () => {
    expect(rules(one('engine/a.ts', "const c = document.createElement('canvas');"))).toEqual(['engine-dom-global']);
    expect(rules(one('engine/a.ts', 'const w = window.innerWidth;'))).toEqual(['engine-dom-global']);
    expect(rules(one('engine/a.ts', "const x = window['devicePixelRatio'];"))).toEqual(['engine-dom-global']);
    expect(rules(one('engine/a.ts', 'const d = globalThis.document;'))).toEqual(['engine-dom-global']);
    expect(
      rules(
        one(
          'engine/a.ts',
          "const inBrowser = typeof window !== 'undefined';",
          'const slidingWindow = opts.window.size; // window.size in a comment',
          "const msg = 'document.title is not used here';",
          '/* window.open() */',
          "const re = /'/; const ok = a / b / c;",
        ),
      ),
    ).toEqual([]);
  });

  it('flags an engine import of electron/ or renderer/ code', () => {
    expect(rules(one('engine/a.ts', "import type { Api } from '../electron/contract';"))).toEqual(['engine-imports-app']);
    expect(rules(one('engine/x/a.ts', "import { App } from '../../renderer/src/App';"))).toEqual(['engine-imports-app']);
  });

  it("allows 'electron' only in electron/main.ts and electron/preload.ts", () => {
    const line = "import { app } from 'electron';";
    expect(rules(one('electron/main.ts', line))).toEqual([]);
    expect(rules(one('electron/preload.ts', "import { contextBridge } from 'electron';"))).toEqual([]);
    expect(rules(one('electron/service.ts', line))).toEqual(['electron-import']);
    expect(rules(one('electron/contract.ts', "import type { IpcMain } from 'electron';"))).toEqual(['electron-import']);
    expect(rules(one('renderer/src/App.tsx', "import { ipcRenderer } from 'electron/renderer';"))).toEqual(['electron-import']);
    expect(rules(one('bin/cli.js', "const { app } = require('electron');"))).toEqual(['electron-import']);
    // The Playwright Electron driver is not electron itself; an import inside a string is not an import.
    expect(rules(one('test/e2e/x.spec.ts', "import { _electron } from '@playwright/test';", "const src = \"import { app } from 'electron'\";"))).toEqual([]);
  });

  it('flags Node builtins in the renderer', () => {
    expect(rules(one('renderer/src/App.tsx', "import { readFileSync } from 'node:fs';"))).toEqual(['renderer-node-builtin']);
    expect(rules(one('renderer/src/x.ts', "import path from 'path';"))).toEqual(['renderer-node-builtin']);
    expect(rules(one('renderer/src/x.ts', "import { resolveConfig } from '../../engine/config';"))).toEqual([]);
  });

  it('flags a renderer file that reaches a node-only engine file through value imports, not through type imports', () => {
    const files: SourceFile[] = [
      { path: 'renderer/src/App.tsx', text: "import { train } from '../../engine/train';" },
      { path: 'engine/train.ts', text: "import { loadCsv } from './datasets/csv-file';\nexport const train = 1;" },
      { path: 'engine/datasets/csv-file.ts', text: "// node-only: reads files\nimport { readFileSync } from 'node:fs';" },
    ];
    expect(rules(files)).toEqual(['renderer-reaches-node-only']);
    files[0] = { path: 'renderer/src/App.tsx', text: "import type { Train } from '../../engine/train';" };
    expect(rules(files)).toEqual([]);
  });

  it('reports the file, line and a message that says the way out', () => {
    const [v] = checkBoundaries(one('engine/a.ts', '// purpose', '', "import fs from 'fs';"));
    expect(v).toMatchObject({ file: 'engine/a.ts', line: 3, rule: 'engine-node-builtin' });
    expect(v!.message).toMatch(/node-only: <reason>/);
  });

  it('parses imports and DOM uses precisely', () => {
    expect(findImports("import a, { type B } from './a';\nimport { type C } from './c';\nexport * from './d';").map((r) => [r.specifier, r.typeOnly, r.line])).toEqual([
      ['./a', false, 1],
      ['./c', true, 2],
      ['./d', false, 3],
    ]);
    expect(findDomGlobals('x.document.y; document?.body;\nwindow[0]')).toEqual([
      { name: 'document', line: 1 },
      { name: 'window', line: 2 },
    ]);
    expect(isNodeBuiltin('fs/promises')).toBe(true);
    expect(isNodeBuiltin('node:sqlite')).toBe(true);
    expect(isNodeBuiltin('better-sqlite3')).toBe(false);
    expect(isNodeBuiltin('gpu.js')).toBe(false);
  });
});

describe('repository boundaries', () => {
  it('engine/, electron/, renderer/, test/, scripts/ and bin/ keep the lines of DESIGN.md', () => {
    const files = readRepository(repoRoot);
    expect(files.some((f) => f.path === 'electron/main.ts')).toBe(true);
    expect(files.some((f) => f.path.startsWith('engine/'))).toBe(true);
    const report = checkBoundaries(files).map((v) => `${v.file}:${v.line} [${v.rule}] ${v.message}`);
    expect(report).toEqual([]);
  });
});
