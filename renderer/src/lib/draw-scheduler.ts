// Coalesced drawing for canvases fed by live snapshots: a request marks the picture stale; it is drawn in an
// animation frame at most once per minimum interval, and only while the element is on screen and the page shown.
// Requests that arrive meanwhile collapse into the next draw; an element scrolled or tabbed away draws nothing
// until it shows again. useShown is that on-screen test alone, for a component that draws on its own schedule.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { LIVE_MAX_SHARE, LIVE_MAX_SPACING_MS, spacingMs } from '../../../electron/limits';

/**
 * How often a live run's changes reach the page: metrics, snapshots and chart points are passed on in one animation
 * frame at most this often (live/run.ts), four times a second — each painted frame costs CPU the training shares,
 * so a page whose ticks cost more waits longer between them (liveSpacingMs).
 */
export const LIVE_TICK_MS = 250;

/**
 * The time the page spent on live drawing since the last take(): each measured piece of work on the wall clock, from
 * its start until a task posted at its end runs — after the microtasks it queued (React's render) and the frame it
 * changed (style, layout, paint); time the main thread waits for a core in between counts too. Overlapping spans
 * count once.
 */
class LiveCost {
  private total = 0;
  private busyUntil = -Infinity;
  private readonly channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
  private readonly starts: number[] = [];

  constructor() {
    if (this.channel) this.channel.port1.onmessage = () => this.end(this.starts.shift()!);
  }

  /** Counts from `start` (a performance.now()) until this task, its microtasks and its frame are done. */
  measure(start: number): void {
    if (!this.channel) return this.end(start);
    this.starts.push(start);
    this.channel.port2.postMessage(0);
  }

  private end(start: number): void {
    const end = performance.now();
    this.total += Math.max(0, end - Math.max(start, this.busyUntil));
    this.busyUntil = Math.max(this.busyUntil, end);
  }

  /** The time counted since the last take (and starts counting again). */
  take(): number {
    const t = this.total;
    this.total = 0;
    return t;
  }
}

/** The page's one account of its live drawing's time. */
export const liveCost = new LiveCost();

/**
 * Milliseconds from one live tick to the next after live drawing that took `costMs`: LIVE_TICK_MS, or longer so
 * that it takes at most LIVE_MAX_SHARE of the page's time (electron/limits.ts), at most LIVE_MAX_SPACING_MS.
 */
export const liveSpacingMs = (costMs: number): number => spacingMs(LIVE_TICK_MS, costMs, LIVE_MAX_SHARE, LIVE_MAX_SPACING_MS);

/**
 * Whether `target` is shown: on screen (an IntersectionObserver) in a page that is not hidden. Returns a function
 * that says so now; `onChange` runs whenever that may have changed (the latest one given runs). The element's
 * data-on-screen says yes or no, what tests wait on. Without an element it counts as on screen.
 */
export function useShown(target: RefObject<Element | null>, onChange: () => void): () => boolean {
  const latest = useRef(onChange);
  useLayoutEffect(() => {
    latest.current = onChange;
  });
  const onScreen = useRef(false);
  useEffect(() => {
    const changed = () => latest.current();
    const el = target.current;
    const io = el
      ? new IntersectionObserver((entries) => {
          onScreen.current = entries.some((e) => e.isIntersecting);
          // what tests wait on: once it says no, nothing is drawn until it says yes
          if (el instanceof HTMLElement) el.dataset.onScreen = onScreen.current ? 'yes' : 'no';
          changed();
        })
      : null;
    if (el) io!.observe(el);
    else onScreen.current = true;
    document.addEventListener('visibilitychange', changed);
    return () => {
      io?.disconnect();
      document.removeEventListener('visibilitychange', changed);
      onScreen.current = false;
    };
  }, [target]);
  return useCallback(() => onScreen.current && document.visibilityState !== 'hidden', []);
}

/**
 * Returns `request()`: draw soon (coalesced, throttled, visible only). `draw` may change every render; the latest
 * one runs. `onDraw` counts draws (for the page's data-draws, what tests read).
 */
export function useCoalescedDraw(target: RefObject<Element | null>, draw: () => void, minMs = LIVE_TICK_MS): () => void {
  const latest = useRef(draw);
  useLayoutEffect(() => {
    latest.current = draw;
  });
  const state = useRef({ dirty: false, last: -Infinity, timer: 0, frame: 0, pump: () => {} });
  const shown = useShown(target, () => state.current.pump());

  useEffect(() => {
    const s = state.current;
    s.pump = () => {
      if (!s.dirty || !shown() || s.timer || s.frame) return;
      const wait = Math.max(0, s.last + minMs - performance.now());
      s.timer = window.setTimeout(() => {
        s.timer = 0;
        s.frame = requestAnimationFrame(() => {
          s.frame = 0;
          if (!s.dirty || !shown()) return; // hidden meanwhile: stays stale until it shows
          s.dirty = false;
          s.last = performance.now();
          latest.current();
          liveCost.measure(s.last);
          s.pump(); // a request that came during the draw
        });
      }, wait);
    };
    s.pump();
    return () => {
      clearTimeout(s.timer);
      cancelAnimationFrame(s.frame);
      s.timer = s.frame = 0;
      s.pump = () => {};
    };
  }, [shown, minMs]);

  return useCallback(() => {
    state.current.dirty = true;
    state.current.pump();
  }, []);
}

/**
 * False until a task after the component's first paint: a heavy first draw (a chart.js chart is ~15 ms to build)
 * waits for it, so a page opens at once and fills in afterwards, each waiting component in a task of its own.
 */
export function useAfterPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    let timer = 0;
    const frame = requestAnimationFrame(() => (timer = window.setTimeout(() => setPainted(true))));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  return painted;
}
