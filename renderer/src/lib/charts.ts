// chart.js, registered once with only what the dashboard draws (tree-shaken), and the options every chart shares.
import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartOptions,
} from 'chart.js';
import { palette } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip, Filler);

export { Chart };

/** Options for a line chart over numeric x: no animation, no parsing (data is {x, y}), theme colours. */
export function lineOptions(opts: { xTitle: string; yTitle?: string; log?: boolean; yMin?: number; yMax?: number; legend?: boolean; xLog?: boolean; xMin?: number; xMax?: number }): ChartOptions<'line'> {
  const p = palette();
  const grid = { color: p.line, drawTicks: false };
  const ticks = { color: p.muted, padding: 6, font: { size: 11, family: 'inherit' } };
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    spanGaps: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    elements: { point: { radius: 0, hoverRadius: 3 }, line: { borderWidth: 1.6, tension: 0 } },
    scales: {
      x: {
        type: opts.xLog ? 'logarithmic' : 'linear',
        grid,
        ticks: { ...ticks, maxTicksLimit: opts.xLog ? 30 : 7, ...(opts.xLog ? { callback: (v: number | string) => logTickLabel(Number(v)) } : {}) },
        border: { color: p.line },
        title: { display: true, text: opts.xTitle, color: p.muted, font: { size: 11 } },
        ...(opts.xMin !== undefined ? { min: opts.xMin } : {}),
        ...(opts.xMax !== undefined ? { max: opts.xMax } : {}),
      },
      y: {
        type: opts.log ? 'logarithmic' : 'linear',
        grid,
        border: { color: p.line },
        ticks: {
          ...ticks,
          maxTicksLimit: 6,
          callback: (v, i, all) => {
            const n = Number(v);
            if (n === 0) return '0';
            return opts.log ? logTickLabel(n) : tickLabel(n, tickStep(all.map((t) => t.value)));
          },
        },
        ...(opts.yMin !== undefined ? { min: opts.yMin } : {}),
        ...(opts.yMax !== undefined ? { max: opts.yMax } : {}),
        ...(opts.yTitle ? { title: { display: true, text: opts.yTitle, color: p.muted, font: { size: 11 } } } : {}),
      },
    },
    plugins: {
      legend: { display: opts.legend ?? true, position: 'top', align: 'end', labels: { color: p.fg, boxWidth: 14, boxHeight: 2, font: { size: 11 } } },
      tooltip: {
        callbacks: {
          label: (ctx) => `${ctx.dataset.label}: ${Number(ctx.parsed.y).toPrecision(5)}`,
        },
      },
    },
  };
}

/** A log axis's tick label: only 1, 2 and 5 × 10^k are labelled, so the labels never crowd. */
export function logTickLabel(n: number): string {
  if (n === 0) return '0';
  if (![1, 2, 5].includes(Number((n / Math.pow(10, Math.floor(Math.log10(n) + 1e-9))).toFixed(6)))) return '';
  return Math.abs(n) < 1e-3 || Math.abs(n) >= 1e4 ? n.toExponential(0) : String(Number(n.toPrecision(3)));
}

/**
 * The spacing of an axis's ticks: the gap between two inner ticks (the first and last may be the axis's own min and
 * max, off the tick grid); 0 with fewer than two ticks.
 */
export function tickStep(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const k = values.length > 3 ? Math.floor(values.length / 2) : 1;
  return Math.abs(values[k]! - values[k - 1]!);
}

/**
 * A tick label with the digits its axis's tick spacing needs, so neighbours never read the same (0.6925, 0.6930,
 * 0.6935 — not "0.693" three times) and a wide range shows no noise digits (0, 0.2, 0.4). Values from 1e4 up or
 * below 1e-3 are written in exponent form with as many mantissa digits as the step needs (1.2e+4, 2.5e-4).
 */
export function tickLabel(value: number, step: number): string {
  if (value === 0) return '0';
  const a = Math.abs(value);
  const s = step > 0 && Number.isFinite(step) ? step : a;
  if (a >= 1e4 || a < 1e-3) {
    const digits = Math.max(0, Math.min(12, Math.floor(Math.log10(a) + 1e-9) - Math.floor(Math.log10(s) + 1e-9) + (leadingDigits(s) > 1 ? 1 : 0)));
    return value.toExponential(digits);
  }
  return value.toFixed(Math.min(12, decimalsOf(s)));
}

/** The fewest decimals that write x exactly (to 1e-9 of it): 0.25 → 2, 0.0005 → 4, 20 → 0. */
function decimalsOf(x: number): number {
  for (let d = 0; d < 12; d++) {
    const scaled = x * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/** Significant digits x needs: 0.0005 → 1, 0.00025 → 2. */
function leadingDigits(x: number): number {
  const mantissa = x / 10 ** Math.floor(Math.log10(x) + 1e-9);
  return decimalsOf(mantissa) + 1;
}

export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#')) {
    const h = color.slice(1);
    const full = h.length === 3 ? h.split('').map((c) => c + c).join('') : h;
    return `#${full}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
  }
  return color;
}
