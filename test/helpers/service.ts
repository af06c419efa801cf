// The core (electron/service.ts) over a real SQLite file in a temporary folder, driven through the in-memory
// transport as a client would: what the service-level tests share. Register it at a file's top level; its fields
// are set once its beforeAll ran, and everything is closed and removed after the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { CommandInput, CommandName, CommandResult, Result, RunStatusEvent } from '../../electron/contract';
import { createService, type Service, type ServiceDeps } from '../../electron/service';
import { openStore, type Store } from '../../electron/store/index';
import { createMemoryTransport, type TransportClient } from '../../electron/transport';

export interface ServiceHarness {
  dir: string;
  dbPath: string;
  store: Store;
  service: Service;
  client: TransportClient;
  /** Each run's last status event once it finished, failed or stopped. */
  ends: Map<string, RunStatusEvent>;
  /** Calls a command; an error Result fails the test with its code and message. */
  call<C extends CommandName>(command: C, payload: CommandInput<C>): Promise<CommandResult<C>>;
}

export function useService(prefix: string, options: Partial<Omit<ServiceDeps, 'store'>> = {}): ServiceHarness {
  const h = { ends: new Map<string, RunStatusEvent>() } as ServiceHarness;
  h.call = async (command, payload) => {
    const r = (await h.client.invoke(command, payload)) as Result<CommandResult<typeof command>>;
    if (!r.ok) throw new Error(`${command} failed: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  beforeAll(() => {
    h.dir = mkdtempSync(join(tmpdir(), prefix));
    h.dbPath = join(h.dir, 'runs.db');
    h.store = openStore({ path: h.dbPath });
    h.service = createService({ host: 'browser', version: '9.9.9', ...options, store: h.store });
    h.client = createMemoryTransport(h.service);
    h.client.subscribe('run.status', (payload) => {
      const s = payload as RunStatusEvent;
      if (['finished', 'failed', 'stopped'].includes(s.status)) h.ends.set(s.runId, s);
    });
  });
  afterAll(async () => {
    h.client?.close();
    await h.service?.close();
    h.store?.close();
    if (h.dir) rmSync(h.dir, { recursive: true, force: true });
  });
  return h;
}
