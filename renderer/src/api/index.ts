// Picks the bridge at start-up: the preload's window.backpropLab inside the desktop app, else a WebSocket to
// `backprop-lab serve`. Nothing outside this folder knows which one it got.
import { connectWebSocket, tokenFromLocation } from './websocket';
import type { BackpropLabApi, Result } from './types';

export * from './types';

export interface Host {
  api: BackpropLabApi;
  /** "desktop app 0.1.0 · Electron 45.0.0" or "browser". */
  label: string;
  kind: 'desktop' | 'browser';
  /** Called when the connection to the host is lost (browser mode: the server stopped). */
  onLost(listener: () => void): void;
}

export class HostUnavailableError extends Error {
  override name = 'HostUnavailableError';
}

export async function connectHost(): Promise<Host> {
  const desktop = window.backpropLab;
  if (desktop) {
    return {
      api: desktop,
      kind: 'desktop',
      label: `desktop app ${desktop.desktop.version} · Electron ${desktop.desktop.runtime.electron}`,
      onLost: () => {},
    };
  }
  const token = tokenFromLocation();
  if (!token) {
    throw new HostUnavailableError('no host: this page was opened without its ?token=…; use the URL `backprop-lab serve` printed, or the desktop app');
  }
  const ws = await connectWebSocket(token);
  return { api: ws.api, kind: 'browser', label: 'browser', onLost: ws.onClose };
}

/** The value of an ok Result, or throws an Error carrying the host's code and message. */
export async function unwrap<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (r.ok) return r.value;
  throw new CommandFailed(r.error.code, r.error.message);
}

export class CommandFailed extends Error {
  override name = 'CommandFailed';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
