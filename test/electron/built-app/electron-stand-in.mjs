// A recording stand-in for the `electron` module, for loading the built main process (out/main/index.js) in plain
// Node: it keeps what the app asks of Electron (windows and their options, IPC handlers, schemes and protocol
// handlers, session handlers, lifecycle listeners) in `recorded`, and does what Electron would do only where the
// app depends on it (whenReady resolves when the driver says so; a window emits web-contents-created).
import { EventEmitter } from 'node:events';

export const recorded = {
  paths: {},
  schemes: [],
  schemesAfterReady: false,
  protocolHandlers: new Map(),
  ipcHandlers: new Map(),
  windows: [],
  session: {},
  sessionListeners: new Map(),
  errors: [],
  messages: [],
  quitCalls: 0,
  openedExternally: [],
};

let markReady;
const ready = new Promise((r) => (markReady = r));
let isReady = false;
/** Called by the driver once the main module has been evaluated, as Electron does after the entry script. */
export function fireReady() {
  isReady = true;
  markReady();
}

class App extends EventEmitter {
  isPackaged = false;
  setPath(name, path) {
    recorded.paths[name] = path;
  }
  getPath(name) {
    if (!(name in recorded.paths)) throw new Error(`stand-in: app.getPath(${name}) before app.setPath`);
    return recorded.paths[name];
  }
  getAppPath() {
    return process.cwd();
  }
  getVersion() {
    return '0.0.0-stand-in';
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return ready;
  }
  isReady() {
    return isReady;
  }
  quit() {
    recorded.quitCalls += 1;
    // Electron emits before-quit; a listener may preventDefault and call quit() again later
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('quit-done');
  }
}
export const app = new App();

class WebContents extends EventEmitter {
  sent = [];
  openHandler = undefined;
  destroyed = false;
  send(channel, payload) {
    this.sent.push([channel, payload]);
    this.emit('stand-in:sent', channel, payload);
  }
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(handler) {
    this.openHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return recorded.windows.map((w) => w.window);
  }
  constructor(options) {
    super();
    this.webContents = new WebContents();
    this.loaded = [];
    recorded.windows.push({ options, window: this });
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) {
    this.loaded.push(url);
    return Promise.resolve();
  }
  loadFile(file) {
    this.loaded.push(`loadFile:${file}`);
    return Promise.resolve();
  }
  show() {}
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
}

export const ipcMain = {
  handle(channel, listener) {
    if (recorded.ipcHandlers.has(channel)) throw new Error(`stand-in: a second handler for ${channel}`);
    recorded.ipcHandlers.set(channel, listener);
  },
  removeHandler(channel) {
    recorded.ipcHandlers.delete(channel);
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    if (isReady) recorded.schemesAfterReady = true;
    recorded.schemes.push(...schemes);
  },
  handle(scheme, handler) {
    if (!isReady) throw new Error('stand-in: protocol.handle before the app is ready');
    recorded.protocolHandlers.set(scheme, handler);
  },
};

class Session extends EventEmitter {
  setPermissionRequestHandler(h) {
    recorded.session.permissionRequest = h;
  }
  setPermissionCheckHandler(h) {
    recorded.session.permissionCheck = h;
  }
  setDevicePermissionHandler(h) {
    recorded.session.devicePermission = h;
  }
  setDisplayMediaRequestHandler(h) {
    recorded.session.displayMedia = h;
  }
  on(event, listener) {
    recorded.sessionListeners.set(event, listener);
    return super.on(event, listener);
  }
}
export const session = { defaultSession: new Session() };

export const shell = {
  openExternal(url) {
    recorded.openedExternally.push(url);
    return Promise.resolve();
  },
};

export const dialog = {
  showErrorBox(title, message) {
    recorded.errors.push(`${title}: ${message}`);
  },
  showMessageBox(_win, options) {
    recorded.messages.push(options?.message);
    return Promise.resolve({ response: 0 });
  },
};

export default { app, BrowserWindow, ipcMain, protocol, session, shell, dialog };
