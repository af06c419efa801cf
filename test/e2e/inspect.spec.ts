// Inspect, in one browser session against its own `backprop-lab serve` on a temporary database: a small tanh run
// trains; its weight distributions over time are drawn from its stored checkpoints, its gradients' from the live
// snapshots; the loss landscape is
// computed on demand and drawn with the training trajectory (its periodic checkpoints) over it; the forward cache's
// rows are each coloured on their own scale, so a tanh output of ±1 beside a large Z stays visible (the cells'
// computed colours are checked, in light and dark themes). A stored run reopened shows its distributions from the
// checkpoints. Screenshots at 1280×800 in both themes go to test-results/screens/.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { setField, waitForEnd } from './support/app';
import { screenPath } from './support/server';
import { useAppSession } from './support/session';

test.describe.configure({ mode: 'serial' });

// 0: any free port (helpers and CI may run other servers at once)
const PORT = Number(process.env['E2E_INSPECT_PORT'] ?? 0);
let page: Page;
let problems: string[];

// tanh layers: A = tanh(Z) is always narrower than Z, and lr 0.5 lets the weights (and Z) grow
const NET = `[
  {"input_dim": 2, "output_dim": 6, "activation": "tanh"},
  {"input_dim": 6, "output_dim": 4, "activation": "tanh"},
  {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"}
]`;
const EPOCHS = 200;

const app = useAppSession(PORT);
test.beforeAll(() => ({ page, problems } = app));

/** Switches the theme toggle until the page is in `want`. */
async function theme(want: 'light' | 'dark'): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if ((await page.evaluate(() => document.documentElement.dataset['theme'])) === want) return;
    await page.getByTestId('theme-toggle').click();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe(want);
}

/** The computed alpha of each cell of a forward-cache row (0 for a transparent one). */
async function cellAlphas(row: Locator): Promise<number[]> {
  return row.locator('.cell').evaluateAll((cells) =>
    cells.map((c) => {
      const bg = getComputedStyle(c).backgroundColor; // rgb(r, g, b) or rgba(r, g, b, a)
      const m = /rgba?\(([^)]+)\)/.exec(bg);
      const parts = m ? m[1]!.split(',').map((s) => Number(s.trim())) : [];
      return parts.length === 4 ? parts[3]! : parts.length === 3 ? 1 : 0;
    }),
  );
}

test('a trained run shows its weight and gradient distributions over time', async () => {
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(NET);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await setField(page, 'epochs', String(EPOCHS));
  await setField(page, 'samples', '200');
  await setField(page, 'learning-rate', '0.5');
  await setField(page, 'run-name', 'inspected');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');

  await page.getByTestId('tab-inspect').click();
  const charts = page.getByTestId('dist-chart');
  await expect(charts).toHaveCount(3);
  // the weights: the run's stored sets once it has ended — the start and 100 checkpoints (every 2nd of 200 epochs)
  for (const c of await charts.all()) await expect(c).toHaveAttribute('data-points', '101');
  await expect(page.getByTestId('distributions')).toContainText('101 stored weight sets');
  // the bands are drawn: the chart's canvas has coloured pixels beyond its axes
  const painted = await charts.first().locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n / (d.length / 4);
  });
  expect(painted).toBeGreaterThan(0.05);
  // gradients came with the snapshots
  await page.getByTestId('dist-kind').getByRole('radio', { name: 'Gradients dW' }).click();
  await expect(page.getByTestId('dist-kind').getByRole('radio', { name: 'Gradients dW' })).toHaveAttribute('aria-checked', 'true');
  await expect(charts).toHaveCount(3);
  // … from the live snapshots: at least the first and the last (the end sends one)
  await expect(page.getByTestId('distributions')).toContainText('snapshots of this run');
  for (const c of await charts.all()) expect(Number(await c.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  await expect(charts.first().locator('figcaption')).toHaveText('Layer 1');
});

test('forward-cache rows are each coloured on their own scale, visible in light and dark themes', async () => {
  const map = page.getByTestId('inspect-boundary');
  const box = (await map.boundingBox())!;
  await map.click({ position: { x: box.width * 0.25, y: box.height * 0.3 } });
  const caches = page.getByTestId('layer-cache');
  await expect(caches).toHaveCount(3);
  // the cache is the clicked point's (a click while another inspection is in flight is not dropped)
  const picked = [Number(await page.getByTestId('point-x1').inputValue()), Number(await page.getByTestId('point-x2').inputValue())];
  await expect
    .poll(async () => {
      const shown = await caches.first().getByTestId('strip-row').first().locator('.cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('title')!.split('= ')[1])));
      return shown.every((v, i) => Math.abs(v - picked[i]!) < 2e-3);
    })
    .toBe(true);
  for (const t of ['light', 'dark'] as const) {
    await theme(t);
    const rows = caches.first().getByTestId('strip-row');
    await expect(rows).toHaveCount(3); // A_prev, Z, A
    for (const row of await rows.all()) {
      const scale = Number(await row.getAttribute('data-scale'));
      const alphas = await cellAlphas(row);
      const values = await row.locator('.cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('title')!.split('= ')[1])));
      // the row's largest |value| is full colour, every non-zero value at least the floor, zeros transparent
      expect(Math.max(...alphas)).toBeGreaterThan(0.99);
      values.forEach((v, i) => {
        if (v === 0) expect(alphas[i]).toBe(0);
        else expect(alphas[i]!).toBeGreaterThanOrEqual(0.119);
        expect(Math.abs(v)).toBeLessThanOrEqual(scale * (1 + 1e-9) + 1e-3);
      });
      await expect(row.getByTestId('strip-scale')).toHaveText(/^±/);
    }
    // A = tanh(Z): its own scale is ≤ 1 and its strongest cell is full colour, whatever Z's scale
    const [, z, a] = await rows.all();
    expect(Number(await a!.getAttribute('data-scale'))).toBeLessThanOrEqual(1);
    expect(Number(await z!.getAttribute('data-scale'))).toBeGreaterThan(Number(await a!.getAttribute('data-scale')));
    const aAlphas = await cellAlphas(a!);
    expect(aAlphas.filter((x) => x > 0.5).length).toBeGreaterThan(0);
    await page.screenshot({ path: screenPath(`inspect-cache-${t}`) });
  }
  await theme('light');
});

test('the loss landscape is computed on demand and drawn with the training trajectory', async () => {
  const compute = page.getByTestId('landscape-compute');
  await expect(compute).toBeEnabled();
  await setField(page, 'landscape-grid', '15');
  await setField(page, 'landscape-span', '1.5');
  await compute.click();
  const mapCanvas = page.getByTestId('landscape-map');
  await expect(mapCanvas).toBeVisible({ timeout: 60_000 });
  await expect(mapCanvas).toHaveAttribute('data-grid', '15');
  // the starting weights and 100 checkpoints (every 2nd of 200 epochs)
  await expect(mapCanvas).toHaveAttribute('data-trajectory', '101');
  await expect(page.getByTestId('landscape-trajectory')).toContainText('from epoch 0 to 200');
  await expect(page.getByTestId('landscape-legend')).toBeVisible();
  // the heatmap is painted (many colours), and the trajectory's red is among them
  const colours = await mapCanvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    let red = 0;
    for (let i = 0; i < d.length; i += 4) {
      seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      if (d[i]! === 0xd6 && d[i + 1]! === 0x45 && d[i + 2]! === 0x3d) red++;
    }
    return { distinct: seen.size, red };
  });
  expect(colours.distinct).toBeGreaterThan(30);
  expect(colours.red).toBeGreaterThan(10);
  await mapCanvas.screenshot({ path: screenPath('inspect-landscape-map') });
  await page.getByTestId('landscape').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenPath('inspect-landscape-light') });
  await theme('dark');
  await page.screenshot({ path: screenPath('inspect-landscape-dark') });
  await page.getByTestId('distributions').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenPath('inspect-distributions-dark') });
  await theme('light');
  await page.getByTestId('distributions').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenPath('inspect-distributions-light') });
});

test('a stored run reopened shows its distributions from its checkpoints', async () => {
  await page.reload();
  await expect(page.getByTestId('design-panel')).toBeVisible();
  await page.getByTestId('tab-runs').click();
  await page.getByTestId('run-name-cell').filter({ hasText: /^inspected$/ }).click();
  await expect(page.getByTestId('stored-run')).toContainText('inspected');
  await page.getByTestId('tab-inspect').click();
  const charts = page.getByTestId('dist-chart');
  await expect(charts).toHaveCount(3);
  // the starting weights and 100 checkpoints, the last of them the final weights
  await expect(charts.first()).toHaveAttribute('data-points', '101');
  await expect(page.getByTestId('distributions')).toContainText('101 stored weight sets');
  await page.screenshot({ path: screenPath('inspect-stored') });
  expect(problems).toEqual([]);
});

test('while a run trains, its distributions grow from the snapshots and the landscape waits for its end', async () => {
  await page.getByTestId('tab-train').click();
  await setField(page, 'epochs', '1000000');
  // more samples, fewer epochs a second: the page is not flooded with curve points on a busy machine
  await setField(page, 'samples', '4000');
  await setField(page, 'run-name', 'long');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toHaveText('Training');
  await page.getByTestId('tab-inspect').click();
  const first = page.getByTestId('dist-chart').first();
  await expect(page.getByTestId('distributions')).toContainText('snapshots of this run');
  // the charts follow the snapshots as they come
  await expect.poll(async () => Number(await first.getAttribute('data-points'))).toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId('landscape-compute')).toBeDisabled();
  await expect(page.getByTestId('landscape')).toContainText('once this run has finished or been stopped');
  await page.getByTestId('distributions').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenPath('inspect-live') });
  await page.getByTestId('tab-train').click();
  await page.getByTestId('stop').click();
  expect(await waitForEnd(page)).toBe('Stopped');
  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('landscape-compute')).toBeEnabled();
  expect(problems).toEqual([]);
});
