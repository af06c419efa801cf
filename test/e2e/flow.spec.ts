// The whole story in one browser session against its own `backprop-lab serve` on a temporary database: train the
// seed experiment (1,000 epochs, checked against numpy's cost history), inspect it, list it, train a second
// learning rate, compare the two, export .npz (and load it in numpy), restart the server, and find both runs —
// curves included — still there. Saves a screenshot of every page to test-results/screens/.
// The runs are short and every wait is on progress (waitForEnd fails only when the epoch counter stops moving), so
// a slow or loaded machine makes the flow slower, not red. The 10,000-epoch numpy check is the engine's
// (test/engine), where it runs without a browser.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openApp, recordStatuses, setField, statusesSeen, statValue, waitForEnd } from './support/app';
import { repo, screenPath, startServer, type ServerHandle } from './support/server';
import { useAppSession } from './support/session';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), 'utf8'));
/** numpy's cost and train accuracy at epochs 0, 100, …, 9,900 (before that epoch's update), lr 0.01. */
const history = fixture('cost_history.json') as { epochs: number[]; cost: number[]; accuracy: number[] };
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** The seed run's length: long enough that the network has begun to separate the moons (train accuracy 0.50 → 0.76). */
const EPOCHS = 1000;
/** The second run's. */
const EPOCHS_2 = 300;

test.describe.configure({ mode: 'serial' });

const PORT = Number(process.env['E2E_FLOW_PORT'] ?? 4329);
let server: ServerHandle;
let page: Page;
let problems: string[];
/** The seed run's test accuracy as the train view shows it, to find again in the runs table and after the restart. */
let testAccuracy = '';

const app = useAppSession(PORT, { acceptDownloads: true });
test.beforeAll(() => ({ server, page, problems } = app));

const rows = () => page.getByTestId('run-row');

test("trains the seed experiment 1,000 epochs through the server: every epoch charted, numpy's cost and accuracy", async () => {
  await setField(page, 'run-name', 'seed lr 0.01');
  await setField(page, 'epochs', String(EPOCHS));
  await page.getByTestId('backend-choice').selectOption('cpu'); // the float64 backend, the one that matches numpy
  await recordStatuses(page);
  await page.getByTestId('play').click();
  // live: the boundary and the network diagram follow the run
  await expect(page.getByTestId('boundary')).toHaveAttribute('data-has-grid', 'yes');
  await expect(page.getByTestId('network-diagram')).toHaveAttribute('data-weighted', 'yes');
  expect(await waitForEnd(page)).toBe('Finished');
  expect(await statusesSeen(page)).toContain('Training');

  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 1,000 / 1,000');
  await expect(page.getByTestId('cost-chart')).toHaveAttribute('data-points', String(EPOCHS));
  await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', String(EPOCHS));
  // The final figures are at the parameters after the last update: numpy's epoch-1000 record (before update 1000).
  const at = history.epochs.indexOf(EPOCHS);
  expect(at).toBeGreaterThan(0);
  expect(relErr(await statValue(page, 'epoch0-cost'), history.cost[0]!)).toBeLessThan(1e-12);
  expect(relErr(await statValue(page, 'final-cost'), history.cost[at]!)).toBeLessThan(1e-12);
  expect(await statValue(page, 'final-train-accuracy')).toBeCloseTo(history.accuracy[at]!, 12); // 683 of 900
  await expect(page.getByTestId('final-train-accuracy')).toHaveText(history.accuracy[at]!.toFixed(3));
  const acc = await statValue(page, 'final-test-accuracy');
  expect(acc).toBeGreaterThan(0.5); // better than a coin on the 100 held-out points
  testAccuracy = acc.toFixed(3);
  await expect(page.getByTestId('final-test-accuracy')).toHaveText(testAccuracy);
  await page.screenshot({ path: screenPath('train') });
});

test('inspects one point: the forward cache of every layer, the latest gradients, and the gradient check', async () => {
  await page.getByTestId('tab-inspect').click();
  const map = page.getByTestId('inspect-boundary');
  await expect(map).toBeVisible();
  const box = (await map.boundingBox())!;
  await map.click({ position: { x: box.width * 0.3, y: box.height * 0.3 } });
  await expect(page.getByTestId('layer-cache')).toHaveCount(5);
  await expect(page.getByTestId('layer-cache').first()).toContainText('A_prev');
  await expect(page.getByTestId('prediction')).toContainText('P(class 1) =');
  await expect(page.getByTestId('layer-grads').first()).toContainText('‖dW1‖');

  await page.getByTestId('grad-check').click();
  const errors = page.getByTestId('grad-check-error');
  await expect(errors).toHaveCount(10); // W1, b1, …, W5, b5
  // green below 1e-7, red above. Some ReLU units may sit near their kink, where a finite difference of ε = 1e-6
  // straddles it, so a few parameters may read ~1e-6: the colours must say which.
  for (const e of await errors.all()) {
    const value = Number(await e.textContent());
    expect(value).toBeLessThan(1e-4);
    await expect(e).toHaveClass(value < 1e-7 ? /good/ : /bad/);
  }
  expect(Number(await page.getByTestId('grad-check-total').textContent())).toBeLessThan(1e-4);
  await page.screenshot({ path: screenPath('inspect') });
});

test('lists the run with its dataset, architecture, backend and final metrics', async () => {
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(1);
  const row = rows().first();
  await expect(row).toHaveAttribute('data-status', 'finished');
  await expect(row).toContainText('seed lr 0.01');
  await expect(row).toContainText('moons');
  await expect(row).toContainText('2-25-50-50-25-1');
  await expect(row.getByTestId('run-test-accuracy')).toHaveText(testAccuracy);
});

test('trains a second run with another learning rate', async () => {
  await page.getByTestId('tab-train').click();
  await setField(page, 'learning-rate', '0.02');
  await setField(page, 'run-name', 'seed lr 0.02');
  await setField(page, 'epochs', String(EPOCHS_2));
  await recordStatuses(page);
  await page.getByTestId('play').click();
  // the status has left the first run's "Finished" (so the end awaited next is this run's)
  await expect.poll(async () => (await statusesSeen(page)).length).toBeGreaterThan(1);
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 300 / 300');
  await expect(page.getByTestId('cost-chart')).toHaveAttribute('data-points', String(EPOCHS_2));
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(2);
  await expect(rows().filter({ hasText: 'seed lr 0.02' })).toHaveAttribute('data-status', 'finished');
});

test('runs table: filter, sort, rename, tags and notes', async () => {
  await page.getByTestId('runs-filter').fill('0.02');
  await expect(rows()).toHaveCount(1);
  await page.getByTestId('runs-filter').fill('');
  await expect(rows()).toHaveCount(2);
  await page.getByTestId('sort-name').click();
  await expect(rows().first()).toContainText('seed lr 0.01');
  await page.getByTestId('sort-name').click();
  await expect(rows().first()).toContainText('seed lr 0.02');

  const second = rows().filter({ hasText: 'seed lr 0.02' });
  await second.getByTestId('edit-tags').click();
  await page.getByTestId('tags-input').fill('sweep, faster');
  await page.getByTestId('tags-input').press('Enter');
  await expect(second.locator('.tag')).toHaveText(['faster', 'sweep']);
  await page.getByTestId('runs-filter').fill('sweep');
  await expect(rows()).toHaveCount(1);
  await page.getByTestId('runs-filter').fill('');

  await second.getByTestId('rename').click();
  await page.getByTestId('rename-input').fill('lr 0.02');
  await page.getByTestId('rename-input').press('Enter');
  await expect(rows().filter({ hasText: 'lr 0.02' }).getByTestId('run-name-cell')).toHaveText('lr 0.02');

  await rows().filter({ hasText: 'lr 0.02' }).getByTestId('details').click();
  await page.getByTestId('run-detail').getByTestId('run-note').fill('twice the learning rate of the notebook');
  await page.getByTestId('save-note').click();
  await expect(page.getByTestId('run-detail')).toContainText('saved');
  await page.getByTestId('run-detail').getByRole('button', { name: 'close' }).click();
});

test('compares the two runs: overlaid curves, only the differing settings, final metrics, weight distance', async () => {
  for (const row of await rows().all()) await row.getByTestId('run-select').check();
  await page.screenshot({ path: screenPath('runs') });
  await page.getByTestId('compare-selected').click();
  await expect(page.getByTestId('compare-chip')).toHaveCount(2);
  await expect(page.getByTestId('compare-chart')).toHaveAttribute('data-series', '2');
  const params = page.getByTestId('param-row');
  await expect(params.filter({ hasText: 'training.learningRate' })).toHaveCount(1);
  await expect(params.filter({ hasText: 'training.learningRate' })).toContainText('0.01');
  await expect(params.filter({ hasText: 'training.learningRate' })).toContainText('0.02');
  const onlyDiffs = await params.count();
  await page.getByTestId('only-differences').uncheck();
  await expect.poll(() => params.count()).toBeGreaterThan(onlyDiffs);
  await expect(params.filter({ hasText: 'init.seed' })).toContainText('101');
  await page.getByTestId('only-differences').check();
  await expect(page.getByTestId('compare-final').locator('tbody tr')).toHaveCount(2);
  const distance = page.getByTestId('weight-distances').locator('tbody tr');
  await expect(distance).toHaveCount(1);
  expect(Number((await distance.locator('td').last().textContent())!)).toBeGreaterThan(0);
  await page.screenshot({ path: screenPath('compare') });
});

test('exports a run as .npz that numpy loads', async () => {
  await page.getByTestId('tab-runs').click();
  const row = rows().filter({ hasText: 'seed lr 0.01' });
  await row.getByTestId('row-export').click();
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('export-npz').click()]);
  expect(download.suggestedFilename()).toMatch(/\.npz$/);
  const dir = join(repo, 'test-results', 'downloads');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  expect(existsSync(path)).toBe(true);
  const python = '/usr/bin/python3';
  let hasNumpy = false;
  try {
    execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
    hasNumpy = true;
  } catch {
    console.log('flow.spec.ts: numpy is not installed; the .npz was downloaded but not loaded');
  }
  if (hasNumpy) {
    const out = execFileSync(python, ['-c', 'import sys, numpy as np; d = np.load(sys.argv[1]); print(d["W1"].shape, d["b1"].shape, d["W5"].shape)', path], { encoding: 'utf8' });
    // W is (out, in) and b is (out, 1), as in the notebook
    expect(out.trim()).toBe('(25, 2) (25, 1) (1, 25)');
  }
});

test('after a server restart both runs and their curves are still there', async () => {
  await server.stop();
  await expect(page.getByTestId('connection-lost')).toBeVisible();
  server = app.server = await startServer({ port: PORT, db: server.db });
  await openApp(page, server.url); // a new token
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(2);
  for (const row of await rows().all()) await expect(row).toHaveAttribute('data-status', 'finished');
  await expect(rows().filter({ hasText: 'lr 0.02' }).locator('.tag')).toHaveText(['faster', 'sweep']);

  await rows().filter({ hasText: 'seed lr 0.01' }).getByTestId('run-name-cell').click();
  await expect(page.getByTestId('train-view')).toBeVisible();
  await expect(page.getByTestId('run-status')).toHaveText('Finished');
  await expect(page.getByTestId('final-test-accuracy')).toHaveText(testAccuracy);
  // the stored final cost is still numpy's
  await expect.poll(async () => relErr(await statValue(page, 'final-cost'), history.cost[history.epochs.indexOf(EPOCHS)]!)).toBeLessThan(1e-12);
  // the stored curves: every epoch from 0 to 999 (fewer than the 5,000 points a reload downsamples to)
  await expect(page.getByTestId('cost-chart')).toHaveAttribute('data-points', String(EPOCHS));
  // and the boundary, from the stored weights
  await expect(page.getByTestId('boundary')).toHaveAttribute('data-has-grid', 'yes');
  await page.screenshot({ path: screenPath('train-after-restart') });
  // the only console errors allowed are the WebSocket's while the server was down
  expect(problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(p))).toEqual([]);
});
