// The limits on what a run may be called and carry, declared once: the store enforces them on every write and the
// contract checks payloads against the same numbers before they reach it. Plain constants, no imports, so any
// host file (and the renderer, type-only or not) can use them.

/** A run's id: letters, digits, - and _, 1 to RUN_ID_MAX_LENGTH characters (the store makes uuids; imports may keep theirs). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The longest run id RUN_ID_PATTERN accepts. */
export const RUN_ID_MAX_LENGTH = 64;

/** Characters in a run's name (after trimming); names have no control characters. */
export const MAX_NAME_LENGTH = 200;
/** Characters in one tag (after trimming); tags have no commas or control characters. */
export const MAX_TAG_LENGTH = 64;
/** Tags on one run. */
export const MAX_TAGS = 50;
/** Most runs one connection (a page, the desktop window) may watch the snapshots of at once (runs.watch). */
export const MAX_WATCHED_RUNS = 64;
/** Characters in a run's notes. */
export const MAX_NOTES_LENGTH = 100_000;
/** Characters in a stored reason (why a run failed, stopped or was interrupted). */
export const MAX_REASON_LENGTH = 10_000;

/** A network this small sends its weights with every snapshot (its diagram's edges follow each one). */
export const SNAPSHOT_WEIGHTS_LIGHT_PARAMS = 20_000;
/** How often a larger network's running snapshots carry its weights (1.06 MB for 2-256-256-256-1). */
export const SNAPSHOT_WEIGHTS_INTERVAL_MS = 1000;
/**
 * The share of the training thread's time running snapshots may take, short of SNAPSHOT_MAX_SPACING_MS: after one
 * that took t ms the next waits t / SNAPSHOT_MAX_SHARE ms from its start. The seed network's (~5–12 ms) keep the
 * 250 ms interval; 2-256-256-256-1's (60 ms alone, 150–200 ms beside a drawing page on two cores) come once a
 * second, where four a second took about half of its training.
 */
export const SNAPSHOT_MAX_SHARE = 0.1;
/** The longest wait between two running snapshots, however costly: the page's picture of the run moves at least this often. */
export const SNAPSHOT_MAX_SPACING_MS = 1000;

/**
 * Milliseconds from the start of one round of periodic work to the next's: `intervalMs`, or longer after a round that
 * took `lastCostMs`, so that the work takes at most `share` of its thread — but never longer than `maxMs`.
 */
export function spacingMs(intervalMs: number, lastCostMs: number, share: number, maxMs: number): number {
  return Math.max(intervalMs, Math.min(lastCostMs / share, maxMs));
}

/** Milliseconds from one running snapshot's start to the next's: the interval, or longer for a costly one (see SNAPSHOT_MAX_SHARE). */
export function snapshotSpacingMs(intervalMs: number, lastCostMs: number): number {
  return spacingMs(intervalMs, lastCostMs, SNAPSHOT_MAX_SHARE, SNAPSHOT_MAX_SPACING_MS);
}

/**
 * The share of the page's time a live run's drawing may take (its ticks: the charts, canvases, React's render and
 * the frames they paint, each timed on the wall clock from its start until its frame is done — so a main thread
 * that waits for a core on a busy machine counts too, and the page draws less there), short of
 * LIVE_MAX_SPACING_MS: after a tick whose work took t ms the next comes t / LIVE_MAX_SHARE ms after it, at least
 * LIVE_TICK_MS (renderer/src/lib/draw-scheduler.ts). The seed experiment's ticks (~30–100 ms in a software-drawn
 * headless Chromium beside a two-thread run on two cores) come one to four times a second there, where four a
 * second made the dashboard's µs/epoch 1.33× the command line's (1.18–1.23× paced); a desktop's cheaper ticks keep
 * the four.
 */
export const LIVE_MAX_SHARE = 0.1;
/** The longest wait between two live ticks, however costly: a running run's page moves at least this often. */
export const LIVE_MAX_SPACING_MS = 1000;
