// A headless Chromium with nothing attached but a DevTools session that only evaluates script in the page (the
// Runtime domain): no network, page or console events flow to this process, as none would for a user's window.
// Playwright's page enables those domains, and on a live run the browser then copies every WebSocket frame to
// its driver — CPU a user's window never spends. For the dashboard benches' timed runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export interface BarePage {
  /** The value of `expression` in the page (awaited when it is a promise); throws what the page threw. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** Opens `url` in a new headless Chromium (`executable`), `width`×`height`. */
export async function openBare(executable: string, url: string, width = 1280, height = 800): Promise<BarePage> {
  const profile = mkdtempSync(join(tmpdir(), 'bpl-chromium-'));
  const proc: ChildProcess = spawn(executable, ['--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=0', `--user-data-dir=${profile}`, `--window-size=${width},${height}`, '--no-first-run', '--no-default-browser-check', '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const cleanup = async () => {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((res) => proc.once('exit', res));
      proc.kill('SIGKILL');
      await exited;
    }
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      proc.stderr!.on('data', (d: Buffer) => {
        err += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      proc.on('exit', (code) => reject(new Error(`chromium exited ${code} before it listened: ${err.trim().split('\n').slice(-2).join(' ')}`)));
      proc.on('error', (e) => reject(new Error(`cannot start ${executable}: ${e.message} (install Chromium: apt install chromium, or npx playwright install chromium)`)));
    });
    proc.stderr!.resume();
    const ws = new WebSocket(endpoint, { perMessageDeflate: false });
    await new Promise((res, rej) => ws.once('open', res).once('error', rej));
    let id = 0;
    const waiting = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      const w = m.id !== undefined ? waiting.get(m.id) : undefined;
      if (!w) return;
      waiting.delete(m.id!);
      if (m.error) w.rej(new Error(m.error.message));
      else w.res(m.result);
    });
    const send = <T>(method: string, params: object = {}, sessionId?: string) =>
      new Promise<T>((res, rej) => {
        waiting.set(++id, { res: res as (v: unknown) => void, rej });
        ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      });
    const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url });
    const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return {
      async evaluate<T>(expression: string): Promise<T> {
        type Evaluated = { result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } };
        let r: Evaluated;
        // a page still loading has no context to evaluate in yet
        for (;;) {
          try {
            r = await send<Evaluated>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
            break;
          } catch (e) {
            if (!/execution context/.test((e as Error).message)) throw e;
            await new Promise((res) => setTimeout(res, 100));
          }
        }
        if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
        return r.result.value as T;
      },
      async close() {
        ws.close();
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
