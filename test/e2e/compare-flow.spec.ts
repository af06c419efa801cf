// The compare flow end to end, in one browser session against its own `backprop-lab serve` on a temporary database:
// train a small run → open it from Runs → the Design panel shows its settings → clone it with lr 0.05 → train → compare
// the two: the accuracy overlays hold every epoch of both runs, the x axis switches to share of training, wall time
// and log epochs, the settings diff reads as one architecture row and only settings that apply, and the
// interpolation chart has α 0 and 1 at exactly each run's final train cost; runs of another architecture get one line
// instead; cost ticks never repeat on a nearly flat cost. Tiny runs (2-4-1 and 2-3-1 networks, 40 to 300 epochs);
// every wait is on progress. Screenshots (light and dark) go to test-results/screens/.
import { expect, test, type Page } from '@playwright/test';
import { setField, waitForEnd } from './support/app';
import { screenPath } from './support/server';
import { useAppSession, TINY_NET } from './support/session';

test.describe.configure({ mode: 'serial' });

const PORT = Number(process.env['E2E_COMPARE_FLOW_PORT'] ?? 4349);
let page: Page;
let problems: string[];

const TINY = TINY_NET;
const PARENT_EPOCHS = 300;
const CLONE_EPOCHS = 150;

const app = useAppSession(PORT);
test.beforeAll(() => ({ page, problems } = app));

/** Ticks exactly the named runs on the Runs page and presses Compare. */
async function compareRuns(names: string[]): Promise<void> {
  await page.getByTestId('tab-runs').click();
  for (const row of await page.getByTestId('run-row').all()) {
    const name = ((await row.getByTestId('run-name-cell').textContent()) ?? '').trim();
    await row.getByTestId('run-select').setChecked(names.includes(name));
  }
  await page.getByTestId('compare-selected').click();
  await expect(page.getByTestId('compare-chip')).toHaveCount(names.length);
}

/** Trains a run of the tiny 2-n-1 network from the Design panel and waits for its end. */
async function train(name: string, o: { arch: string; lr: string; epochs: number }): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(o.arch);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await setField(page, 'learning-rate', o.lr);
  await setField(page, 'epochs', String(o.epochs));
  await setField(page, 'samples', '200');
  await page.getByTestId('backend-choice').selectOption('cpu');
  await setField(page, 'run-name', name);
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
}

async function openFromRuns(name: string): Promise<void> {
  await page.getByTestId('tab-runs').click();
  await page.getByTestId('run-name-cell').filter({ hasText: new RegExp(`^${name}$`) }).click();
  await expect(page.getByTestId('train-view')).toBeVisible();
  await expect(page.getByTestId('stored-run')).toContainText(name);
}

test('the empty Compare page points to Runs with a button of its own width', async () => {
  await page.getByTestId('tab-compare').click();
  const button = page.getByTestId('go-to-runs');
  await expect(button).toBeVisible();
  const box = (await button.boundingBox())!;
  const page_ = (await page.getByTestId('compare-view').boundingBox())!;
  expect(box.width).toBeLessThan(200);
  expect(box.width).toBeLessThan(page_.width / 4);
  await page.screenshot({ path: screenPath('compare-empty') });
  await button.click();
  await expect(page.getByTestId('tab-runs')).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('tab-train').click();
});

test('an empty accuracy chart has a 0–1 axis before training; once trained, its axis follows the data', async () => {
  // the fresh page shows no run yet: no points, and the axis runs from 0 to 1 (not a sliver under 1)
  const acc = page.getByTestId('accuracy-chart');
  await expect(acc).toBeVisible();
  await expect(acc).toHaveAttribute('data-y-range', '0,1');
});

test('trains a run, opens it from Runs with its settings, clones it with lr 0.05 and trains the clone', async () => {
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(TINY);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await expect(page.getByTestId('total-params')).toHaveText('17');
  // float64: the final cost the run records and the core's float64 interpolation agree to the last bits (under 'auto'
  // a float32 GPU backend may win the calibration)
  await page.getByTestId('backend-choice').selectOption('cpu');
  await setField(page, 'learning-rate', '0.5');
  await setField(page, 'epochs', String(PARENT_EPOCHS));
  await setField(page, 'samples', '200');
  await setField(page, 'run-name', 'compare parent');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', String(PARENT_EPOCHS));
  await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-y-range', /^0\.\d+,1$/);

  // the panel moves on, and opening the run brings its settings back
  await setField(page, 'learning-rate', '0.01');
  await setField(page, 'epochs', '40');
  await openFromRuns('compare parent');
  await expect(page.getByTestId('learning-rate')).toHaveValue('0.5');
  await expect(page.getByTestId('epochs')).toHaveValue(String(PARENT_EPOCHS));
  await expect(page.getByTestId('samples')).toHaveValue('200');
  await expect(page.getByTestId('total-params')).toHaveText('17');

  await page.getByTestId('clone-run').click();
  await expect(page.getByTestId('stored-run')).toContainText('cloned from compare parent');
  await setField(page, 'learning-rate', '0.05');
  await setField(page, 'epochs', String(CLONE_EPOCHS));
  await setField(page, 'run-name', 'compare clone');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await page.getByTestId('tab-runs').click();
  await expect(page.getByTestId('run-row')).toHaveCount(2);
});

test('compares the two: accuracy overlays with data, the x axes, a readable settings diff, the interpolation', async () => {
  await page.getByTestId('tab-runs').click();
  // parent first: it is run A of the interpolation
  for (const name of ['compare parent', 'compare clone']) {
    await page.getByTestId('run-row').filter({ has: page.getByTestId('run-name-cell').filter({ hasText: new RegExp(`^${name}$`) }) }).getByTestId('run-select').check();
  }
  await page.getByTestId('compare-selected').click();
  await expect(page.getByTestId('compare-chip')).toHaveCount(2);
  const chart = page.getByTestId('compare-chart');
  const ids = await page.getByTestId('compare-chip').allTextContents();
  const parentFirst = ids[0]!.startsWith('compare parent');

  // every epoch of both runs, for each overlay (the accuracy overlays were empty before)
  const counts = (a: number, b: number) => (parentFirst ? `${a},${b}` : `${b},${a}`);
  for (const [label, metric] of [['Train cost', 'trainCost'], ['Test cost', 'testCost'], ['Train acc', 'trainAccuracy'], ['Test acc', 'testAccuracy']] as const) {
    await page.getByTestId('compare-metric').getByRole('radio', { name: label }).click();
    await expect(chart).toHaveAttribute('data-metric', metric);
    await expect(chart).toHaveAttribute('data-series', '2');
    await expect(chart).toHaveAttribute('data-points', counts(PARENT_EPOCHS, CLONE_EPOCHS));
  }

  // x axes: share of training puts both runs' last epochs at 100 %; log epochs at their epoch counts; wall time in s
  const xAxis = page.getByTestId('compare-x-axis');
  await xAxis.getByRole('radio', { name: '% of run' }).click();
  await expect(chart).toHaveAttribute('data-x-axis', 'share');
  await expect(chart).toHaveAttribute('data-x-max', '100');
  await chart.screenshot({ path: screenPath('compare-x-share') });
  await xAxis.getByRole('radio', { name: 'Log epochs' }).click();
  await expect(chart).toHaveAttribute('data-x-max', String(PARENT_EPOCHS));
  await chart.screenshot({ path: screenPath('compare-x-log') });
  await xAxis.getByRole('radio', { name: 'Wall time' }).click();
  await expect(chart).toHaveAttribute('data-x-axis', 'time');
  await expect(chart).toHaveAttribute('data-points', counts(PARENT_EPOCHS, CLONE_EPOCHS));
  const seconds = Number(await chart.getAttribute('data-x-max'));
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThan(PARENT_EPOCHS); // seconds, not epochs or milliseconds
  await chart.screenshot({ path: screenPath('compare-x-time') });
  await xAxis.getByRole('radio', { name: 'Epoch', exact: true }).click();
  await expect(chart).toHaveAttribute('data-x-max', String(PARENT_EPOCHS - 1));

  // the settings diff: learning rate and epochs differ; the architecture is one row, first, with activations
  const params = page.getByTestId('param-row');
  await expect(params.locator('td:first-child')).toHaveText(['training.epochs', 'training.learningRate']);
  await page.getByTestId('only-differences').uncheck();
  await expect(params.first()).toHaveAttribute('data-path', 'architecture');
  await expect(params.first()).toContainText('2-4-1 (tanh, sigmoid)');
  await expect(params.filter({ hasText: 'architecture[' })).toHaveCount(0);
  await expect(page.locator('[data-testid="param-row"][data-path="training.momentum"]')).toHaveCount(0); // SGD: no momentum
  await expect(page.locator('[data-testid="param-row"][data-path="data.factor"]')).toHaveCount(0); // moons: no circles factor
  await expect(page.locator('[data-testid="param-row"][data-path="training.batchSize"]')).toContainText('full batch');
  await page.getByTestId('compare-params').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenPath('compare-flow-settings') });
  await page.getByTestId('only-differences').check();

  // the interpolation: α from −0.5 to 1.5, α 0 and 1 at each run's own final train cost
  const interp = page.getByTestId('interpolation-chart');
  await expect(interp).toHaveAttribute('data-points', '41');
  const finals = await page.getByTestId('final-train-cost').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
  const at0 = Number(await interp.getAttribute('data-train-at-0'));
  const at1 = Number(await interp.getAttribute('data-train-at-1'));
  expect(Math.abs(at0 - finals[0]!)).toBeLessThan(1e-12);
  expect(Math.abs(at1 - finals[1]!)).toBeLessThan(1e-12);
  expect(at0).not.toBe(at1);
  await expect(page.getByTestId('interpolation-summary')).toContainText('at α 0 (A)');
  expect(Number(await interp.getAttribute('data-test-at-0'))).toBeGreaterThan(0);

  // light and dark at 1280×800
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: screenPath('compare-flow-light'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: screenPath('compare-flow-dark'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('runs of different architectures get one line instead of the interpolation; with three runs, A and B are chosen', async () => {
  const SMALLER = TINY.replace('"output_dim": 4', '"output_dim": 3').replace('"input_dim": 4', '"input_dim": 3');
  await train('compare smaller', { arch: SMALLER, lr: '0.0001', epochs: 40 });
  await compareRuns(['compare parent', 'compare clone', 'compare smaller']);
  const a = page.getByTestId('interpolation-a'), b = page.getByTestId('interpolation-b');
  const value = async (name: string) => (await a.locator('option', { hasText: name }).getAttribute('value'))!;
  await a.selectOption(await value('compare parent'));
  await b.selectOption(await value('compare smaller'));
  await expect(page.getByTestId('interpolation-note')).toHaveText(
    'No interpolation: the runs have different architectures (2-4-1 (tanh, sigmoid) vs 2-3-1 (tanh, sigmoid)); the line between weights needs one.',
  );
  await expect(page.getByTestId('interpolation-chart')).toHaveCount(0);
  await page.getByTestId('interpolation').scrollIntoViewIfNeeded();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: screenPath('compare-three-dark') });
  await page.emulateMedia({ colorScheme: 'light' });
  await b.selectOption(await value('compare clone'));
  await expect(page.getByTestId('interpolation-chart')).toHaveAttribute('data-points', '41');
  await expect(page.getByTestId('interpolation-note')).toHaveCount(0);
});

test('cost ticks never repeat, even on the nearly flat cost of two barely trained runs', async () => {
  const SMALLER = TINY.replace('"output_dim": 4', '"output_dim": 3').replace('"input_dim": 4', '"input_dim": 3');
  await train('compare flat', { arch: SMALLER, lr: '0.0002', epochs: 40 });
  await compareRuns(['compare smaller', 'compare flat']);
  const chart = page.getByTestId('compare-chart');
  await page.getByTestId('compare-metric').getByRole('radio', { name: 'Train cost' }).click();
  await expect(chart).toHaveAttribute('data-points', '40,40');
  const ticks = ((await chart.getAttribute('data-y-ticks')) ?? '').split('|').filter(Boolean);
  expect(ticks.length).toBeGreaterThan(2);
  expect(new Set(ticks).size).toBe(ticks.length);
  await chart.screenshot({ path: screenPath('compare-flat-cost') });
  expect(problems).toEqual([]);
});
