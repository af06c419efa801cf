// Electron entry: one window with the renderer, locked down (sandbox, context isolation, no new windows,
// no navigation away from the app, no permissions). The only file besides preload.ts that imports electron.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, session, type WebContents } from 'electron';

const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/

/** electron-vite dev sets ELECTRON_RENDERER_URL to its dev server; a built app loads out/renderer/index.html. */
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const rendererFile = join(here, '../renderer/index.html');
const rendererFileUrl = pathToFileURL(rendererFile);

// Before any window or handler: a second launch focuses the first window instead of starting another app
// (and another writer of the store).
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

/** True for a URL inside the app itself: the dev server's origin, or the bundled index.html. */
function isAppUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (devServerUrl) return url.origin === new URL(devServerUrl).origin;
  return url.protocol === 'file:' && url.pathname === rendererFileUrl.pathname;
}

/** Applied to every web contents the app ever creates, so nothing can open or navigate elsewhere. */
function harden(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Backprop Lab',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererFile);
  return win;
}

function start(): void {
  app.on('web-contents-created', (_event, contents) => harden(contents));

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    // The dashboard needs no camera, microphone, notifications, geolocation, …: refuse every request.
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
}
