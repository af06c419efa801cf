// Globals the renderer can see: the preload's bridge, present only inside the desktop app.
import type { BackpropLabApi } from '../../electron/preload';

declare global {
  interface Window {
    /** Set by electron/preload.ts; undefined when the page runs in a plain browser. */
    readonly backpropLab?: BackpropLabApi;
  }
}

export {};
