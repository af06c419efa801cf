// Global setup of the browser tests: builds the app (main, preload, renderer) and starts `backprop-lab serve` on
// a temporary database; the tests read its URL (and token) from BPL_E2E_URL / test-results/e2e-server.json.
// Returns the teardown, which stops the server.
import { execFileSync } from 'node:child_process';
import { repo, startServer, tempDb, writeState } from './support/server';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!process.env['E2E_SKIP_BUILD']) {
    // Always a fresh build: a server over an older build would test stale code.
    execFileSync(process.execPath, [`${repo}node_modules/electron-vite/bin/electron-vite.js`, 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const port = Number(process.env['E2E_PORT'] ?? 4319);
  const server = await startServer({ port, db: tempDb() });
  process.env['BPL_E2E_URL'] = server.url;
  writeState({ url: server.url, origin: server.origin, port: server.port, token: server.token, db: server.db, pid: server.pid });
  return async () => {
    await server.stop();
  };
}
