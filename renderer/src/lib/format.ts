// Number and time formatting for the dashboard: compact, consistent, and never "NaN" where a dash reads better.

// one formatter for every call: toLocaleString builds a new one each time, which a table re-rendered while a run
// trains pays for every cell
const INT = new Intl.NumberFormat('en-US');
export const fmtInt = (n: number) => INT.format(n);

/** Costs: 4 significant digits, scientific below 1e-3. */
export function fmtCost(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(3);
  return v.toPrecision(4);
}

/** Accuracies as a fraction with 3 decimals (0.980), the way the notebook prints them. */
export function fmtAcc(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return v.toFixed(3);
}

export function fmtSci(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  return v.toExponential(digits);
}

/** A small signed value for the forward-cache tables. */
export function fmtVal(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : 4);
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtRate(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return '—';
  return r >= 100 ? fmtInt(Math.round(r)) : r.toFixed(1);
}

export function fmtDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "2-25-50-50-25-1" (engine/architecture.ts's layerWidths) */
export { layerWidths as archString } from '../../../engine/architecture';
