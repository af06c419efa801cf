// The built renderer in headless Chromium: it loads cleanly under its CSP, shows the seed architecture,
// and trains 100 epochs in the page to numpy's numbers.
import { readFileSync } from 'node:fs';
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { SEED_ARCHITECTURE, layerParameterCount, parameterCount } from '../../engine/architecture';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), 'utf8'));
const grads0 = fixture('grads_epoch0.json') as { cost: number };
const history = fixture('cost_history.json') as { epochs: number[]; cost: number[] };

/** Collects console errors, uncaught page errors and CSP violations for the whole test. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    else if (/Content[- ]Security[- ]Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return problems;
}

/** Registered before any page script runs, so it sees violations from the very first parse. */
async function watchCsp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
}
const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('loads with no console errors and no CSP violations, under the strict CSP', async ({ page }) => {
  const problems = watchProblems(page);
  await watchCsp(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Backprop Lab', level: 1 })).toBeVisible();
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  // Only WebAssembly compilation is allowed beyond 'self' (the engine's SIMD kernels): no JS eval, no inline script.
  expect(csp).toBe("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
  // In a plain browser there is no preload bridge.
  await expect(page.getByTestId('host')).toHaveText('browser');
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('shows the seed architecture: 5 layers and their parameter counts, 5,226 in total', async ({ page }) => {
  await page.goto('/');
  const rows = page.getByTestId('layer-row');
  await expect(rows).toHaveCount(5);
  // Counted by hand as out·in + out per layer, independent of the engine's parameterCount.
  const expected = [2 * 25 + 25, 25 * 50 + 50, 50 * 50 + 50, 50 * 25 + 25, 25 * 1 + 1];
  expect(expected.reduce((a, b) => a + b)).toBe(5226);
  expect(SEED_ARCHITECTURE.map(layerParameterCount)).toEqual(expected);
  expect(parameterCount(SEED_ARCHITECTURE)).toBe(5226);
  await expect(page.getByTestId('layer-params')).toHaveText(expected.map((n) => n.toLocaleString('en-US')));
  await expect(rows.nth(0)).toContainText('relu');
  await expect(rows.nth(4)).toContainText('sigmoid');
  await expect(page.getByTestId('total-params')).toHaveText('5,226');
});

test("trains 100 epochs in the page and reproduces numpy's epoch-0 and epoch-100 costs to 1e-12", async ({ page }) => {
  const problems = watchProblems(page);
  await watchCsp(page);
  await page.goto('/');
  await page.getByTestId('train').click();
  // Whichever comes first: the results, or the page's report of a failed run (then fail with its text at once).
  await expect(page.getByTestId('results').or(page.getByTestId('train-error'))).toBeVisible({ timeout: 90_000 });
  expect(await page.getByTestId('train-error').allTextContents()).toEqual([]);

  const epoch0 = Number(await page.getByTestId('epoch0-cost').textContent());
  const final = Number(await page.getByTestId('final-cost').textContent());
  // cost_history.json records epochs 0, 100, …: cost[1] is the cost before update 100, i.e. after 100 updates,
  // which is the final cost of a 100-epoch run.
  expect(history.epochs[1]).toBe(100);
  expect(relErr(epoch0, grads0.cost)).toBeLessThan(1e-12);
  expect(relErr(final, history.cost[1])).toBeLessThan(1e-12);
  expect(final).toBeLessThan(epoch0);
  // The CSP lets the CPU backend use its WebAssembly kernels in the page (no silent fallback to plain JS).
  await expect(page.getByTestId('backend')).toHaveText('cpu · wasm-simd-f64');

  await page.screenshot({ path: 'test-results/page-after-training.png', fullPage: true });
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});
