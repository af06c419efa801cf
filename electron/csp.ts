// The page's Content-Security-Policy, one per host. The desktop app talks to its host over IPC and needs no
// network at all; browser mode needs its own WebSocket, and nothing else. Sent as a response header (the app://
// protocol handler, `backprop-lab serve`), which a page cannot loosen: a <meta> policy in index.html only adds
// restrictions on top of it.

/** Which host serves the page. */
export type PageHost = { kind: 'desktop' } | { kind: 'browser'; /** e.g. ws://127.0.0.1:4319 */ webSocketOrigin: string };

/** The directives both hosts share: scripts, styles and images from the app's own origin only; no plugins, no forms. */
const COMMON: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['worker-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
  ['frame-src', "'none'"],
];

/** The Content-Security-Policy header value for a page served by `host`. */
export function contentSecurityPolicy(host: PageHost): string {
  let connect = "'self'";
  if (host.kind === 'browser') {
    let ws: URL;
    try {
      ws = new URL(host.webSocketOrigin);
    } catch {
      throw new Error(`webSocketOrigin ${JSON.stringify(host.webSocketOrigin)} is not a URL; pass e.g. ws://127.0.0.1:4319`);
    }
    if (ws.protocol !== 'ws:' && ws.protocol !== 'wss:') {
      throw new Error(`webSocketOrigin ${JSON.stringify(host.webSocketOrigin)} is not a ws:// or wss:// URL; pass e.g. ws://127.0.0.1:4319`);
    }
    connect += ` ${ws.protocol}//${ws.host}`;
  }
  return [...COMMON, ['connect-src', connect] as const].map(([k, v]) => `${k} ${v}`).join('; ');
}
