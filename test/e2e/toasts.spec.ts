// Toasts at 1280×800: an error sits in the bottom-left corner, within the design panel's width, never over the
// curves, the decision boundary or the network diagram; the same message again does not stack a copy; × dismisses
// it, and it goes by itself. And while a run trains, its snapshots reach the page as binary WebSocket frames.
import { expect, test, type Page } from '@playwright/test';
import { openApp, setField, waitForEnd, watchProblems } from './support/app';
import { screenPath, sharedServer } from './support/server';

const box = async (page: Page, testId: string) => (await page.getByTestId(testId).first().boundingBox())!;
const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('an error toast stays clear of the charts and the diagram, does not stack copies, and can be dismissed', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const problems = watchProblems(page);
  await openApp(page, sharedServer().url);
  await setField(page, 'learning-rate', '-1');
  await page.getByTestId('play').click();
  const toast = page.getByTestId('toast-error');
  await expect(toast).toHaveCount(1);
  await expect(toast).toContainText('Cannot train: Learning rate must be a number > 0');
  const t = await box(page, 'toast-error');
  const panel = await box(page, 'design-panel');
  expect(t.x + t.width).toBeLessThanOrEqual(panel.x + panel.width);
  expect(t.y + t.height).toBeLessThanOrEqual(800);
  for (const id of ['cost-chart', 'accuracy-chart', 'boundary', 'network-diagram']) expect(overlaps(t, await box(page, id)), id).toBe(false);
  for (const theme of ['light', 'dark']) {
    if ((await page.evaluate(() => document.documentElement.dataset['theme'])) !== theme) await page.getByTestId('theme-toggle').click();
    await page.screenshot({ path: screenPath(`toast-${theme}`) });
  }

  // the same message again: still one toast; another message stacks above it
  await page.getByTestId('play').click();
  await expect(toast).toHaveCount(1);
  await setField(page, 'epochs', 'abc');
  await setField(page, 'learning-rate', '0.01');
  await page.getByTestId('play').click();
  await expect(toast).toHaveCount(2);
  const [first, second] = [(await toast.nth(0).boundingBox())!, (await toast.nth(1).boundingBox())!];
  expect(overlaps(first, second)).toBe(false);

  await toast.nth(1).getByTestId('toast-dismiss').click();
  await expect(toast).toHaveCount(1);
  // the other slid under the pointer, which holds it; once the pointer leaves it goes by itself (errors stay 6 s)
  await expect(toast).toHaveCount(1);
  await page.mouse.move(900, 60);
  await expect(toast).toHaveCount(0, { timeout: 20_000 });
  expect(problems).toEqual([]);
});

test('a training run’s snapshots arrive as binary frames and draw the boundary and the diagram', async ({ page }) => {
  const frames = { binary: 0, snapshotText: 0 };
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') frames.binary++;
      else if (payload.startsWith('{"event":"run.snapshot"')) frames.snapshotText++;
    }),
  );
  await openApp(page, sharedServer().url);
  await setField(page, 'epochs', '200');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('boundary')).toHaveAttribute('data-has-grid', 'yes');
  await expect(page.getByTestId('network-diagram')).toHaveAttribute('data-weighted', 'yes');
  expect(await waitForEnd(page)).toBe('Finished');
  expect(frames.binary).toBeGreaterThan(0);
  expect(frames.snapshotText).toBe(0);
});
