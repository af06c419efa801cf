// Running snapshots cost the training thread a forward pass over the boundary grid and the train set, the neuron
// maps and the distributions: the trainers compute them only while a front end listens (EventHub.listened), and a
// costly one spaces the next out (snapshotSpacingMs). With the event hub, real worker threads and a real core over
// a temporary SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../engine/architecture';
import { resolveConfig } from '../../engine/config';
import type { EventName, RunSnapshotEvent } from '../../electron/contract';
import { EventHub } from '../../electron/core/events';
import { SNAPSHOT_MAX_SHARE, SNAPSHOT_MAX_SPACING_MS, snapshotSpacingMs } from '../../electron/limits';
import { createService } from '../../electron/service';
import { openStore } from '../../electron/store/index';
import { TrainerHost, type RunEnd } from '../../electron/trainer/host';

const SMALL: LayerSpec[] = [
  { input_dim: 2, output_dim: 8, activation: 'relu' },
  { input_dim: 8, output_dim: 1, activation: 'sigmoid' },
];
const config = (epochs: number) => resolveConfig({ architecture: SMALL, data: { samples: 200 }, training: { epochs } });

/** Waits for progress (an event arriving), not for time; fails after a minute without it. */
async function until<T>(what: string, f: () => T | undefined | false): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() - t0 > 60_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('EventHub', () => {
  it('delivers each event to its own listeners only, and says when an event gains its first listener or loses its last', () => {
    const hub = new EventHub();
    const flips: boolean[] = [];
    hub.watch('run.snapshot', (on) => flips.push(on));
    const got: EventName[] = [];
    const offStatus = hub.subscribe((e) => got.push(e), ['run.metrics', 'run.status']);
    expect(hub.listened('run.snapshot')).toBe(false);
    expect(hub.listened('run.status')).toBe(true);
    hub.emit('run.snapshot', { runId: 'r', epoch: 1, boundary: null, layers: [] });
    hub.emit('run.status', { runId: 'r', status: 'running', epoch: 1 });
    expect(got).toEqual(['run.status']);

    const offAll = hub.subscribe(() => {}); // every event, as a page's connection listens
    const offAll2 = hub.subscribe(() => {});
    expect(hub.listened('run.snapshot')).toBe(true);
    offAll();
    expect(hub.listened('run.snapshot')).toBe(true); // one still listens
    offAll2();
    offAll2(); // twice is harmless
    expect(hub.listened('run.snapshot')).toBe(false);
    expect(flips).toEqual([true, false]);
    offStatus();
    expect(hub.listened('run.status')).toBe(false);
  });
});

describe('snapshotSpacingMs', () => {
  it('keeps the interval for a cheap snapshot, a costly one to SNAPSHOT_MAX_SHARE of the time, and waits at most SNAPSHOT_MAX_SPACING_MS', () => {
    expect(snapshotSpacingMs(250, 5)).toBe(250);
    const cost = 0.5 * SNAPSHOT_MAX_SHARE * SNAPSHOT_MAX_SPACING_MS;
    expect(snapshotSpacingMs(0, cost)).toBeCloseTo(cost / SNAPSHOT_MAX_SHARE, 9);
    expect(cost / snapshotSpacingMs(0, cost)).toBeCloseTo(SNAPSHOT_MAX_SHARE, 12);
    expect(snapshotSpacingMs(250, 10 * SNAPSHOT_MAX_SPACING_MS)).toBe(SNAPSHOT_MAX_SPACING_MS);
    expect(snapshotSpacingMs(2 * SNAPSHOT_MAX_SPACING_MS, 0)).toBe(2 * SNAPSHOT_MAX_SPACING_MS); // a longer interval asked for stays
    expect(snapshotSpacingMs(0, 0)).toBe(0);
  });
});

describe('a trainer host told that nobody listens', () => {
  const hosts: TrainerHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.close()));
  });

  it('computes no snapshot, not even at the end; told that someone does, a paused run sends one at once and a running one with its epochs', async () => {
    const snapshots: RunSnapshotEvent[] = [];
    const ends = new Map<string, RunEnd>();
    const host = new TrainerHost({
      snapshotIntervalMs: 0,
      listener: { metrics: () => {}, phase: () => {}, snapshot: (_id, s) => void snapshots.push(s), ended: (id, e) => void ends.set(id, e) },
    });
    hosts.push(host);
    host.setSnapshots(false);
    const quiet = await host.prepare({ config: config(300) });
    quiet.go('quiet');
    await until('the quiet run to end', () => ends.get('quiet'));
    expect(ends.get('quiet')!.status).toBe('finished');
    expect(snapshots).toEqual([]);

    const later = await host.prepare({ config: config(300) });
    later.go('later', { paused: true });
    // a step's reply comes after what the step posted: a snapshot would be here by now
    expect((await host.step('later')).epoch).toBe(1);
    expect(snapshots).toEqual([]);
    host.setSnapshots(true);
    const first = await until('a snapshot of the paused run', () => snapshots[0]);
    expect(first).toMatchObject({ runId: 'later', epoch: 1 });
    expect(first.boundary?.values).toHaveLength(40 * 40);
    await host.resume('later');
    await until('the run to end', () => ends.get('later'));
    expect(snapshots.length).toBeGreaterThan(2);
    expect(snapshots.at(-1)!.epoch).toBe(300);
  });
});

describe('the core', () => {
  it('turns its trainers’ snapshots on while some subscriber listens for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpl-snapshot-listeners-'));
    const store = openStore({ path: join(dir, 'runs.db') });
    const core = createService({ store, host: 'cli', version: 't', trainer: { snapshotIntervalMs: 0 } });
    try {
      // the command line's subscription: metrics and status only
      const statuses: string[] = [];
      core.subscribe((_e, p) => void statuses.push((p as { status: string }).status), ['run.status']);
      expect(core.events.listened('run.snapshot')).toBe(false);
      const started = await core.invoke('runs.start', { config: { architecture: SMALL, data: { samples: 200 }, training: { epochs: 50 } }, startPaused: true });
      if (!started.ok) throw new Error(started.error.message);
      const { runId } = started.value;
      const stepped = await core.invoke('runs.step', { runId });
      expect(stepped.ok).toBe(true);
      // a page opens: it listens to every event, and the paused run's picture arrives without another step
      const snapshots: RunSnapshotEvent[] = [];
      const off = core.subscribe((e, p) => e === 'run.snapshot' && snapshots.push(p as RunSnapshotEvent));
      const s = await until('the paused run’s snapshot', () => snapshots.find((x) => x.runId === runId));
      expect(s.epoch).toBe(1);
      off();
      expect(core.events.listened('run.snapshot')).toBe(false);
      await core.invoke('runs.resume', { runId });
      await until('the run to finish', () => statuses.includes('finished'));
    } finally {
      await core.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
