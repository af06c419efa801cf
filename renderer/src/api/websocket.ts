// Browser mode: the same typed API over a WebSocket to `backprop-lab serve`, with the token the page was opened with.
import { createClient, type Connection } from '../../../electron/transport';
import type { BackpropLabApi } from './types';

/** The token from the page's own URL (`http://127.0.0.1:PORT/?token=…`), or null when there is none. */
export function tokenFromLocation(loc: Location = window.location): string | null {
  return new URLSearchParams(loc.search).get('token');
}

/** ws://host/ws?token=… on the origin the page came from. */
export function socketUrl(token: string, loc: Location = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws?token=${encodeURIComponent(token)}`;
}

/** Wraps a browser WebSocket as the transport's Connection; messages sent before it opens are queued. */
function wrap(ws: WebSocket): Connection {
  const queue: Array<string | Uint8Array> = [];
  // binary frames (snapshots with their weights) arrive as ArrayBuffers, decoded into typed-array views in place
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('open', () => {
    for (const text of queue.splice(0)) ws.send(text);
  });
  return {
    send(data, sent) {
      if (ws.readyState === WebSocket.CONNECTING) queue.push(data);
      else if (ws.readyState === WebSocket.OPEN) ws.send(data);
      else throw new Error('the connection to backprop-lab serve is closed');
      sent?.();
    },
    onMessage(listener) {
      ws.addEventListener('message', (e: MessageEvent<unknown>) => {
        if (typeof e.data === 'string') listener(e.data);
        else if (e.data instanceof ArrayBuffer) listener(new Uint8Array(e.data));
      });
    },
    onClose(listener) {
      ws.addEventListener('close', () => listener());
    },
    close() {
      ws.close();
    },
  };
}

/** Opens the socket and resolves once it is open; rejects with a message the page can show. */
export function connectWebSocket(token: string): Promise<{ api: BackpropLabApi; onClose(listener: () => void): void }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(socketUrl(token));
    let opened = false;
    const closeListeners: Array<() => void> = [];
    ws.addEventListener('open', () => {
      opened = true;
      const client = createClient(wrap(ws));
      resolve({ api: client.api, onClose: (l) => void closeListeners.push(l) });
    });
    ws.addEventListener('close', (e) => {
      if (!opened) reject(new Error(`the server refused the connection (code ${e.code}); open the exact URL \`backprop-lab serve\` printed, with its token`));
      else for (const l of closeListeners) l();
    });
  });
}
