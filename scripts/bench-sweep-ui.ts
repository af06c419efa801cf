// Frames per second of the sweep view's parallel-coordinates plot while a brush is dragged, with 1,000 synthetic
// trials (test/e2e/support/fake-sweep.ts, answered on the page's WebSocket) in headless Chromium against
// `backprop-lab serve` on a temporary database. A benchmark: it prints figures and the goal as a ratio, and asserts
// nothing. Run: npx tsx scripts/bench-sweep-ui.ts [--trials N] [--seconds S] (BENCH_SKIP_BUILD=1 to reuse out/).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { fakeSweep, routeFakeSweep } from '../test/e2e/support/fake-sweep';
import { repo, startServer, tempDb } from '../test/e2e/support/server';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRIALS = arg('trials', 1000);
const SECONDS = arg('seconds', 4);
const GOAL_FPS = 30;

async function main() {
  if (!process.env['BENCH_SKIP_BUILD']) execFileSync(process.execPath, [`${repo}node_modules/electron-vite/bin/electron-vite.js`, 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const server = await startServer({ port: 4300 + Math.floor(Math.random() * 500), db: tempDb() });
  const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  const browser = await chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await routeFakeSweep(page, fakeSweep(TRIALS));
    await page.goto(server.url);
    await page.getByTestId('tab-sweeps').click();
    await page.getByTestId('sweep-parcoords').waitFor();
    await page.waitForFunction((n) => document.querySelector('[data-testid="sweep-table"]')?.getAttribute('data-rows') === String(n), TRIALS);
    const plot = page.getByTestId('sweep-parcoords');
    const box = (await plot.boundingBox())!;
    const frames = async () => Number(await plot.getAttribute('data-frames'));
    const drawMs = async () => Number(await plot.getAttribute('data-draw-ms'));
    // SweepParallel's padding: the first axis at left 46, the plot from 40 below the top to 22 above the bottom
    const x = box.x + 46;
    const yOf = (p: number) => box.y + 40 + (1 - p) * (box.height - 62);

    // drag a brush up and down the learning-rate axis for SECONDS, as fast as the input arrives
    // the page's own frame intervals while the brush moves (rasterising included): a rAF loop records them
    await page.evaluate(`(() => {
      const w = window; w.__intervals = []; w.__recording = true;
      let last = performance.now();
      const tick = (t) => { w.__intervals.push(t - last); last = t; if (w.__recording) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })()`);
    await page.mouse.move(x, yOf(0.9));
    await page.mouse.down();
    const f0 = await frames();
    const d0 = await drawMs();
    const t0 = performance.now();
    let moves = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      const phase = (moves % 60) / 60;
      await page.mouse.move(x, yOf(0.85 - 0.7 * Math.abs(1 - 2 * phase)));
      moves++;
    }
    const elapsed = (performance.now() - t0) / 1000;
    await page.mouse.up();
    const during = (await page.evaluate(`(() => {
      const w = window; w.__recording = false;
      const t = w.__intervals.slice(2).sort((a, b) => a - b);
      return { median: t[Math.floor(t.length / 2)], p95: t[Math.floor(t.length * 0.95)], frames: t.length };
    })()`)) as { median: number; p95: number; frames: number };
    const drawn = (await frames()) - f0;
    const drawCost = ((await drawMs()) - d0) / Math.max(1, drawn);
    const shown = await plot.getAttribute('data-shown');

    // the page's own frame pace once the brush is still, for reference
    // (a string, not a function: tsx's helpers do not exist in the page)
    const perFrame = (await page.evaluate(`new Promise((done) => {
      const times = [];
      let last = performance.now();
      const tick = (t) => {
        times.push(t - last);
        last = t;
        if (times.length < 90) requestAnimationFrame(tick);
        else {
          times.sort((a, b) => a - b);
          done({ median: times[45], p95: times[85] });
        }
      };
      requestAnimationFrame(tick);
    })`)) as { median: number; p95: number };

    const fps = drawn / elapsed;
    console.log(`sweep view, ${TRIALS} trials, brushing for ${elapsed.toFixed(1)} s:`);
    console.log(`  pointer moves delivered   ${(moves / elapsed).toFixed(0)} /s`);
    console.log(`  plot frames drawn         ${fps.toFixed(1)} /s  (one per frame with input: bounded by the moves delivered)`);
    console.log(`  page frame interval       median ${during.median.toFixed(1)} ms, p95 ${during.p95.toFixed(1)} ms while brushing  (${(1000 / during.p95).toFixed(0)} fps at the p95; goal ≥ ${GOAL_FPS}: ${(1000 / during.p95 / GOAL_FPS).toFixed(2)}×)`);
    console.log(`  one redraw (script time)  ${drawCost.toFixed(2)} ms on average  (${(1000 / Math.max(drawCost, 1e-3)).toFixed(0)} redraws/s possible)`);
    console.log(`  trials passing the brush  ${shown} at the end`);
    console.log(`  idle frame interval       median ${perFrame.median.toFixed(1)} ms, p95 ${perFrame.p95.toFixed(1)} ms  (the display's pace, for reference)`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
