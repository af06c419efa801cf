// The artefact a user runs, not its sources: electron-vite builds the app, then out/main/index.js is loaded in plain
// Node with a recording stand-in for the `electron` module (a module.register resolve hook; nothing else is faked)
// and driven as Electron and the page would drive it. One window with the secure options, loading app://; a
// CommonJS preload that needs only `electron`; a handler for every contract command; and a real runs.start through
// the recorded IPC handler that trains in the built trainer-worker.js, reaches the window as events and lands in a
// real SQLite file under BACKPROP_LAB_DATA_DIR.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../electron/contract';
import { buildApp, repo, type BuiltApp } from './built-app/build';

const EPOCHS = 50;
/** The run must show progress (any output of the driver) at least this often; the total time is not limited. */
const STALL_MS = 180_000;

let app: BuiltApp;
beforeAll(async () => {
  app = await buildApp('built-app');
}, 600_000);
afterAll(() => app?.remove());

interface DriverResult {
  code: number | null;
  report: any;
  stderr: string;
}

/** Runs test/electron/built-app/run-built-main.mjs on the built main; fails only when it stops making progress. */
function driveBuiltMain(dataDir: string): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'test', 'electron', 'built-app', 'run-built-main.mjs'), app.main], {
      cwd: repo,
      env: { ...process.env, BACKPROP_LAB_DATA_DIR: dataDir, BUILT_APP_EPOCHS: String(EPOCHS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    let stall: NodeJS.Timeout;
    const progress = () => {
      clearTimeout(stall);
      stall = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the built main made no progress for ${STALL_MS / 1000} s; stderr:\n${stderr.slice(-3000)}`));
      }, STALL_MS);
    };
    progress();
    child.stdout.on('data', (d) => ((stdout += d), progress()));
    child.stderr.on('data', (d) => ((stderr += d), progress()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(stall);
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      resolve({ code, report: line ? JSON.parse(line.slice('REPORT '.length)) : undefined, stderr });
    });
  });
}

describe('the built app', () => {
  it('has the files a user runs', () => {
    for (const f of [app.main, app.worker, app.preload, join(app.renderer, 'index.html')]) expect(existsSync(f), f).toBe(true);
  });

  it('has a CommonJS preload that requires nothing but electron and exposes every command', async () => {
    const code = readFileSync(app.preload, 'utf8');
    const required: string[] = [];
    const invoked: Array<[string, unknown]> = [];
    let exposed: [string, any] | undefined;
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed = [key, api]) },
      ipcRenderer: {
        invoke: async (channel: string, payload: unknown) => (invoked.push([channel, payload]), { ok: true, value: null }),
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    // compiled as a CommonJS function body: an import or export statement would be a SyntaxError here
    const body = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname', 'process'], { filename: app.preload });
    const module = { exports: {} };
    const require = (id: string) => {
      required.push(id);
      if (id !== 'electron') throw new Error(`the sandboxed preload requires ${id}`);
      return electron;
    };
    body(module.exports, require, module, app.preload, join(app.dir, 'preload'), { versions: { electron: '45.5.0', chrome: '140', node: '22' } });
    expect([...new Set(required)]).toEqual(['electron']);
    expect(exposed?.[0]).toBe('backpropLab');
    const api = exposed![1];
    for (const name of Object.keys(COMMANDS)) {
      const [ns, method] = name.split('.') as [string, string];
      expect(typeof api[ns]?.[method], name).toBe('function');
    }
    await api.runs.list({});
    expect(invoked).toEqual([['bpl:cmd:runs.list', {}]]);
  });

  it('opens one locked-down window on app://, answers every command, and trains a run into a real SQLite file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bpl-built-app-'));
    try {
      const { code, report: r, stderr } = await driveBuiltMain(dataDir);
      expect(code, stderr).toBe(0);
      expect(r, stderr).toBeDefined();
      expect(r.errors, 'dialog.showErrorBox was called').toEqual([]);

      // one window, with the secure options, on the app's own scheme
      expect(r.windows).toHaveLength(1);
      const [win] = r.windows;
      expect(win.options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        webviewTag: false,
        allowRunningInsecureContent: false,
      });
      expect(win.loaded).toEqual(['app://backprop-lab/index.html']);
      // the preload it names is the built CommonJS file (checked in the test above)
      expect(win.options.webPreferences.preload).toBe(app.preload);
      expect(existsSync(win.options.webPreferences.preload)).toBe(true);

      // app:// registered as privileged before ready, served from the built renderer with the desktop CSP
      expect(r.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
      expect([r.schemesBeforeReady, r.schemesAfterReady]).toEqual([1, false]);
      expect(r.protocols).toEqual(['app']);
      expect(r.protocolAnswers.page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', length: readFileSync(join(app.renderer, 'index.html')).length });
      expect(r.protocolAnswers.page.csp).toMatch(/connect-src 'self'$/);
      expect(r.protocolAnswers.page.csp).not.toContain('ws:');
      expect(r.protocolAnswers.outside.status).toBe(403);
      expect(r.protocolAnswers.missing.status).toBe(404);

      // the guards and the session's answers, as the built code installed them
      expect(r.navigation).toEqual({ 'app://backprop-lab/index.html': false, 'https://example.com/': true, 'file:///etc/passwd': true });
      expect(r.windowOpen).toEqual({ action: 'deny' });
      expect(r.sessionAnswers).toEqual({ permissionGranted: false, permissionCheck: false, devicePermission: false, displayStreams: null });

      // a handler for every command of the contract, and only the app's page is answered
      expect([...r.ipcChannels].sort()).toEqual(Object.keys(COMMANDS).map((c) => `bpl:cmd:${c}`).sort());
      expect(r.forbidden).toMatchObject({ ok: false, error: { code: 'forbidden' } });

      // the run: started through IPC, trained in the built worker, its events sent to the window
      expect(r.started, JSON.stringify(r.started)).toMatchObject({ ok: true, value: { runId: expect.any(String) } });
      const runId = r.started.value.runId as string;
      expect(r.end).toMatchObject({ runId, status: 'finished', epoch: EPOCHS });
      expect(r.metricEpochs).toEqual(Array.from({ length: EPOCHS }, (_, i) => i));
      expect(r.channels).toEqual(expect.arrayContaining(['bpl:evt:run.metrics', 'bpl:evt:run.status', 'bpl:evt:runs.changed']));
      expect(r.got).toMatchObject({ ok: true, run: { id: runId, status: 'finished', epochsDone: EPOCHS } });
      // quitting closed the service and the store and removed the handlers
      expect(r.handlersAfterQuit).toBe(0);

      // and it is in the database the app, the CLI and browser mode share
      expect(r.userData).toBe(dataDir);
      const db = new Database(join(dataDir, 'runs.db'), { readonly: true, fileMustExist: true });
      try {
        const run = db.prepare('SELECT rid, status, name FROM runs WHERE id = ?').get(runId) as { rid: number; status: string; name: string };
        expect(run).toMatchObject({ status: 'finished', name: 'built-app test' });
        const steps = db.prepare("SELECT count(*) AS n, min(step) AS lo, max(step) AS hi FROM metrics WHERE run_id = ? AND key = 'train_cost'").get(run.rid);
        expect(steps).toEqual({ n: EPOCHS, lo: 0, hi: EPOCHS - 1 });
        const weights = db.prepare("SELECT count(*) AS n FROM weights WHERE run_id = ? AND kind = 'final'").get(run.rid) as { n: number };
        expect(weights.n).toBe(1);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 900_000);
});
