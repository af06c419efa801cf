// Build of the three Electron bundles: main (Node, ESM), preload (CommonJS, as a sandboxed preload must be)
// and the renderer (React page served from renderer/). `npx electron-vite build` writes out/{main,preload,renderer}.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import pkg from './package.json' with { type: 'json' };

const root = fileURLToPath(new URL('.', import.meta.url));
const at = (p: string) => resolve(root, p);

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      rolldownOptions: {
        // out/main/index.js is package.json's "main".
        input: { index: at('electron/main.ts'), 'trainer-worker': at('electron/trainer/worker.ts') },
      },
    },
  },
  preload: {
    define: { __APP_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: at('out/preload'),
      rolldownOptions: {
        input: { index: at('electron/preload.ts') },
        // sandbox: true loads the preload as a classic script, so it must be CommonJS;
        // .cjs keeps Node from reading it as ESM under "type": "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: at('renderer'),
    // Relative asset URLs so out/renderer/index.html works both from app://backprop-lab/ (Electron, electron/protocol.ts)
    // and from browser mode's server.
    base: './',
    plugins: [react()],
    build: {
      outDir: at('out/renderer'),
      emptyOutDir: true,
      rolldownOptions: {
        input: { index: at('renderer/index.html') },
      },
    },
  },
});
