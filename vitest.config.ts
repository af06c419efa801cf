// Unit and numeric tests in plain Node. Browser and Electron tests are Playwright's (test/e2e, playwright.config.ts).
import { defineConfig } from 'vitest/config';

/** .ci/run sets this to collect the counts; the default reporter always prints to the terminal. */
const jsonReport = process.env['VITEST_JSON_OUTPUT'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**'],
    environment: 'node',
    // Forked processes: worker_threads and native modules (better-sqlite3) behave as in the app.
    pool: 'forks',
    // Node 20 gets relaxed SIMD as the command line does (bin/relaxed-simd.js), so tests run the kernels it runs
    setupFiles: ['bin/relaxed-simd.js'],
    // Numeric parity tests train real networks; a 2-core machine needs room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
  },
});
