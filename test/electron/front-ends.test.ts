// One suite, three front ends: the command line, browser mode's WebSocket server and the desktop IPC wiring all
// drive the same core. Each front end trains a run to its end, stops a long one, exports a run and imports the
// file back — and the run database holds the same things whichever front end did it. (Only the `electron` module
// itself is faked: the IPC wiring gets a recording ipcMain, the rest is real.)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../electron/cli';
import type { CommandName, Result, RunStatusEvent } from '../../electron/contract';
import { createCore, CORE_BUSY_TIMEOUT_MS } from '../../electron/core/index';
import { wireIpc, type IpcInvokeEventLike } from '../../electron/main-wiring';
import { commandChannel, eventChannel } from '../../electron/preload-api';
import { startServer } from '../../electron/server';
import { openStore } from '../../electron/store/index';
import { paramsToPlain } from '../../electron/trainer/snapshot';
import { wsClient } from '../helpers/ws-client';

const tmp = mkdtempSync(join(tmpdir(), 'bpl-front-ends-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ARCH = [
  { input_dim: 2, output_dim: 4, activation: 'tanh' as const },
  { input_dim: 4, output_dim: 1, activation: 'sigmoid' as const },
];
const config = (epochs: number) => ({ architecture: ARCH, training: { epochs }, backend: 'cpu' as const });

/** What each front end must do; every method goes through that front end's own way in. */
interface FrontEnd {
  db: string;
  /** Trains `epochs` epochs to the end; the run's id. */
  train(epochs: number): Promise<string>;
  /** Starts a run far too long to finish, stops it after it trained some epochs; the run's id. */
  trainAndStop(): Promise<string>;
  exportJson(runId: string): Promise<Buffer>;
  importFile(name: string, bytes: Buffer): Promise<string>;
  close(): Promise<void>;
}

/** A front end over a command/event pair (browser mode, desktop IPC). */
function commandFrontEnd(
  db: string,
  invoke: (c: CommandName, p: unknown) => Promise<Result<unknown>>,
  waitForEpoch: (runId: string, epoch: number) => Promise<void>,
  waitForEnd: (runId: string) => Promise<RunStatusEvent>,
  close: () => Promise<void>,
): FrontEnd {
  const value = async <T>(c: CommandName, p: unknown): Promise<T> => {
    const r = await invoke(c, p);
    if (!r.ok) throw new Error(`${c}: ${r.error.code}: ${r.error.message}`);
    return r.value as T;
  };
  return {
    db,
    async train(epochs) {
      const { runId } = await value<{ runId: string }>('runs.start', { config: config(epochs) });
      await waitForEnd(runId);
      return runId;
    },
    async trainAndStop() {
      const { runId } = await value<{ runId: string }>('runs.start', { config: config(100_000_000) });
      await waitForEpoch(runId, 20);
      await value('runs.stop', { runId });
      await waitForEnd(runId);
      return runId;
    },
    async exportJson(runId) {
      return Buffer.from((await value<{ base64: string }>('runs.export', { runId, format: 'json' })).base64, 'base64');
    },
    async importFile(name, bytes) {
      return (await value<{ run: { id: string } }>('runs.import', { filename: name, base64: bytes.toString('base64') })).run.id;
    },
    close,
  };
}

async function browserMode(): Promise<FrontEnd> {
  const dir = mkdtempSync(join(tmp, 'ws-'));
  const db = join(dir, 'runs.db');
  const server = await startServer({ port: 0, db, staticDir: dir, version: 't' });
  const client = await wsClient(server.wsUrl);
  return commandFrontEnd(db, (c, p) => client.invoke(c, p as never), client.waitForEpoch, client.waitForEnd, async () => {
    client.close();
    await server.close();
  });
}

async function desktopIpc(): Promise<FrontEnd> {
  const dir = mkdtempSync(join(tmp, 'ipc-'));
  const db = join(dir, 'runs.db');
  const store = openStore({ path: db, busyTimeoutMs: CORE_BUSY_TIMEOUT_MS });
  const core = createCore({ store, host: 'desktop', version: 't' });
  // what main.ts hands the wiring: ipcMain and the windows' webContents (here, recording stand-ins)
  const handlers = new Map<string, (e: IpcInvokeEventLike, p: unknown) => unknown>();
  const epochs = new Map<string, number>();
  const ends = new Map<string, RunStatusEvent>();
  const wake = new Set<() => void>();
  const window = {
    isDestroyed: () => false,
    send(channel: string, payload: unknown) {
      if (channel === eventChannel('run.metrics')) {
        const p = payload as { runId: string; metrics: Array<{ epoch: number }> };
        epochs.set(p.runId, p.metrics[p.metrics.length - 1]!.epoch);
      } else if (channel === eventChannel('run.status')) {
        const s = payload as RunStatusEvent;
        if (s.status !== 'running' && s.status !== 'paused') ends.set(s.runId, s);
      }
      wake.forEach((w) => w());
    },
  };
  const unwire = wireIpc({ handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) }, core, { windows: () => [window] });
  const page: IpcInvokeEventLike = { senderFrame: { url: 'app://backprop-lab/index.html', parent: null } };
  const until = <T>(get: () => T | undefined) =>
    new Promise<T>((res) => {
      const check = () => {
        const v = get();
        if (v !== undefined) (wake.delete(check), res(v));
      };
      wake.add(check);
      check();
    });
  return commandFrontEnd(
    db,
    async (c, p) => (await handlers.get(commandChannel(c))!(page, p)) as Result<unknown>,
    (runId, epoch) => until(() => ((epochs.get(runId) ?? -1) >= epoch ? true : undefined)).then(() => undefined),
    (runId) => until(() => ends.get(runId)),
    async () => {
      unwire();
      await core.close();
      store.close();
    },
  );
}

async function commandLine(): Promise<FrontEnd> {
  const dir = mkdtempSync(join(tmp, 'cli-'));
  const db = join(dir, 'runs.db');
  const archArg = JSON.stringify(ARCH);
  const cli = async (argv: string[], io: { onSignal?: (h: (s: 'SIGINT') => void) => () => void; stderr?: (t: string) => void } = {}) => {
    let stdout = '', stderr = '';
    const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => ((stderr += t), io.stderr?.(t)), isTTY: false, cwd: dir, env: process.env, ...(io.onSignal ? { onSignal: io.onSignal } : {}) });
    return { code, stdout, stderr };
  };
  const last = (s: string) => JSON.parse(s.trimEnd().split('\n').pop()!);
  return {
    db,
    async train(epochs) {
      const r = await cli(['train', '--arch', archArg, '--backend', 'cpu', '--epochs', String(epochs), '--db', db, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return last(r.stdout).runId;
    },
    async trainAndStop() {
      // Ctrl-C once a progress line past epoch 20 shows (stderr is not a terminal: a line every 10% or 5 s)
      let interrupt: ((s: 'SIGINT') => void) | null = null;
      const r = await cli(['train', '--arch', archArg, '--backend', 'cpu', '--epochs', '100000000', '--db', db, '--json'], {
        onSignal: (h) => ((interrupt = h), () => undefined),
        stderr: (t) => {
          const m = /epoch (\d+)\/100000000/.exec(t);
          if (m && Number(m[1]) > 20) interrupt?.('SIGINT');
        },
      });
      expect(r.code, r.stderr).toBe(130);
      return last(r.stdout).runId;
    },
    async exportJson(runId) {
      const out = join(dir, `${runId}.json`);
      const r = await cli(['runs', 'export', runId, '--db', db, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      return (await import('node:fs')).readFileSync(out);
    },
    async importFile(name, bytes) {
      const file = join(dir, name);
      (await import('node:fs')).writeFileSync(file, bytes);
      const r = await cli(['runs', 'import', file, '--db', db, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return last(r.stdout).id;
    },
    close: async () => undefined,
  };
}

describe.each([
  ['the command line', commandLine],
  ['browser mode (WebSocket)', browserMode],
  ['the desktop IPC wiring', desktopIpc],
])('%s drives the one core', (_name, make) => {
  it('trains, stops, exports and imports, and the run database holds the same runs', async () => {
    const fe = await make();
    try {
      const done = await fe.train(150);
      const stopped = await fe.trainAndStop();
      const file = await fe.exportJson(done);
      const imported = await fe.importFile('exported.json', file);

      const store = openStore({ path: fe.db });
      try {
        expect(store.getRun(done)).toMatchObject({ status: 'finished', epochsDone: 150 });
        const weights = store.getWeights(done)!;
        expect(store.getRun(stopped).status).toBe('stopped');
        expect(store.getRun(stopped).epochsDone).toBeGreaterThan(20);
        expect(store.getWeights(stopped)).not.toBeNull();
        // the export holds the finished run's weights; the import stores exactly them, evaluated on its data
        const json = JSON.parse(file.toString('utf8'));
        expect(json.architecture).toEqual(ARCH);
        expect(paramsToPlain(store.getWeights(imported)!)).toEqual(paramsToPlain(weights));
        expect(store.getRun(imported)).toMatchObject({ status: 'finished', finalCost: store.getRun(done).finalCost });
      } finally {
        store.close();
      }
    } finally {
      await fe.close();
    }
  });
});
