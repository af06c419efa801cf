// How fluid the dashboard stays while a wide network trains at full speed: headless Chromium (1280×800) against
// `backprop-lab serve` on a temporary database designs 2-256-256-256-1 (132,609 parameters) on the seed data
// (moons, 1,000 samples), trains it, and measures over ~20 s on the Train page: frames per second (a
// requestAnimationFrame count), long tasks (PerformanceObserver 'longtask': how many, the longest), the frame
// interval's median and p95, and the snapshots the page received (count, bytes, binary or text). Then the time
// from a click on each tab to the next frame with that tab painted, while the run still trains.
// A benchmark: it prints figures and the goals as ratios, and asserts nothing.
// Run: npm run bench:ui [-- --seconds S] [--rounds R] [--json]   (BENCH_SKIP_BUILD=1 to reuse out/)
import { availableParallelism, cpus } from 'node:os';
import type { Page } from '@playwright/test';
import { arg, openDashboard } from './bench/dashboard';

const SECONDS = arg('seconds', 20);
const ROUNDS = arg('rounds', 3);
const JSON_OUT = process.argv.includes('--json');
const GOALS = { fps: 30, longestTaskMs: 100, tabSwitchMs: 200 };

const WIDE = JSON.stringify([
  { input_dim: 2, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 256, activation: 'relu' },
  { input_dim: 256, output_dim: 1, activation: 'sigmoid' },
]);
const TABS = ['inspect', 'sweeps', 'runs', 'compare', 'train'] as const;

/** Installs the page's recorders: rAF frame times and long tasks, from now on (strings: tsx's helpers do not exist in the page). */
const START_RECORDING = `(() => {
  const w = window;
  w.__bench = { frames: [], longTasks: [], recording: true };
  const b = w.__bench;
  const tick = (t) => { b.frames.push(t); if (b.recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  b.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, ms: e.duration }); });
  b.observer.observe({ type: 'longtask' });
})()`;

const STOP_RECORDING = `(() => {
  const b = window.__bench;
  b.recording = false;
  b.observer.disconnect();
  const f = b.frames;
  const gaps = f.slice(1).map((t, i) => t - f[i]).sort((a, b) => a - b);
  const span = (f[f.length - 1] - f[0]) / 1000;
  return {
    fps: (f.length - 1) / span,
    medianMs: gaps[Math.floor(gaps.length / 2)],
    p95Ms: gaps[Math.floor(gaps.length * 0.95)],
    worstMs: gaps[gaps.length - 1],
    longTasks: b.longTasks.length,
    longestTaskMs: b.longTasks.reduce((m, t) => Math.max(m, t.ms), 0),
    longTaskMsTotal: b.longTasks.reduce((s, t) => s + t.ms, 0),
  };
})()`;

/**
 * Arms the page for one tab switch: the next click's own timestamp (when the input arrived, so time spent waiting
 * behind a busy main thread counts) to the first frame painted after the tab's page rendered, in ms.
 */
const armTabSwitch = (tab: string) => `(() => {
  window.__tabSwitch = new Promise((done) => {
    document.addEventListener('click', (e) => {
      const t0 = e.timeStamp;
      const ready = () => document.querySelector('main.page-${tab}')?.firstElementChild;
      // a rAF callback runs before its frame paints: the one after the frame that found the page rendered is painted
      const wait = () => requestAnimationFrame(() => (ready() ? requestAnimationFrame(() => done(performance.now() - t0)) : wait()));
      wait();
    }, { capture: true, once: true });
  });
})()`;

async function epoch(page: Page): Promise<number> {
  const text = (await page.getByTestId('epoch-counter').textContent()) ?? '';
  return Number(/epoch ([\d,]+)/.exec(text)?.[1]?.replace(/,/g, '') ?? NaN);
}

interface Result {
  machine: { cpus: number; model: string; note: string };
  network: string;
  parameters: string;
  seconds: number;
  epochs: { start: number; end: number; perSecond: number };
  frames: { fps: number; medianMs: number; p95Ms: number; worstMs: number };
  longTasks: { count: number; longestMs: number; totalMs: number };
  snapshots: { received: number; perSecond: number; binary: number; meanBytes: number };
  tabSwitchMs: Record<string, { median: number; max: number }>;
}

async function main() {
  const { server, browser, close } = await openDashboard();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // the snapshots as they arrive on the page's socket, counted in the page (watching frames through DevTools
    // would base64-encode every 1 MB frame on the page's main thread and show up as long tasks of its own)
    await page.addInitScript(`(() => {
      const counts = { on: false, count: 0, binary: 0, bytes: 0 };
      window.__snapshots = counts;
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          this.addEventListener('message', (e) => {
            if (!counts.on) return;
            if (typeof e.data === 'string') {
              if (!e.data.startsWith('{"event":"run.snapshot"')) return;
              counts.bytes += e.data.length;
            } else {
              counts.binary++;
              counts.bytes += e.data.byteLength ?? e.data.size;
            }
            counts.count++;
          });
        }
      };
    })()`);
    await page.goto(server.url);
    await page.getByTestId('design-panel').waitFor();
    await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
    await page.getByTestId('architecture-json').fill(WIDE);
    await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
    const params = (await page.getByTestId('total-params').textContent()) ?? '?';
    await page.getByTestId('epochs').fill('1000000');
    await page.getByTestId('play').click();
    // wait on progress (the first epochs and a snapshot drawn), not on time
    await page.waitForFunction(() => /epoch [1-9]/.test(document.querySelector('[data-testid="epoch-counter"]')?.textContent ?? ''), null, { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="network-diagram"]')?.getAttribute('data-weighted') === 'yes', null, { timeout: 120_000 });

    const e0 = await epoch(page);
    await page.evaluate('window.__snapshots.on = true');
    await page.evaluate(START_RECORDING);
    const t0 = performance.now();
    // the page trains on its own; this side only waits (one cheap look a second keeps the CDP session quiet)
    while (performance.now() - t0 < SECONDS * 1000) await new Promise((r) => setTimeout(r, 1000));
    const train = (await page.evaluate(STOP_RECORDING)) as Result['frames'] & { fps: number; longTasks: number; longestTaskMs: number; longTaskMsTotal: number };
    const elapsed = (performance.now() - t0) / 1000;
    const snaps = (await page.evaluate('window.__snapshots')) as { count: number; binary: number; bytes: number };
    const e1 = await epoch(page);

    const switches: Record<string, number[]> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const tab of TABS) {
        await page.evaluate(armTabSwitch(tab));
        await page.getByTestId(`tab-${tab}`).click();
        (switches[tab] ??= []).push((await page.evaluate('window.__tabSwitch')) as number);
        // let the tab settle (its first data loaded) before the next click, as a person would
        await new Promise((res) => setTimeout(res, 400));
      }
    }
    await page.getByTestId('stop').click().catch(() => {});

    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const result: Result = {
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', note: 'shared with other work while measured' },
      network: '2-256-256-256-1 (relu, sigmoid output), moons 1,000 samples',
      parameters: params,
      seconds: Number(elapsed.toFixed(1)),
      epochs: { start: e0, end: e1, perSecond: Number(((e1 - e0) / elapsed).toFixed(1)) },
      frames: { fps: Number(train.fps.toFixed(1)), medianMs: Number(train.medianMs.toFixed(1)), p95Ms: Number(train.p95Ms.toFixed(1)), worstMs: Number(train.worstMs.toFixed(1)) },
      longTasks: { count: train.longTasks, longestMs: Math.round(train.longestTaskMs), totalMs: Math.round(train.longTaskMsTotal) },
      snapshots: { received: snaps.count, perSecond: Number((snaps.count / elapsed).toFixed(1)), binary: snaps.binary, meanBytes: snaps.count ? Math.round(snaps.bytes / snaps.count) : 0 },
      tabSwitchMs: Object.fromEntries(Object.entries(switches).map(([t, xs]) => [t, { median: Math.round(med(xs)), max: Math.round(Math.max(...xs)) }])),
    };
    print(result);
  } finally {
    await close();
  }
}

function print(r: Result): void {
  const ratio = (v: number, goal: number, higherIsBetter: boolean) => {
    const ok = higherIsBetter ? v >= goal : v <= goal;
    return `${ok ? '✓' : '✗'} goal ${higherIsBetter ? '≥' : '<'} ${goal}`;
  };
  const worstSwitch = Math.max(...Object.values(r.tabSwitchMs).map((s) => s.max));
  const rows: Array<[string, string, string]> = [
    ['network', `${r.network}, ${r.parameters} parameters`, ''],
    ['machine', `${r.machine.cpus} cores (${r.machine.model}), ${r.machine.note}`, ''],
    ['training', `${r.epochs.perSecond} epochs/s (epoch ${r.epochs.start} → ${r.epochs.end} in ${r.seconds} s)`, ''],
    ['frames', `${r.frames.fps} /s (interval median ${r.frames.medianMs} ms, p95 ${r.frames.p95Ms} ms, worst ${r.frames.worstMs} ms)`, ratio(r.frames.fps, GOALS.fps, true)],
    ['long tasks', `${r.longTasks.count} in ${r.seconds} s, longest ${r.longTasks.longestMs} ms, ${r.longTasks.totalMs} ms in all`, ratio(r.longTasks.longestMs, GOALS.longestTaskMs, false)],
    ['snapshots', `${r.snapshots.received} received (${r.snapshots.perSecond} /s), ${r.snapshots.binary} binary, ${r.snapshots.meanBytes.toLocaleString('en-US')} bytes each`, ''],
    ...Object.entries(r.tabSwitchMs).map(([t, s]): [string, string, string] => [`→ ${t}`, `median ${s.median} ms, max ${s.max} ms`, ratio(s.max, GOALS.tabSwitchMs, false)]),
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  const w2 = Math.max(...rows.map((x) => x[1].length));
  console.log('wide network while training at full speed (Chromium, 1280×800):');
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w)}  ${b.padEnd(w2)}  ${c}`);
  console.log(`  worst tab switch ${worstSwitch} ms`);
  if (JSON_OUT) console.log(JSON.stringify(r));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
