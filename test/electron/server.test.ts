// Browser mode on a temporary database: the token on every HTTP request and WebSocket upgrade, Origin and Host
// checks, static files only with the token, the service over the socket; and `backprop-lab serve` printing its URL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runServe } from '../../electron/cli/serve';
import type { CliIO } from '../../electron/cli/io';
import { startServer, type RunningServer } from '../../electron/server';
import { createClient, type Connection } from '../../electron/transport';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bpl-server-'));
  const web = join(dir, 'renderer');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Backprop Lab</title>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(web, '.secret'), 'no');
  writeFileSync(join(dir, 'outside.txt'), 'no');
  server = await startServer({ port: 0, host: '127.0.0.1', db: join(dir, 'runs.db'), staticDir: web, version: '1.2.3' });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET (no URL normalisation, any headers) → status, headers, body. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves 'open' or the HTTP status it was refused with. */
function connect(url: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<{ ws: WebSocket; refused: null } | { ws: null; refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve({ ws, refused: null }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ws: null, refused: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', () => resolve({ ws: null, refused: -1 }));
  });
}

function wsConnection(ws: WebSocket): Connection {
  return {
    send: (t) => ws.send(t),
    // binary frames (events with long numeric arrays) as bytes, text as text
    onMessage: (l) => void ws.on('message', (d, isBinary) => l(isBinary ? new Uint8Array(d as Buffer) : String(d))),
    onClose: (l) => void ws.on('close', () => l()),
    close: () => ws.close(),
  };
}

describe('browser mode server', () => {
  it('returns a URL on 127.0.0.1 with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(server.url).toContain(`:${server.port}/`);
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
  });

  it('refuses HTTP requests without the token or with a wrong one (403)', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    expect((await get(`/?token=${server.token.slice(0, -1)}`)).status).toBe(403);
    expect((await get('/assets/app.js')).status).toBe(403);
    expect((await get('/', { cookie: `bpl_token_${server.port}=nope` })).status).toBe(403);
  });

  it('serves the page with the token, sets a cookie that lets the page load its assets', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Backprop Lab');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // browser mode's own policy: scripts from itself only, and a WebSocket to this server and no other
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect((await get(`/?token=${server.token}`, { host: `localhost:${server.port}` })).headers['content-security-policy']).toContain(`ws://localhost:${server.port}`);
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^bpl_token_${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/`));
    const asset = await get('/assets/app.js', { cookie: cookie.split(';')[0]! });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.body).toBe('console.log(1)');
  });

  it('refuses a foreign Origin or Host even with the token, and never serves outside the folder or dotfiles', async () => {
    const t = `?token=${server.token}`;
    expect((await get(`/${t}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await get(`/${t}`, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await get(`/${t}`, { host: `evil.example:${server.port}` })).status).toBe(403);
    // ../ is resolved within the root (→ /outside.txt, which the root lacks): never the file beside it
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/..%5coutside.txt']) {
      const r = await get(`${path}${t}`);
      expect([403, 404], path).toContain(r.status);
      expect(r.body).not.toBe('no');
    }
    expect((await get(`/.secret${t}`)).status).toBe(403);
    expect((await get(`/missing.js${t}`)).status).toBe(404);
  });

  it('refuses a WebSocket upgrade without the token, with a wrong one, or from another Origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/ws`;
    expect((await connect(base)).refused).toBe(403);
    expect((await connect(`${base}?token=wrong`)).refused).toBe(403);
    expect((await connect(server.wsUrl, { origin: 'https://evil.example' })).refused).toBe(403);
    expect((await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).refused).toBe(403);
  });

  it('runs commands over the WebSocket with the token (or the cookie) and streams events', async () => {
    const opened = await connect(server.wsUrl, { origin: `http://127.0.0.1:${server.port}` });
    expect(opened.refused).toBeNull();
    const client = createClient(wsConnection(opened.ws!));
    const info = await client.api.app.info({});
    expect(info).toMatchObject({ ok: true, value: { version: '1.2.3', host: 'browser' } });

    const epochs: number[] = [];
    const statuses: string[] = [];
    client.api.on['run.metrics']((b) => epochs.push(...b.metrics.map((m) => m.epoch)));
    client.api.on['run.status']((s) => statuses.push(s.status));
    const started = await client.api.runs.start({
      config: { architecture: [{ input_dim: 2, output_dim: 4, activation: 'tanh' }, { input_dim: 4, output_dim: 1, activation: 'sigmoid' }], training: { epochs: 500 } },
    });
    expect(started.ok).toBe(true);
    const t0 = Date.now();
    while (!statuses.includes('finished') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    expect(epochs).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const list = await client.api.runs.list({});
    expect(list.ok && list.value.map((r) => r.status)).toEqual(['finished']);
    const bad = await client.api.runs.get({ runId: 'nope' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'not_found' } });
    client.close();

    const byCookie = await connect(`ws://127.0.0.1:${server.port}/ws`, { headers: { cookie: `bpl_token_${server.port}=${server.token}` } });
    expect(byCookie.refused).toBeNull();
    byCookie.ws!.close();
  });

  it('listens on loopback only', async () => {
    await expect(startServer({ host: '0.0.0.0', db: join(dir, 'x.db'), staticDir: dir })).rejects.toThrow(/127\.0\.0\.1 only/);
  });
});

describe('backprop-lab serve', () => {
  it('prints the URL on a line of its own, serves until Ctrl-C, then stops', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let interrupt: (() => void) | null = null;
    const io: CliIO = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      cwd: dir,
      onInterrupt: (h) => {
        interrupt = h;
        return () => (interrupt = null);
      },
    };
    let running: RunningServer | null = null;
    const done = runServe(['--port', '0', '--db', 'serve.db', '--static', 'renderer'], io, (s) => (running = s));
    const t0 = Date.now();
    while (!running && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    const lines = out.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const port = Number(/:(\d+)\//.exec(lines[0]!)![1]);
    const page = await new Promise<number>((resolve) => {
      request({ host: '127.0.0.1', port, path: new URL(lines[0]!).pathname + new URL(lines[0]!).search }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end();
    });
    expect(page).toBe(200);
    expect(interrupt).not.toBeNull();
    interrupt!();
    expect(await done).toBe(0);
  });

  it('rejects a bad --port with a usage error', async () => {
    const err: string[] = [];
    const code = await runServe(['--port', 'eighty'], { stdout: () => undefined, stderr: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--port must be an integer/);
  });
});
