// The desktop bridge's host half, without Electron: one ipcMain.handle per contract command, answering only the
// app's own page (the sender frame's URL is app://backprop-lab/index.html, or the dev server in development:
// protocol.ts's isAppUrl, the same check that guards navigation), and
// every service event forwarded to the app's windows on its fixed channel, its long numeric arrays as typed arrays
// (frames.ts's packNumbers: structured clone copies their bytes, and the page gets the shapes browser mode's binary
// frames give). main.ts passes ipcMain and the windows; tests pass fakes.

import type { Result } from './contract';
import { packNumbers } from './frames';
import { COMMAND_NAMES, EVENT_LIST, commandChannel, eventChannel } from './preload-api';
import { isAppUrl, type AppLocation } from './protocol';
import type { ServiceEndpoint } from './transport';

/** The frame an IPC message came from (Electron's WebFrameMain; null once it navigated away or was destroyed). */
export interface SenderFrameLike {
  readonly url: string;
  /** The parent frame; null for a window's top frame (a subframe never speaks for the app). */
  readonly parent?: unknown;
}

/** Electron's IpcMainInvokeEvent, as far as the wiring reads it. */
export interface IpcInvokeEventLike {
  readonly senderFrame?: SenderFrameLike | null;
}

/** Electron's ipcMain, as far as the wiring uses it. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, payload: unknown) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

/** A window's webContents, as far as the event forwarding uses it. */
export interface WebContentsLike {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface WiringOptions extends AppLocation {
  /** The webContents events go to (main.ts: BrowserWindow.getAllWindows().map((w) => w.webContents)). */
  windows(): Iterable<WebContentsLike>;
}

/**
 * Registers the handlers and the event forwarding; returns a function that removes both. A message from any
 * other frame (a subframe, a page navigated elsewhere) is answered with a 'forbidden' error and reaches nothing.
 */
export function wireIpc(ipcMain: IpcMainLike, service: ServiceEndpoint, options: WiringOptions): () => void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), async (event, payload): Promise<Result<unknown>> => {
      const frame = event?.senderFrame ?? null;
      if (!frame || !isAppUrl(frame.url, options) || (frame.parent !== undefined && frame.parent !== null)) {
        return { ok: false, error: { code: 'forbidden', message: `${name} refused: the request did not come from the app's own page` } };
      }
      try {
        // the windows share one subscription: runs.watch narrows what all of them receive (the app has one)
        return await service.call(name, payload, subscription);
      } catch (e) {
        return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
      }
    });
  }
  const known = new Set<string>(EVENT_LIST);
  const subscription = service.subscribe((event, payload) => {
    if (!known.has(event)) return;
    const channel = eventChannel(event);
    const packed = packNumbers(payload);
    for (const wc of options.windows()) {
      try {
        if (!wc.isDestroyed()) wc.send(channel, packed);
      } catch {
        // a window closing while the event is sent
      }
    }
  });
  return () => {
    subscription();
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(commandChannel(name));
  };
}
