// The bridge between the sandboxed renderer and the host: a small typed API on window.backpropLab,
// never the raw ipcRenderer. Built as CommonJS (out/preload/index.cjs) because the window is sandboxed.
import { contextBridge } from 'electron';

/** Replaced at build time with package.json's version (see electron.vite.config.ts). */
declare const __APP_VERSION__: string;

/** What the renderer sees as window.backpropLab inside the desktop app. */
export interface BackpropLabApi {
  /** The app's version, from package.json. */
  readonly version: string;
  /** Versions of the runtime the window runs in. */
  readonly runtime: { readonly electron: string; readonly chrome: string; readonly node: string };
}

const api: BackpropLabApi = {
  version: __APP_VERSION__,
  runtime: {
    electron: process.versions['electron'] ?? '',
    chrome: process.versions['chrome'] ?? '',
    node: process.versions['node'] ?? '',
  },
};

contextBridge.exposeInMainWorld('backpropLab', api);
