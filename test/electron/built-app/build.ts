// Builds the app with electron-vite, as `npm run build` does, into a folder of the test's own under test-results/
// (inside the repository, so the bundles resolve node_modules as out/ does; never out/ itself, which other tests
// and a running `serve` may be reading). The build takes seconds, so every run builds: nothing stale is tested.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** The built app: out/main/index.js, out/main/trainer-worker.js, out/preload/index.cjs, out/renderer/ — in `dir`. */
export interface BuiltApp {
  dir: string;
  main: string;
  worker: string;
  preload: string;
  renderer: string;
  remove(): void;
}

/** Runs `electron-vite build --outDir <dir>`; rejects with its output when it fails. */
export function buildApp(name: string): Promise<BuiltApp> {
  const dir = join(repo, 'test-results', `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', dir], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const app: BuiltApp = {
        dir,
        main: join(dir, 'main', 'index.js'),
        worker: join(dir, 'main', 'trainer-worker.js'),
        preload: join(dir, 'preload', 'index.cjs'),
        renderer: join(dir, 'renderer'),
        remove: () => rmSync(dir, { recursive: true, force: true }),
      };
      if (code === 0 && existsSync(app.main)) resolve(app);
      else reject(new Error(`electron-vite build failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}
