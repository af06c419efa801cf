// What the dashboard benches (scripts/bench-ui-*.ts) share: the app built as `npm start` serves it (unless
// BENCH_SKIP_BUILD=1 reuses out/), `backprop-lab serve` on a temporary database (removed on close), and headless
// Chromium (Debian's when installed) to open it in.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import { removeTempDb, repo, startServer, tempDb, type ServerHandle } from '../../test/e2e/support/server';

/** The number after `--name` on the command line, or `fallback`. */
export const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Builds the renderer and the command line, then starts the server and the browser. */
export async function openDashboard(): Promise<{ server: ServerHandle; browser: Browser; close(): Promise<void> }> {
  if (!process.env['BENCH_SKIP_BUILD']) {
    execFileSync(process.execPath, [`${repo}node_modules/electron-vite/bin/electron-vite.js`, 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(process.execPath, [`${repo}scripts/build-cli.mjs`], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const db = tempDb();
  const server = await startServer({ port: 4300 + Math.floor(Math.random() * 500), db }).catch((e: unknown) => {
    removeTempDb(db);
    throw e;
  });
  const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  const browser = await chromium
    .launch({ headless: true, ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu'] })
    .catch(async (e: unknown) => {
      await server.stop();
      removeTempDb(db);
      throw e;
    });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.stop();
      removeTempDb(db);
    },
  };
}
