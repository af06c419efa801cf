// The contract, the API builder the preload and the browser client share, and the transport's framing.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../engine/config';
import { COMMANDS, EVENT_NAMES, RunConfigInputSchema, isCommandName, type CommandName, type EventName, type Result } from '../../electron/contract';
import { COMMAND_NAMES, EVENT_LIST, buildApi, commandChannel, eventChannel } from '../../electron/preload-api';
import {
  createClient,
  createMemoryTransport,
  decodeMessage,
  encodeMessage,
  memoryConnectionPair,
  serveConnection,
  type ServiceEndpoint,
} from '../../electron/transport';

describe('contract', () => {
  it('declares every command once, with a schema, and the preload lists exactly those commands and events', () => {
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
    expect([...EVENT_LIST].sort()).toEqual([...EVENT_NAMES].sort());
    for (const name of COMMAND_NAMES) expect(typeof COMMANDS[name].payload.safeParse).toBe('function');
    // the dashboard's needs
    for (const name of ['app.info', 'runs.start', 'runs.pause', 'runs.resume', 'runs.step', 'runs.stop', 'runs.list', 'runs.get', 'runs.curves', 'runs.diff', 'runs.rename', 'runs.tag', 'runs.note', 'runs.delete', 'runs.export', 'runs.importWeights', 'data.preview', 'data.parseCsv', 'net.inspect', 'net.gradCheck']) {
      expect(isCommandName(name), name).toBe(true);
    }
    expect(EVENT_NAMES).toEqual(['run.metrics', 'run.status', 'run.snapshot', 'runs.changed', 'sweep.progress']);
    expect(isCommandName('toString')).toBe(false);
    expect(isCommandName('__proto__')).toBe(false);
  });

  it('accepts the default run configuration and partial ones; refuses unknown fields, wrong types and non-finite numbers', () => {
    expect(RunConfigInputSchema.safeParse(defaultConfig()).success).toBe(true);
    expect(RunConfigInputSchema.safeParse({}).success).toBe(true);
    expect(RunConfigInputSchema.safeParse({ training: { learningRate: 0.1 } }).success).toBe(true);
    expect(RunConfigInputSchema.safeParse({ training: { learningRate: NaN } }).success).toBe(false);
    expect(RunConfigInputSchema.safeParse({ training: { learningRate: Infinity } }).success).toBe(false);
    expect(RunConfigInputSchema.safeParse({ training: { learningRate: '0.1' } }).success).toBe(false);
    expect(RunConfigInputSchema.safeParse({ training: { lr: 0.1 } }).success).toBe(false);
    expect(RunConfigInputSchema.safeParse({ architecture: [{ input_dim: 2, output_dim: 1, activation: 'gelu' }] }).success).toBe(false);
    expect(RunConfigInputSchema.safeParse({ architecture: [{ input_dim: 2, output_dim: 1, activation: 'relu', extra: 1 }] }).success).toBe(false);
  });

  it('bounds what a payload may carry: run ids, comparisons, CSV text', () => {
    expect(COMMANDS['runs.pause'].payload.safeParse({ runId: '../../etc' }).success).toBe(false);
    expect(COMMANDS['runs.pause'].payload.safeParse({ runId: 'a'.repeat(65) }).success).toBe(false);
    expect(COMMANDS['runs.diff'].payload.safeParse({ runIds: Array.from({ length: 11 }, (_, i) => `r${i}`) }).success).toBe(false);
    expect(COMMANDS['runs.export'].payload.safeParse({ runId: 'r1', format: 'exe' }).success).toBe(false);
    expect(COMMANDS['runs.start'].payload.safeParse({ config: {}, initialParams: [{ name: 'W1', rows: 2, cols: 2, data: [1, 2, 3] }, { name: 'b1', rows: 2, cols: 1, data: [0, 0] }] }).success).toBe(false);
  });
});

describe('buildApi', () => {
  it('gives one method per command, grouped by namespace, calling the bridge with its fixed name', async () => {
    const calls: Array<[string, unknown]> = [];
    const api = buildApi(
      async (command, payload) => {
        calls.push([command, payload]);
        return { ok: true, value: command };
      },
      () => () => undefined,
    );
    expect(await api.runs.start({ config: {} })).toEqual({ ok: true, value: 'runs.start' });
    expect(await api.app.info({})).toEqual({ ok: true, value: 'app.info' });
    await api.net.gradCheck({ runId: 'r1' });
    expect(calls).toEqual([
      ['runs.start', { config: {} }],
      ['app.info', {}],
      ['net.gradCheck', { runId: 'r1' }],
    ]);
    expect(Object.keys(api).sort()).toEqual(['app', 'data', 'net', 'on', 'runs', 'sweeps']);
    expect(Object.isFrozen(api) && Object.isFrozen(api.runs)).toBe(true);
  });

  it('turns a bridge that throws into an error Result, and subscribes per event with an unsubscribe', async () => {
    const subs: string[] = [];
    const api = buildApi(
      async () => {
        throw new Error('socket closed');
      },
      (event) => {
        subs.push(event);
        return () => subs.push(`-${event}`);
      },
    );
    expect(await api.runs.list({})).toEqual({ ok: false, error: { code: 'internal', message: expect.stringMatching(/socket closed/) } });
    const off = api.on['run.metrics'](() => undefined);
    off();
    expect(subs).toEqual(['run.metrics', '-run.metrics']);
  });

  it('names IPC channels after the contract', () => {
    expect(commandChannel('runs.start')).toBe('bpl:cmd:runs.start');
    expect(eventChannel('run.metrics')).toBe('bpl:evt:run.metrics');
  });
});

describe('transport', () => {
  it('keeps NaN and ±Infinity through the JSON framing', () => {
    const m = decodeMessage(encodeMessage({ event: 'run.metrics', payload: { v: [NaN, Infinity, -Infinity, 1.5, -0] } }));
    expect(m).toEqual({ event: 'run.metrics', payload: { v: [NaN, Infinity, -Infinity, 1.5, 0] } });
    expect(decodeMessage('{"id":1,"ok":true,"value":{"$nf":"NaN","x":1}}')).toEqual({ id: 1, ok: true, value: { $nf: 'NaN', x: 1 } });
  });

  it('decodes only well-formed messages', () => {
    expect(decodeMessage('not json')).toBeNull();
    expect(decodeMessage('[1,2]')).toBeNull();
    expect(decodeMessage('{"id":"1","command":"x"}')).toBeNull();
    expect(decodeMessage('{"id":1.5,"command":"x"}')).toBeNull();
    expect(decodeMessage('{"id":3,"command":"runs.list","payload":{}}')).toEqual({ id: 3, command: 'runs.list', payload: {} });
  });

  /** An endpoint that echoes, fails on 'boom', and lets the test emit events. */
  function fakeEndpoint() {
    const listeners = new Set<(e: EventName, p: unknown) => void>();
    const endpoint: ServiceEndpoint = {
      async call(command, payload): Promise<Result<unknown>> {
        if (command === 'runs.stop') return { ok: false, error: { code: 'conflict', message: 'already stopped' } };
        if (command === 'runs.delete') throw new Error('bug');
        if (command === 'runs.pause') await new Promise((r) => setTimeout(r, 50));
        return { ok: true, value: { command, payload } };
      },
      subscribe(l) {
        listeners.add(l);
        return Object.assign(() => void listeners.delete(l), { narrow() {} });
      },
    };
    return { endpoint, emit: (e: EventName, p: unknown) => listeners.forEach((l) => l(e, p)), count: () => listeners.size };
  }

  it('matches responses to requests by id, carries errors as values, and delivers events until unsubscribed', async () => {
    const { endpoint, emit, count } = fakeEndpoint();
    const client = createMemoryTransport(endpoint);
    const [slow, fast] = await Promise.all([client.invoke('runs.pause', { runId: 'a' }), client.invoke('runs.resume', { runId: 'b' })]);
    expect(slow).toEqual({ ok: true, value: { command: 'runs.pause', payload: { runId: 'a' } } });
    expect(fast).toEqual({ ok: true, value: { command: 'runs.resume', payload: { runId: 'b' } } });
    expect(await client.api.runs.stop({ runId: 'c' })).toEqual({ ok: false, error: { code: 'conflict', message: 'already stopped' } });
    expect(await client.invoke('runs.delete', { runId: 'd' })).toEqual({ ok: false, error: { code: 'internal', message: 'bug' } });

    const got: unknown[] = [];
    const off = client.api.on['run.status']((p) => got.push(p));
    emit('run.status', { runId: 'a', status: 'running', epoch: 0 });
    emit('run.metrics', { runId: 'a', metrics: [] }); // another event: not this listener's
    await new Promise((r) => setTimeout(r, 10));
    off();
    emit('run.status', { runId: 'a', status: 'paused', epoch: 1 });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([{ runId: 'a', status: 'running', epoch: 0 }]);

    client.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(count()).toBe(0); // the server side unsubscribed when the connection closed
    expect(await client.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('answers a request still pending when the connection drops with an error, and a garbage message with invalid_payload', async () => {
    const { endpoint } = fakeEndpoint();
    const [clientEnd, serverEnd] = memoryConnectionPair();
    serveConnection(serverEnd, endpoint);
    const client = createClient(clientEnd);
    const pending = client.invoke('runs.pause', { runId: 'a' });
    clientEnd.close();
    expect(await pending).toEqual({ ok: false, error: { code: 'internal', message: 'the connection to the host closed' } });

    const [c2, s2] = memoryConnectionPair();
    serveConnection(s2, endpoint);
    const replies: Array<string | Uint8Array> = [];
    c2.onMessage((t) => replies.push(t));
    c2.send('{"hello": true}');
    c2.send('{"id": 7, "ok": true}');
    await new Promise((r) => setTimeout(r, 10));
    expect(replies.map((t) => decodeMessage(t))).toEqual([
      { id: -1, ok: false, error: { code: 'invalid_payload', message: expect.any(String) } },
      { id: 7, ok: false, error: { code: 'invalid_payload', message: expect.any(String) } },
    ]);
  });
});

// Compile-time: the API is typed from the contract (a wrong payload or result type fails the typecheck).
type _Checks = [
  Parameters<ReturnType<typeof buildApi>['runs']['start']>[0]['config'],
  Awaited<ReturnType<ReturnType<typeof buildApi>['runs']['start']>>,
  CommandName,
];
