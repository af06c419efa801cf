// The core's sweep commands through createCore (the same invoke every front end uses), with a real store file
// and real training workers: sweeps.start answers at once and 'sweep.progress' tells how it goes; sweeps.get,
// sweeps.list; sweeps.stop; sweeps.delete with and without the runs, refused while the sweep runs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepProgressEvent } from '../../../electron/contract';
import { createCore, type Core } from '../../../electron/core/index';
import { openStore, type Store } from '../../../electron/store/index';

const dir = mkdtempSync(join(tmpdir(), 'bplab-sweep-core-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const ARCH = [
  { input_dim: 2, output_dim: 4, activation: 'tanh' },
  { input_dim: 4, output_dim: 1, activation: 'sigmoid' },
];

function open(): { store: Store; core: Core; progress: SweepProgressEvent[]; ended: (id: string) => Promise<SweepProgressEvent> } {
  const store = openStore({ path: join(dir, `runs-${n++}.db`) });
  const core = createCore({ store, host: 'cli', version: 'test', maxLiveRuns: 2 });
  const progress: SweepProgressEvent[] = [];
  const waiters: Array<() => void> = [];
  core.subscribe((event, payload) => {
    if (event !== 'sweep.progress') return;
    progress.push(payload as SweepProgressEvent);
    for (const w of waiters.splice(0)) w();
  });
  const ended = async (id: string) => {
    for (;;) {
      const end = progress.find((p) => p.sweepId === id && p.status !== 'running');
      if (end) return end;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { store, core, progress, ended };
}

describe('the core’s sweeps', () => {
  it('start answers at once; progress counts trials up to the end; get and list show the sweep and its trials', async () => {
    const { store, core, progress, ended } = open();
    const spec = { name: 'core', base: { epochs: 20, samples: 80, arch: ARCH }, grid: { lr: [0.1, 0.5, 1] } };
    const r = await core.invoke('sweeps.start', { spec, parallel: 2 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ name: 'core', trials: 3, parallel: 2 });
    const end = await ended(r.value.sweepId);
    expect(end).toMatchObject({ status: 'finished', total: 3, done: 3, running: 0, pruned: 0, failed: 0, etaMs: 0 });
    expect(end.best).toMatchObject({ metric: 'testCost' });
    // progress only moves forward, and never more than 2 trials train at once
    const mine = progress.filter((p) => p.sweepId === r.value.sweepId);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.done).toBeGreaterThanOrEqual(mine[i - 1]!.done);
    expect(Math.max(...mine.map((p) => p.running))).toBeLessThanOrEqual(2);

    const got = await core.invoke('sweeps.get', { sweepId: r.value.sweepId });
    if (!got.ok) throw new Error(got.error.message);
    expect(got.value.sweep).toMatchObject({ id: r.value.sweepId, status: 'finished', trials: 3, queue: null });
    expect(got.value.trials.map((t) => [t.trialIndex, t.status, t.epochs, t.params])).toEqual([
      [0, 'finished', 20, { lr: 0.1 }],
      [1, 'finished', 20, { lr: 0.5 }],
      [2, 'finished', 20, { lr: 1 }],
    ]);
    expect(got.value.best!.runId).toBe(end.best!.runId);
    const list = await core.invoke('sweeps.list', {});
    expect(list.ok && list.value.map((s) => s.id)).toEqual([r.value.sweepId]);
    // each trial is a run as any other
    const runs = await core.invoke('runs.list', {});
    expect(runs.ok && runs.value.map((x) => x.name).sort()).toEqual(['core #1: lr=0.1', 'core #2: lr=0.5', 'core #3: lr=1']);
    // the runs table groups them by their sweep: each row names it
    expect(runs.ok && runs.value.map((x) => x.sweep)).toEqual(Array(3).fill({ id: r.value.sweepId, name: got.value.sweep.name }));
    await core.close();
    store.close();
  });

  it('a bad spec is refused with every problem named; an unknown sweep is not_found', async () => {
    const { store, core } = open();
    const r = await core.invoke('sweeps.start', { spec: { grid: { learning_rate: [0.1] }, trials: 3 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_config');
    expect(r.error.message).toContain('unknown option grid.learning_rate (did you mean "lr"?)');
    expect(r.error.message).toContain('trials counts the draws of "random"');
    const g = await core.invoke('sweeps.get', { sweepId: 'nope' });
    expect(!g.ok && g.error.code).toBe('not_found');
    await core.close();
    store.close();
  });

  it('stop ends every trial as stopped; delete is refused while it runs, then keeps or removes its runs', async () => {
    const { store, core, progress, ended } = open();
    const long = { base: { epochs: 1_000_000, samples: 80, arch: ARCH }, grid: { seed: [1, 2, 3] } };
    const a = await core.invoke('sweeps.start', { spec: long, parallel: 2 });
    if (!a.ok) throw new Error(a.error.message);
    const id = a.value.sweepId;
    // wait until both slots train (progress, not time)
    while (!progress.some((p) => p.sweepId === id && p.running === 2)) await new Promise((r) => setTimeout(r, 20));
    const refused = await core.invoke('sweeps.delete', { sweepId: id, deleteRuns: true });
    expect(!refused.ok && refused.error.code).toBe('conflict');
    const stopped = await core.invoke('sweeps.stop', { sweepId: id });
    expect(stopped.ok && stopped.value.status).toBe('stopped');
    expect((await ended(id)).status).toBe('stopped');
    const got = await core.invoke('sweeps.get', { sweepId: id });
    if (!got.ok) throw new Error(got.error.message);
    expect(got.value.sweep.status).toBe('stopped');
    expect(got.value.trials.map((t) => t.status)).toEqual(['stopped', 'stopped', 'pending']);
    const runIds = got.value.trials.filter((t) => t.runId).map((t) => t.runId!);

    // keep the runs: they stay as ordinary runs
    const kept = await core.invoke('sweeps.delete', { sweepId: id, deleteRuns: false });
    expect(kept.ok && kept.value).toEqual({ deleted: id, deletedRuns: [] });
    for (const runId of runIds) expect(store.getRun(runId).status).toBe('stopped');

    // another sweep, deleted with its runs
    const b = await core.invoke('sweeps.start', { spec: { base: { epochs: 5, samples: 40, arch: ARCH }, grid: { lr: [0.1, 0.2] } }, parallel: 2 });
    if (!b.ok) throw new Error(b.error.message);
    await ended(b.value.sweepId);
    const bRuns = (await core.invoke('sweeps.get', { sweepId: b.value.sweepId }));
    if (!bRuns.ok) throw new Error(bRuns.error.message);
    const gone = await core.invoke('sweeps.delete', { sweepId: b.value.sweepId, deleteRuns: true });
    expect(gone.ok && [...gone.value.deletedRuns].sort()).toEqual(bRuns.value.trials.map((t) => t.runId).sort());
    for (const t of bRuns.value.trials) expect(store.findRun(t.runId!)).toBeNull();
    const list = await core.invoke('sweeps.list', {});
    expect(list.ok && list.value).toEqual([]);
    await core.close();
    store.close();
  });
});
