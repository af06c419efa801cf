// Browser tests: the built renderer (out/renderer) served on 127.0.0.1 and driven in headless Chromium,
// plus an Electron smoke test that runs only where an Electron binary is installed.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Debian's chromium where installed (no browser download needed); else the one `npx playwright install` fetched. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const executablePath = process.env['CHROMIUM_PATH'] ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
const port = Number(process.env['E2E_PORT'] ?? 4319);
const baseURL = `http://127.0.0.1:${port}/`;
/** .ci/run sets this to collect the counts; the list reporter always prints to the terminal. */
const jsonReport = process.env['PLAYWRIGHT_JSON_OUTPUT_NAME'];

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/playwright',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  // Training runs in the page on a slow CPU; give each test room.
  timeout: 120_000,
  expect: { timeout: 60_000 },
  reporter: jsonReport ? [['list'], ['json', { outputFile: jsonReport }]] : [['list']],
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
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
  // Build all three bundles (the Electron test needs main and preload too), then serve out/renderer.
  webServer: {
    command: `npx electron-vite build && node scripts/serve-static.mjs out/renderer ${port}`,
    url: baseURL,
    // Always a fresh build and server: a server left over from an older build would test stale code.
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
