// The loss landscape's settings, declared once with no imports, so the contract (which checks a runs.landscape
// payload), the engine and the dashboard's controls (which the page bundles) read the same numbers.

/** Default grid (points per axis), half-width of the plane in direction units, and the directions' seed. */
export const LANDSCAPE_DEFAULTS = { grid: 21, span: 1, seed: 0 } as const;

/** What a runs.landscape request may ask: grid from 2 to 101 points per axis, span above 0 and at most 100. */
export const LANDSCAPE_LIMITS = { gridMin: 2, gridMax: 101, spanMax: 100 } as const;
