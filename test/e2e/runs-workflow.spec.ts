// Picking a run up again, in one browser session against its own `backprop-lab serve` on a temporary database:
// opening a stored run fills the Design panel with its settings; Clone & edit trains a new run that records its
// parent; an invalid field blocks Train with a message naming the field and its range and records nothing;
// Continue training picks the epoch counter up where the run stopped. Tiny runs (a 2-4-1 network, ≤ 300 epochs),
// every wait on progress. Screenshots (light and dark) go to test-results/screens/.
import { expect, test, type Page } from '@playwright/test';
import { setField, statValue, waitForEnd } from './support/app';
import { screenPath } from './support/server';
import { useAppSession, TINY_NET } from './support/session';

test.describe.configure({ mode: 'serial' });

const PORT = Number(process.env['E2E_RUNS_WORKFLOW_PORT'] ?? 4339);
let page: Page;
let problems: string[];

const TINY = TINY_NET;

const app = useAppSession(PORT);
test.beforeAll(() => ({ page, problems } = app));

const rows = () => page.getByTestId('run-row');

/** Opens the stored run named `name` from the Runs table (back on the Train page). */
async function openFromRuns(name: string): Promise<void> {
  await page.getByTestId('tab-runs').click();
  await page.getByTestId('run-name-cell').filter({ hasText: new RegExp(`^${name}$`) }).click();
  await expect(page.getByTestId('train-view')).toBeVisible();
  await expect(page.getByTestId('stored-run')).toContainText(name);
}

test('opening a stored run shows its whole configuration in the Design panel', async () => {
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(TINY);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await expect(page.getByTestId('total-params')).toHaveText('17');
  await page.getByTestId('optimizer').selectOption('adam');
  await setField(page, 'learning-rate', '0.005');
  await setField(page, 'epochs', '200');
  await setField(page, 'samples', '200');
  await setField(page, 'run-name', 'adam parent');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 200 / 200');

  // the panel moves on to other settings …
  await page.getByTestId('optimizer').selectOption('sgd');
  await setField(page, 'learning-rate', '0.01');
  await setField(page, 'epochs', '150');
  await setField(page, 'neurons-1', '6');
  await setField(page, 'samples', '300');

  // … and opening the stored run brings its own back, every field
  await openFromRuns('adam parent');
  await expect(page.getByTestId('optimizer')).toHaveValue('adam');
  await expect(page.getByTestId('learning-rate')).toHaveValue('0.005');
  await expect(page.getByTestId('epochs')).toHaveValue('200');
  await expect(page.getByTestId('neurons-1')).toHaveValue('4');
  await expect(page.getByTestId('samples')).toHaveValue('200');
  await expect(page.getByTestId('total-params')).toHaveText('17');
  await expect(page.getByTestId('beta1')).toHaveValue('0.9');
  await page.screenshot({ path: screenPath('runs-workflow-opened') });
});

test('Clone & edit: lr 0.05 trains a new run that records its parent', async () => {
  await page.getByTestId('clone-run').click();
  await expect(page.getByTestId('stored-run')).toContainText('cloned from adam parent');
  await setField(page, 'learning-rate', '0.05');
  await setField(page, 'run-name', 'adam clone');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(2);

  await openFromRuns('adam clone');
  await expect(page.getByTestId('run-lineage')).toHaveText('It was cloned from adam parent.');
  await expect(page.getByTestId('learning-rate')).toHaveValue('0.05');
  await expect(page.getByTestId('optimizer')).toHaveValue('adam');
});

test('an invalid field blocks Train with a message naming the field and its range, and records nothing', async () => {
  const before = await page.getByTestId('epoch-counter').textContent();
  const cases: Array<[string, string, string]> = [
    ['learning-rate', '-1', 'Learning rate must be a number > 0'],
    ['epochs', 'abc', 'Epochs must be an integer from 0 to 100,000,000'],
    ['neurons-1', '0', 'Layer 1 neurons must be an integer from 1 to 4,096'],
  ];
  for (const [field, value, message] of cases) {
    await setField(page, field, value);
    await expect(page.getByTestId(field)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('design-errors')).toContainText(message);
    await page.getByTestId('play').click();
    await expect(page.getByTestId('toast-error').last()).toContainText(`Cannot train: ${cases[0]![2]}`);
  }
  await page.screenshot({ path: screenPath('runs-workflow-invalid') });
  // nothing started: the shown run is still the finished clone, and the store still holds two runs
  await expect(page.getByTestId('run-status')).toHaveText('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText(before ?? '');
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(2);
  await page.getByTestId('tab-train').click();

  // fixed, the messages go and Train is allowed again
  await setField(page, 'learning-rate', '0.05');
  await setField(page, 'epochs', '200');
  await setField(page, 'neurons-1', '4');
  await expect(page.getByTestId('design-errors')).toHaveCount(0);
});

test('Continue training: N more epochs continue the epoch counter', async () => {
  await openFromRuns('adam parent');
  await setField(page, 'continue-epochs', '100');
  await page.getByTestId('continue-run').click();
  await expect(page.getByTestId('stored-run')).toHaveCount(0);
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 300 / 300');
  await page.getByTestId('tab-runs').click();
  await expect(rows()).toHaveCount(3);
  await openFromRuns('adam parent · continued');
  await expect(page.getByTestId('run-lineage')).toHaveText('It was continued from adam parent.');
});

test('Re-run: the same settings and seeds give the same final cost, recorded as a re-run', async () => {
  await openFromRuns('adam parent');
  const cost = await statValue(page, 'final-cost');
  await page.getByTestId('rerun-run').click();
  await expect(page.getByTestId('stored-run')).toHaveCount(0); // the new run is shown, not the stored one
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 200 / 200');
  expect(await statValue(page, 'final-cost')).toBe(cost);
  await openFromRuns('adam parent · re-run');
  await expect(page.getByTestId('run-lineage')).toHaveText('It was a re-run of adam parent.');
});

test('training controls: a cosine schedule with warm-up and early stopping train, and the panel keeps them', async () => {
  await page.getByTestId('lr-schedule').selectOption('cosine');
  await setField(page, 'lr-min', '0.001');
  await setField(page, 'warmup', '20');
  await setField(page, 'early-stop', '15');
  await page.getByTestId('early-stop-metric').selectOption('cost');
  await setField(page, 'min-delta', '0.01'); // the train cost soon improves by less than 0.01 in 15 epochs
  await setField(page, 'epochs', '300');
  await setField(page, 'run-name', 'cosine early stop');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('stored-run')).toHaveCount(0);
  expect(await waitForEnd(page)).toBe('Finished');
  // it stopped early, and the curves mark the best epoch (the weights it kept)
  await expect(page.getByTestId('cost-chart')).toHaveAttribute('data-best-epoch', /^\d+$/);
  await expect(page.getByTestId('epoch-counter')).not.toHaveText('epoch 300 / 300');
  await page.screenshot({ path: screenPath('runs-workflow-schedule') });
  await openFromRuns('cosine early stop');
  await expect(page.getByTestId('lr-schedule')).toHaveValue('cosine');
  await expect(page.getByTestId('lr-min')).toHaveValue('0.001');
  await expect(page.getByTestId('warmup')).toHaveValue('20');
  await expect(page.getByTestId('early-stop')).toHaveValue('15');
  await expect(page.getByTestId('early-stop-metric')).toHaveValue('cost');
  await expect(page.getByTestId('min-delta')).toHaveValue('0.01');
  await expect(page.getByTestId('cost-chart')).toHaveAttribute('data-best-epoch', /^\d+$/);
});

test('looks right in light and dark at 1280×800', async () => {
  await openFromRuns('adam clone');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: screenPath('runs-workflow-light') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: screenPath('runs-workflow-dark') });
  // a run in progress (one step, then paused): the panel says that edits apply to the next run
  await page.getByTestId('step').click();
  await expect(page.getByTestId('run-status')).toHaveText('Paused');
  await expect(page.getByTestId('next-run-note')).toContainText('Changes here apply to the next run.');
  await page.screenshot({ path: screenPath('runs-workflow-training-dark') });
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('next-run-note')).toHaveCount(0);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(problems).toEqual([]);
});
