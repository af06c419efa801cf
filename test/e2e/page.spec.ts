// The dashboard in headless Chromium against `backprop-lab serve` (global setup's server, temporary database):
// it loads cleanly under its CSP, opens on the seed experiment, edits the design, reproduces numpy's numbers
// through the host, shows a diverging run as such, answers the keyboard, paces its live drawing by what it costs
// (DevTools' CPU throttling), and refuses a wrong token.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { SEED_ARCHITECTURE, layerParameterCount, parameterCount } from '../../engine/architecture';
import { exportOnnx } from '../../engine/export/onnx';
import { listRuns, openStore } from '../../electron/store/index';
import { LIVE_MAX_SHARE, LIVE_MAX_SPACING_MS } from '../../electron/limits';
import { LIVE_TICK_MS } from '../../renderer/src/lib/draw-scheduler';
import { cspViolations, openApp, setField, statValue, waitForEnd, watchCsp, watchProblems } from './support/app';
import { sharedServer } from './support/server';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), 'utf8'));
const grads0 = fixture('grads_epoch0.json') as { cost: number };
const history = fixture('cost_history.json') as { epochs: number[]; cost: number[] };
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('loads with no console errors and no CSP violations, under the strict CSP', async ({ page }) => {
  const problems = watchProblems(page);
  await watchCsp(page);
  await openApp(page, sharedServer().url);
  await expect(page.getByRole('heading', { name: 'Backprop Lab', level: 1 })).toBeVisible();
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  // Scripts only from the app (no eval, no inline); the only connection beyond 'self' is serve's local WebSocket.
  expect(csp).toBe("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:*; object-src 'none'; base-uri 'none'; form-action 'none'");
  // In a plain browser there is no preload bridge: the page talks to the server.
  await expect(page.getByTestId('host')).toHaveText('browser');
  await expect(page.getByTestId('data-counts')).toHaveText('900 train · 100 test');
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('opens on the seed experiment: NN_ARCHITECTURE (5,226 parameters) on moons, seed 101, learning rate 0.01', async ({ page }) => {
  await openApp(page, sharedServer().url);
  const rows = page.getByTestId('layer-row');
  await expect(rows).toHaveCount(5);
  // Counted by hand as out·in + out per layer, independent of the engine's parameterCount.
  const expected = [2 * 25 + 25, 25 * 50 + 50, 50 * 50 + 50, 50 * 25 + 25, 25 * 1 + 1];
  expect(expected.reduce((a, b) => a + b)).toBe(5226);
  expect(SEED_ARCHITECTURE.map(layerParameterCount)).toEqual(expected);
  expect(parameterCount(SEED_ARCHITECTURE)).toBe(5226);
  await expect(page.getByTestId('layer-params')).toHaveText(expected.map((n) => n.toLocaleString('en-US')));
  await expect(page.getByTestId('activation-1')).toHaveValue('relu');
  await expect(page.getByTestId('activation-5')).toHaveValue('sigmoid');
  await expect(page.getByTestId('total-params')).toHaveText('5,226');
  await expect(page.getByTestId('dataset')).toHaveValue('moons');
  await expect(page.getByTestId('init-seed')).toHaveValue('101');
  await expect(page.getByTestId('learning-rate')).toHaveValue('0.01');
  await expect(page.getByTestId('epochs')).toHaveValue('10000');
  await expect(page.getByTestId('run-status')).toHaveText('Ready');
});

test('edits the network: add and remove layers, neurons per layer, and the JSON list with inline errors', async ({ page }) => {
  await openApp(page, sharedServer().url);
  await page.getByTestId('add-layer').click();
  await expect(page.getByTestId('layer-row')).toHaveCount(6);
  // the new hidden layer (8 relu units) sits before the output: 25·8+8 + 8·1+1 replaces 25·1+1
  await expect(page.getByTestId('total-params')).toHaveText((5226 - 26 + 208 + 9).toLocaleString('en-US'));
  await setField(page, 'neurons-5', '4');
  await expect(page.getByTestId('total-params')).toHaveText((5226 - 26 + 104 + 5).toLocaleString('en-US'));
  await page.getByRole('button', { name: 'remove layer 5' }).click();
  await expect(page.getByTestId('total-params')).toHaveText('5,226');

  await page.getByTestId('arch-view').getByRole('radio', { name: 'JSON' }).click();
  const json = page.getByTestId('architecture-json');
  await expect(json).toHaveValue(/"input_dim": 2, "output_dim": 25, "activation": "relu"/);
  await json.fill('[{"input_dim": 2, "output_dim": 25, "activation": "relu"}, {"input_dim": 24, "output_dim": 1, "activation": "sigmoid"}]');
  // validateArchitecture's message, shown where the mistake is
  await expect(page.getByTestId('architecture-error')).toHaveText('layer 2 expects input_dim 24 but layer 1 outputs 25; set layer 2 input_dim to 25');
  await json.fill('[{"input_dim": 2, "output_dim": 25, "activation": "relu"}, {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"}]');
  await expect(page.getByTestId('architecture-error')).toHaveCount(0);
  await page.getByTestId('arch-view').getByRole('radio', { name: 'Layers' }).click();
  await expect(page.getByTestId('layer-row')).toHaveCount(2);
  await expect(page.getByTestId('total-params')).toHaveText('101');
});

test("trains 100 epochs through the server and reproduces numpy's epoch-0 and epoch-100 costs to 1e-12", async ({ page }) => {
  const problems = watchProblems(page);
  await watchCsp(page);
  await openApp(page, sharedServer().url);
  await setField(page, 'epochs', '100');
  await page.getByTestId('backend-choice').selectOption('cpu');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 100 / 100');

  const epoch0 = await statValue(page, 'epoch0-cost');
  const final = await statValue(page, 'final-cost');
  // cost_history.json records epochs 0, 100, …: cost[1] is the cost before update 100, i.e. after 100 updates,
  // which is the final cost of a 100-epoch run.
  expect(history.epochs[1]).toBe(100);
  expect(relErr(epoch0, grads0.cost)).toBeLessThan(1e-12);
  expect(relErr(final, history.cost[1]!)).toBeLessThan(1e-12);
  expect(final).toBeLessThan(epoch0);
  // the backend that ran and why
  await expect(page.getByTestId('backend')).toHaveText(/^cpu · /);
  await expect(page.getByTestId('backend-reason')).toContainText('cpu was asked for');
  await expect(page.getByTestId('cost-chart')).toHaveAttribute('data-points', '100');
  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('a new run refills the curves in the charts it has (a chart is rebuilt only for another view of them)', async ({ page }) => {
  await openApp(page, sharedServer().url);
  const cost = page.getByTestId('cost-chart'), accuracy = page.getByTestId('accuracy-chart');
  await expect(cost).toHaveAttribute('data-builds', '1');
  await setField(page, 'epochs', '60');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(cost).toHaveAttribute('data-points', '60');
  // Reset clears the curves; the next run draws only its own
  await page.getByTestId('reset').click();
  await expect(cost).toHaveAttribute('data-points', '0');
  await expect(accuracy).toHaveAttribute('data-y-range', '0,1');
  await setField(page, 'epochs', '40');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(cost).toHaveAttribute('data-points', '40');
  await expect(accuracy).toHaveAttribute('data-points', '40');
  for (const chart of [cost, accuracy]) await expect(chart).toHaveAttribute('data-builds', '1');
  // another view of the curves (a log cost axis) is another chart
  await page.getByTestId('log-scale').check();
  await expect(cost).toHaveAttribute('data-builds', '2');
  await expect(cost).toHaveAttribute('data-points', '40');
});

test('a diverging run (learning rate 100) says so and is stored as failed', async ({ page }) => {
  await openApp(page, sharedServer().url);
  await setField(page, 'learning-rate', '100');
  await setField(page, 'run-name', 'diverges');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Failed');
  const message = page.getByTestId('diverged-message');
  await expect(message).toBeVisible();
  await expect(message).toContainText('The run diverged.');
  await expect(message).toContainText(/diverged at epoch \d+/);
  await expect(message).toContainText('smaller learning rate');

  await page.getByTestId('tab-runs').click();
  const row = page.getByTestId('run-row').filter({ hasText: 'diverges' });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'failed');
  await expect(row.getByTestId('run-status-cell')).toHaveText('failed');
});

test('keyboard: Space trains and pauses, → steps one epoch, Esc stops', async ({ page }) => {
  await openApp(page, sharedServer().url);
  await setField(page, 'epochs', '1000000');
  await setField(page, 'run-name', 'keyboard');
  await page.locator('body').click({ position: { x: 700, y: 300 } });
  await page.keyboard.press('Space');
  await expect(page.getByTestId('run-status')).toHaveText('Training');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('run-status')).toHaveText('Paused');
  const counter = page.getByTestId('epoch-counter');
  // wait for the pause to settle (the last batch in flight arrives), then step once
  await expect(async () => {
    const a = await counter.textContent();
    await page.waitForTimeout(400);
    expect(await counter.textContent()).toBe(a);
  }).toPass();
  const before = Number((await counter.textContent())!.match(/epoch ([\d,]+)/)![1]!.replace(/,/g, ''));
  await page.keyboard.press('ArrowRight');
  await expect(counter).toHaveText(`epoch ${(before + 1).toLocaleString('en-US')} / 1,000,000`);
  await expect(page.getByTestId('run-status')).toHaveText('Paused');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('run-status')).toHaveText('Stopped');
});

test('a page whose live drawing costs more redraws less often (a tenth of its time at most), and still follows the run', async ({ page }) => {
  await openApp(page, sharedServer().url);
  await setField(page, 'epochs', '1000000');
  await setField(page, 'run-name', 'live budget');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('run-status')).toHaveText('Training');
  // the last tick's account, read at once: what the live drawing took since the tick before, and the wait it chose
  const tick = async () => {
    const d = await page.evaluate(() => ({ ...document.documentElement.dataset }));
    return { cost: Number(d['liveCost']), spacing: Number(d['liveSpacing']) };
  };
  const rule = (cost: number) => Math.max(LIVE_TICK_MS, Math.min(cost / LIVE_MAX_SHARE, LIVE_MAX_SPACING_MS));
  const updates = async () => Number(await page.getByTestId('cost-chart').getAttribute('data-updates'));
  await expect.poll(updates).toBeGreaterThan(2);
  const quick = await tick();
  expect(quick.spacing).toBeCloseTo(rule(quick.cost), 0);

  // the page's main thread ten times slower (DevTools' CPU throttling): its ticks cost ten times as much, so they
  // come further apart, by the same rule, and the curves still take the new epochs
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 10 });
  let slow = quick;
  await expect(async () => {
    slow = await tick();
    expect(slow.spacing).toBeGreaterThan(LIVE_TICK_MS);
    expect(slow.cost).toBeGreaterThan(2 * quick.cost);
  }).toPass({ timeout: 60_000 });
  expect(slow.spacing).toBeCloseTo(rule(slow.cost), 0);
  expect(slow.spacing).toBeLessThanOrEqual(LIVE_MAX_SPACING_MS);
  const before = await updates();
  await expect.poll(updates, { timeout: 60_000 }).toBeGreaterThan(before);

  // at full speed again its ticks cost what they did, and come as often as that allows
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await expect(async () => {
    const t = await tick();
    expect(t.cost).toBeLessThan(slow.cost / 2);
    expect(t.spacing).toBeCloseTo(rule(t.cost), 0);
  }).toPass({ timeout: 60_000 });
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('Stopped');
});

test('a wrong or missing token is refused, for the page and for the WebSocket', async ({ request }) => {
  const { origin, token } = sharedServer();
  expect((await request.get(`${origin}/?token=wrong-${token.slice(6)}`)).status()).toBe(403);
  expect((await request.get(`${origin}/`)).status()).toBe(403);
  expect((await request.get(`${origin}/?token=${token}`)).status()).toBe(200);
  const upgrade = (url: string) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('error', (e) => resolve(e.message));
    });
  const wsOrigin = origin.replace('http:', 'ws:');
  expect(await upgrade(`${wsOrigin}/ws?token=nope`)).toMatch(/403/);
  expect(await upgrade(`${wsOrigin}/ws`)).toMatch(/403/);
  expect(await upgrade(`${wsOrigin}/ws?token=${token}`)).toBe('open');
});

test('imports a CSV: the host parses it, the data switches to it, and a run trains on it', async ({ page }) => {
  await openApp(page, sharedServer().url);
  // two blobs, 3 features, label last: layer 1's input_dim follows the features
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 60; i++) {
    const k = i % 2;
    lines.push([k * 2 + Math.sin(i), k * 2 + Math.cos(i), (i % 7) / 7, k].map((v) => (typeof v === 'number' ? v.toFixed(4) : v)).join(','));
  }
  await page.getByTestId('csv-file').setInputFiles({ name: 'blobs.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await expect(page.getByTestId('csv-info')).toContainText('blobs.csv: 60 rows, 3 features, 2 classes');
  await expect(page.getByTestId('dataset')).toHaveValue('csv');
  await expect(page.getByTestId('layer-row').first().locator('td').nth(1)).toHaveText('3');
  await expect(page.getByTestId('data-counts')).toHaveText('54 train · 6 test');
  await setField(page, 'epochs', '20');
  await setField(page, 'run-name', 'csv run');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  await expect(page.getByTestId('epoch-counter')).toHaveText('epoch 20 / 20');
});

test('imports weights from an ONNX file: the design takes its architecture, and a run starts from exactly those weights', async ({ page }) => {
  await openApp(page, sharedServer().url);
  // a 2-6-1 network exported by the engine as float64 ONNX (kept exactly), with weights no seed gives
  const architecture = [
    { input_dim: 2, output_dim: 6, activation: 'tanh' as const },
    { input_dim: 6, output_dim: 1, activation: 'sigmoid' as const },
  ];
  const params = architecture.flatMap((l, i) => [
    { name: `W${i + 1}`, rows: l.output_dim, cols: l.input_dim, data: Float64Array.from({ length: l.output_dim * l.input_dim }, (_, k) => Math.sin(k + i) / 3) },
    { name: `b${i + 1}`, rows: l.output_dim, cols: 1, data: Float64Array.from({ length: l.output_dim }, (_, k) => Math.cos(k) / 10) },
  ]);
  const onnx = exportOnnx({ architecture, params }, { precision: 'float64' });
  await page.getByTestId('weights-file').setInputFiles({ name: 'net.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(onnx) });
  await expect(page.getByTestId('imported-weights')).toContainText(`starts from net.onnx (${parameterCount(architecture)} params)`);
  await expect(page.getByTestId('layer-row')).toHaveCount(2);
  // 0 epochs: the run's stored weights are the file's, bit for bit
  await setField(page, 'epochs', '0');
  await setField(page, 'run-name', 'from onnx');
  await page.getByTestId('play').click();
  expect(await waitForEnd(page)).toBe('Finished');
  const store = openStore({ path: sharedServer().db, readonly: true });
  try {
    const [run] = listRuns(store, { name: 'from onnx' });
    const stored = store.getWeights(run!.id)!;
    expect(stored.map((p) => Array.from(p.data))).toEqual(params.map((p) => Array.from(p.data)));
  } finally {
    store.close();
  }
});
