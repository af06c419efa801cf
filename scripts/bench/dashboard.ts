// What the dashboard benches (scripts/bench-ui-*.ts) share: the app built as `npm start` serves it (unless
// BENCH_SKIP_BUILD=1 reuses out/), `backprop-lab serve` on a temporary database (removed on close), and headless
// Chromium (Debian's when installed) to open it in — driven by Playwright, or bare (./bare-chromium.ts) where
// Playwright's own traffic would be timed with the page.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import { removeTempDb, repo, startServer, tempDb, type ServerHandle } from '../../test/e2e/support/server';
import { openBare, type BarePage } from './bare-chromium';

/** The number after `--name` on the command line, or `fallback`. */
export const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Debian's Chromium when installed, else Playwright's own. */
const executablePath = (): string | undefined => (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/** Builds the renderer and the command line (unless BENCH_SKIP_BUILD), then starts the server on a temporary database. */
async function serve(): Promise<{ server: ServerHandle; stop(): Promise<void> }> {
  if (!process.env['BENCH_SKIP_BUILD']) {
    execFileSync(process.execPath, [`${repo}node_modules/electron-vite/bin/electron-vite.js`, 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(process.execPath, [`${repo}scripts/build-cli.mjs`], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const db = tempDb();
  const server = await startServer({ port: 4300 + Math.floor(Math.random() * 500), db }).catch((e: unknown) => {
    removeTempDb(db);
    throw e;
  });
  return {
    server,
    async stop() {
      await server.stop();
      removeTempDb(db);
    },
  };
}

/** The server and a Playwright-driven browser. */
export async function openDashboard(): Promise<{ server: ServerHandle; browser: Browser; close(): Promise<void> }> {
  const { server, stop } = await serve();
  const path = executablePath();
  const browser = await chromium.launch({ headless: true, ...(path ? { executablePath: path } : {}), args: ['--no-sandbox', '--disable-gpu'] }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await stop();
    },
  };
}

/** The server and its page in a bare headless Chromium (1280×800). */
export async function openBareDashboard(): Promise<{ server: ServerHandle; page: BarePage; close(): Promise<void> }> {
  const { server, stop } = await serve();
  const page = await openBare(executablePath() ?? chromium.executablePath(), server.url).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return {
    server,
    page,
    async close() {
      await page.close();
      await stop();
    },
  };
}
