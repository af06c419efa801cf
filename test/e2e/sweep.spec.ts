// A sweep from the dashboard, end to end against `backprop-lab serve` (global setup's server): build a grid of
// learning rate × seed over a tiny 2-4-1 network in the builder (an invalid value blocks Start and names the field),
// start it, watch it finish through its progress, brush the parallel-coordinates plot with the mouse and see the
// table filter, send two trials to Compare, open the best trial as a run on the Train page, and delete the sweep
// keeping its runs. A second test serves 1,000 synthetic trials to check the table stays windowed.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openApp, setField, watchProblems } from './support/app';
import { fakeSweep, routeFakeSweep } from './support/fake-sweep';
import { repo, screenPath, sharedServer } from './support/server';

const TINY = '[{"input_dim": 2, "output_dim": 4, "activation": "relu"}, {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"}]';
const LRS = [0.01, 0.05, 0.2, 1];
const SEEDS = [1, 2, 3];

/** Waits until the sweep's status is no longer running; fails only when its progress text stops moving for stallMs. */
async function waitForSweep(page: Page, { stallMs = 60_000 } = {}): Promise<string> {
  const status = page.getByTestId('sweep-status');
  const progress = page.getByTestId('sweep-progress');
  await expect(status).toBeVisible();
  let seen = '';
  let movedAt = Date.now();
  for (;;) {
    const now = ((await status.textContent()) ?? '').trim();
    if (now && now !== 'running') return now;
    const p = (await progress.textContent().catch(() => '')) ?? '';
    if (p !== seen) {
      seen = p;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`the sweep made no progress for ${stallMs / 1000} s (status "${now}", "${p}")`);
    }
    await page.waitForTimeout(250);
  }
}

test('builds a learning rate × seed sweep, watches it finish, brushes the parallel coordinates, compares two trials, opens the best, deletes the sweep keeping its runs', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, sharedServer().url);

  // the design: a 2-4-1 network, 30 epochs
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(TINY);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await expect(page.getByTestId('total-params')).toHaveText('17');
  await setField(page, 'epochs', '30');

  await page.getByTestId('tab-sweeps').click();
  const builder = page.getByTestId('sweep-builder');
  await expect(builder).toContainText('2-4-1');
  await page.getByTestId('values-lr').fill(LRS.join(', '));
  await page.getByTestId('add-param').selectOption('seed');
  await page.getByTestId('values-seed').fill(SEEDS.join(', '));
  await expect(page.getByTestId('sweep-count')).toHaveText(`${LRS.length * SEEDS.length} trials`);
  await expect(page.getByTestId('sweep-estimate')).toContainText(`${LRS.length * SEEDS.length * 30} epochs`);

  // an entry that cannot be used blocks Start and says which field
  await page.getByTestId('values-seed').fill('1, two');
  await expect(page.getByTestId('sweep-problems')).toContainText('init seed values: "two" is not a number');
  await expect(page.getByTestId('sweep-start')).toBeDisabled();
  await page.getByTestId('values-seed').fill(SEEDS.join(', '));
  await expect(page.getByTestId('sweep-problems')).toHaveCount(0);

  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toBeVisible();
  expect(await waitForSweep(page)).toBe('finished');
  await expect(page.getByTestId('sweep-progress')).toContainText(`${LRS.length * SEEDS.length} / ${LRS.length * SEEDS.length} done`);
  const rows = page.getByTestId('trial-row');
  await expect(rows).toHaveCount(LRS.length * SEEDS.length);
  await expect(page.locator('[data-testid="trial-row"][data-status="finished"]')).toHaveCount(LRS.length * SEEDS.length);
  await expect(page.getByTestId('sweep-best')).toBeVisible();

  // the table is sorted best first: its first row is the best trial (★), and its metric is the lowest
  const metrics = (await page.getByTestId('trial-metric').allTextContents()).map((t) => Number(t.replace('★', '').trim()));
  expect(metrics.every((m) => Number.isFinite(m))).toBe(true);
  expect(metrics[0]).toBe(Math.min(...metrics));
  await expect(rows.first()).toHaveClass(/best/);

  // brush the learning-rate axis (the first, a log axis) around its top value, 1: only its three trials stay
  const plot = page.getByTestId('sweep-parcoords');
  const box = (await plot.boundingBox())!;
  const PAD_TOP = 40, PAD_BOTTOM = 22, PAD_LEFT = 46; // SweepParallel's PAD
  const yOf = (p: number) => box.y + PAD_TOP + (1 - p) * (box.height - PAD_TOP - PAD_BOTTOM);
  const x = box.x + PAD_LEFT;
  await page.mouse.move(x, yOf(1) - 5);
  await page.mouse.down();
  await page.mouse.move(x, yOf(0.9), { steps: 4 });
  await page.mouse.move(x, yOf(0.8), { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('sweep-shown')).toHaveText(`${SEEDS.length} of ${LRS.length * SEEDS.length} trials`);
  await expect(rows).toHaveCount(SEEDS.length);
  await expect(plot).toHaveAttribute('data-shown', String(SEEDS.length));
  for (const row of await rows.all()) await expect(row.getByTestId('cell-lr')).toHaveText('1');

  mkdirSync(join(repo, 'docs', 'screenshots'), { recursive: true });
  await page.screenshot({ path: screenPath('sweep') });
  copyFileSync(screenPath('sweep'), join(repo, 'docs', 'screenshots', 'sweep.png'));

  // a click on the axis without a drag clears its brush
  await page.mouse.click(x, yOf(0.5));
  await expect(page.getByTestId('sweep-shown')).toHaveText(`${LRS.length * SEEDS.length} trials`);

  // tick two trials and send them to Compare: its settings differ in the learning rate or the seed
  const picked = page.getByTestId('trial-row');
  await picked.nth(0).getByRole('checkbox').check();
  await picked.nth(1).getByRole('checkbox').check();
  await expect(page.getByTestId('sweep-compare')).toHaveText('Compare 2 selected');
  await page.getByTestId('sweep-compare').click();
  await expect(page.getByTestId('compare-view')).toBeVisible();
  await expect(page.getByTestId('compare-chip')).toHaveCount(2);
  await expect(page.getByTestId('compare-chart')).toHaveAttribute('data-series', '2');
  await page.getByTestId('tab-sweeps').click();

  // open the best trial: the Train page shows it, finished after its 30 epochs
  await page.getByTestId('open-best').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished');
  await expect(page.getByTestId('epoch-counter')).toContainText('30');

  // deleting the sweep asks about its runs; keeping them leaves every trial's run in the runs table
  const runsBefore = (await page.getByTestId('tab-runs').textContent()) ?? '';
  await page.getByTestId('tab-sweeps').click();
  const options = await page.getByTestId('sweep-select').locator('option').count();
  await page.getByTestId('sweep-delete').click();
  await expect(page.getByText(`Its ${LRS.length * SEEDS.length} runs:`)).toBeVisible();
  await page.getByTestId('sweep-delete-keep').click();
  await expect(page.getByTestId('sweep-select').locator('option')).toHaveCount(Math.max(1, options - 1));
  await expect(page.getByTestId('tab-runs')).toHaveText(runsBefore);
  expect(problems).toEqual([]);
});

test('stays windowed with 1,000 trials: few rows in the page, a brush filters them, the last trial is reached by scrolling', async ({ page }) => {
  const problems = watchProblems(page);
  const detail = fakeSweep(1000);
  await routeFakeSweep(page, detail);
  await openApp(page, sharedServer().url);
  await page.getByTestId('tab-sweeps').click();
  await expect(page.getByTestId('sweep-shown')).toHaveText('1,000 trials');
  const table = page.getByTestId('sweep-table');
  await expect(table).toHaveAttribute('data-rows', '1000');
  // only the rows in view (and a few around them) are in the page
  const inPage = await page.getByTestId('trial-row').count();
  expect(inPage).toBeGreaterThan(5);
  expect(inPage).toBeLessThan(60);

  // the best trial (lowest test cost among the finished) comes first, starred
  await expect(page.getByTestId('trial-row').first()).toHaveAttribute('data-trial', String(detail.best!.trialIndex));

  // a header sorts by its column, a second click reverses, a third goes back to best first
  const lrText = (v: number) => String(Number(v.toPrecision(4)));
  const lrValues = detail.trials.map((t) => t.params['lr'] as number);
  await page.getByTestId('sort-lr').click();
  await expect(page.getByTestId('cell-lr').first()).toHaveText(lrText(Math.min(...lrValues)));
  await page.getByTestId('sort-lr').click();
  await expect(page.getByTestId('cell-lr').first()).toHaveText(lrText(Math.max(...lrValues)));
  await page.getByTestId('sort-lr').click();
  await expect(page.getByTestId('trial-row').first()).toHaveAttribute('data-trial', String(detail.best!.trialIndex));

  // brush the upper half of the learning-rate axis (log): only trials with lr above about the geometric middle stay
  const plot = page.getByTestId('sweep-parcoords');
  const box = (await plot.boundingBox())!;
  const yOf = (p: number) => box.y + 40 + (1 - p) * (box.height - 40 - 22);
  await page.mouse.move(box.x + 46, yOf(1) - 4);
  await page.mouse.down();
  await page.mouse.move(box.x + 46, yOf(0.5), { steps: 8 });
  await page.mouse.up();
  const lrs = detail.trials.map((t) => t.params['lr'] as number);
  const lo = Math.min(...lrs), hi = Math.max(...lrs);
  const mid = Math.sqrt(lo * hi);
  const above = lrs.filter((v) => v >= mid * 1.05).length;
  const near = lrs.filter((v) => v >= mid * 0.95).length;
  const shown = Number(await plot.getAttribute('data-shown'));
  expect(shown).toBeGreaterThanOrEqual(above);
  expect(shown).toBeLessThanOrEqual(near);
  await expect(page.getByTestId('sweep-shown')).toHaveText(`${shown.toLocaleString('en-US')} of 1,000 trials`);
  await expect(table).toHaveAttribute('data-rows', String(shown));
  for (const cell of await page.getByTestId('cell-lr').allTextContents()) expect(Number(cell)).toBeGreaterThan(mid * 0.95);

  // Clear filter drops the brush; a new one is drawn, and double-click clears it too; scrolling to the end brings the last rows (the failed trials, without a metric) into the page
  await page.getByTestId('clear-brushes').click();
  await expect(page.getByTestId('sweep-shown')).toHaveText('1,000 trials');
  await expect(plot).toHaveAttribute('data-shown', '1000');
  await page.mouse.move(box.x + 46, yOf(1) - 4);
  await page.mouse.down();
  await page.mouse.move(box.x + 46, yOf(0.5), { steps: 8 });
  await page.mouse.up();
  await expect(page.getByTestId('sweep-shown')).toHaveText(`${shown.toLocaleString('en-US')} of 1,000 trials`);
  await plot.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
  await expect(page.getByTestId('sweep-shown')).toHaveText('1,000 trials');
  await page.locator('.vt-body').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator('[data-testid="trial-row"][data-status="failed"]').last()).toBeVisible();
  expect(await page.getByTestId('trial-row').count()).toBeLessThan(60);
  expect(problems).toEqual([]);
});
