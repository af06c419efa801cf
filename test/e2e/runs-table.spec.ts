// The Runs table in one browser session against its own `backprop-lab serve` on a temporary database: two runs
// trained with the same settings and no name are "moons · lr 0.01 · sgd" and "… #2" (the store's rule); a chosen
// column (the architecture as 2-4-1, the batch size) is shown and remembered across a reload; grouping by tag folds
// and counts; the detail pane shows the whole configuration and small curves, and at 1280×800 — with every column
// shown — the row actions and the pane's own stay in view, in the light and the dark theme. Tiny runs (a 2-4-1
// network, 30 epochs), every wait on progress. Screenshots go to test-results/screens/.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { setField, waitForEnd } from './support/app';
import { screenPath } from './support/server';
import { useAppSession, TINY_NET } from './support/session';

test.describe.configure({ mode: 'serial' });

const PORT = Number(process.env['E2E_RUNS_TABLE_PORT'] ?? 0); // 0: any free port
const EPOCHS = 30;
const AUTO = 'moons · lr 0.01 · sgd';
let page: Page;
let problems: string[];

const TINY = TINY_NET;

const app = useAppSession(PORT);
test.beforeAll(() => ({ page, problems } = app));

test.afterEach(() => {
  expect(problems, 'console errors or failed requests').toEqual([]);
});

const rows = () => page.getByTestId('run-row');
const rowNamed = (name: string) => rows().filter({ has: page.getByTestId('run-name-cell').getByText(name, { exact: true }) });

/** Every element fully inside the window (not scrolled away inside the table, not below the fold). */
async function expectInView(locators: Locator[]): Promise<void> {
  for (const l of locators) await expect(l).toBeInViewport({ ratio: 1 });
}

test('two runs with the same settings and no name typed are named "… " and "… #2" by the store', async () => {
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(TINY);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await setField(page, 'epochs', String(EPOCHS));
  await setField(page, 'samples', '200');
  // the name field stays empty: its placeholder is the automatic name
  await expect(page.getByTestId('run-name')).toHaveValue('');
  await expect(page.getByTestId('run-name')).toHaveAttribute('placeholder', AUTO);
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('run-title')).toHaveText(AUTO); // the name the store gave it
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(1);
  await expect(rows().getByTestId('run-name-cell')).toHaveText(AUTO);

  await page.getByTestId('tab-train').click();
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-title')).toHaveText(`${AUTO} #2`);
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(2);
  await expect(rows().and(page.locator('[data-status="finished"]'))).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('run-name-cell')).toHaveText([`${AUTO} #2`, AUTO]); // newest first
});

test('a chosen column shows the setting (the architecture as 2-4-1, the batch size) and is remembered', async () => {
  await expect(rows().first().getByTestId('run-architecture')).toHaveText('2-4-1');
  await expect(page.getByTestId('sort-batchSize')).toHaveCount(0);
  await page.getByTestId('columns-menu').click();
  await page.getByTestId('column-batchSize').check();
  await page.getByTestId('column-createdAt').uncheck();
  await page.getByTestId('column-architecture').uncheck();
  await page.screenshot({ path: screenPath('runs-table-columns') });
  await page.getByTestId('columns-menu').click(); // closes it
  await expect(page.getByTestId('column-picker')).toHaveCount(0);
  await expect(page.getByTestId('sort-batchSize')).toHaveText('Batch size');
  await expect(rows().first().getByTestId('run-batchSize')).toHaveText('full batch');
  await expect(page.getByTestId('sort-createdAt')).toHaveCount(0);
  await expect(page.getByTestId('run-architecture')).toHaveCount(0);

  await page.reload();
  await expect(page.getByTestId('design-panel')).toBeVisible();
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(2);
  await expect(page.getByTestId('sort-batchSize')).toBeVisible();
  await expect(page.getByTestId('sort-createdAt')).toHaveCount(0);

  await page.getByTestId('columns-menu').click();
  await page.getByTestId('column-architecture').check();
  await page.getByTestId('columns-menu').click();
  await expect(rows().first().getByTestId('run-architecture')).toHaveText('2-4-1');
  // sorting by a setting column: the learning rate is the same, so the name decides nothing; sort by name
  await page.getByTestId('sort-name').click();
  await expect(page.getByTestId('run-name-cell')).toHaveText([AUTO, `${AUTO} #2`]);
});

test('group by tag: a header per tag with its count, folding and unfolding its runs', async () => {
  const tag = async (name: string, tags: string) => {
    await rowNamed(name).getByTestId('edit-tags').click();
    await page.getByTestId('tags-input').fill(tags);
    await page.getByTestId('tags-input').press('Enter');
  };
  await tag(AUTO, 'baseline');
  await expect(rowNamed(AUTO).locator('.tag')).toHaveText(['baseline']);
  await tag(`${AUTO} #2`, 'baseline, repeat');
  await expect(rowNamed(`${AUTO} #2`).locator('.tag')).toHaveText(['baseline', 'repeat']);

  await page.getByTestId('runs-group-by').selectOption('tag');
  const groups = page.getByTestId('run-group');
  await expect(groups).toHaveCount(2);
  await expect(groups.first()).toHaveAttribute('data-group', 'baseline');
  await expect(groups.first().getByTestId('group-count')).toHaveText('2');
  await expect(groups.nth(1)).toHaveAttribute('data-group', 'repeat');
  await expect(groups.nth(1).getByTestId('group-count')).toHaveText('1');
  await expect(rows()).toHaveCount(3); // the run with two tags is in both groups

  await groups.first().getByTestId('group-toggle').click();
  await expect(groups.first().getByTestId('group-toggle')).toHaveAttribute('aria-expanded', 'false');
  await expect(rows()).toHaveCount(1);
  await page.screenshot({ path: screenPath('runs-table-grouped') });
  await groups.first().getByTestId('group-toggle').click();
  await expect(rows()).toHaveCount(3);

  await page.getByTestId('runs-group-by').selectOption('none');
  await expect(groups).toHaveCount(0);
  await expect(rows()).toHaveCount(2);
});

test('the detail pane: whole configuration, small curves, and every action in view at 1280×800 in both themes', async () => {
  // the widest table there is: every column
  await page.getByTestId('columns-menu').click();
  await page.getByTestId('columns-all').click();
  await page.getByTestId('columns-menu').click();
  const row = rowNamed(AUTO);
  await row.getByTestId('details').click();
  const pane = page.getByTestId('run-detail');
  await expect(pane).toBeVisible();
  await expect(pane.getByTestId('detail-name')).toHaveText(AUTO);

  // the configuration in words: the architecture as one row, nothing that means nothing for SGD
  const config = pane.getByTestId('detail-config');
  await expect(config.locator('[data-key="architecture"] dd')).toHaveText('2-4-1 (tanh, sigmoid)');
  await expect(config.locator('[data-key="learningRate"] dd')).toHaveText('0.01');
  await expect(config.locator('[data-key="optimizer"] dd')).toHaveText('sgd');
  await expect(config.locator('[data-key="epochs"] dd')).toHaveText(String(EPOCHS));
  await expect(config.locator('[data-key="samples"] dd')).toHaveText('200');
  await expect(config.locator('[data-key="momentum"]')).toHaveCount(0);
  await expect(config.locator('[data-key="beta1"]')).toHaveCount(0);
  await expect(config.locator('[data-key="factor"]')).toHaveCount(0);
  // its curves: one point per epoch trained
  await expect(pane.getByTestId('detail-cost-chart')).toHaveAttribute('data-points', String(EPOCHS));
  await expect(pane.getByTestId('detail-accuracy-chart')).toHaveAttribute('data-points', String(EPOCHS));

  const actions = () => [
    row.getByTestId('rename'),
    row.getByTestId('edit-tags'),
    row.getByTestId('details'),
    row.getByTestId('row-export'),
    row.getByTestId('delete'),
    row.getByTestId('run-select'),
    row.getByTestId('run-name-cell'),
    pane.getByTestId('detail-open'),
    pane.getByTestId('detail-select'),
    pane.getByTestId('detail-rename'),
    pane.getByTestId('detail-tags'),
    pane.getByTestId('detail-export'),
    pane.getByTestId('detail-delete'),
    pane.getByTestId('detail-close'),
    page.getByTestId('compare-selected'),
  ];
  const theme = async () => page.evaluate(() => document.documentElement.dataset['theme']);
  const first = await theme();
  for (let i = 0; i < 2; i++) {
    await expectInView(actions());
    await page.screenshot({ path: screenPath(`runs-table-detail-${await theme()}`) });
    // scrolled down the pane to the notes, its actions stay at the top in view
    await pane.getByTestId('run-note').scrollIntoViewIfNeeded();
    await expectInView(actions());
    await expect(pane.getByTestId('run-note')).toBeInViewport({ ratio: 1 });
    // the table scrolled sideways to its last column: the checkbox, the name and the actions stay at its edges
    const wrap = page.getByTestId('runs-table').locator('xpath=..');
    await wrap.evaluate((el) => el.scrollTo(el.scrollWidth, 0));
    await expect.poll(() => wrap.evaluate((el) => el.scrollLeft)).toBeGreaterThan(1000); // every column: far wider than the window
    await expect(row.getByTestId('run-created-at')).toBeInViewport({ ratio: 1 });
    await expectInView(actions());
    await page.screenshot({ path: screenPath(`runs-table-scrolled-${await theme()}`) });
    await wrap.evaluate((el) => el.scrollTo(0, 0));
    await pane.evaluate((el) => el.scrollTo(0, 0));
    const before = await theme();
    await page.getByTestId('theme-toggle').click();
    await expect.poll(theme).not.toBe(before);
  }
  expect(await theme()).toBe(first); // both themes seen, and back to the first
});

test('the pane renames, tags and picks the run for Compare; Open shows it in Train', async () => {
  const pane = page.getByTestId('run-detail');
  await pane.getByTestId('detail-rename').click();
  await pane.getByTestId('detail-rename-input').fill('first tiny run');
  await pane.getByTestId('detail-rename-input').press('Enter');
  await expect(pane.getByTestId('detail-name')).toHaveText('first tiny run');
  await expect(rowNamed('first tiny run')).toHaveCount(1);

  await pane.getByTestId('detail-tags').click();
  await pane.getByTestId('detail-tags-input').fill('baseline, kept');
  await pane.getByTestId('detail-tags-input').press('Enter');
  await expect(rowNamed('first tiny run').locator('.tag')).toHaveText(['baseline', 'kept']);

  await pane.getByTestId('detail-select').check();
  await expect(rowNamed('first tiny run').getByTestId('run-select')).toBeChecked();
  await rowNamed(`${AUTO} #2`).getByTestId('run-select').check();
  await expect(page.getByTestId('compare-selected')).toBeEnabled();

  await pane.getByTestId('detail-open').click();
  await expect(page.getByTestId('stored-run')).toContainText('first tiny run');
  await expect(page.getByTestId('learning-rate')).toHaveValue('0.01');
});

test('group by sweep: a sweep’s trials under its name, with the Sweep column naming it; the other runs last', async () => {
  // the design is the opened run's: a 2-4-1 network, 30 epochs; a sweep of two learning rates
  await page.getByTestId('tab-sweeps').click();
  await expect(page.getByTestId('sweep-builder')).toContainText('2-4-1');
  await page.getByTestId('values-lr').fill('0.05, 0.2');
  await expect(page.getByTestId('sweep-count')).toHaveText('2 trials');
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-progress')).toContainText('2 / 2 done', { timeout: 120_000 });

  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(4);
  await page.getByTestId('runs-group-by').selectOption('sweep');
  const groups = page.getByTestId('run-group');
  await expect(groups).toHaveCount(2);
  await expect(groups.first().getByTestId('group-count')).toHaveText('2');
  await expect(groups.last()).toHaveAttribute('data-group', 'not in a sweep');
  await expect(groups.last().getByTestId('group-count')).toHaveText('2');
  const sweepName = (await groups.first().getAttribute('data-group')) ?? '';
  expect(sweepName).not.toBe('');
  await expect(groups.first().getByTestId('run-sweep')).toHaveText([sweepName, sweepName]);
  await expect(groups.last().getByTestId('run-sweep')).toHaveText(['—', '—']);
  await page.screenshot({ path: screenPath('runs-table-by-sweep') });
  await page.getByTestId('runs-group-by').selectOption('none');
});
