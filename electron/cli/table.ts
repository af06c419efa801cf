// Text layout for the run commands: aligned tables, a cost sparkline, dates and short numbers.

/** Columns padded to their widest cell (by code points), two spaces apart; `right` columns align right. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], opts: { right?: readonly number[] } = {}): string {
  const len = (s: string) => [...s].length;
  const widths = header.map((h, c) => Math.max(len(h), ...rows.map((r) => len(r[c] ?? ''))));
  const right = new Set(opts.right ?? []);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => {
        const pad = ' '.repeat(Math.max(0, widths[c]! - len(cell)));
        return right.has(c) ? pad + cell : c === cells.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of `values` in at most `width` characters: each character is the mean of its share of the
 * points, scaled between the finite minimum and maximum; a share holding NaN or ±Infinity shows as '×'.
 */
export function sparkline(values: readonly number[], width = 40): string {
  if (values.length === 0) return '';
  const n = Math.min(width, values.length);
  const cells: number[] = [];
  for (let c = 0; c < n; c++) {
    const start = Math.floor((c * values.length) / n);
    const end = Math.max(start + 1, Math.floor(((c + 1) * values.length) / n));
    let sum = 0;
    let bad = false;
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) bad = true;
      sum += v;
    }
    cells.push(bad ? NaN : sum / (end - start));
  }
  const finite = cells.filter(Number.isFinite);
  const lo = Math.min(...finite), hi = Math.max(...finite);
  return cells
    .map((v) => {
      if (!Number.isFinite(v)) return '×';
      if (hi === lo) return BARS[3];
      return BARS[Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))];
    })
    .join('');
}

/** "2024-05-01 10:20" in local time (runs are listed by the person who ran them). */
export function formatDate(ms: number | null): string {
  if (ms === null) return '–';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** 850 ms, 12.3 s, 3m 05s, 1h 02m. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** A metric for a table: 6 significant digits, '–' when unknown. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-4 || v === 0 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
}

/** At most `max` characters, with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}
