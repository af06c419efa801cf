// The dashboard's own speed figure against the command line's, on the seed network (issue 13: within 10 %).
// Rounds alternate: the dashboard (a bare headless Chromium against `backprop-lab serve` on a temporary database:
// nothing attached but a DevTools session that evaluates script in the page — Playwright's page would have the
// browser copy it every WebSocket frame, about a tenth of a core a user's window never spends) designs nothing —
// its default is the seed experiment — sets the epochs, trains to the end and reads the µs/epoch it shows;
// then `backprop-lab train --epochs N --json` trains the same configuration and its msPerEpoch is read. Both go
// through the same core, trainer worker and backend choice, and both record the run (each in a temporary
// database of its own, as a user's run is recorded); what differs is what watches the run (the page with its live
// snapshots, or a terminal). Each run also gives the share of the machine's CPU time its host took meanwhile
// (steal, where Linux reports it). A benchmark: it prints the figures and the ratio, and asserts nothing.
// Run: npm run bench:ui-epoch [-- --epochs N] [--rounds R] [--json]   (BENCH_SKIP_BUILD=1 to reuse out/)
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { removeTempDb, repo, tempDb } from '../test/e2e/support/server';
import { arg, openBareDashboard } from './bench/dashboard';
import { StealMeter, stealText } from './bench/host-steal';

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

/** The page's text of the element with `testId` ('' when there is none). */
const textOf = (testId: string) => `document.querySelector('[data-testid="${testId}"]')?.textContent ?? ''`;

async function main() {
  const { page, close } = await openBareDashboard();
  const dash: { us: number; mode: string; spacing: number; steal: number | null }[] = [];
  const term: { us: number; mode: string; steal: number | null }[] = [];
  const cliDb = tempDb();
  // polls the page (a DevTools evaluate every 250 ms, nothing else) until `expression` is true
  const until = async (expression: string) => {
    while (!(await page.evaluate<boolean>(expression))) await new Promise((r) => setTimeout(r, 250));
  };
  const done = `/µs\\/epoch/.test(${textOf('us-per-epoch')})`;
  try {
    await until(`!!document.querySelector('[data-testid="design-panel"]')`);
    for (let r = 0; r < ROUNDS; r++) {
      // the epochs field is a React input: set through the element's own value setter, then an input event
      await page.evaluate(`(() => {
        const el = document.querySelector('[data-testid="epochs"]');
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, '${EPOCHS}');
        el.dispatchEvent(new Event('input', { bubbles: true }));
      })()`);
      await until(`document.querySelector('[data-testid="epochs"]').value === '${EPOCHS}' && !${done}`);
      const dashSteal = new StealMeter();
      await dashSteal.around(async () => {
        await page.evaluate(`document.querySelector('[data-testid="play"]').click()`);
        // wait on the run's end (progress), however long this machine takes
        await until(done);
      });
      const text = await page.evaluate<string>(textOf('us-per-epoch'));
      const mode = (await page.evaluate<string>(textOf('backend'))).split('·').pop()!.trim();
      const spacing = Number(await page.evaluate<string>('document.documentElement.dataset.liveSpacing'));
      dash.push({ us: Number(/([\d.]+) µs/.exec(text)?.[1] ?? NaN), mode, spacing, steal: dashSteal.share() });
      const cliSteal = new StealMeter();
      term.push({ ...(await cliSteal.around(() => cli(cliDb))), steal: cliSteal.share() });
      console.error(
        `round ${r + 1}: dashboard ${dash[r]!.us} µs/epoch (${dash[r]!.mode}; live ticks ${dash[r]!.spacing.toFixed(0)} ms apart at its end; host steal ${stealText(dash[r]!.steal)}), ` +
          `command line ${term[r]!.us.toFixed(0)} µs/epoch (${term[r]!.mode}; host steal ${stealText(term[r]!.steal)})`,
      );
      await page.evaluate(`document.querySelector('[data-testid="reset"]')?.click()`);
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
    liveSpacingMs: dash.map((x) => x.spacing),
    commandLineUs: term.map((x) => Math.round(x.us)),
    /** The share of the machine's CPU time its host took during each run (null where not reported). */
    hostSteal: { dashboard: dash.map((x) => x.steal), commandLine: term.map((x) => x.steal) },
    modes: { dashboard: [...new Set(dash.map((x) => x.mode))], commandLine: [...new Set(term.map((x) => x.mode))] },
    ratio: Number((d / c).toFixed(3)),
    met: d / c <= GOAL,
  };
  console.log(`seed network, ${EPOCHS} epochs, ${ROUNDS} rounds each (${result.machine.cpus} cores, ${result.machine.model}):`);
  console.log(`  dashboard     median ${d.toFixed(0)} µs/epoch  (${result.dashboardUs.join(', ')}; ${result.modes.dashboard.join(' / ')})`);
  console.log(`  command line  median ${c.toFixed(0)} µs/epoch  (${result.commandLineUs.join(', ')}; ${result.modes.commandLine.join(' / ')})`);
  console.log(`  host steal    dashboard runs ${dash.map((x) => stealText(x.steal)).join(', ')}; command line runs ${term.map((x) => stealText(x.steal)).join(', ')}`);
  console.log(`  dashboard / command line = ${result.ratio.toFixed(2)}×  ${result.met ? '✓' : '✗'} goal ≤ ${GOAL}`);
  if (JSON_OUT) console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
