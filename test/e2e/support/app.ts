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

const ENDED = /^(Finished|Failed|Stopped|Interrupted)$/;

/**
 * Waits until the shown run has ended and returns its status text. It waits as long as the run makes progress, so a
 * slow or loaded machine is not a failure: it fails only when the epoch counter has not moved for `stallMs` (a hung
 * run, a dead worker, a lost connection). Short runs keep the whole test short; the test's own timeout still caps it.
 */
export async function waitForEnd(page: Page, { stallMs = 60_000 }: { stallMs?: number } = {}): Promise<string> {
  const status = page.getByTestId('run-status');
  const counter = page.getByTestId('epoch-counter');
  let seen = '';
  let movedAt = Date.now();
  for (;;) {
    const now = ((await status.textContent()) ?? '').trim();
    if (ENDED.test(now)) return now;
    const epoch = (await counter.textContent()) ?? '';
    if (epoch !== seen) {
      seen = epoch;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`the run made no progress for ${stallMs / 1000} s (status "${now}", "${epoch}")`);
    }
    await page.waitForTimeout(200);
  }
}

/**
 * Records every text the run status shows from now on (a MutationObserver in the page), so a test can say the run
 * went through "Training" even when it finishes faster than a poll could see it. Read it with `statusesSeen`.
 */
export async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __statuses: string[] };
    w.__statuses = [];
    const note = () => {
      const text = document.querySelector('[data-testid="run-status"]')?.textContent?.trim();
      if (text && text !== w.__statuses[w.__statuses.length - 1]) w.__statuses.push(text);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}
export const statusesSeen = (page: Page) => page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);

/** A stat's full-precision value (data-value holds the float64 in shortest round-trip form). */
export async function statValue(page: Page, testId: string): Promise<number> {
  const v = await page.getByTestId(testId).getAttribute('data-value');
  return v === null || v === '' ? NaN : Number(v);
}
