// The network diagram's per-neuron heatmaps against global setup's `backprop-lab serve`: a small run draws a map
// for every input and unit (non-uniform pixels on the canvas), hovering a neuron enlarges its map and lists its
// incoming weights (the stored final weights) and bias, a click pins it, and a stored run opened again has its maps
// too; a 2-64-64-1 network folds its wide layers
// into pages and draws only the strongest edges; the canvas (and the curves) draw only while on screen. Tiny runs, waits on progress.
// Screenshots at 1280×800 in both themes go to test-results/screens/diagram-*.png.
import { expect, test, type Page } from '@playwright/test';
import { listRuns, openStore } from '../../electron/store/index';
import { fmtVal } from '../../renderer/src/lib/format';
import { openApp, setField, waitForEnd, watchProblems } from './support/app';
import { screenPath, sharedServer } from './support/server';

async function design(page: Page, architecture: string, epochs: number, name: string): Promise<void> {
  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  await page.getByTestId('architecture-json').fill(architecture);
  await expect(page.getByTestId('architecture-error')).toHaveCount(0);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await setField(page, 'epochs', String(epochs));
  await setField(page, 'run-name', name);
}

/** Distinct colours in the canvas pixels under an element laid over it (a neuron's tile). */
async function coloursUnder(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => {
    const hit = document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="network-diagram"]')!;
    const k = canvas.width / canvas.clientWidth;
    const px = canvas.getContext('2d')!.getImageData(Math.round((hit.offsetLeft + 3) * k), Math.round((hit.offsetTop + 3) * k), Math.round((hit.offsetWidth - 6) * k), Math.round((hit.offsetHeight - 6) * k)).data;
    const seen = new Set<number>();
    for (let i = 0; i < px.length; i += 4) seen.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
    return seen.size;
  }, testId);
}

/** The canvas pixel (r, g, b) at a fraction (fx, fy) across a tile, from its top-left corner. */
async function pixelIn(page: Page, testId: string, fx: number, fy: number): Promise<number[]> {
  return page.evaluate(
    ([id, fx, fy]) => {
      const hit = document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="network-diagram"]')!;
      const k = canvas.width / canvas.clientWidth;
      const x = Math.round((hit.offsetLeft + (fx as number) * hit.offsetWidth) * k), y = Math.round((hit.offsetTop + (fy as number) * hit.offsetHeight) * k);
      return Array.from(canvas.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3));
    },
    [testId, fx, fy] as const,
  );
}

/** Distinct colours of the popover's enlarged map. */
const popoverColours = (page: Page) =>
  page.getByTestId('neuron-map').evaluate((c: HTMLCanvasElement) => {
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < px.length; i += 4) seen.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
    return seen.size;
  });

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('data-theme')) !== theme; i++) await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

test('a small run draws a heatmap per neuron; hovering one enlarges it with its incoming weights and bias; a click pins it', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, sharedServer().url);
  // before any run: the seed network's columns (2-25-50-50-25-1) folded, tiles without maps, no weights
  await page.getByTestId('network-diagram').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('network-diagram')).toHaveAttribute('data-weighted', 'no');
  await expect(page.getByTestId('fold-2')).toHaveAttribute('data-hidden', '44');
  await expect(page.getByTestId('fold-2')).toContainText('+44'); // six columns: the short form
  await page.screenshot({ path: screenPath('diagram-idle-light') });
  await design(
    page,
    `[{"input_dim": 2, "output_dim": 5, "activation": "tanh"}, {"input_dim": 5, "output_dim": 3, "activation": "relu"}, {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"}]`,
    150,
    'diagram maps',
  );
  await page.getByTestId('optimizer').selectOption('adam');
  await page.getByTestId('play').click();
  const diagram = page.getByTestId('network-diagram');
  await diagram.scrollIntoViewIfNeeded();
  await expect(diagram).toHaveAttribute('data-maps', 'yes');
  expect(await waitForEnd(page)).toBe('Finished');
  await diagram.scrollIntoViewIfNeeded();

  // every input and unit has a tile; a trained tanh unit and an input vary over the plane
  for (const [c, n] of [[0, 2], [1, 5], [2, 3], [3, 1]] as const) for (let u = 0; u < n; u++) await expect(page.getByTestId(`neuron-${c}-${u}`)).toBeVisible();
  await expect.poll(() => coloursUnder(page, 'neuron-1-0')).toBeGreaterThan(20);
  expect(await coloursUnder(page, 'neuron-0-0')).toBeGreaterThan(10);
  // the inputs' maps as the boundary is drawn: x1 grows to the right, x2 upwards (blue high, red low)
  const blue = ([r, , b]: number[]) => b! > r!;
  expect(blue(await pixelIn(page, 'neuron-0-0', 0.85, 0.5))).toBe(true);
  expect(blue(await pixelIn(page, 'neuron-0-0', 0.15, 0.5))).toBe(false);
  expect(blue(await pixelIn(page, 'neuron-0-1', 0.5, 0.15))).toBe(true);
  expect(blue(await pixelIn(page, 'neuron-0-1', 0.5, 0.85))).toBe(false);
  expect(await coloursUnder(page, 'neuron-3-0')).toBeGreaterThan(10);
  await expect(page.getByTestId('edges-thinned')).toHaveCount(0); // 10 + 15 + 3 edges: all drawn
  await expect(diagram).toHaveAttribute('data-edges', '28');

  // hover: the enlarged map, the bias and the incoming weights of layer 2's second unit, from the stored weights
  const store = openStore({ path: sharedServer().db, readonly: true });
  let W2: number[], b2: number[];
  try {
    const [run] = listRuns(store, { name: 'diagram maps' });
    const params = store.getWeights(run!.id)!;
    W2 = Array.from(params.find((p) => p.name === 'W2')!.data);
    b2 = Array.from(params.find((p) => p.name === 'b2')!.data);
  } finally {
    store.close();
  }
  await page.getByTestId('neuron-2-1').hover();
  const pop = page.getByTestId('neuron-popover');
  await expect(pop).toBeVisible();
  await expect(pop).toContainText('Layer 2 · unit 2');
  await expect(pop).toContainText('relu');
  const rows = pop.getByTestId('neuron-weight');
  await expect(rows).toHaveCount(5);
  await expect(rows.locator('.neuron-w-from')).toHaveText(['L1·1', 'L1·2', 'L1·3', 'L1·4', 'L1·5']);
  const shown = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  expect(shown).toEqual(W2.slice(5, 10)); // row 2 of W2 (3 × 5)
  await expect(pop.getByTestId('neuron-bias')).toHaveText(fmtVal(b2[1]!));
  await page.screenshot({ path: screenPath('diagram-hover-light') });

  // an input: its map and name, no weights
  await page.getByTestId('neuron-0-1').hover();
  await expect(pop).toContainText('Input x2');
  await expect(pop.getByTestId('neuron-weight')).toHaveCount(0);
  expect(await popoverColours(page)).toBeGreaterThan(10);

  // click pins: the popover stays when the pointer leaves, Escape closes it
  await page.getByTestId('neuron-1-0').click();
  await page.mouse.move(5, 5);
  await expect(pop).toBeVisible();
  await expect(pop).toContainText('Layer 1 · unit 1');
  await expect(pop.getByTestId('neuron-weight').locator('.neuron-w-from')).toHaveText(['x1', 'x2']);
  expect(await popoverColours(page)).toBeGreaterThan(20);
  await setTheme(page, 'dark');
  await page.screenshot({ path: screenPath('diagram-pinned-dark') });
  await page.keyboard.press('Escape');
  await expect(pop).toHaveCount(0);
  await setTheme(page, 'light');

  // the stored run, opened again from the Runs table: the page draws its maps from the final weights
  await page.getByTestId('reset').click();
  await expect(diagram).toHaveAttribute('data-maps', 'no');
  await page.getByTestId('tab-runs').click();
  await page.getByTestId('run-name-cell').filter({ hasText: /^diagram maps$/ }).click();
  await expect(page.getByTestId('stored-run')).toContainText('diagram maps');
  await diagram.scrollIntoViewIfNeeded();
  await expect(diagram).toHaveAttribute('data-maps', 'yes');
  await expect.poll(() => coloursUnder(page, 'neuron-1-0')).toBeGreaterThan(20);
  await page.getByTestId('neuron-2-1').hover();
  expect(await page.getByTestId('neuron-popover').getByTestId('neuron-weight').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))))).toEqual(W2.slice(5, 10));
  expect(problems).toEqual([]);
});

test('a 2-64-64-1 network folds its wide layers into pages and draws only the strongest edges; off screen it does not draw', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, sharedServer().url);
  await design(
    page,
    `[{"input_dim": 2, "output_dim": 64, "activation": "tanh"}, {"input_dim": 64, "output_dim": 64, "activation": "tanh"}, {"input_dim": 64, "output_dim": 1, "activation": "sigmoid"}]`,
    100000,
    'diagram wide',
  );
  await page.getByTestId('play').click();
  const diagram = page.getByTestId('network-diagram');
  await diagram.scrollIntoViewIfNeeded();
  await expect(diagram).toHaveAttribute('data-maps', 'yes');

  // 272 px hold 7 tiles: 6 units a page and the fold control
  for (const c of [1, 2]) {
    const fold = page.getByTestId(`fold-${c}`);
    await expect(fold).toContainText('… 58 more');
    await expect(fold).toHaveAttribute('data-start', '0');
    await expect(fold).toHaveAttribute('data-end', '6');
  }
  await expect(page.getByTestId('fold-0')).toHaveCount(0);
  await expect(page.getByTestId('neuron-1-6')).toHaveCount(0);
  await expect(page.getByTestId('edges-thinned')).toContainText('strongest 24 edges a layer by |w|');
  // 2·6 input edges, the strongest 24 of 6·6, and 6 into the output
  await expect(diagram).toHaveAttribute('data-edges', String(12 + 24 + 6));
  await expect.poll(() => coloursUnder(page, 'neuron-2-5')).toBeGreaterThan(10);

  // paging: the next six units, with their own maps; back from the first page wraps to the last (units 61–64)
  await page.getByTestId('fold-next-1').click();
  await expect(page.getByTestId('fold-1')).toHaveAttribute('data-start', '6');
  await expect(page.getByTestId('neuron-1-6')).toBeVisible();
  await expect(page.getByTestId('neuron-1-0')).toHaveCount(0);
  await expect.poll(() => coloursUnder(page, 'neuron-1-6')).toBeGreaterThan(10);
  await page.getByTestId('fold-prev-2').click();
  await expect(page.getByTestId('fold-2')).toHaveAttribute('data-start', '60');
  await expect(page.getByTestId('fold-2')).toContainText('… 60 more');
  await page.getByTestId('neuron-2-63').hover();
  await expect(page.getByTestId('neuron-popover')).toContainText('the strongest 12 of 64 by |w|');
  await expect(page.getByTestId('neuron-popover').getByTestId('neuron-weight')).toHaveCount(12);
  await page.screenshot({ path: screenPath('diagram-wide-light') });
  await setTheme(page, 'dark');
  await page.getByTestId('neuron-2-62').hover();
  await page.screenshot({ path: screenPath('diagram-wide-dark') });
  await setTheme(page, 'light');
  await page.mouse.move(5, 5);

  // Escape closes a pinned popover and only that: the run trains on (the page's Esc stops a run)
  const epoch = async () => Number(((await page.getByTestId('epoch-counter').textContent()) ?? '').replace(/[^\d/]/g, '').split('/')[0]);
  await page.getByTestId('neuron-2-62').click();
  await expect(page.getByTestId('neuron-popover')).toHaveAttribute('role', 'dialog');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('neuron-popover')).toHaveCount(0);
  const afterEsc = await epoch();
  await expect.poll(epoch).toBeGreaterThan(afterEsc + 50);
  await expect(page.getByTestId('run-status')).toHaveText('Training');

  // scrolled away (in a window too short to show both), the diagram does not draw while the run goes on; back on
  // screen it draws again
  await page.setViewportSize({ width: 1280, height: 420 });
  await page.getByTestId('play').scrollIntoViewIfNeeded();
  await expect(diagram).not.toBeInViewport();
  await expect(page.getByTestId('diagram')).toHaveAttribute('data-on-screen', 'no');
  const drawsBefore = Number(await diagram.getAttribute('data-draws'));
  const e0 = await epoch();
  await expect.poll(epoch).toBeGreaterThan(e0 + 200);
  expect(Number(await diagram.getAttribute('data-draws'))).toBe(drawsBefore);
  await diagram.scrollIntoViewIfNeeded();
  await expect.poll(async () => Number(await diagram.getAttribute('data-draws'))).toBeGreaterThan(drawsBefore);

  // the same for the curves: scrolled away they take no points (no chart.js update); back on screen they catch up
  const cost = page.getByTestId('cost-chart');
  await page.getByText('neuron: its output over the input plane').scrollIntoViewIfNeeded();
  await expect(cost).not.toBeInViewport();
  await expect(cost).toHaveAttribute('data-on-screen', 'no');
  const updatesBefore = Number(await cost.getAttribute('data-updates'));
  const e1 = await epoch();
  await expect.poll(epoch).toBeGreaterThan(e1 + 500);
  expect(Number(await cost.getAttribute('data-updates'))).toBe(updatesBefore);
  await cost.scrollIntoViewIfNeeded();
  await expect(cost).toHaveAttribute('data-on-screen', 'yes');
  await expect.poll(async () => Number(await cost.getAttribute('data-updates'))).toBeGreaterThan(updatesBefore);
  expect(Number(await cost.getAttribute('data-points'))).toBeGreaterThan(0);
  await page.keyboard.press('Escape'); // no popover pinned: the page's Esc stops the run
  expect(await waitForEnd(page)).toBe('Stopped');
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(problems).toEqual([]);
});
