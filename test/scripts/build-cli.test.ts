// The command line's build (scripts/build-cli.mjs, run by `npm install`) and how bin/backprop-lab.js chooses between
// it and the TypeScript sources (bin/cli-entry.js): the build exists and runs, its training worker runs and is where
// the bundled host looks, `node bin/backprop-lab.js --version` runs the build, and a build older than its sources is
// never run. No timings: scripts/bench-startup.ts measures those.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config';
import { workerEntry } from '../../electron/trainer/host';
import type { WorkerInit, WorkerToHost } from '../../electron/trainer/protocol';
// @ts-expect-error plain JavaScript without declarations
import { chooseEntry } from '../../bin/cli-entry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'out', 'cli');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type Entry = { kind: 'built'; file: string } | { kind: 'sources'; file: string; reason: string };
const choose = chooseEntry as (root: string) => Entry;

function build(): void {
  const r = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toMatch(/build-cli: out\/cli\/\{cli,trainer-worker\}\.js from \d+ sources/);
  expect(r.status).toBe(0);
}

/** bin/backprop-lab.js with BACKPROP_LAB_DEBUG_ENTRY=1, which names on stderr the entry it ran. */
function runBin(args: string[], root = ROOT) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'backprop-lab.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, BACKPROP_LAB_DEBUG_ENTRY: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, entry: /^backprop-lab: entry (.*)$/m.exec(r.stderr)?.[1] ?? '' };
}

describe('scripts/build-cli.mjs', () => {
  beforeAll(build);

  it('writes out/cli/cli.js, the worker trainer-worker.js and a manifest of every bundled source', () => {
    for (const f of ['cli.js', 'trainer-worker.js', 'manifest.json']) expect(existsSync(join(OUT, f)), f).toBe(true);
    const manifest = JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as { version: number; sources: { file: string; size: number; mtimeMs: number }[] };
    expect(manifest.version).toBe(1);
    const files = manifest.sources.map((s) => s.file);
    for (const f of ['electron/cli.ts', 'electron/cli/io.ts', 'electron/trainer/worker.ts', 'engine/network.ts']) expect(files).toContain(f);
    // node_modules packages stay external: loaded at run time, never copied into the bundle
    expect(files.filter((f) => f.includes('node_modules'))).toEqual([]);
    for (const s of manifest.sources) expect(statSync(join(ROOT, s.file)).size, s.file).toBe(s.size);
  });

  it('lays every module flat in out/cli, so the bundled host finds trainer-worker.js beside whichever file holds it', () => {
    const entries = readdirSync(OUT, { withFileTypes: true });
    expect(entries.filter((e) => e.isDirectory()).map((e) => e.name)).toEqual([]);
    const holders = entries.filter((e) => e.name.endsWith('.js') && readFileSync(join(OUT, e.name), 'utf8').includes('"trainer-worker.js"'));
    expect(holders.length).toBeGreaterThan(0);
    for (const h of holders) {
      // the same function the bundle runs, given the URL the bundled module has
      const { files } = workerEntry(pathToFileURL(join(OUT, h.name)).href);
      expect(files.some((f) => existsSync(fileURLToPath(f))), h.name).toBe(true);
    }
  });

  it('the built worker trains a small network to the end in a worker thread', async () => {
    const init: WorkerInit = {
      config: resolveConfig({
        architecture: [
          { input_dim: 2, output_dim: 4, activation: 'relu' },
          { input_dim: 4, output_dim: 1, activation: 'sigmoid' },
        ],
        data: { samples: 100 },
        training: { epochs: 20 },
        backend: 'cpu',
      }),
      metricsIntervalMs: 0,
      snapshotIntervalMs: 1e9,
      snapshots: true,
      yieldEveryMs: 25,
      gridSize: 4,
    };
    const worker = new Worker(join(OUT, 'trainer-worker.js'), { workerData: { init } });
    const epochs: number[] = [];
    try {
      const end = await new Promise<Extract<WorkerToHost, { type: 'end' }>['end']>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`the worker exited (${code}) before the end of the run`)));
        worker.on('message', (m: WorkerToHost) => {
          if (m.type === 'metrics') {
            epochs.push(...m.metrics.map((e) => e.epoch));
            worker.postMessage({ type: 'ack', what: 'metrics' });
          } else if (m.type === 'snapshot') worker.postMessage({ type: 'ack', what: 'snapshot' });
          else if (m.type === 'end') resolve(m.end);
          else if (m.type === 'initError' || m.type === 'fatal') reject(new Error(m.message));
        });
        worker.postMessage({ type: 'go', paused: false });
      });
      expect(end.status).toBe('finished');
      expect(end.epochs).toBe(20);
      expect(epochs).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(end.params?.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    } finally {
      await worker.terminate();
    }
  });

  it('node bin/backprop-lab.js --version runs the build, which finds package.json from out/cli', () => {
    let r = runBin(['--version']);
    // Other work in this checkout may touch a source between the build and the run; only then rebuild and retry.
    for (let i = 0; i < 3 && / changed since the build\)$/.test(r.entry); i++) {
      build();
      r = runBin(['--version']);
    }
    expect(r.entry).toBe(`built ${join(ROOT, 'out', 'cli', 'cli.js')}`);
    expect(r.stdout).toBe(`backprop-lab ${VERSION}\n`);
    expect(r.status).toBe(0);
  });
});

describe('bin/backprop-lab.js chooses the build or the sources', () => {
  // A stand-in package: bin/ copied, a one-line "source" and "build" that say which ran, node_modules linked (tsx).
  let root: string;
  const source = () => join(root, 'electron', 'cli.ts');
  const manifestOf = (files: string[]) =>
    JSON.stringify({ version: 1, sources: files.map((file) => ({ file, size: statSync(join(root, file)).size, mtimeMs: statSync(join(root, file)).mtimeMs })) });
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'bpl-entry-'));
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'junction');
    mkdirSync(join(root, 'electron', 'cli'), { recursive: true });
    mkdirSync(join(root, 'out', 'cli'), { recursive: true });
    writeFileSync(source(), "import { who } from './cli/who.ts';\nexport async function main(): Promise<number> {\n  process.stdout.write(who);\n  return 3;\n}\n");
    writeFileSync(join(root, 'electron', 'cli', 'who.ts'), "export const who: string = 'sources';\n");
    writeFileSync(join(root, 'out', 'cli', 'cli.js'), "export async function main() { process.stdout.write('built'); return 4; }\n");
    writeFileSync(join(root, 'out', 'cli', 'manifest.json'), manifestOf(['electron/cli.ts', 'electron/cli/who.ts']));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs the build while every source matches the manifest, with main()’s exit code', () => {
    expect(choose(root)).toEqual({ kind: 'built', file: join(root, 'out', 'cli', 'cli.js') });
    const r = runBin([], root);
    expect(r.stdout).toBe('built');
    expect(r.status).toBe(4);
  });

  it('runs the sources through tsx once a source differs from the build, and says which file', () => {
    const who = join(root, 'electron', 'cli', 'who.ts');
    const before = readFileSync(who, 'utf8');
    writeFileSync(who, "export const who: string = 'sources!';\n");
    try {
      expect(choose(root)).toMatchObject({ kind: 'sources', reason: 'electron/cli/who.ts changed since the build' });
      const r = runBin([], root);
      expect(r.entry).toBe(`sources ${source()} through tsx (electron/cli/who.ts changed since the build)`);
      expect(r.stdout).toBe('sources!');
      expect(r.status).toBe(3);
    } finally {
      writeFileSync(who, before);
    }
    // same size, new mtime: still not the build's
    expect(choose(root)).toMatchObject({ kind: 'sources', reason: 'electron/cli/who.ts changed since the build' });
    writeFileSync(join(root, 'out', 'cli', 'manifest.json'), manifestOf(['electron/cli.ts', 'electron/cli/who.ts']));
    expect(choose(root).kind).toBe('built');
  });

  it('runs the sources when there is no build, a removed source, or a manifest of another format', () => {
    const manifest = join(root, 'out', 'cli', 'manifest.json');
    const good = readFileSync(manifest, 'utf8');
    try {
      rmSync(manifest);
      expect(choose(root)).toMatchObject({ kind: 'sources', reason: 'the command line is not built (no out/cli/manifest.json)' });
      writeFileSync(manifest, JSON.stringify({ ...JSON.parse(good), version: 0 }));
      expect(choose(root).kind).toBe('sources');
      writeFileSync(manifest, JSON.stringify({ version: 1, sources: [...JSON.parse(good).sources, { file: 'electron/gone.ts', size: 1, mtimeMs: 1 }] }));
      expect(choose(root)).toMatchObject({ kind: 'sources', reason: 'electron/gone.ts was removed since the build' });
    } finally {
      writeFileSync(manifest, good);
    }
    expect(choose(root).kind).toBe('built');
  });
});
