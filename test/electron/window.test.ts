// The window's security settings and URL guards (electron/window.ts), in plain Node.

import { describe, expect, it } from 'vitest';
import { harden, isAppUrl, isExternalLinkAllowed, openWindow, type GuardedContents } from '../../electron/window';

const packaged = { rendererFile: '/opt/Backprop Lab/resources/app.asar/out/renderer/index.html' };
const dev = { devServerUrl: 'http://localhost:5173/', rendererFile: '/repo/out/renderer/index.html' };

describe('window options', () => {
  it('isolates and sandboxes the page, with no Node, webviews or middle-click windows', () => {
    class FakeWindow {
      constructor(readonly options: { width: number; height: number; webPreferences: Record<string, unknown> }) {}
    }
    const win = openWindow(FakeWindow as never, '/repo/out/preload/index.cjs') as unknown as FakeWindow;
    const w = win.options.webPreferences;
    expect(w).toMatchObject({
      preload: '/repo/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(win.options).toMatchObject({ width: 1280, height: 800 });
  });
});

describe('URL guards', () => {
  it.each([
    [packaged, 'file:///opt/Backprop%20Lab/resources/app.asar/out/renderer/index.html', true],
    [packaged, 'file:///opt/Backprop%20Lab/resources/app.asar/out/renderer/index.html#/runs', true],
    [packaged, 'file:///etc/passwd', false],
    [packaged, 'https://example.com/', false],
    [packaged, 'not a url', false],
    [dev, 'http://localhost:5173/runs', true],
    [dev, 'http://localhost:5174/', false],
    [dev, 'http://127.0.0.1:5173/', false],
  ])('%j: %s is inside the app: %s', (where, url, inside) => {
    expect(isAppUrl(url, where)).toBe(inside);
  });

  it('lets only https links out, to the system browser', () => {
    expect(isExternalLinkAllowed('https://github.com/')).toBe(true);
    for (const u of ['http://github.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', '']) expect(isExternalLinkAllowed(u)).toBe(false);
  });

  it('denies every new window, opens https ones externally, blocks navigation away and webviews', () => {
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const listeners = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
    const contents: GuardedContents = {
      setWindowOpenHandler: (h) => (openHandler = h),
      on: (event, listener) => listeners.set(event, listener),
    };
    const opened: string[] = [];
    harden(contents, packaged, (url) => opened.push(url));
    expect(openHandler!({ url: 'https://numpy.org/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'http://numpy.org/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://numpy.org/']);

    const outcome = (event: string, url?: string) => {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(outcome('will-navigate', 'https://evil.example/')).toBe(true);
    expect(outcome('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(outcome('will-navigate', 'file:///opt/Backprop%20Lab/resources/app.asar/out/renderer/index.html')).toBe(false);
    expect(outcome('will-attach-webview')).toBe(true);
  });
});
