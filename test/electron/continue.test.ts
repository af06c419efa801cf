// runs.start's `from`, through the service over a real store and real training workers: continue (from the stored
// trainer state: N epochs then M more equal N+M in one go, bit for bit), re-run (bit-identical), clone (its
// configuration with edits), the lineage each records, and the refusals.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import type { CommandInput, CommandName, CommandResult, Result, RunConfigInput, RunStatusEvent } from '../../electron/contract';
import { createService, type Service } from '../../electron/service';
import { openStore, type Store } from '../../electron/store/index';
import { createMemoryTransport, type TransportClient } from '../../electron/transport';

const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 8, activation: 'tanh' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];
const cfg = (training: RunConfigInput['training'] = {}): RunConfigInput => ({ architecture: SMALL, data: { samples: 200 }, backend: 'cpu', training });

let dir: string;
let store: Store;
let service: Service;
let client: TransportClient;
const ends = new Map<string, RunStatusEvent>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpl-continue-'));
  store = openStore({ path: join(dir, 'runs.db') });
  service = createService({ store, host: 'browser', version: '9.9.9' });
  client = createMemoryTransport(service);
  client.subscribe('run.status', (payload) => {
    const s = payload as RunStatusEvent;
    if (['finished', 'failed', 'stopped'].includes(s.status)) ends.set(s.runId, s);
  });
});
afterAll(async () => {
  client.close();
  await service.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call<C extends CommandName>(command: C, payload: CommandInput<C>): Promise<CommandResult<C>> {
  const r = (await client.invoke(command, payload)) as Result<CommandResult<C>>;
  if (!r.ok) throw new Error(`${command} failed: ${r.error.code}: ${r.error.message}`);
  return r.value;
}
async function refused(payload: CommandInput<'runs.start'>) {
  const r = await client.invoke('runs.start', payload);
  if (r.ok) throw new Error('runs.start was expected to fail');
  return r.error;
}
async function train(payload: CommandInput<'runs.start'>): Promise<{ runId: string; end: RunStatusEvent }> {
  const { runId } = await call('runs.start', payload);
  const t0 = Date.now();
  while (!ends.has(runId)) {
    if (Date.now() - t0 > 60_000) throw new Error(`run ${runId} did not end`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { runId, end: ends.get(runId)! };
}
const weights = (id: string) => store.getWeights(id)!.flatMap((p) => Array.from(p.data));
const costs = (id: string) => store.readMetrics(id, { keys: ['train_cost'] }).map((r) => [r.step, r.value]);

describe('runs.start from a stored run', () => {
  for (const [label, training] of [
    ['adam, mini-batches', { optimizer: 'adam', learningRate: 0.01, batchSize: 32, shuffleSeed: 7 }],
    ['momentum, full batch', { optimizer: 'momentum', learningRate: 0.1 }],
  ] as const) {
    it(`continue (${label}): 6 epochs, then 4 more from the stored state, equal 10 in one go bit for bit`, async () => {
      const first = await train({ config: cfg({ ...training, epochs: 6 }) });
      expect(first.end.status).toBe('finished');
      expect(store.getRun(first.runId).stateEpoch).toBe(6);
      const cont = await train({ config: {}, from: { runId: first.runId, mode: 'continue', epochs: 4 } });
      const whole = await train({ config: cfg({ ...training, epochs: 10 }) });
      expect(cont.end.status).toBe('finished');
      expect(cont.end.epoch).toBe(10);
      expect(weights(cont.runId)).toEqual(weights(whole.runId));
      expect([...costs(first.runId), ...costs(cont.runId)]).toEqual(costs(whole.runId));
      expect(cont.end.final!.finalCost).toBe(whole.end.final!.finalCost);
      const detail = (await call('runs.get', { runId: cont.runId })).run;
      expect(detail.lineage).toEqual({ parent: first.runId, origin: 'continue' });
      expect(detail.config.training.epochs).toBe(10);
    }, 120_000);
  }

  it('re-run repeats a run bit for bit and records where it came from; clone takes edits over its configuration', async () => {
    const a = await train({ config: cfg({ epochs: 12, optimizer: 'adam', learningRate: 0.005, batchSize: 50, lrSchedule: 'cosine', warmup: 2 }) });
    const re = await train({ config: {}, from: { runId: a.runId, mode: 'rerun' } });
    expect(weights(re.runId)).toEqual(weights(a.runId));
    expect(costs(re.runId)).toEqual(costs(a.runId));
    expect((await call('runs.get', { runId: re.runId })).run.lineage).toEqual({ parent: a.runId, origin: 'rerun' });

    const clone = await train({ config: { training: { learningRate: 0.05 } }, from: { runId: a.runId, mode: 'clone' } });
    const c = (await call('runs.get', { runId: clone.runId })).run;
    expect(c.lineage).toEqual({ parent: a.runId, origin: 'clone' });
    expect(c.config.training).toEqual({ ...store.getRun(a.runId).config.training, learningRate: 0.05 });
    expect(c.config.architecture).toEqual(SMALL);
  }, 120_000);

  it('records early stopping with the run, and the learning rate of every epoch', async () => {
    const r = await train({ config: cfg({ epochs: 2000, optimizer: 'adam', learningRate: 0.05, earlyStop: 5, minDelta: 0.01, lrSchedule: 'exp:0.99' }) });
    expect(r.end.final).toMatchObject({ stoppedEarly: true, bestEpoch: expect.any(Number) });
    const rec = store.getRun(r.runId);
    expect(rec.stoppedEarly).toBe(true);
    expect(rec.bestEpoch).toBe(r.end.final!.bestEpoch);
    expect(rec.epochsDone).toBeLessThan(2000);
    const lr = store.readMetrics(r.runId, { keys: ['learning_rate'] });
    lr.forEach((row) => expect(row.value).toBe(0.05 * 0.99 ** row.step));
  }, 120_000);

  it('refuses what it cannot do, naming the way out', async () => {
    const a = await train({ config: cfg({ epochs: 3 }) });
    expect(await refused({ config: { training: { lr: 1 } } as never, from: { runId: a.runId, mode: 'rerun' } })).toMatchObject({ code: 'invalid_payload' });
    expect(await refused({ config: { training: { learningRate: 1 } }, from: { runId: a.runId, mode: 'rerun' } })).toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('clone it instead'),
    });
    expect(await refused({ config: { training: { epochs: 9 } }, from: { runId: a.runId, mode: 'continue' } })).toMatchObject({
      code: 'invalid_config',
      message: 'continuing a run takes from.epochs (the epochs to add), not config.training.epochs',
    });
    expect(await refused({ config: {}, from: { runId: 'no-such-run', mode: 'clone' } })).toMatchObject({ code: 'not_found' });
    expect(await refused({ config: { training: { optimizer: 'adam' } }, from: { runId: a.runId, mode: 'continue', epochs: 2 } })).toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining("the saved state is sgd's but training.optimizer is adam"),
    });
  }, 120_000);
});
