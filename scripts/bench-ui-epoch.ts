// The dashboard's own speed figure against the command line's, on the seed network (issue 13: within 10 %).
// Rounds alternate: the dashboard (headless Chromium against `backprop-lab serve` on a temporary database) designs
// nothing — its default is the seed experiment — sets the epochs, trains to the end and reads the µs/epoch it shows;
// then `backprop-lab train --epochs N --json` trains the same configuration and its msPerEpoch is read. Both go
// through the same core, trainer worker and backend choice, and both record the run (each in a temporary
// database of its own, as a user's run is recorded); what differs is what watches the run (the page with its live
// snapshots, or a terminal). A benchmark: it prints the figures and the ratio, and asserts nothing.
// Run: npm run bench:ui-epoch [-- --epochs N] [--rounds R] [--json]   (BENCH_SKIP_BUILD=1 to reuse out/)
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { removeTempDb, repo, tempDb } from '../test/e2e/support/server';
import { arg, openDashboard } from './bench/dashboard';

const EPOCHS = arg('epochs', 3000);
const ROUNDS = arg('rounds', 3);
const JSON_OUT = process.argv.includes('--json');
/** The dashboard's figure may be at most this much above the command line's. */
const GOAL = 1.1;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** `backprop-lab train` on the seed experiment, recorded like the dashboard's run: its msPerEpoch (µs) and backend mode. */
function cli(db: string): { us: number; mode: string } {
  const r = spawnSync(process.execPath, [`${repo}bin/backprop-lab.js`, 'train', '--epochs', String(EPOCHS), '--json', '--db', db], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`backprop-lab train exited ${r.status}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
  const j = JSON.parse(r.stdout) as { msPerEpoch: number; backend: { mode: string } };
  return { us: j.msPerEpoch * 1000, mode: j.backend.mode };
}

async function main() {
  const { server, browser, close } = await openDashboard();
  const dash: { us: number; mode: string }[] = [];
  const term: { us: number; mode: string }[] = [];
  const cliDb = tempDb();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.getByTestId('design-panel').waitFor();
    for (let r = 0; r < ROUNDS; r++) {
      await page.getByTestId('epochs').fill(String(EPOCHS));
      await page.getByTestId('play').click();
      // wait on the run's end (progress), however long this machine takes
      await page.getByTestId('us-per-epoch').filter({ hasText: /µs\/epoch/ }).waitFor({ timeout: 0 });
      const text = (await page.getByTestId('us-per-epoch').textContent()) ?? '';
      const mode = ((await page.getByTestId('backend').textContent()) ?? '').split('·').pop()!.trim();
      dash.push({ us: Number(/([\d.]+) µs/.exec(text)?.[1] ?? NaN), mode });
      term.push(cli(cliDb));
      console.error(`round ${r + 1}: dashboard ${dash[r]!.us} µs/epoch (${dash[r]!.mode}), command line ${term[r]!.us.toFixed(0)} µs/epoch (${term[r]!.mode})`);
      await page.getByTestId('reset').click().catch(() => {});
    }
  } finally {
    await close();
    removeTempDb(cliDb);
  }
  const d = median(dash.map((x) => x.us)), c = median(term.map((x) => x.us));
  const result = {
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown' },
    network: "the seed experiment (moons 1,000, 2-25-50-50-25-1, full batch sgd), backend auto",
    epochs: EPOCHS,
    dashboardUs: dash.map((x) => x.us),
    commandLineUs: term.map((x) => Math.round(x.us)),
    modes: { dashboard: [...new Set(dash.map((x) => x.mode))], commandLine: [...new Set(term.map((x) => x.mode))] },
    ratio: Number((d / c).toFixed(3)),
    met: d / c <= GOAL,
  };
  console.log(`seed network, ${EPOCHS} epochs, ${ROUNDS} rounds each (${result.machine.cpus} cores, ${result.machine.model}):`);
  console.log(`  dashboard     median ${d.toFixed(0)} µs/epoch  (${result.dashboardUs.join(', ')}; ${result.modes.dashboard.join(' / ')})`);
  console.log(`  command line  median ${c.toFixed(0)} µs/epoch  (${result.commandLineUs.join(', ')}; ${result.modes.commandLine.join(' / ')})`);
  console.log(`  dashboard / command line = ${result.ratio.toFixed(2)}×  ${result.met ? '✓' : '✗'} goal ≤ ${GOAL}`);
  if (JSON_OUT) console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
