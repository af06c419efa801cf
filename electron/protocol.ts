// The app's own URL scheme: the built renderer is served as app://backprop-lab/… from out/renderer, not from
// file:// (Electron's security checklist, item 18: a file:// page may read other local files; an app:// page sees
// only its own origin). Plain Node: main.ts registers the scheme and hands protocol.handle the handler made here;
// tests call the handler with a WHATWG Request. Also the one answer to "is this URL the app's own page?", used by
// the navigation guards (window.ts) and the IPC sender check (main-wiring.ts).

import { readFile, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

/** The scheme, host and page of the app: app://backprop-lab/index.html. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'backprop-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

/**
 * protocol.registerSchemesAsPrivileged's privileges for app://: a standard scheme (an origin of its own, relative
 * URLs resolve), secure (like https: module scripts and crypto work), fetch() of its own assets, V8 code cache.
 * Deliberately not bypassCSP, allowServiceWorkers or corsEnabled: no other origin reads from it.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

/** The only file types the renderer build contains, with the Content-Type each is served as. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where an app:// URL leads: a regular file inside the renderer folder, or why not. */
export type AppFile = { ok: true; file: string; mime: string } | { ok: false; status: 400 | 403 | 404; reason: string };

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/**
 * Maps an app:// URL to a file under `rootDir` (out/renderer). Refused: another scheme or host; a path that,
 * decoded, climbs out of rootDir (`..`, encoded slashes or backslashes, NUL, drive letters) or reaches outside it
 * through a symbolic link; anything that is not a regular file; a type not in MIME_TYPES. `/` is index.html.
 */
export function resolveAppFile(rawUrl: string, rootDir: string): AppFile {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 404, reason: `not an ${APP_ORIGIN} URL` };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (/[\0\\:]/.test(path)) return { ok: false, status: 400, reason: 'NUL, backslash or colon in the path' };
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, reason: 'a path outside the app' };
  if (segments.length === 0) segments.push('index.html');
  const root = resolve(rootDir);
  const candidate = resolve(root, ...segments);
  if (!inside(root, candidate)) return { ok: false, status: 403, reason: 'a path outside the app' };
  const mime = MIME_TYPES[extname(candidate).toLowerCase()];
  if (!mime) return { ok: false, status: 404, reason: 'not a file type the app serves' };
  let real: string;
  try {
    // a symbolic link inside out/renderer must not lead outside it
    real = realpathSync(candidate);
    if (!inside(realpathSync(root), real)) return { ok: false, status: 403, reason: 'a path outside the app' };
    if (!statSync(real).isFile()) return { ok: false, status: 404, reason: 'not a regular file' };
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  return { ok: true, file: real, mime };
}

/** The request, as far as the handler reads it (a WHATWG Request: Electron's protocol.handle passes one). */
export interface AppRequest {
  readonly url: string;
  readonly method: string;
}

const readFileAsync = promisify(readFile);

/**
 * The handler for protocol.handle('app', …): GET/HEAD of files under rootDir with their Content-Type, the page's
 * Content-Security-Policy, nosniff and no caching of errors. Every refusal is a plain-text status with the reason
 * (never a server path).
 */
export function appProtocolHandler(rootDir: string, options: { csp: string }): (request: AppRequest) => Promise<Response> {
  const base = { 'content-security-policy': options.csp, 'x-content-type-options': 'nosniff', 'cross-origin-opener-policy': 'same-origin' };
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(`${request.method} is not allowed\n`, { status: 405, headers: { ...base, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' } });
    }
    const found = resolveAppFile(request.url, rootDir);
    if (!found.ok) return new Response(`${found.reason}\n`, { status: found.status, headers: { ...base, 'content-type': 'text/plain; charset=utf-8' } });
    let body: Buffer;
    try {
      body = await readFileAsync(found.file);
    } catch {
      return new Response('no such file\n', { status: 404, headers: { ...base, 'content-type': 'text/plain; charset=utf-8' } });
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...base, 'content-type': found.mime, 'content-length': String(body.length) },
    });
  };
}

/** Where the app's page comes from besides app://: the electron-vite dev server in development. */
export interface AppLocation {
  /** ELECTRON_RENDERER_URL under `electron-vite dev`; undefined in a built or packaged app. */
  devServerUrl?: string | undefined;
}

/**
 * True for a URL of the app's own page: app://backprop-lab/ or /index.html (any query or hash), or in development
 * any page of the dev server's origin. Guards navigation (window.ts) and IPC senders (main-wiring.ts).
 */
export function isAppUrl(raw: string | null | undefined, where: AppLocation = {}): boolean {
  if (!raw) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && !url.username && !url.password && !url.port) {
    return url.pathname === '' || url.pathname === '/' || url.pathname === '/index.html';
  }
  if (where.devServerUrl) {
    try {
      const dev = new URL(where.devServerUrl);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === dev.origin;
    } catch {
      return false; // a malformed dev server URL matches nothing
    }
  }
  return false;
}
