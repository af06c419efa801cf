// wireIpc with a fake ipcMain and fake windows: one handler per command, only the app's own page is answered,
// events reach every live window on their fixed channel. The `electron` module is faked so that nothing here
// could reach a real one (the wiring does not import it).
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { EventName, Result } from '../../electron/contract';
import { wireIpc, type IpcInvokeEventLike, type IpcMainLike, type WebContentsLike } from '../../electron/main-wiring';
import { COMMAND_NAMES } from '../../electron/preload-api';
import { APP_PAGE_URL } from '../../electron/protocol';
import type { ServiceEndpoint } from '../../electron/transport';

vi.mock('electron', () => {
  throw new Error('the wiring must not import electron');
});

const RENDERER = '/opt/Backprop Lab/resources/app/out/renderer/index.html';
const APP_URL = APP_PAGE_URL;

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: IpcInvokeEventLike, payload: unknown) => unknown>();
  handle(channel: string, listener: (event: IpcInvokeEventLike, payload: unknown) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: IpcInvokeEventLike, payload: unknown): Promise<Result<unknown>> {
    return Promise.resolve(this.handlers.get(channel)!(event, payload) as Result<unknown>);
  }
}

class FakeWindow implements WebContentsLike {
  sent: Array<[string, unknown]> = [];
  destroyed = false;
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

function fakeService() {
  const calls: Array<[string, unknown]> = [];
  const listeners = new Set<(e: EventName, p: unknown) => void>();
  const service: ServiceEndpoint = {
    async call(command, payload) {
      calls.push([command, payload]);
      if (command === 'runs.delete') throw new Error('unexpected');
      return { ok: true, value: 'done' };
    },
    subscribe(l) {
      listeners.add(l);
      return Object.assign(() => void listeners.delete(l), { narrow() {} });
    },
  };
  return { service, calls, emit: (e: EventName, p: unknown) => listeners.forEach((l) => l(e, p)), listeners };
}

const fromApp = (): IpcInvokeEventLike => ({ senderFrame: { url: APP_URL, parent: null } });

describe('the sender check', () => {
  it('answers exactly the app page (app://backprop-lab/index.html, any hash), and the dev server in development', async () => {
    const ipc = new FakeIpcMain();
    const { service, calls } = fakeService();
    wireIpc(ipc, service, { windows: () => [] });
    const answer = async (url: string) => (await ipc.invoke('bpl:cmd:runs.list', { senderFrame: { url, parent: null } }, {})).ok;
    expect(await answer(APP_URL)).toBe(true);
    expect(await answer(`${APP_URL}#/runs`)).toBe(true);
    expect(await answer('app://backprop-lab/assets/index.js')).toBe(false);
    expect(await answer('app://evil/index.html')).toBe(false);
    // the page's old home: file:// is no longer the app, even the bundled index.html
    expect(await answer(pathToFileURL(RENDERER).href)).toBe(false);
    expect(await answer('http://localhost:5173/')).toBe(false);
    expect(calls).toHaveLength(2);

    const dev = new FakeIpcMain();
    wireIpc(dev, fakeService().service, { devServerUrl: 'http://localhost:5173/', windows: () => [] });
    const devAnswer = async (url: string) => (await dev.invoke('bpl:cmd:runs.list', { senderFrame: { url, parent: null } }, {})).ok;
    expect(await devAnswer('http://localhost:5173/#/design')).toBe(true);
    expect(await devAnswer('http://localhost:5174/')).toBe(false);
  });
});

describe('wireIpc', () => {
  it('registers one handler per contract command and forwards the payload to the service', async () => {
    const ipc = new FakeIpcMain();
    const { service, calls } = fakeService();
    wireIpc(ipc, service, { windows: () => [] });
    expect([...ipc.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map((n) => `bpl:cmd:${n}`).sort());
    expect(await ipc.invoke('bpl:cmd:runs.start', fromApp(), { config: {} })).toEqual({ ok: true, value: 'done' });
    expect(calls).toEqual([['runs.start', { config: {} }]]);
  });

  it('refuses a sender that is not the app page: another URL, a subframe, a frame that is gone', async () => {
    const ipc = new FakeIpcMain();
    const { service, calls } = fakeService();
    wireIpc(ipc, service, { windows: () => [] });
    const forbidden = { ok: false, error: { code: 'forbidden', message: expect.stringMatching(/app's own page/) } };
    expect(await ipc.invoke('bpl:cmd:runs.list', { senderFrame: { url: 'https://evil.example/', parent: null } }, {})).toEqual(forbidden);
    // an iframe inside the app page, even one loading the app's own URL
    expect(await ipc.invoke('bpl:cmd:runs.list', { senderFrame: { url: APP_URL, parent: { url: APP_URL } } }, {})).toEqual(forbidden);
    expect(await ipc.invoke('bpl:cmd:runs.list', { senderFrame: null }, {})).toEqual(forbidden);
    expect(await ipc.invoke('bpl:cmd:runs.list', {}, {})).toEqual(forbidden);
    expect(calls).toEqual([]);
  });

  it('never throws across the bridge: a failing service becomes an internal error', async () => {
    const ipc = new FakeIpcMain();
    const { service } = fakeService();
    wireIpc(ipc, service, { windows: () => [] });
    expect(await ipc.invoke('bpl:cmd:runs.delete', fromApp(), { runId: 'x' })).toEqual({ ok: false, error: { code: 'internal', message: 'unexpected' } });
  });

  it('forwards events to every live window on the event channel, skipping destroyed ones; dispose undoes it all', () => {
    const ipc = new FakeIpcMain();
    const { service, emit, listeners } = fakeService();
    const a = new FakeWindow(), b = new FakeWindow();
    b.destroyed = true;
    const dispose = wireIpc(ipc, service, { windows: () => [a, b] });
    emit('run.metrics', { runId: 'r', metrics: [] });
    emit('run.status', { runId: 'r', status: 'finished', epoch: 3 });
    expect(a.sent).toEqual([
      ['bpl:evt:run.metrics', { runId: 'r', metrics: [] }],
      ['bpl:evt:run.status', { runId: 'r', status: 'finished', epoch: 3 }],
    ]);
    expect(b.sent).toEqual([]);
    dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(listeners.size).toBe(0);
  });
});
