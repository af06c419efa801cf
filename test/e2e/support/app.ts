// Page helpers shared by the browser tests: open the dashboard, watch for console errors and CSP violations,
// set design fields, train and wait for the end.
import { expect, type ConsoleMessage, type Page } from '@playwright/test';

/** Collects console errors, uncaught page errors and failed requests for the whole test. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    else if (/Content[- ]Security[- ]Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // a download link's blob: URL revoked after the save is not a problem
    if (!r.url().startsWith('blob:')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  return problems;
}

/** Registered before any page script runs, so it sees violations from the very first parse. */
export async function watchCsp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
}
export const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/** Opens the dashboard and waits until it is connected to the host (the design panel is there). */
export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('design-panel')).toBeVisible();
}

/** Types a value into a design field (the field commits once the text parses). */
export async function setField(page: Page, testId: string, value: string): Promise<void> {
  const field = page.getByTestId(testId);
  await field.fill(value);
  await expect(field).toHaveValue(value);
}

/** Waits until the shown run has ended; returns its status text. */
export async function waitForEnd(page: Page, timeout = 150_000): Promise<string> {
  const status = page.getByTestId('run-status');
  await expect(status).toHaveText(/^(Finished|Failed|Stopped|Interrupted)$/, { timeout });
  return (await status.textContent()) ?? '';
}

/** A stat's full-precision value (data-value holds the float64 in shortest round-trip form). */
export async function statValue(page: Page, testId: string): Promise<number> {
  const v = await page.getByTestId(testId).getAttribute('data-value');
  return v === null || v === '' ? NaN : Number(v);
}
