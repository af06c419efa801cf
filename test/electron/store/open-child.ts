// openStore in a process of its own, for the open tests: as another user (a read-only file means nothing to root),
// and on paths where a mistake would block the test runner for good (a FIFO).
//   node --import tsx open-child.ts '{"options": {...}, "write": true}'
// Prints one JSON line: { ok: true, runs, readOnly, write?: { ok, code?, message? } } or { ok: false, name, code, message }.

import { listRuns, openStore } from '../../../electron/store/index';

const { options, write } = JSON.parse(process.argv[2]!) as { options: Parameters<typeof openStore>[0]; write?: boolean };
const fail = (e: unknown) => ({ ok: false, name: (e as Error).name, code: (e as { code?: string }).code, message: (e as Error).message });
let out: Record<string, unknown>;
try {
  const store = openStore(options);
  out = { ok: true, runs: listRuns(store).map((r) => r.name), readOnly: store.readOnly };
  if (write) {
    try {
      store.createRun({} as never, { name: 'written by open-child' });
      out['write'] = { ok: true };
    } catch (e) {
      out['write'] = fail(e);
    }
  }
  store.close();
} catch (e) {
  out = fail(e);
}
process.stdout.write(JSON.stringify(out) + '\n');
