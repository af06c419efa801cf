// Real data, input features, multi-class and regression in the dashboard (issue 11), in headless Chromium against
// global setup's `backprop-lab serve`: a one-unit network separates circles only on x1², x2²; digits trains with
// its confusion matrix and misclassified images; a regression run reports R² and draws predicted against true; data
// with more than two features is drawn in a chosen plane; a collapsed run says so. Every wait is on progress (the
// epoch counter, an element appearing), never on a clock. Screenshots at 1280×800 in both themes go to
// test-results/screens/data-*.png.
import { expect, test, type Page } from '@playwright/test';
import { listRuns, openStore } from '../../electron/store/index';
import { openApp, setField, statValue, waitForEnd, watchProblems } from './support/app';
import { screenPath, sharedServer } from './support/server';

/** The one-unit network: no hidden layer, one sigmoid output. */
const ONE_UNIT = '[{"input_dim": 2, "output_dim": 1, "activation": "sigmoid"}]';

async function setArchitectureJson(page: Page, json: string): Promise<void> {
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(json);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
}

/** Clears the view and trains the design to its end; returns the status text. */
async function train(page: Page): Promise<string> {
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('run-status')).toHaveText('Ready');
  await page.getByTestId('play').click();
  return waitForEnd(page);
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    // the toggle cycles the theme; click until the page shows the one wanted
    for (let i = 0; i < 3 && (await page.evaluate(() => document.documentElement.dataset['theme'])) !== theme; i++) {
      await page.getByTestId('theme-toggle').click();
    }
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.screenshot({ path: screenPath(`data-${name}-${theme}`) });
  }
}

test.describe.configure({ mode: 'serial' });

test('features: a one-unit network fails on circles from x1, x2 and separates them on x1², x2²', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, sharedServer().url);
  await page.getByTestId('dataset').selectOption('circles');
  await setField(page, 'noise', '0.1');
  await page.getByLabel('Factor').fill('0.5');
  await setField(page, 'run-name', 'one unit on circles');
  await setArchitectureJson(page, ONE_UNIT);
  await expect(page.getByTestId('layer-row')).toHaveCount(1);
  await setField(page, 'epochs', '300');
  await page.getByTestId('optimizer').selectOption('adam');
  await setField(page, 'learning-rate', '0.1');
  await page.getByTestId('backend-choice').selectOption('cpu');

  // x1, x2: a line cannot separate two rings
  expect(await train(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 300 / 300');
  expect(await statValue(page, 'final-test-accuracy')).toBeLessThan(0.75);

  // x1², x2²: the rings are x1² + x2² below or above a radius, a line in those inputs
  await page.getByTestId('feature-x1^2').check();
  await page.getByTestId('feature-x2^2').check();
  await page.getByTestId('feature-x1').uncheck();
  await page.getByTestId('feature-x2').uncheck();
  // the first layer takes the inputs chosen; the last input left cannot be unchecked
  await expect(page.getByTestId('layer-row').first().locator('td').nth(1)).toHaveText('2');
  await page.getByTestId('feature-x1^2').uncheck();
  await expect(page.getByTestId('feature-x2^2')).toBeDisabled();
  await expect(page.getByTestId('layer-row').first().locator('td').nth(1)).toHaveText('1');
  await page.getByTestId('feature-x1^2').check();
  await expect(page.getByTestId('feature-x2^2')).toBeEnabled();
  await page.getByTestId('feature-x1*x2').check();
  await expect(page.getByTestId('layer-row').first().locator('td').nth(1)).toHaveText('3');
  await page.getByTestId('feature-x1*x2').uncheck();
  await expect(page.getByTestId('input-mismatch')).toHaveCount(0);

  expect(await train(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 300 / 300');
  expect(await statValue(page, 'final-test-accuracy')).toBeGreaterThan(0.95);
  // the boundary is drawn over the input plane (x1, x2), from the network fed the features of each grid point
  await expect(page.getByTestId('boundary')).toHaveAttribute('data-has-grid', 'yes');
  await expect(page.getByTestId('chance-hint')).toHaveCount(0);
  // the features are part of the stored run's configuration
  const store = openStore({ path: sharedServer().db, readonly: true });
  try {
    const [last] = listRuns(store, { name: 'one unit on circles' });
    const config = store.getRun(last!.id).config;
    expect(config.data.features).toEqual(['x1^2', 'x2^2']);
    expect(config.architecture).toEqual([{ input_dim: 2, output_dim: 1, activation: 'sigmoid' }]);
  } finally {
    store.close();
  }
  await shoot(page, 'features');
  expect(problems).toEqual([]);
});

test('digits: the network fits 64 inputs and 10 softmax outputs; the confusion matrix and misclassified images show', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, sharedServer().url);
  await page.getByTestId('dataset').selectOption('digits');
  // sklearn's load_digits through the 0.1 split: 1,617 train, 180 test
  await expect(page.getByTestId('data-counts')).toHaveText('1,617 train · 180 test');
  // samples, noise and seed are the generators'; they are not offered for real data
  await expect(page.getByTestId('samples')).toHaveCount(0);
  await expect(page.getByTestId('features')).toHaveCount(0);
  // the network is fitted once the data's preview arrives: 64 pixels in, one softmax unit per digit out
  const rows = page.getByTestId('layer-row');
  await expect(rows.first().locator('td').nth(1)).toHaveText('64');
  await expect(page.getByTestId('activation-5')).toHaveValue('softmax');
  await expect(page.getByTestId('neurons-5')).toHaveValue('10');
  await page.getByTestId('standardize').check();
  await setField(page, 'run-name', 'digits 20 epochs');
  await setField(page, 'epochs', '20');
  await page.getByTestId('optimizer').selectOption('adam');
  await setField(page, 'learning-rate', '0.01');
  expect(await train(page)).toBe('Finished');

  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix).toBeVisible();
  await expect(matrix).toHaveAttribute('data-classes', '10');
  await expect(matrix).toHaveAttribute('data-samples', '180');
  await expect(matrix.getByTestId('confusion-row')).toHaveCount(10);
  await expect(matrix.getByTestId('class-accuracy')).toHaveCount(10);
  // the matrix's counts add up to the test set, and its diagonal is the test accuracy the stats report
  const cells = await matrix.getByTestId('confusion-row').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td.cell')).map((td) => Number(td.textContent))));
  const total = cells.flat().reduce((a, b) => a + b, 0);
  const right = cells.reduce((a, row, i) => a + row[i]!, 0);
  expect(total).toBe(180);
  expect(right / total).toBeCloseTo(await statValue(page, 'final-test-accuracy'), 12);
  expect(right / total).toBeGreaterThan(0.6);
  // every wrong test image as a thumbnail, with its true and predicted digit
  const wrong = total - right;
  expect(wrong).toBeGreaterThan(0);
  await expect(page.getByTestId('digits-misclassified')).toHaveAttribute('data-wrong', String(wrong));
  await expect(page.getByTestId('digit-thumb')).toHaveCount(Math.min(wrong, 60));
  const caption = await page.getByTestId('digit-thumb').first().locator('figcaption').textContent();
  const [t, p] = (caption ?? '').split('→').map(Number);
  expect(t).not.toBe(p);
  expect(cells[t!]![p!]).toBeGreaterThan(0);
  // ten classes in the legend; the boundary is drawn in the train set's first two principal components
  await expect(page.getByTestId('class-legend').locator('span')).toHaveCount(11);
  await expect(page.getByTestId('boundary')).toHaveAttribute('data-plane', 'pca');
  await expect(page.getByTestId('plane-note')).toContainText('PC1 × PC2');
  await page.getByTestId('train-view').evaluate((el) => el.scrollIntoView());
  await shoot(page, 'digits');
  await page.getByTestId('confusion-matrix').scrollIntoViewIfNeeded();
  await shoot(page, 'digits-matrix');

  // the stored run, opened after a reload (no live worker): its final weights give the same matrix and images
  await page.reload();
  await page.getByTestId('tab-runs').click();
  await page.getByTestId('run-name-cell').filter({ hasText: /^digits 20 epochs$/ }).click();
  await expect(page.getByTestId('train-view')).toBeVisible();
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-samples', '180');
  const stored = await page.getByTestId('confusion-row').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td.cell')).map((td) => Number(td.textContent))));
  expect(stored).toEqual(cells);
  await expect(page.getByTestId('digit-thumb')).toHaveCount(Math.min(wrong, 60));
  expect(problems).toEqual([]);
});

test('iris: the boundary shows the plane of two chosen features, the others at their train means', async ({ page }) => {
  await openApp(page, sharedServer().url);
  await page.getByTestId('dataset').selectOption('iris');
  await expect(page.getByTestId('data-counts')).toHaveText('135 train · 15 test');
  await expect(page.getByTestId('neurons-5')).toHaveValue('3');
  await setField(page, 'epochs', '50');
  await page.getByTestId('optimizer').selectOption('adam');
  expect(await train(page)).toBe('Finished');
  const boundary = page.getByTestId('boundary');
  await expect(boundary).toHaveAttribute('data-plane', 'pca');
  await expect(page.getByTestId('plane-note')).toContainText('% of the variance');
  await page.getByTestId('plane-kind').getByRole('radio', { name: 'Features' }).click();
  await expect(boundary).toHaveAttribute('data-plane', 'features');
  await expect(boundary).toHaveAttribute('data-has-grid', 'yes');
  await page.getByTestId('plane-feature-1').selectOption({ label: 'petal length (cm)' });
  await page.getByTestId('plane-feature-2').selectOption({ label: 'petal width (cm)' });
  await expect(page.getByTestId('plane-note')).toHaveText('petal length (cm) × petal width (cm); the other 2 features at their train means');
  await shoot(page, 'iris-plane');
});

test('regression: plane trains a linear output; R² in the stats and the curves, a prediction heatmap and predicted vs true', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, sharedServer().url);
  await page.getByTestId('dataset').selectOption('plane');
  await expect(page.getByTestId('activation-5')).toHaveValue('linear');
  await setField(page, 'epochs', '100');
  await page.getByTestId('optimizer').selectOption('adam');
  await setField(page, 'learning-rate', '0.01');
  expect(await train(page)).toBe('Finished');
  await expect(page.getByTestId('accuracy-title')).toHaveText('R²');
  await expect(page.getByTestId('stats')).toContainText('Test R²');
  await expect(page.getByTestId('stats')).not.toContainText('accuracy');
  expect(await statValue(page, 'final-test-accuracy')).toBeGreaterThan(0.9);
  await expect(page.getByTestId('boundary')).toHaveAttribute('data-regression', 'yes');
  await expect(page.getByTestId('boundary')).toHaveAttribute('data-has-grid', 'yes');
  await expect(page.getByTestId('value-legend')).toBeVisible();
  // the test set's 100 samples, predicted by the final weights
  await expect(page.getByTestId('pred-vs-true')).toHaveAttribute('data-points', '100');
  await expect(page.getByTestId('confusion-matrix')).toHaveCount(0);
  await shoot(page, 'regression');
  await page.getByTestId('pred-vs-true').scrollIntoViewIfNeeded();
  await shoot(page, 'regression-scatter');
  expect(problems).toEqual([]);
});

test('a run still at chance whose cost is still falling (the seed experiment, 300 epochs) is told to train longer, not that it collapsed', async ({ page }) => {
  await openApp(page, sharedServer().url);
  await setField(page, 'epochs', '300');
  await page.getByTestId('backend-choice').selectOption('cpu');
  expect(await train(page)).toBe('Finished');
  await expect(page.getByTestId('chance-hint')).toContainText('accuracy still at chance level after 300 epochs, but the cost is still falling: train longer', { ignoreCase: true });
  await expect(page.getByTestId('chance-hint')).not.toContainText('collapsed');
  await expect(page.getByTestId('run-status')).not.toHaveClass(/collapsed/);
  await shoot(page, 'still-learning');
});

test('a run at learning rate 5 that collapses to chance accuracy does not finish green: it says why', async ({ page }) => {
  await openApp(page, sharedServer().url);
  await setField(page, 'epochs', '300');
  await setField(page, 'learning-rate', '5');
  await page.getByTestId('backend-choice').selectOption('cpu');
  expect(await train(page)).toBe('Finished');
  await expect(page.getByTestId('chance-hint')).toContainText('accuracy at chance level: the network collapsed; try a smaller learning rate', { ignoreCase: true });
  await expect(page.getByTestId('run-status')).toHaveClass(/collapsed/);
  // the backend's reason, clamped to two lines in its stat, reads whole on demand
  const reason = ((await page.getByTestId('backend-reason').textContent()) ?? '').replace(/^float\d+ · /, '');
  expect(reason.length).toBeGreaterThan(10);
  await page.getByTestId('backend-why').click();
  await expect(page.getByTestId('backend-reason-full')).toContainText(reason);
  await shoot(page, 'collapsed');
});

test('at 1280×800 "Import weights…" is in view without scrolling the design panel, and the training labels are whole', async ({ page }) => {
  await openApp(page, sharedServer().url);
  const button = page.getByTestId('import-weights');
  await expect(button).toBeInViewport();
  expect(await page.getByTestId('design-panel').evaluate((el) => el.scrollTop)).toBe(0);
  // no row label in the design panel is cut off (its text wider than its box)
  const cut = await page.getByTestId('design-panel').locator('.row-label').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
  expect(cut).toEqual([]);
  await shoot(page, 'design');
});
