// The window's security settings and the URL guards, kept apart from main.ts (the only other file that may
// import electron) so they are unit-tested in plain Node.

import { pathToFileURL } from 'node:url';

/** Where the app's own page lives: the electron-vite dev server in development, else the bundled file. */
export interface AppLocation {
  devServerUrl?: string;
  rendererFile: string;
}

/**
 * Opens the app window: isolated, sandboxed, no Node, no webviews, no middle-click windows. Takes Electron's
 * BrowserWindow class so the options are written out here, where electronegativity reads them, and tested in Node.
 */
export function openWindow<W>(BrowserWindow: new (options: object) => W, preload: string): W {
  return new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    title: 'Backprop Lab',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      // a middle click must not open a link in a new window (electronegativity AUXCLICK_JS_CHECK)
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/** True for a URL inside the app itself: the dev server's origin, or the bundled index.html. */
export function isAppUrl(raw: string, where: AppLocation): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (where.devServerUrl) return url.origin === new URL(where.devServerUrl).origin;
  return url.protocol === 'file:' && url.pathname === pathToFileURL(where.rendererFile).pathname;
}

/** Only https links leave the app, and only to the system browser. */
export function isExternalLinkAllowed(raw: string): boolean {
  try {
    return new URL(raw).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The parts of Electron's WebContents the guards use. */
export interface GuardedContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: { preventDefault(): void }, url?: string) => void): unknown;
}

/** Applied to every web contents the app creates: no new windows, no navigation away, no webviews. */
export function harden(contents: GuardedContents, where: AppLocation, openExternal: (url: string) => unknown): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void openExternal(url);
    return { action: 'deny' };
  });
  const guard = (event: { preventDefault(): void }, url?: string) => {
    if (!url || !isAppUrl(url, where)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
