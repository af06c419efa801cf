// Message framing between a client and the service, shared by the WebSocket server (browser mode), the renderer's
// WebSocket client and the in-memory transport the tests use:
//   request  {id, command, payload}   → response {id, ok: true, value} | {id, ok: false, error: {code, message}}
//   event    {event, payload}           (host → client, unsolicited)
// Messages are JSON text in which NaN and ±Infinity survive (as {"$nf": "NaN"}), except events that carry long
// numeric arrays (a run's weights and boundary): those go as binary frames (frames.ts) and arrive with typed
// arrays. A run's snapshots are coalesced per connection: while one is still on its way, a newer one replaces the
// one waiting (latest wins), so a slow page is never flooded. Pure TypeScript: no Node, no DOM.

import type { CommandError, CommandName, EventName, Result } from './contract';
import { decodeFrame, encodeFrame } from './frames';
import type { Subscription } from './core/events';
import { buildApi, type BackpropLabApi, type Unsubscribe } from './preload-api';

export interface RequestMessage {
  id: number;
  command: string;
  payload: unknown;
}
export type ResponseMessage = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: CommandError };
export interface EventMessage {
  event: string;
  payload: unknown;
}
export type Message = RequestMessage | ResponseMessage | EventMessage;

/** The next snapshot, with the weights of the one before when it carries none (latest wins, weights kept). */
export function withLastWeights<S extends { weights?: unknown }>(prev: S | null | undefined, next: S): S {
  return next.weights || !prev?.weights ? next : { ...next, weights: prev.weights };
}

/** JSON text of a message; non-finite numbers are kept as {"$nf": "NaN" | "Infinity" | "-Infinity"}. */
export function encodeMessage(message: Message): string {
  return JSON.stringify(message, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $nf: String(v) } : v));
}

function revive(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const nf = o['$nf'];
    if ((nf === 'NaN' || nf === 'Infinity' || nf === '-Infinity') && Object.keys(o).length === 1) return Number(nf);
  }
  return v;
}

/** Parses one message (JSON text or a binary frame); null for data that is not a well-formed request, response or event. */
export function decodeMessage(data: string | Uint8Array): Message | null {
  let m: unknown;
  if (typeof data !== 'string') m = decodeFrame(data, revive);
  else {
    try {
      // the reviver walks every value: only text that holds a non-finite number needs it
      m = data.includes('"$nf"') ? JSON.parse(data, revive) : JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return null;
  const o = m as Record<string, unknown>;
  if (typeof o['event'] === 'string') return { event: o['event'], payload: o['payload'] };
  if (typeof o['id'] !== 'number' || !Number.isSafeInteger(o['id'])) return null;
  if (typeof o['command'] === 'string') return { id: o['id'], command: o['command'], payload: o['payload'] };
  if (o['ok'] === true) return { id: o['id'], ok: true, value: o['value'] };
  if (o['ok'] === false && o['error'] !== null && typeof o['error'] === 'object') {
    const e = o['error'] as Record<string, unknown>;
    return { id: o['id'], ok: false, error: { code: String(e['code']) as CommandError['code'], message: String(e['message']) } };
  }
  return null;
}

/** What the host side of a connection needs: a way to run a command and the stream of events. */
export interface ServiceEndpoint {
  /**
   * Runs one command; resolves to its Result and never rejects. `caller`: the subscription of the connection that
   * sent it (runs.watch narrows it); absent for a caller inside the process.
   */
  call(command: string, payload: unknown, caller?: Subscription): Promise<Result<unknown>>;
  /** Listens to `events` (default: every event); returns the subscription (call it to unsubscribe). */
  subscribe(listener: (event: EventName, payload: unknown) => void, events?: readonly EventName[]): Subscription;
}

/** One connection (a WebSocket, or one end of an in-memory pair): JSON text and binary frames. */
export interface Connection {
  /** Sends one message; calls `sent` once it has been handed on (ws: written to the socket) or dropped. */
  send(data: string | Uint8Array, sent?: () => void): void;
  onMessage(listener: (data: string | Uint8Array) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

/**
 * Serves the endpoint over a connection: answers each request, forwards every event, and stops forwarding when
 * the connection closes. Returns a function that detaches it.
 */
export function serveConnection(conn: Connection, endpoint: ServiceEndpoint): () => void {
  let open = true;
  const send = (m: Message, sent?: () => void) => {
    if (!open) return;
    try {
      // events may carry long numeric arrays (binary frames); responses stay JSON text, typed as the contract says
      conn.send('event' in m ? encodeFrame(m) : encodeMessage(m), sent);
    } catch {
      // a connection closing under us; its close handler detaches
    }
  };
  // run.snapshot, per run: whether one is on its way, and the newest that arrived meanwhile (latest wins)
  const snapshots = new Map<unknown, { waiting: unknown }>();
  const sendSnapshot = (runId: unknown, payload: unknown) => {
    const slot = snapshots.get(runId);
    if (slot) {
      slot.waiting = withLastWeights(slot.waiting as { weights?: unknown } | undefined, payload as { weights?: unknown });
      return;
    }
    const mine = { waiting: undefined as unknown };
    snapshots.set(runId, mine);
    send({ event: 'run.snapshot', payload }, () => {
      snapshots.delete(runId);
      if (mine.waiting !== undefined && open) sendSnapshot(runId, mine.waiting);
    });
  };
  const subscription = endpoint.subscribe((event, payload) => {
    if (event === 'run.snapshot' && payload !== null && typeof payload === 'object') sendSnapshot((payload as { runId?: unknown }).runId, payload);
    else send({ event, payload });
  });
  conn.onMessage((text) => {
    const m = typeof text === 'string' ? decodeMessage(text) : null; // requests are JSON text
    if (!m || !('command' in m)) {
      // Not a request: answer with an error when there is an id to answer, else drop it.
      const id = m && 'id' in m ? m.id : -1;
      send({ id, ok: false, error: { code: 'invalid_payload', message: 'a request must be JSON {id, command, payload}' } });
      return;
    }
    void endpoint.call(m.command, m.payload, subscription).then(
      (r) => send(r.ok ? { id: m.id, ok: true, value: r.value } : { id: m.id, ok: false, error: r.error }),
      (e: unknown) => send({ id: m.id, ok: false, error: { code: 'internal', message: (e as Error)?.message ?? String(e) } }),
    );
  });
  const detach = () => {
    if (!open) return;
    open = false;
    subscription();
  };
  conn.onClose(detach);
  return detach;
}

/** The client side of a connection: requests matched to responses by id, events fanned out to listeners. */
export interface TransportClient {
  invoke(command: CommandName, payload: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): Unsubscribe;
  /** The typed API over this client (the same shape the preload exposes). */
  readonly api: BackpropLabApi;
  close(): void;
}

export function createClient(conn: Connection): TransportClient {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  conn.onMessage((data) => {
    const m = decodeMessage(data);
    if (!m) return;
    if ('event' in m) {
      for (const l of [...(listeners.get(m.event) ?? [])]) {
        try {
          l(m.payload);
        } catch {
          // one listener's bug must not stop the others
        }
      }
      return;
    }
    if ('command' in m) return;
    const resolve = pending.get(m.id);
    if (!resolve) return;
    pending.delete(m.id);
    resolve(m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error });
  });
  const failAll = () => {
    closed = true;
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message: 'the connection to the host closed' } });
    pending.clear();
  };
  conn.onClose(failAll);
  const invoke = (command: CommandName, payload: unknown): Promise<Result<unknown>> => {
    if (closed) return Promise.resolve({ ok: false, error: { code: 'internal', message: 'the connection to the host is closed' } });
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      conn.send(encodeMessage({ id, command, payload }));
    });
  };
  const subscribe = (event: EventName, listener: (payload: unknown) => void): Unsubscribe => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    // a wrapper, so subscribing the same function twice gives two independent subscriptions
    const wrapped = (p: unknown) => listener(p);
    set.add(wrapped);
    return () => void set.delete(wrapped);
  };
  return {
    invoke,
    subscribe,
    api: buildApi(invoke, subscribe),
    close() {
      conn.close();
      failAll();
    },
  };
}

/**
 * Two connected in-memory ends. Each message is encoded and decoded as on a socket and delivered
 * asynchronously, so tests see the same framing and ordering as the WebSocket.
 */
export function memoryConnectionPair(): [Connection, Connection] {
  type End = { listeners: Array<(t: string | Uint8Array) => void>; closeListeners: Array<() => void>; closed: boolean };
  const a: End = { listeners: [], closeListeners: [], closed: false };
  const b: End = { listeners: [], closeListeners: [], closed: false };
  const make = (self: End, peer: End): Connection => ({
    send(data, sent) {
      if (self.closed) throw new Error('connection closed');
      queueMicrotask(() => {
        if (!peer.closed) for (const l of peer.listeners) l(data);
        sent?.();
      });
    },
    onMessage: (l) => void self.listeners.push(l),
    onClose: (l) => void self.closeListeners.push(l),
    close() {
      for (const end of [self, peer]) {
        if (end.closed) continue;
        end.closed = true;
        for (const l of end.closeListeners) l();
      }
    },
  });
  return [make(a, b), make(b, a)];
}

/** The service behind an in-memory connection: a client whose api is what the renderer would get. */
export function createMemoryTransport(endpoint: ServiceEndpoint): TransportClient {
  const [clientEnd, serverEnd] = memoryConnectionPair();
  serveConnection(serverEnd, endpoint);
  return createClient(clientEnd);
}
