// The app:// scheme's handler (electron/protocol.ts) in plain Node, over a real folder: only regular files inside
// out/renderer come back, with their type and the page's CSP; every way out (.., encoded slashes, backslashes,
// NUL, symbolic links, FIFOs, directories, other hosts) is refused with a status and never a server path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_PAGE_URL, APP_SCHEME_PRIVILEGES, MIME_TYPES, appProtocolHandler, isAppUrl, resolveAppFile } from '../../electron/protocol';

let base: string;
let root: string;
const CSP = "default-src 'self'";
const INDEX = '<!doctype html><title>Backprop Lab</title>';
const SCRIPT = 'console.log("app")';

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'bpl-protocol-')));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'index-abc.js'), SCRIPT);
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'tool.exe'), 'MZ');
  mkdirSync(join(root, 'folder.js'));
  // beside the root, with a name that starts like it: a prefix check alone would let it through
  mkdirSync(join(base, 'renderer-secret'));
  writeFileSync(join(base, 'renderer-secret', 'secret.js'), 'SECRET');
  writeFileSync(join(base, 'secret.js'), 'SECRET');
  symlinkSync(join(base, 'secret.js'), join(root, 'assets', 'link-out.js'));
  symlinkSync('/etc/passwd', join(root, 'passwd.txt'));
  symlinkSync(join(root, 'assets', 'index-abc.js'), join(root, 'link-in.js'));
  if (process.platform !== 'win32') execFileSync('mkfifo', [join(root, 'pipe.js')]);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => appProtocolHandler(root, { csp: CSP })({ url, method });

describe('resolveAppFile', () => {
  it('maps the page and its assets to regular files under the root, with their type', () => {
    expect(resolveAppFile('app://backprop-lab/', root)).toEqual({ ok: true, file: join(root, 'index.html'), mime: 'text/html; charset=utf-8' });
    expect(resolveAppFile('app://backprop-lab/index.html?x=1#/runs', root)).toMatchObject({ ok: true, file: join(root, 'index.html') });
    expect(resolveAppFile('app://backprop-lab/assets/index-abc.js', root)).toMatchObject({ ok: true, mime: 'text/javascript; charset=utf-8' });
    expect(resolveAppFile('app://backprop-lab/assets/index-abc.css', root)).toMatchObject({ ok: true, mime: 'text/css; charset=utf-8' });
    // a link that stays inside is followed
    expect(resolveAppFile('app://backprop-lab/link-in.js', root)).toMatchObject({ ok: true, file: join(root, 'assets', 'index-abc.js') });
  });

  it.each([
    ['app://backprop-lab/..%2f..%2fetc%2fpasswd', 403],
    ['app://backprop-lab/assets%2f..%2f..%2fsecret.js', 403],
    ['app://backprop-lab/..%2frenderer-secret%2fsecret.js', 403],
    ['app://backprop-lab/assets/..%5c..%5csecret.js', 400],
    ['app://backprop-lab/index.html%00.js', 400],
    ['app://backprop-lab/C:/Windows/win.ini', 400],
    ['app://backprop-lab/%E0%A4%A', 400],
    ['app://backprop-lab/assets/link-out.js', 403],
    ['app://backprop-lab/passwd.txt', 403],
    ['app://backprop-lab/folder.js', 404],
    ['app://backprop-lab/pipe.js', 404],
    ['app://backprop-lab/assets', 404],
    ['app://backprop-lab/assets/tool.exe', 404],
    ['app://backprop-lab/missing.js', 404],
    // the URL parser folds these to /etc/passwd and /secret.js under the root, where there is nothing
    ['app://backprop-lab/../../etc/passwd', 404],
    ['app://backprop-lab/%2e%2e/secret.js', 404],
    ['app://evil/index.html', 404],
    ['file:///etc/passwd', 404],
    ['not a url', 400],
  ])('refuses %s with %i', (url, status) => {
    if (url.includes('pipe') && process.platform === 'win32') return;
    const r = resolveAppFile(url, root);
    expect(r).toMatchObject({ ok: false, status });
  });

  it('never resolves to a file outside the root, whatever the path', () => {
    const part = fc.constantFrom('..', '.', '%2e%2e', '%2E%2E', '%2f', '%2F', '%5c', '/', 'assets', 'index.html', 'secret.js', 'renderer-secret', 'renderer', '%00', 'link-out.js', 'link-in.js', 'passwd.txt', ':', '~', '%252e');
    const realRoot = realpathSync(root);
    fc.assert(
      fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
        const r = resolveAppFile(`app://backprop-lab/${parts.join('')}`, root);
        if (!r.ok) return true;
        const rel = relative(realRoot, r.file);
        return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('appProtocolHandler', () => {
  it('serves the page with its type, the CSP and nosniff', async () => {
    const res = await get('app://backprop-lab/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(INDEX);
    const js = await get('app://backprop-lab/assets/index-abc.js');
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([200, 'text/javascript; charset=utf-8', SCRIPT]);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('app://backprop-lab/index.html', 'HEAD');
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, String(INDEX.length), '']);
    const post = await get('app://backprop-lab/index.html', 'POST');
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('refuses with a status and a reason that names no server path', async () => {
    for (const url of ['app://backprop-lab/..%2f..%2fetc%2fpasswd', 'app://backprop-lab/assets/link-out.js', 'app://backprop-lab/missing.js', 'app://backprop-lab/pipe.js']) {
      const res = await get(url);
      const text = await res.text();
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(text).not.toContain(base);
      expect(text).not.toContain('SECRET');
      expect(res.headers.get('content-security-policy')).toBe(CSP);
    }
  });
});

describe('the app scheme', () => {
  it('is standard and secure, and does not bypass the CSP or allow service workers', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('allowServiceWorkers');
  });

  it('has a type for every kind of file the renderer build writes', () => {
    for (const ext of ['.html', '.js', '.css', '.svg', '.png', '.woff2', '.wasm']) expect(MIME_TYPES[ext]).toBeTruthy();
  });
});

describe('isAppUrl: the one check for navigation and IPC senders', () => {
  it.each([
    [APP_PAGE_URL, {}, true],
    ['app://backprop-lab/', {}, true],
    ['app://backprop-lab/index.html#/runs', {}, true],
    ['app://backprop-lab/index.html?x=1', {}, true],
    ['app://backprop-lab/assets/index-abc.js', {}, false],
    ['app://backprop-lab/other.html', {}, false],
    ['app://evil/index.html', {}, false],
    ['app://user@backprop-lab/index.html', {}, false],
    ['app://backprop-lab:8080/index.html', {}, false],
    ['file:///opt/Backprop%20Lab/resources/app.asar/out/renderer/index.html', {}, false],
    ['https://example.com/', {}, false],
    ['javascript:alert(1)', {}, false],
    ['not a url', {}, false],
    ['', {}, false],
    [null, {}, false],
    ['http://localhost:5173/', {}, false],
    ['http://localhost:5173/#/design', { devServerUrl: 'http://localhost:5173/' }, true],
    [APP_PAGE_URL, { devServerUrl: 'http://localhost:5173/' }, true],
    ['http://localhost:5174/', { devServerUrl: 'http://localhost:5173/' }, false],
    ['http://127.0.0.1:5173/', { devServerUrl: 'http://localhost:5173/' }, false],
    ['https://localhost:5173/', { devServerUrl: 'http://localhost:5173/' }, false],
    ['http://localhost:5173/', { devServerUrl: 'not a url' }, false],
  ])('%s (%j) is the app page: %s', (url, where, expected) => {
    expect(isAppUrl(url, where)).toBe(expected);
  });
});
