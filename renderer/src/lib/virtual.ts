// Windowing for long lists: only the rows in view (plus a few above and below) are rendered, so a table of
// thousands of rows scrolls as fast as one of thirty. Rows have one fixed height.
import { useEffect, useState, type RefObject } from 'react';

export interface Window {
  /** First and one-past-last row to render. */
  start: number;
  end: number;
  /** Space above the first rendered row and below the last, in px. */
  before: number;
  after: number;
}

/** The rows to render for a scroll position: pure, for the hook below and for tests. */
export function visibleWindow(count: number, rowHeight: number, scrollTop: number, viewport: number, overscan = 6): Window {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const start = Math.min(first, last);
  return { start, end: last, before: start * rowHeight, after: Math.max(0, (count - last) * rowHeight) };
}

/** Follows a scroll container's position and height; re-renders only when the window of rows changes. */
export function useVirtualRows(ref: RefObject<HTMLElement | null>, count: number, rowHeight: number): Window {
  const [view, setView] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const read = () => {
      frame = 0;
      const top = el.scrollTop, height = el.clientHeight || 600;
      // only a change of the first row or of the height matters to the window
      setView((v) => (Math.floor(v.top / rowHeight) === Math.floor(top / rowHeight) && v.height === height ? v : { top, height }));
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(read);
    };
    read();
    el.addEventListener('scroll', onScroll, { passive: true });
    const ro = new ResizeObserver(onScroll);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [ref, rowHeight]);
  return visibleWindow(count, rowHeight, view.top, view.height);
}
