// A synthetic sweep of many trials (a SweepDetail as sweeps.get answers it), and a WebSocket route that answers
// sweeps.list / sweeps.get with it while every other command goes to the real server: for the browser test that
// the sweep view stays windowed with 1,000 trials, and for scripts/bench-sweep-ui.ts.
import type { Page } from '@playwright/test';
import type { SweepDetail, SweepTrialInfo } from '../../../electron/contract';

/** A small deterministic generator (mulberry32), so every run sees the same trials. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const arch = (w: number) => [
  { input_dim: 2, output_dim: w, activation: 'relu' },
  { input_dim: w, output_dim: 1, activation: 'sigmoid' },
];

/** n trials over lr (log-uniform), batch size, width (as arch), L2 and seed; finished, pruned and a few failed. */
export function fakeSweep(n: number, id = 'fake-sweep-0001'): SweepDetail {
  const r = rng(7);
  const trials: SweepTrialInfo[] = [];
  for (let i = 0; i < n; i++) {
    const lr = Math.exp(Math.log(1e-4) + r() * Math.log(1e4));
    const batch = [32, 64, 'full'][Math.floor(r() * 3)]!;
    const width = [4, 8, 16, 32][Math.floor(r() * 4)]!;
    const l2 = r() * 0.01;
    const seed = Math.floor(r() * 1000);
    // a bowl in log lr around 0.05, better with width, plus noise
    const cost = 0.08 + 0.05 * (Math.log10(lr) + 1.3) ** 2 + 0.4 / width + 4 * l2 + 0.03 * r();
    const status = r() < 0.03 ? 'failed' : r() < 0.45 ? 'pruned' : 'finished';
    const epochs = status === 'finished' ? 300 : status === 'pruned' ? [30, 90][Math.floor(r() * 2)]! : Math.floor(r() * 30);
    trials.push({
      trialIndex: i,
      runId: `fake-run-${i}`,
      status,
      params: { lr, 'batch-size': batch, arch: arch(width), l2, seed },
      epochs,
      finalCost: status === 'failed' ? null : cost * 0.9,
      testCost: status === 'failed' ? null : cost,
      testAccuracy: status === 'failed' ? null : Math.max(0.5, 1 - cost),
      worker: null,
      reason: status === 'pruned' ? `pruned at rung ${epochs === 30 ? 0 : 1}` : status === 'failed' ? 'diverged' : null,
    });
  }
  const finished = trials.filter((t) => t.status === 'finished');
  const best = finished.reduce((b, t) => (b === null || t.testCost! < b.testCost! ? t : b), null as SweepTrialInfo | null);
  const now = Date.now();
  return {
    sweep: { id, name: `synthetic · ${n} trials`, status: 'finished', trials: n, queue: null, createdAt: now, startedAt: now, endedAt: now, error: null, epochsSaved: 0, spec: { random: { lr: { log_uniform: [1e-4, 1] } } } },
    trials,
    best,
    metric: 'testCost',
  };
}

/** Answers sweeps.list and sweeps.get from `detail` on the page's WebSocket; everything else reaches the server. */
export async function routeFakeSweep(page: Page, detail: SweepDetail): Promise<void> {
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((text) => {
      const m = JSON.parse(String(text)) as { id?: number; command?: string };
      if (m.command === 'sweeps.list') ws.send(JSON.stringify({ id: m.id, ok: true, value: [detail.sweep] }));
      else if (m.command === 'sweeps.get') ws.send(JSON.stringify({ id: m.id, ok: true, value: detail }));
      else server.send(text);
    });
  });
}
