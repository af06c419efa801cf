// Electron entry: one window with the renderer, served from app://backprop-lab/ (not file://) and locked down
// (sandbox, context isolation, no new windows, no navigation away from the app, no permissions or devices, no
// DevTools once packaged). The only file besides preload.ts that imports electron.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { contentSecurityPolicy } from './csp';
import { wireIpc } from './main-wiring';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './protocol';
import { harden, lockDownSession, openWindow } from './window';
import { createService } from './service';
import { defaultDataDir, openStoreOrRecover } from './store/index';

const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/

/** electron-vite dev sets ELECTRON_RENDERER_URL to its dev server; a built app loads app://backprop-lab/index.html. */
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
/** What app:// serves: the built renderer (out/renderer, inside app.asar once packaged). */
const rendererDir = join(here, '../renderer');

// Before the app is ready: app:// is a standard, secure scheme with an origin of its own.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

// The app, the command line and browser mode share one database: runs.db in defaultDataDir() (or
// BACKPROP_LAB_DATA_DIR), which is also where Electron keeps its own user data.
app.setPath('userData', defaultDataDir());

/**
 * In development better-sqlite3's default build is for Node (the tests use it); `npm start` first builds one for
 * Electron beside it (scripts/ensure-electron-native.mjs). A packaged app has it rebuilt for Electron in place.
 */
function sqliteBinding(): string | undefined {
  if (app.isPackaged) return undefined;
  const file = join(app.getAppPath(), 'node_modules', '.cache', 'backprop-lab',
    `better-sqlite3-electron-${process.versions['electron']}-${process.platform}-${process.arch}`, 'better_sqlite3.node');
  return existsSync(file) ? file : undefined;
}

// Before any window or handler, and before the database opens: a second launch focuses the first window
// instead of starting another app (and another writer of the store).
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function createWindow(): BrowserWindow {
  const win = openWindow(BrowserWindow, { preload: join(here, '../preload/index.cjs'), packaged: app.isPackaged });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devServerUrl ?? APP_PAGE_URL);
  return win;
}

function start(): void {
  app.on('web-contents-created', (_event, contents) => harden(contents, { devServerUrl }, (url) => shell.openExternal(url)));

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
    // The dashboard needs no camera, microphone, screen, devices, notifications, geolocation, …: refuse them all.
    lockDownSession(session.defaultSession);
    // The page and its assets, with the desktop's Content-Security-Policy (no network at all: IPC only).
    protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir, { csp: contentSecurityPolicy({ kind: 'desktop' }) }));

    let opened: ReturnType<typeof openStoreOrRecover>;
    try {
      opened = openStoreOrRecover({ dataDir: app.getPath('userData'), nativeBinding: sqliteBinding() });
    } catch (e) {
      // a database from a newer version, or a file that is not ours: never touch it, say why and quit
      dialog.showErrorBox('Backprop Lab cannot open its database', (e as Error).message);
      app.quit();
      return;
    }
    const { store, notice } = opened;
    store.recoverInterrupted();
    const service = createService({ store, host: 'desktop', version: app.getVersion() });
    const unwire = wireIpc(ipcMain, service, {
      devServerUrl,
      windows: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
    });
    let closing = false;
    app.on('before-quit', (event) => {
      if (closing) return;
      closing = true;
      event.preventDefault();
      unwire();
      void service.close().finally(() => {
        store.close();
        app.quit();
      });
    });
    const win = createWindow();
    if (notice) win.once('ready-to-show', () => void dialog.showMessageBox(win, { type: 'warning', message: notice }));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
}
