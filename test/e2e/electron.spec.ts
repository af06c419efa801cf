// The built desktop app (out/main, out/preload, out/renderer; global-setup builds them) through Playwright's
// Electron driver, as a user runs it: open the window, train the seed network a few hundred epochs, find the run in
// the runs list, export it, and find it in the database. Electron 45 fetches its binary on first run; where none is
// installed (as on the build machines, which cannot download it) the test is skipped with the reason, and nothing
// here triggers a download.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { cspViolations, recordStatuses, setField, statusesSeen, waitForEnd, watchCsp, watchProblems } from './support/app';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };

/** The installed Electron executable, found the way node_modules/electron/index.js does, without downloading. */
function findElectronBinary(): string | undefined {
  const dir = join(repo, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const candidate = override ? join(override, relative ?? 'electron') : relative ? join(dir, 'dist', relative) : undefined;
  return candidate && existsSync(candidate) ? candidate : undefined;
}

const executablePath = findElectronBinary();
const hasElectronBinary = executablePath !== undefined;

const skipReason =
  'no Electron binary: node_modules/electron/dist is missing (Electron fetches it on first run; `npx install-electron` downloads it)';
// The list reporter does not print skip reasons, so say it on the terminal as well.
if (!hasElectronBinary) console.log(`electron.spec.ts skipped: ${skipReason}`);
test.skip(!hasElectronBinary, skipReason);
test.describe.configure({ mode: 'serial' });

/** The seed network's run: a few hundred epochs, enough for the curves, the list and an export. */
const EPOCHS = 300;

let app: ElectronApplication;
let page: Page;
let problems: string[];
let dataDir: string;
const downloads = join(repo, 'test-results', 'electron-downloads');

test.beforeAll(async () => {
  // better-sqlite3 for Electron's ABI, as `npm start` gets it (cached after the first time)
  const native = spawnSync(process.execPath, [join(repo, 'scripts', 'ensure-electron-native.mjs')], { cwd: repo, encoding: 'utf8' });
  expect(native.status, `${native.stdout}${native.stderr}`).toBe(0);
  dataDir = mkdtempSync(join(tmpdir(), 'bpl-electron-e2e-'));
  rmSync(downloads, { recursive: true, force: true });
  mkdirSync(downloads, { recursive: true });
  app = await electron.launch({
    executablePath,
    // the repository as the app folder: package.json's main is out/main/index.js, and app.getAppPath() finds the
    // Electron build of better-sqlite3 under node_modules/.cache. --no-sandbox only where Chromium's sandbox cannot
    // start (root on Linux CI); the page's own sandbox flag stays on.
    args: [...(process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : []), repo],
    cwd: repo,
    env: { ...process.env, BACKPROP_LAB_DATA_DIR: dataDir } as Record<string, string>,
  });
  page = await app.firstWindow();
  problems = watchProblems(page);
  // the watchers see the page from its first parse: register them, then load the page again
  await watchCsp(page);
  await page.reload();
});

test.afterAll(async () => {
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('opens one locked-down window with the page from app:// and the preload bridge', async () => {
  await expect(page.getByRole('heading', { name: 'Backprop Lab', level: 1 })).toBeVisible();
  expect(page.url()).toMatch(/^app:\/\/backprop-lab\/(index\.html)?/);
  await expect(page.getByTestId('total-params')).toHaveText('5,226');
  await expect(page.getByTestId('host')).toContainText(`desktop app ${pkg.version}`);

  // The renderer has the bridge and nothing of Node.
  const renderer = await page.evaluate(() => ({
    version: window.backpropLab?.desktop.version,
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    opened: window.open('https://example.com/') === null,
  }));
  expect(renderer).toEqual({ version: pkg.version, require: 'undefined', process: 'undefined', opened: true });

  // getLastWebPreferences is undocumented (absent from electron.d.ts); check it where the runtime has it.
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    const wins = BrowserWindow.getAllWindows();
    const contents = wins[0]!.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
    return { windows: wins.length, ...(contents.getLastWebPreferences?.() ?? {}) };
  });
  expect(prefs.windows).toBe(1);
  if ('sandbox' in prefs) {
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  }

  // The desktop CSP allows no connection but to the app itself: a WebSocket is refused by the policy.
  await page.evaluate(() => {
    try {
      new WebSocket('ws://127.0.0.1:4319/ws');
    } catch {
      // refused at once; the violation event says so either way
    }
  });
  await expect.poll(async () => (await cspViolations(page)).some((v) => v.startsWith('connect-src'))).toBe(true);
  await page.evaluate(() => ((window as unknown as { __cspViolations: string[] }).__cspViolations = []));
  problems.length = 0; // the refused connection is logged as a console error

  // Navigation away from the app is refused: wait until main has seen the attempt, then look again.
  await app.evaluate(({ BrowserWindow }) => {
    const g = globalThis as unknown as { __navigations: string[] };
    g.__navigations = [];
    BrowserWindow.getAllWindows()[0]!.webContents.on('will-navigate', (event, url) => g.__navigations.push((event as unknown as { url?: string }).url ?? url));
  });
  const before = page.url();
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await expect.poll(() => app.evaluate(() => (globalThis as unknown as { __navigations: string[] }).__navigations)).toEqual(['https://example.com/']);
  expect(page.url()).toBe(before);
});

test(`trains the seed network ${EPOCHS} epochs in the desktop app`, async () => {
  await expect(page.getByTestId('design-panel')).toBeVisible();
  await setField(page, 'run-name', 'desktop seed');
  await setField(page, 'epochs', String(EPOCHS));
  await page.getByTestId('backend-choice').selectOption('cpu');
  await recordStatuses(page);
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  expect(await statusesSeen(page)).toContain('Training');
  await expect(page.getByTestId('epoch-counter')).toHaveText(`epoch ${EPOCHS} / ${EPOCHS}`);
  await expect(page.getByTestId('cost-chart')).toHaveAttribute('data-points', String(EPOCHS));
});

test('lists the run and exports it as .npz', async () => {
  await page.getByTestId('tab-runs').click();
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(1);
  const row = rows.first();
  await expect(row).toHaveAttribute('data-status', 'finished');
  await expect(row).toContainText('desktop seed');
  await expect(row).toContainText('2-25-50-50-25-1');

  // a download in Electron asks where to save; answer for the user
  await app.evaluate(({ session }, dir) => {
    session.defaultSession.once('will-download', (_event, item) => item.setSavePath(`${dir}/${item.getFilename()}`));
  }, downloads);
  await row.getByTestId('row-export').click();
  await row.getByTestId('export-npz').click();
  await expect.poll(() => readdirSync(downloads).filter((f) => f.endsWith('.npz')).length).toBe(1);
  const file = join(downloads, readdirSync(downloads).find((f) => f.endsWith('.npz'))!);
  // an .npz is a zip of .npy arrays, one per parameter
  await expect.poll(() => readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK');
  expect(readFileSync(file).includes(Buffer.from('W1.npy'))).toBe(true);

  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('the run is in the database under BACKPROP_LAB_DATA_DIR', async () => {
  const db = new Database(join(dataDir, 'runs.db'), { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare("SELECT rid, status FROM runs WHERE name = 'desktop seed'").get() as { rid: number; status: string };
    expect(run.status).toBe('finished');
    const n = db.prepare("SELECT count(*) AS n FROM metrics WHERE run_id = ? AND key = 'train_cost'").get(run.rid) as { n: number };
    expect(n.n).toBe(EPOCHS);
  } finally {
    db.close();
  }
});
