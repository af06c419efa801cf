// The window's security settings, the URL guards and the session's permission answers, kept apart from main.ts
// (the only other file that may import electron) so they are unit-tested in plain Node.

import { isAppUrl, type AppLocation } from './protocol';

export type { AppLocation } from './protocol';

/** What openWindow needs to know. */
export interface WindowOptions {
  /** Absolute path of the preload script (out/preload/index.cjs). */
  preload: string;
  /** app.isPackaged: a packaged app has no DevTools. */
  packaged: boolean;
}

/**
 * Opens the app window: isolated, sandboxed, no Node, no webviews, no middle-click windows, and no DevTools in a
 * packaged app. Takes Electron's BrowserWindow class so the options are written out here, where
 * electronegativity reads them, and tested in Node.
 */
export function openWindow<W>(BrowserWindow: new (options: object) => W, options: WindowOptions): W {
  if (!options.preload) throw new Error('openWindow needs the preload script’s path (out/preload/index.cjs)');
  return new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    title: 'Backprop Lab',
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      devTools: !options.packaged,
      // a middle click must not open a link in a new window (electronegativity AUXCLICK_JS_CHECK)
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/**
 * The hosts whose pages a link in the app may open in the system browser. The dashboard links to no outside page
 * today, so nothing leaves the app; add a host here together with the link (test/electron/window.test.ts checks
 * that every https link in renderer/src is on this list).
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [];

/** True for an https link, on the default port and without credentials, to a host on the allow-list. */
export function isExternalLinkAllowed(raw: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && !url.username && !url.password && url.port === '' && hosts.includes(url.hostname);
}

/** The parts of Electron's WebContents the guards use. */
export interface GuardedContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: { preventDefault(): void }, url?: string) => void): unknown;
}

/**
 * Applied to every web contents the app creates: no new windows (an allowed link opens in the system browser),
 * no navigation away from the app's page, no webviews.
 */
export function harden(contents: GuardedContents, where: AppLocation, openExternal: (url: string) => unknown, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url, hosts)) void openExternal(url);
    return { action: 'deny' };
  });
  const guard = (event: { preventDefault(): void }, url?: string) => {
    if (!isAppUrl(url, where)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

type Cancel = { preventDefault(): void };

/** The parts of Electron's Session whose answers lockDownSession sets. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  setDisplayMediaRequestHandler(handler: (request: unknown, callback: (streams: null) => void) => void): void;
  on(event: 'select-hid-device' | 'select-usb-device', listener: (event: Cancel, details: unknown, callback: (deviceId?: string) => void) => void): unknown;
  on(event: 'select-serial-port', listener: (event: Cancel, ports: unknown, contents: unknown, callback: (portId: string) => void) => void): unknown;
}

/**
 * The dashboard needs no camera, microphone, screen capture, notifications, geolocation, HID, USB or serial
 * device: every permission request and check is refused, device permissions are refused, a getDisplayMedia
 * request gets no stream, and a device chooser is cancelled.
 */
export function lockDownSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  const cancel = (event: Cancel, _details: unknown, callback: (deviceId?: string) => void) => {
    event.preventDefault();
    callback();
  };
  session.on('select-hid-device', cancel);
  session.on('select-usb-device', cancel);
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
}
