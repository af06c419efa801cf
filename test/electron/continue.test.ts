// runs.start's `from`, through the service over a real store and real training workers: continue (from the stored
// trainer state: N epochs then M more equal N+M in one go, bit for bit), re-run (bit-identical), clone (its
// configuration with edits), the lineage each records, and the refusals.
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import type { CommandInput, RunConfigInput, RunStatusEvent } from '../../electron/contract';
import { useService } from '../helpers/service';

const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 8, activation: 'tanh' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];
const cfg = (training: RunConfigInput['training'] = {}): RunConfigInput => ({ architecture: SMALL, data: { samples: 200 }, backend: 'cpu', training });

const h = useService('bpl-continue-');
const { ends, call } = h;


async function refused(payload: CommandInput<'runs.start'>) {
  const r = await h.client.invoke('runs.start', payload);
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
const weights = (id: string) => h.store.getWeights(id)!.flatMap((p) => Array.from(p.data));
const costs = (id: string) => h.store.readMetrics(id, { keys: ['train_cost'] }).map((r) => [r.step, r.value]);

describe('runs.start from a stored run', () => {
  for (const [label, training] of [
    ['adam, mini-batches', { optimizer: 'adam', learningRate: 0.01, batchSize: 32, shuffleSeed: 7 }],
    ['momentum, full batch', { optimizer: 'momentum', learningRate: 0.1 }],
  ] as const) {
    it(`continue (${label}): 6 epochs, then 4 more from the stored state, equal 10 in one go bit for bit`, async () => {
      const first = await train({ config: cfg({ ...training, epochs: 6 }) });
      expect(first.end.status).toBe('finished');
      expect(h.store.getRun(first.runId).stateEpoch).toBe(6);
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
    expect(c.config.training).toEqual({ ...h.store.getRun(a.runId).config.training, learningRate: 0.05 });
    expect(c.config.architecture).toEqual(SMALL);
  }, 120_000);

  it('records early stopping with the run, and the learning rate of every epoch', async () => {
    const r = await train({ config: cfg({ epochs: 2000, optimizer: 'adam', learningRate: 0.05, earlyStop: 5, minDelta: 0.01, lrSchedule: 'exp:0.99' }) });
    expect(r.end.final).toMatchObject({ stoppedEarly: true, bestEpoch: expect.any(Number) });
    const rec = h.store.getRun(r.runId);
    expect(rec.stoppedEarly).toBe(true);
    expect(rec.bestEpoch).toBe(r.end.final!.bestEpoch);
    expect(rec.epochsDone).toBeLessThan(2000);
    const lr = h.store.readMetrics(r.runId, { keys: ['learning_rate'] });
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
