// Globals the renderer can see: the preload's bridge, present only inside the desktop app.
import type { DesktopApi } from '../../electron/preload-api';

declare global {
  interface Window {
    /** Set by electron/preload.ts; undefined when the page runs in a plain browser. */
    readonly backpropLab?: DesktopApi;
  }
}

export {};
