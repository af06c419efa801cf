// Browser mode: the built dashboard (out/renderer) over HTTP and the service over a WebSocket (/ws), on 127.0.0.1
// only. A random token is required on every request: `?token=` in the page's URL (which also sets a cookie, so
// the page's own assets and its WebSocket are let in), the cookie, or `?token=` on the WebSocket URL. A request or
// upgrade without it, from another Origin, or naming another Host (DNS rebinding) gets 403. Prints nothing.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CORE_BUSY_TIMEOUT_MS, createCore, type Core } from './core/index';
import { contentSecurityPolicy } from './csp';
import { openStore, type Store } from './store/index';
import { serveConnection, type Connection, type ServiceEndpoint } from './transport';

/** Largest WebSocket message: a 64 MiB CSV or a base64-encoded 64 MiB weights file, with room to spare. */
export const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface ServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** The run database to open (created if needed). Either this or `service`. */
  db?: string;
  /** A service to serve instead of opening `db` (tests, or a caller that owns the store). */
  service?: ServiceEndpoint;
  /** The built renderer: out/renderer. */
  staticDir: string;
  /** The app's version, for app.info (with `db`). */
  version?: string;
  /** A fixed token (tests); default 32 random bytes. */
  token?: string;
  /** Runs that may train at once (with `db`); more are refused with a message. */
  maxLiveRuns?: number;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT/?token=… — what to open in a browser. */
  url: string;
  port: number;
  host: string;
  token: string;
  /** The WebSocket endpoint, token included. */
  wsUrl: string;
  /** The core it serves (when it opened `db` itself). */
  service: Core | null;
  /** Closes connections, the server, and (when it opened them) the service and the store. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** Headers on every response: no caching, no sniffing, no framing, and no token leaking through Referer. */
const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

/** Starts browser mode; resolves once it listens. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`browser mode listens on 127.0.0.1 only, got host ${JSON.stringify(host)}`);
  if (!opts.service && !opts.db) throw new Error('startServer needs a db path or a service');
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const root = resolve(opts.staticDir);

  let store: Store | null = null;
  let own: Core | null = null;
  let endpoint: ServiceEndpoint;
  if (opts.service) endpoint = opts.service;
  else {
    // a file that cannot be opened (newer, damaged, locked, read-only, not a file) fails here, before listening;
    // writes never busy-wait the event loop: the core retries them while another program holds the lock
    store = openStore({ path: opts.db!, busyTimeoutMs: CORE_BUSY_TIMEOUT_MS, check: true });
    try {
      store.recoverInterrupted();
    } catch (e) {
      store.close();
      throw e;
    }
    own = createCore({ store, host: 'browser', version: opts.version ?? 'unknown', ...(opts.maxLiveRuns ? { maxLiveRuns: opts.maxLiveRuns } : {}) });
    endpoint = own;
  }

  let port = 0;
  const cookieName = () => `bpl_token_${port}`;
  const sameToken = (t: string | null | undefined) => {
    if (!t) return false;
    const b = Buffer.from(t);
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };
  const cookieToken = (req: IncomingMessage): string | null => {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === cookieName()) return part.slice(eq + 1).trim();
    }
    return null;
  };
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]);
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  /** Why a request must be refused, or null: wrong Host, foreign Origin, or no valid token. */
  const refusal = (req: IncomingMessage, url: URL): string | null => {
    if (!hosts().has(req.headers.host ?? '')) return 'wrong host';
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().has(origin)) return 'foreign origin';
    if (!sameToken(url.searchParams.get('token')) && !sameToken(cookieToken(req))) return 'missing or wrong token';
    return null;
  };

  const forbidden = (res: ServerResponse) => {
    res.writeHead(403, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    res.end('403 forbidden: open the URL that `backprop-lab serve` printed (it carries the token)\n');
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, BASE_HEADERS);
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return forbidden(res);
    }
    if (refusal(req, url)) return forbidden(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...BASE_HEADERS, allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const headers: Record<string, string> = { ...BASE_HEADERS };
    if (sameToken(url.searchParams.get('token'))) {
      // the page's own requests (scripts, styles) and its WebSocket carry the cookie; SameSite keeps other sites out
      headers['set-cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return forbidden(res);
    }
    const file = normalize(join(root, pathname.endsWith('/') ? pathname + 'index.html' : pathname));
    // nothing outside the folder, whatever ../ or %2e%2e the request holds; no dotfiles
    if ((file !== root && !file.startsWith(root + sep)) || /[\\/]\./.test(file.slice(root.length))) return forbidden(res);
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      body = await readFile(file);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end(pathname === '/' ? `the dashboard is not built: ${join(root, 'index.html')} is missing (npx electron-vite build)\n` : 'not found\n');
      return;
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // the page's policy for this host: its own WebSocket, nothing else (electron/csp.ts holds both hosts' policies)
    // (the Host was checked above: one of this server's loopback names, as the page will reach its WebSocket)
    if (type.startsWith('text/html')) headers['content-security-policy'] = contentSecurityPolicy({ kind: 'browser', webSocketOrigin: `ws://${req.headers.host}` });
    res.writeHead(200, { ...headers, 'content-type': type, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL | null;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      url = null;
    }
    if (!url || url.pathname !== '/ws' || refusal(req, url)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(wsConnection(ws), endpoint));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const hostInUrl = host === '::1' ? '[::1]' : host;
  const base = `http://${hostInUrl}:${port}`;

  let closed = false;
  return {
    url: `${base}/?token=${token}`,
    wsUrl: `ws://${hostInUrl}:${port}/ws?token=${token}`,
    port,
    host,
    token,
    service: own,
    async close() {
      if (closed) return;
      closed = true;
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      if (own) await own.close();
      store?.close();
    },
  };
}

/** A ws socket as a transport Connection: requests come as text; events go as text or binary frames. */
function wsConnection(ws: WebSocket): Connection {
  // a protocol error (an oversized frame, say) ends that connection, never the process
  ws.on('error', () => ws.terminate());
  return {
    // `sent` once the frame is written to the socket: a page that reads slowly holds back the next snapshot
    send: (data, sent) => ws.send(data, () => sent?.()),
    onMessage: (l) => void ws.on('message', (data, isBinary) => {
      if (!isBinary) l(Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8'));
    }),
    onClose: (l) => void ws.on('close', () => l()),
    close: () => ws.close(),
  };
}
