// Loads a built main process (argv[2]: out/main/index.js) in plain Node with the recording `electron` stand-in,
// then drives it as Electron and the page would: ready, the app:// page and a path outside it, a runs.start through
// the recorded IPC handler, its events to the window, runs.get, quit. Prints `PROGRESS {…}` lines while the run
// trains and one `REPORT {…}` line at the end; test/electron/built-app.test.ts reads them.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./electron-hooks.mjs', import.meta.url);
const { recorded, fireReady, app } = await import('./electron-stand-in.mjs');

const say = (kind, value) => process.stdout.write(`${kind} ${JSON.stringify(value)}\n`);
const epochs = Number(process.env['BUILT_APP_EPOCHS'] ?? 50);

await import(pathToFileURL(process.argv[2]).href);
const schemesBeforeReady = recorded.schemes.length;
fireReady();
// main's whenReady().then(…) runs on the next turns; wait until it has opened its window
while (recorded.windows.length === 0 && recorded.errors.length === 0) await new Promise((r) => setImmediate(r));
if (recorded.errors.length) {
  say('REPORT', { errors: recorded.errors });
  process.exit(0);
}

const win = recorded.windows[0].window;
const ipcChannels = [...recorded.ipcHandlers.keys()];
const pageUrl = win.loaded[0];
const appFrame = { senderFrame: { url: pageUrl, parent: null }, sender: win.webContents };

// what app:// answers
const handler = recorded.protocolHandlers.get('app');
const fetchApp = async (url) => {
  const res = await handler(new Request(url));
  return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), length: (await res.arrayBuffer()).byteLength };
};
const protocolAnswers = handler
  ? { page: await fetchApp(pageUrl), outside: await fetchApp('app://backprop-lab/..%2f..%2fpackage.json'), missing: await fetchApp('app://backprop-lab/nothing.js') }
  : undefined;

// the guards the built code put on the window's web contents
const navigation = {};
for (const url of [pageUrl, 'https://example.com/', 'file:///etc/passwd']) {
  let prevented = false;
  win.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
  navigation[url] = prevented;
}
const windowOpen = win.webContents.openHandler?.({ url: 'https://example.com/' });

// session answers
let permissionGranted;
recorded.session.permissionRequest?.({}, 'media', (g) => (permissionGranted = g));
let displayStreams = 'not called';
recorded.session.displayMedia?.({ frame: null }, (s) => (displayStreams = s));
const sessionAnswers = {
  permissionGranted,
  permissionCheck: recorded.session.permissionCheck?.({}, 'hid'),
  devicePermission: recorded.session.devicePermission?.({ deviceType: 'usb' }),
  displayStreams,
};

const invoke = (command, payload, event = appFrame) => {
  const h = recorded.ipcHandlers.get(`bpl:cmd:${command}`);
  if (!h) throw new Error(`no handler for ${command}`);
  return h(event, payload);
};

const forbidden = await invoke('runs.list', {}, { senderFrame: { url: 'https://example.com/', parent: null } });

// a real run through the IPC handler, waiting on its events (progress, not wall time)
const started = await invoke('runs.start', { config: { training: { epochs } }, name: 'built-app test' });
let runId = started.ok ? started.value.runId : undefined;
const end = await new Promise((resolve) => {
  if (!started.ok) return resolve(undefined);
  const check = () => {
    for (const [channel, payload] of win.webContents.sent) {
      if (channel === 'bpl:evt:run.status' && payload.runId === runId && ['finished', 'failed', 'stopped', 'interrupted'].includes(payload.status)) return payload;
    }
    return undefined;
  };
  const done = check();
  if (done) return resolve(done);
  win.webContents.on('stand-in:sent', (channel, payload) => {
    if (channel === 'bpl:evt:run.metrics') say('PROGRESS', { epoch: payload.metrics?.at?.(-1)?.epoch ?? null });
    const d = check();
    if (d) resolve(d);
  });
});
const got = runId ? await invoke('runs.get', { runId }) : undefined;

const channels = [...new Set(win.webContents.sent.map(([c]) => c))];
const metricEpochs = win.webContents.sent.filter(([c, p]) => c === 'bpl:evt:run.metrics' && p.runId === runId).flatMap(([, p]) => (p.metrics ?? []).map((m) => m.epoch));

// quit as Electron would, and wait until main has closed the service and the store
const quitDone = new Promise((r) => app.once('quit-done', r));
app.quit();
await quitDone;

say('REPORT', {
  errors: recorded.errors,
  schemes: recorded.schemes,
  schemesBeforeReady,
  schemesAfterReady: recorded.schemesAfterReady,
  protocols: [...recorded.protocolHandlers.keys()],
  windows: recorded.windows.map((w) => ({ options: w.options, loaded: w.window.loaded })),
  userData: recorded.paths['userData'],
  ipcChannels,
  protocolAnswers,
  navigation,
  windowOpen,
  sessionAnswers,
  sessionListeners: [...recorded.sessionListeners.keys()],
  forbidden,
  started,
  end,
  got: got?.ok ? { ok: true, run: got.value.run } : got,
  channels,
  metricEpochs,
  quitCalls: recorded.quitCalls,
  handlersAfterQuit: recorded.ipcHandlers.size,
});
process.exit(0);
