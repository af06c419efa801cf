// node-only: loads the optional `gl` module with createRequire to say exactly why headlessgl cannot start.
// gpu.js swallows gl's load error and only reports "not supported"; this tells a missing or unbuilt module from
// one that loads but gets no WebGL context (no display), so the run records the real reason and the way out.
// Pass it to createGpuBackend({ explain: explainHeadlessGL }) from Node hosts (the worker, the CLI, scripts).

import { createRequire } from 'node:module';

// not named `require`: electron-vite declares its own in every chunk that calls require(, and a second one is a SyntaxError
const requireHere = createRequire(import.meta.url);

/** Why gpu.js has no headlessgl here, or null when `gl` creates a context. */
export function explainHeadlessGL(): string | null {
  let create: (w: number, h: number) => unknown;
  try {
    // gpu.js requires 'gl' from its own folder; resolve it the same way
    const fromGpu = createRequire(requireHere.resolve('gpu.js'));
    create = fromGpu('gl') as typeof create;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    if (/Cannot find module 'gl'/.test(msg)) return 'the optional `gl` module is not installed (scripts/setup-headlessgl.sh installs and builds it)';
    return `the optional \`gl\` module does not load (${msg}); its native part is not built: run scripts/setup-headlessgl.sh`;
  }
  let ctx: unknown;
  try {
    ctx = create(1, 1);
  } catch (e) {
    return `\`gl\` loads but creating a context threw: ${(e as Error).message}`;
  }
  if (!ctx) {
    const display = process.env['DISPLAY'];
    return display ? `\`gl\` loads but got no WebGL context on display ${display}` : '`gl` loads but got no WebGL context: there is no display (run under xvfb-run -a, or set DISPLAY)';
  }
  (ctx as { getExtension(n: string): { destroy(): void } | null }).getExtension('STACKGL_destroy_context')?.destroy();
  return null;
}
