// The window's security settings, URL guards and session answers (electron/window.ts), in plain Node.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_PAGE_URL } from '../../electron/protocol';
import { EXTERNAL_LINK_HOSTS, harden, isExternalLinkAllowed, lockDownSession, openWindow, type GuardedContents, type SessionLike } from '../../electron/window';

const repo = fileURLToPath(new URL('../../', import.meta.url));

class FakeWindow {
  constructor(readonly options: { width: number; height: number; webPreferences: Record<string, unknown> }) {}
}
const open = (packaged: boolean) => openWindow(FakeWindow as never, { preload: '/repo/out/preload/index.cjs', packaged }) as unknown as FakeWindow;

describe('window options', () => {
  it('isolates and sandboxes the page, with no Node, webviews or middle-click windows', () => {
    const win = open(false);
    expect(win.options.webPreferences).toMatchObject({
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

  it('has DevTools in development only, never in a packaged app', () => {
    expect(open(false).options.webPreferences['devTools']).toBe(true);
    expect(open(true).options.webPreferences['devTools']).toBe(false);
  });

  it('refuses to open a window without a preload', () => {
    expect(() => openWindow(FakeWindow as never, { preload: '', packaged: true })).toThrow(/preload script/);
  });
});

describe('external links', () => {
  it('lets out only https links to a host on the allow-list, on the default port, without credentials', () => {
    const hosts = ['numpy.org'];
    expect(isExternalLinkAllowed('https://numpy.org/doc/', hosts)).toBe(true);
    for (const u of ['http://numpy.org/', 'https://numpy.org.evil.example/', 'https://evil.example/numpy.org', 'https://user@numpy.org/', 'https://numpy.org:8443/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://numpy.org/share', '']) {
      expect(isExternalLinkAllowed(u, hosts), u).toBe(false);
    }
    // the default list: the app links to no outside page, so nothing leaves
    expect(isExternalLinkAllowed('https://github.com/')).toBe(EXTERNAL_LINK_HOSTS.includes('github.com'));
  });

  it('every https link the dashboard has is to a host on the allow-list', () => {
    const hosts = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(tsx?|html|css)$/.test(name)) for (const m of readFileSync(p, 'utf8').matchAll(/https:\/\/([a-z0-9.-]+)/gi)) hosts.add(m[1]!.toLowerCase());
      }
    };
    walk(join(repo, 'renderer'));
    const missing = [...hosts].filter((h) => !EXTERNAL_LINK_HOSTS.includes(h) && h !== 'www.w3.org');
    expect(missing, `add these hosts to EXTERNAL_LINK_HOSTS in electron/window.ts, or the links will not open: ${missing.join(', ')}`).toEqual([]);
  });
});

describe('URL guards', () => {
  const record = () => {
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const listeners = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
    const contents: GuardedContents = {
      setWindowOpenHandler: (h) => (openHandler = h),
      on: (event, listener) => listeners.set(event, listener),
    };
    const outcome = (event: string, url?: string) => {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    return { contents, open: (url: string) => openHandler!({ url }), prevented: outcome };
  };

  it('denies every new window and opens only allow-listed https links externally', () => {
    const { contents, open } = record();
    const opened: string[] = [];
    harden(contents, {}, (url) => opened.push(url), ['numpy.org']);
    expect(open('https://numpy.org/')).toEqual({ action: 'deny' });
    expect(open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(open('http://numpy.org/')).toEqual({ action: 'deny' });
    expect(open(APP_PAGE_URL)).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://numpy.org/']);
  });

  it('blocks navigation away from app://backprop-lab/index.html, and webviews', () => {
    const { contents, prevented } = record();
    harden(contents, {}, () => undefined);
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-navigate', 'file:///opt/Backprop%20Lab/resources/app.asar/out/renderer/index.html')).toBe(true);
    expect(prevented('will-navigate', 'app://backprop-lab/assets/index.js')).toBe(true);
    expect(prevented('will-navigate', 'http://localhost:5173/')).toBe(true);
    expect(prevented('will-navigate')).toBe(true);
    expect(prevented('will-navigate', `${APP_PAGE_URL}#/runs`)).toBe(false);
    expect(prevented('will-attach-webview')).toBe(true);
  });

  it('in development also lets the page reload from the dev server', () => {
    const { contents, prevented } = record();
    harden(contents, { devServerUrl: 'http://localhost:5173/' }, () => undefined);
    expect(prevented('will-navigate', 'http://localhost:5173/#/runs')).toBe(false);
    expect(prevented('will-navigate', 'http://localhost:5174/')).toBe(true);
  });
});

describe('lockDownSession', () => {
  it('refuses every permission, device and screen capture, and cancels device choosers', () => {
    const h: Record<string, (...args: any[]) => unknown> = {};
    const on: Record<string, (...args: any[]) => unknown> = {};
    const session: SessionLike = {
      setPermissionRequestHandler: (f) => void (h['request'] = f),
      setPermissionCheckHandler: (f) => void (h['check'] = f),
      setDevicePermissionHandler: (f) => void (h['device'] = f),
      setDisplayMediaRequestHandler: (f) => void (h['display'] = f),
      on: ((event: string, f: (...args: any[]) => unknown) => void (on[event] = f)) as SessionLike['on'],
    };
    lockDownSession(session);

    for (const permission of ['media', 'geolocation', 'notifications', 'display-capture', 'hid', 'usb', 'serial', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      h['request']!({}, permission, (g: boolean) => (granted = g));
      expect(granted, permission).toBe(false);
      expect(h['check']!({}, permission), permission).toBe(false);
    }
    expect(h['device']!({ deviceType: 'hid', origin: APP_PAGE_URL })).toBe(false);
    let streams: unknown = 'not called';
    h['display']!({ frame: null, videoRequested: true, audioRequested: true }, (s: unknown) => (streams = s));
    expect(streams).toBeNull();

    for (const event of ['select-hid-device', 'select-usb-device']) {
      let prevented = false, chosen: unknown = 'not called';
      on[event]!({ preventDefault: () => (prevented = true) }, { deviceList: [{ deviceId: 'd1' }] }, (id?: string) => (chosen = id));
      expect([prevented, chosen], event).toEqual([true, undefined]);
    }
    let prevented = false, port: unknown = 'not called';
    on['select-serial-port']!({ preventDefault: () => (prevented = true) }, [{ portId: 'p1' }], {}, (id: string) => (port = id));
    expect([prevented, port]).toEqual([true, '']);
  });
});
