// The thread governor: a threaded run moves to one thread when its threads slow it down (another process took a
// core) and back when they pay again, recording each switch. Timings are simulated with a fake clock.

import { describe, expect, it } from 'vitest';
import type { ThreadedBackend } from '../../../engine/backends/backend';
import { ThreadGovernor } from '../../../engine/backends/threads';

function fakeBackend(threads: number): ThreadedBackend & { log: number[] } {
  const b = {
    name: 'cpu', mode: `fake-threads${threads}`, precision: 'float64', tolerance: 0, threads, activeThreads: threads, log: [] as number[],
    setThreads(n: number) {
      b.activeThreads = Math.max(1, Math.min(threads, n));
      b.log.push(b.activeThreads);
    },
  };
  return b as unknown as ThreadedBackend & { log: number[] };
}

/** Runs `epochs` epochs whose time depends on the active thread count; returns the epochs done. */
function simulate(g: ThreadGovernor, b: ThreadedBackend, clock: { t: number }, epochs: number, cost: (threads: number) => number, start: number): number {
  let e = start;
  for (let i = 0; i < epochs; i++) {
    const ms = cost(b.activeThreads);
    clock.t += ms;
    g.afterEpoch(++e, ms);
  }
  return e;
}

describe('ThreadGovernor', () => {
  it('keeps the threads while they pay, trying one thread now and then', () => {
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 1, now: () => clock.t });
    simulate(g, b, clock, 20000, (n) => (n === 2 ? 1 : 1.8), 0);
    expect(g.threads).toBe(2);
    expect(g.switches).toEqual([]);
    expect(b.log.filter((n) => n === 1).length).toBeGreaterThan(0); // it did probe
    expect(g.summary()).toBe('');
  });

  it('waits longer before its first regular probe when the calibration found one thread clearly slower, and still probes at once on a slowdown', () => {
    const firstProbe = (other: number | null) => {
      const b = fakeBackend(2), clock = { t: 0 };
      const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 1, calibratedOtherMsPerEpoch: other, now: () => clock.t });
      let e = 0;
      while (!b.log.includes(1) && clock.t < 20000) e = simulate(g, b, clock, 1, (n) => (n === 2 ? 1 : 1.8), e);
      return clock.t;
    };
    // without the other figure, or with one within CLEAR_LOSS: after PROBE_MIN_MS (1 s)
    expect(firstProbe(null)).toBeLessThan(1200);
    expect(firstProbe(1.2)).toBeLessThan(1200);
    // one thread 1.8× slower at calibration: after PROBE_MAX_MS / 2 (4 s)
    expect(firstProbe(1.8)).toBeGreaterThanOrEqual(4000);
    expect(firstProbe(1.8)).toBeLessThan(4200);
    // a core taken at 0.5 s still moves the run to one thread within a few windows
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 1, calibratedOtherMsPerEpoch: 1.8, now: () => clock.t });
    const e = simulate(g, b, clock, 500, () => 1, 0);
    simulate(g, b, clock, 200, (n) => (n === 2 ? 5 : 2), e);
    expect(g.switches).toHaveLength(1);
    expect(g.switches[0]!.epoch - e).toBeLessThan(120);
  });

  it('moves to one thread soon after the cores get busy, and back when they are free, recording both', () => {
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 1, now: () => clock.t });
    let e = simulate(g, b, clock, 500, (n) => (n === 2 ? 1 : 1.8), 0);
    // another process takes a core: two threads wait on each other (5 ms), one thread runs at 2 ms
    const busyFrom = e;
    e = simulate(g, b, clock, 200, (n) => (n === 2 ? 5 : 2), e);
    expect(g.threads).toBe(1);
    expect(g.switches).toHaveLength(1);
    expect(g.switches[0]).toMatchObject({ from: 2, to: 1 });
    // within a few windows (the slowed one, the probe on one thread, one more on two), not after the next probe
    expect(g.switches[0]!.epoch - busyFrom).toBeLessThan(120);
    // under load it stays on one thread (probes of two threads lose)
    e = simulate(g, b, clock, 5000, (n) => (n === 2 ? 5 : 2), e);
    expect(g.threads).toBe(1);
    expect(g.count).toBe(1);
    // the load goes away: the next probe finds two threads faster
    simulate(g, b, clock, 20000, (n) => (n === 2 ? 1 : 1.8), e);
    expect(g.threads).toBe(2);
    expect(g.switches[1]).toMatchObject({ from: 1, to: 2 });
    expect(g.summary()).toMatch(/^threads: switched 2 times, last 1 → 2 at epoch \d+ \(1\.\d\d → 1\.00 ms\/epoch\)$/);
  });

  it('a short spell in which the host slows two threads does not move the run to one thread: the probe must also beat the window after it', () => {
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 1, now: () => clock.t });
    let e = simulate(g, b, clock, 300, (n) => (n === 2 ? 1 : 1.5), 0);
    // for 300 ms the host slows the second thread: two threads take 1.8 ms, one 1.5 (the probe on one thread
    // beats the slowed window before it, not the one after it)
    const noisy = clock.t, probesBefore = b.log.length;
    e = simulate(g, b, clock, 800, (n) => (clock.t - noisy < 300 ? (n === 2 ? 1.8 : 1.5) : n === 2 ? 1 : 1.5), e);
    expect(b.log.slice(probesBefore)).toContain(1); // the spell made it try one thread
    expect(g.switches).toEqual([]);
    expect(g.threads).toBe(2);
    // a load that stays moves it, and the switch is checked once, then left alone for the regular probes
    simulate(g, b, clock, 3000, (n) => (n === 2 ? 5 : 2), e);
    expect(g.threads).toBe(1);
    expect(g.count).toBe(1);
  });

  it('under a load that leaves the two counts close, one noisy probe does not hold the run on the slower count for seconds', () => {
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 1, now: () => clock.t });
    // idle: one thread loses clearly every time, so the probes space out (up to seconds apart)
    const loadFrom = simulate(g, b, clock, 20000, (n) => (n === 2 ? 1 : 1.8), 0);
    // another process takes a core: two threads 1.85 ms, one 1.5 — but the first window on one thread is slowed
    let ones = 0;
    simulate(g, b, clock, 3000, (n) => (n === 2 ? 1.85 : ++ones <= 70 ? 1.75 : 1.5), loadFrom);
    expect(ones).toBeGreaterThan(70); // the noisy probe happened
    expect(g.threads).toBe(1);
    expect(g.switches).toHaveLength(1);
    // the probe that lost within noise was tried again a few windows later, not after the idle spell's long wait
    expect(g.switches[0]!.epoch - loadFrom).toBeLessThan(800);
  });

  it('under such a load, a probe whose window the host slowed by a fifth is tried again a second later, not after the idle spell\'s wait', () => {
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 1, now: () => clock.t });
    const loadFrom = simulate(g, b, clock, 20000, (n) => (n === 2 ? 1 : 1.8), 0);
    // two threads 1.85 ms, one 1.5 — but the first window on one thread is slowed to 2.2 (1.19× the two threads')
    let ones = 0;
    simulate(g, b, clock, 3000, (n) => (n === 2 ? 1.85 : ++ones <= 70 ? 2.2 : 1.5), loadFrom);
    expect(ones).toBeGreaterThan(70); // the slowed probe happened
    expect(g.threads).toBe(1);
    expect(g.switches).toHaveLength(1);
    // a second is ~540 epochs here; the idle spell's 8 s wait would be ~4,300
    expect(g.switches[0]!.epoch - loadFrom).toBeLessThan(1500);
  });

  it('a calibration from a quieter moment does not make it try one thread window after window', () => {
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { calibratedMsPerEpoch: 0.5, now: () => clock.t });
    simulate(g, b, clock, 20000, (n) => (n === 2 ? 1 : 1.8), 0);
    expect(g.threads).toBe(2);
    // 20 s of training: a probe on the first slow window, then one every few seconds at most
    expect(b.log.filter((n) => n === 1).length).toBeLessThan(8);
  });

  it('a run that ends while one thread is being tried leaves the backend on the chosen count (settle)', () => {
    const b = fakeBackend(2), clock = { t: 0 };
    const g = new ThreadGovernor(b, { now: () => clock.t });
    let e = 0;
    while (b.activeThreads === 2) e = simulate(g, b, clock, 1, (n) => (n === 2 ? 1 : 2), e);
    g.settle();
    expect(b.activeThreads).toBe(2);
    expect(g.switches).toEqual([]);
  });

  it('never goes past the cap a host sets, and does nothing when capped to one thread', () => {
    const b = fakeBackend(4), clock = { t: 0 };
    const g = new ThreadGovernor(b, { maxThreads: 2, now: () => clock.t });
    expect(b.activeThreads).toBe(2);
    simulate(g, b, clock, 20000, (n) => 4 / n, 0);
    expect(Math.max(...b.log)).toBe(2);
    const one = fakeBackend(4);
    const g1 = new ThreadGovernor(one, { maxThreads: 1, now: () => clock.t });
    expect(one.activeThreads).toBe(1);
    expect(g1.active).toBe(false);
    simulate(g1, one, clock, 1000, () => 1, 0);
    expect(one.log).toEqual([1]);
  });
});
