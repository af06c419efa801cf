// The bridge between the sandboxed renderer and the host: the typed API of electron/contract.ts on
// window.backpropLab — one function per command and `on` for events — never the raw ipcRenderer, channel
// names or process. Built as CommonJS (out/preload/index.cjs) because the window is sandboxed.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildApi, commandChannel, eventChannel, type DesktopApi } from './preload-api';

/** Replaced at build time with package.json's version (see electron.vite.config.ts). */
declare const __APP_VERSION__: string;

const api: DesktopApi = {
  ...buildApi(
    (command, payload) => ipcRenderer.invoke(commandChannel(command), payload),
    (event, listener) => {
      const channel = eventChannel(event);
      const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, wrapped);
      return () => void ipcRenderer.removeListener(channel, wrapped);
    },
  ),
  desktop: {
    version: __APP_VERSION__,
    runtime: {
      electron: process.versions['electron'] ?? '',
      chrome: process.versions['chrome'] ?? '',
      node: process.versions['node'] ?? '',
    },
  },
};

contextBridge.exposeInMainWorld('backpropLab', api);
