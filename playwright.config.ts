// Browser tests: the dashboard in headless Chromium against `backprop-lab serve` on a temporary database
// (test/e2e/global-setup.ts builds the app, starts the server and hands its URL with the token to the tests),
// plus an Electron smoke test that runs only where an Electron binary is installed.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Debian's chromium where installed (no browser download needed); else the one `npx playwright install` fetched. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const executablePath = process.env['CHROMIUM_PATH'] ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
/** .ci/run sets this to collect the counts; the list reporter always prints to the terminal. */
const jsonReport = process.env['PLAYWRIGHT_JSON_OUTPUT_NAME'];

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/playwright',
  globalSetup: './test/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  // The flows train a few hundred to 1,000 epochs and wait on progress (support/app.ts waitForEnd), not on a
  // clock; this cap is for a test that hangs, with room for a loaded 2-core machine.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: jsonReport ? [['list'], ['json', { outputFile: jsonReport }]] : [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    acceptDownloads: true,
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [
    { name: 'chromium', testIgnore: /electron\.spec\.ts$/, use: { browserName: 'chromium' } },
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
  ],
});
