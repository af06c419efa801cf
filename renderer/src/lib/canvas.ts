// Small helpers the canvas views share: a context sized for the device's pixel ratio, the canvas's width followed
// as it resizes, and a menu that closes on a click outside it (and on Escape where asked).
import { useEffect, useState, type RefObject } from 'react';

/** The canvas's 2-D context for drawing w×h CSS pixels at the device's pixel ratio; the canvas starts cleared. */
export function sizedContext(el: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  const pw = Math.round(w * dpr), ph = Math.round(h * dpr);
  // resizing reallocates the canvas's backing store: only when the size changed; otherwise reset() clears it and
  // its state, as a resize would have
  const resize = el.width !== pw || el.height !== ph;
  if (resize) {
    el.width = pw;
    el.height = ph;
  }
  const ctx = el.getContext('2d')!;
  if (!resize) ctx.reset();
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** The element's width in CSS pixels, rounded, updated as it resizes; 0 before it is laid out. */
export function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [px, setPx] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setPx(Math.round(el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return px;
}

/** While `open`, a mousedown outside `ref` (and Escape, with `escape`) calls `close`. */
export function useDismiss(open: boolean, close: () => void, ref: RefObject<HTMLElement | null>, { escape = false }: { escape?: boolean } = {}): void {
  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) close();
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && close();
    document.addEventListener('mousedown', outside);
    if (escape) document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', outside);
      document.removeEventListener('keydown', esc);
    };
  }, [open, close, ref, escape]);
}
