// A WebSocket client of browser mode for the host tests: the real transport client over a real socket, with the
// run events it has seen (the latest epoch of each run, how each ended) so a test waits on progress, not on time.

import { WebSocket } from 'ws';
import type { CommandInput, CommandName, CommandResult, Result, RunStatusEvent } from '../../electron/contract';
import { createClient, type Connection } from '../../electron/transport';

export interface TestClient {
  invoke<C extends CommandName>(command: C, payload: CommandInput<C>): Promise<Result<CommandResult<C>>>;
  /** The last epoch number the run's metrics events carried (−1 before any). */
  lastEpoch(runId: string): number;
  /** Resolves once the run's metrics events have reached epoch `epoch`. */
  waitForEpoch(runId: string, epoch: number): Promise<void>;
  /** Resolves with the run's end event (finished, stopped, failed, interrupted). */
  waitForEnd(runId: string): Promise<RunStatusEvent>;
  close(): void;
}

export function wsConnection(ws: WebSocket): Connection {
  return {
    send: (t) => ws.send(t),
    // binary frames (events with long numeric arrays) as bytes, text as text
    onMessage: (l) => void ws.on('message', (d, isBinary) => l(isBinary ? new Uint8Array(d as Buffer) : String(d))),
    onClose: (l) => void ws.on('close', () => l()),
    close: () => ws.close(),
  };
}

export async function wsClient(url: string): Promise<TestClient> {
  const ws = new WebSocket(url);
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  const client = createClient(wsConnection(ws));
  const epochs = new Map<string, number>();
  const ends = new Map<string, RunStatusEvent>();
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  client.subscribe('run.metrics', (p) => {
    const { runId, metrics } = p as { runId: string; metrics: Array<{ epoch: number }> };
    epochs.set(runId, metrics[metrics.length - 1]!.epoch);
    wake();
  });
  client.subscribe('run.status', (p) => {
    const s = p as RunStatusEvent;
    if (s.status !== 'running' && s.status !== 'paused') ends.set(s.runId, s);
    wake();
  });
  const until = <T>(get: () => T | undefined) =>
    new Promise<T>((res) => {
      const check = () => {
        const v = get();
        if (v !== undefined) {
          waiters.delete(check);
          res(v);
        }
      };
      waiters.add(check);
      check();
    });
  return {
    invoke: (command, payload) => client.invoke(command, payload) as never,
    lastEpoch: (runId) => epochs.get(runId) ?? -1,
    waitForEpoch: (runId, epoch) => until(() => ((epochs.get(runId) ?? -1) >= epoch ? true : undefined)).then(() => undefined),
    waitForEnd: (runId) => until(() => ends.get(runId)),
    close: () => client.close(),
  };
}
