// Electron entry: one window with the renderer, locked down (sandbox, context isolation, no new windows,
// no navigation away from the app, no permissions). The only file besides preload.ts that imports electron.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { wireIpc } from './main-wiring';
import { harden, openWindow } from './window';
import { createService } from './service';
import { defaultDataDir, openStoreOrRecover } from './store/index';

const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/

/** electron-vite dev sets ELECTRON_RENDERER_URL to its dev server; a built app loads out/renderer/index.html. */
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const rendererFile = join(here, '../renderer/index.html');

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
  const win = openWindow(BrowserWindow, join(here, '../preload/index.cjs'));
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererFile);
  return win;
}

function start(): void {
  app.on('web-contents-created', (_event, contents) => harden(contents, { devServerUrl, rendererFile }, (url) => shell.openExternal(url)));

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
      rendererFile,
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
