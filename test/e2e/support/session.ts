// One browser session for a serial spec: its own `backprop-lab serve` on a temporary database, one page at
// 1280×800 opened on the dashboard, console errors collected; closed and stopped after the spec.
import { test, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { openApp, watchProblems } from './app';
import { startServer, tempDb, type ServerHandle } from './server';

export interface AppSession {
  /** Replace it after restarting the server, so the spec's end stops the new one. */
  server: ServerHandle;
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/** Registers the spec's beforeAll/afterAll; the fields are set once its first hook ran. port 0: any free port. */
export function useAppSession(port: number, contextOptions: BrowserContextOptions = {}): AppSession {
  const s = {} as AppSession;
  test.beforeAll(async ({ browser }) => {
    s.server = await startServer({ port, db: tempDb() });
    s.context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
    s.page = await s.context.newPage();
    s.problems = watchProblems(s.page);
    await openApp(s.page, s.server.url);
  });
  test.afterAll(async () => {
    await s.context?.close();
    await s.server?.stop();
  });
  return s;
}

/** The small network the browser tests train in seconds: 2-4-1, tanh then sigmoid. */
export const TINY_NET = `[
  {"input_dim": 2, "output_dim": 4, "activation": "tanh"},
  {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"}
]`;
