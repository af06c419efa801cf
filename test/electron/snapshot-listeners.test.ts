// Running snapshots cost the training thread a forward pass over the boundary grid and the train set, the neuron
// maps and the distributions: the trainers compute a run's only while a front end listens for that run's
// (EventHub.listened; a page narrows its connection to its run with runs.watch), and a costly one spaces the next
// out (snapshotSpacingMs). With the event hub, real worker threads and a real core over
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
import { createMemoryTransport } from '../../electron/transport';
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
    hub.watch('run.snapshot', () => flips.push(hub.listened('run.snapshot')));
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
    expect(flips).toEqual([true, true, true, false]); // told at each change of who listens
    offStatus();
    expect(hub.listened('run.status')).toBe(false);
  });

  it('a subscription narrowed to some runs gets only their snapshots (every other event still), and the hub says which runs are listened to', () => {
    const hub = new EventHub();
    let changes = 0;
    hub.watch('run.snapshot', () => changes++);
    const got: string[] = [];
    const sub = hub.subscribe((e, p) => got.push(`${e} ${(p as { runId: string }).runId}`));
    expect(hub.listenedToAll('run.snapshot')).toBe(true);
    sub.narrow(['a']);
    expect(changes).toBe(2);
    expect([hub.listened('run.snapshot', 'a'), hub.listened('run.snapshot', 'b'), hub.listened('run.snapshot'), hub.listenedToAll('run.snapshot')]).toEqual([true, false, true, false]);
    for (const runId of ['a', 'b']) {
      hub.emit('run.snapshot', { runId, epoch: 1, boundary: null, layers: [] });
      hub.emit('run.status', { runId, status: 'running', epoch: 1 });
    }
    expect(got).toEqual(['run.snapshot a', 'run.status a', 'run.status b']);
    sub.narrow([]);
    expect(hub.listened('run.snapshot', 'a')).toBe(false);
    sub.narrow(null);
    expect(hub.listened('run.snapshot', 'b')).toBe(true);
    sub();
    sub.narrow(['a']); // after unsubscribing: nothing
    expect(hub.listened('run.snapshot')).toBe(false);
    expect(changes).toBe(5);
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
    host.setSnapshots(() => false);
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
    host.setSnapshots(() => true);
    const first = await until('a snapshot of the paused run', () => snapshots[0]);
    expect(first).toMatchObject({ runId: 'later', epoch: 1 });
    expect(first.boundary?.values).toHaveLength(40 * 40);
    await host.resume('later');
    await until('the run to end', () => ends.get('later'));
    expect(snapshots.length).toBeGreaterThan(2);
    expect(snapshots.at(-1)!.epoch).toBe(300);
  });

  it('told per run, only the watched run computes snapshots; a run gets its answer when it starts', async () => {
    const snapshots: RunSnapshotEvent[] = [];
    const ends = new Map<string, RunEnd>();
    const host = new TrainerHost({
      snapshotIntervalMs: 0,
      listener: { metrics: () => {}, phase: () => {}, snapshot: (id, s) => void snapshots.push({ ...s, runId: id }), ended: (id, e) => void ends.set(id, e) },
    });
    hosts.push(host);
    host.setSnapshots((runId) => runId === 'watched');
    const a = await host.prepare({ config: config(300) });
    const b = await host.prepare({ config: config(300) });
    a.go('watched');
    b.go('other');
    await until('both runs to end', () => ends.get('watched') && ends.get('other'));
    expect(snapshots.length).toBeGreaterThan(0);
    expect(new Set(snapshots.map((x) => x.runId))).toEqual(new Set(['watched']));
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

describe('runs.watch', () => {
  it('a page that watches one run gets only its snapshots, and the other run computes none; a caller inside the process is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpl-snapshot-watch-'));
    const store = openStore({ path: join(dir, 'runs.db') });
    const core = createService({ store, host: 'browser', version: 't', trainer: { snapshotIntervalMs: 0 } });
    // every snapshot a trainer sent, whoever receives it
    const emitted: string[] = [];
    const emit = core.events.emit.bind(core.events);
    core.events.emit = (e, p) => {
      if (e === 'run.snapshot') emitted.push((p as RunSnapshotEvent).runId);
      emit(e, p);
    };
    const page = createMemoryTransport(core);
    try {
      const got: RunSnapshotEvent[] = [];
      const statuses = new Map<string, string>();
      page.api.on['run.snapshot']((s) => void got.push(s));
      page.api.on['run.status']((s) => void statuses.set(s.runId, s.status));
      expect((await page.api.runs.watch({ runIds: [] })).ok).toBe(true);
      const start = async () => {
        const r = await core.invoke('runs.start', { config: { architecture: SMALL, data: { samples: 200 }, training: { epochs: 300 } }, startPaused: true });
        if (!r.ok) throw new Error(r.error.message);
        return r.value.runId;
      };
      const [shown, other] = [await start(), await start()];
      expect(await page.api.runs.watch({ runIds: [shown] })).toEqual({ ok: true, value: { runIds: [shown] } });
      // the paused run's picture comes at once, without a step
      await until('the watched run’s snapshot', () => got.find((s) => s.runId === shown));
      await core.invoke('runs.resume', { runId: shown });
      await core.invoke('runs.resume', { runId: other });
      await until('both runs to finish', () => statuses.get(shown) === 'finished' && statuses.get(other) === 'finished');
      expect(got.length).toBeGreaterThan(2);
      expect(new Set(got.map((s) => s.runId))).toEqual(new Set([shown]));
      expect(new Set(emitted)).toEqual(new Set([shown]));

      const inside = await core.invoke('runs.watch', { runIds: [other] });
      expect(inside.ok).toBe(false);
      if (!inside.ok) expect(inside.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('only a connected page or window') });
      expect((await page.api.runs.watch({ runIds: ['not a run id!'] })).ok).toBe(false);
      expect(core.events.listenedToAll('run.snapshot')).toBe(false);
      expect((await page.api.runs.watch({ runIds: null })).ok).toBe(true);
      expect(core.events.listenedToAll('run.snapshot')).toBe(true);
    } finally {
      page.close();
      await core.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
