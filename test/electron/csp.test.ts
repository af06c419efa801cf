// The page's Content-Security-Policy per host (electron/csp.ts): the desktop app gets no network at all, browser
// mode exactly its own WebSocket.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../electron/csp';

const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(' ')]));

describe('contentSecurityPolicy', () => {
  it('gives the desktop page scripts from itself only and no ws: or other connection', () => {
    const d = directives(contentSecurityPolicy({ kind: 'desktop' }));
    expect(d.get('script-src')).toBe("'self'");
    expect(d.get('connect-src')).toBe("'self'");
    expect(d.get('object-src')).toBe("'none'");
    expect(d.get('frame-ancestors')).toBe("'none'");
    expect(contentSecurityPolicy({ kind: 'desktop' })).not.toMatch(/ws:|wss:|unsafe|\*/);
  });

  it('gives browser mode its own WebSocket origin and nothing wider', () => {
    const csp = contentSecurityPolicy({ kind: 'browser', webSocketOrigin: 'ws://127.0.0.1:4319/ws?token=abc' });
    expect(directives(csp).get('connect-src')).toBe("'self' ws://127.0.0.1:4319");
    expect(csp).not.toContain('token');
    expect(csp).not.toMatch(/unsafe|\*/);
  });

  it('refuses a WebSocket origin that is not a ws URL, naming it', () => {
    expect(() => contentSecurityPolicy({ kind: 'browser', webSocketOrigin: 'http://127.0.0.1:4319' })).toThrow(/"http:\/\/127.0.0.1:4319" is not a ws:\/\//);
    expect(() => contentSecurityPolicy({ kind: 'browser', webSocketOrigin: 'nope' })).toThrow(/"nope" is not a URL/);
  });
});
