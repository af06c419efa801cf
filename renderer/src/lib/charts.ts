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
export function lineOptions(opts: { xTitle: string; yTitle?: string; log?: boolean; yMin?: number; yMax?: number; legend?: boolean }): ChartOptions<'line'> {
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
      x: { type: 'linear', grid, ticks: { ...ticks, maxTicksLimit: 7 }, border: { color: p.line }, title: { display: true, text: opts.xTitle, color: p.muted, font: { size: 11 } } },
      y: {
        type: opts.log ? 'logarithmic' : 'linear',
        grid,
        border: { color: p.line },
        ticks: {
          ...ticks,
          maxTicksLimit: 6,
          callback: (v) => {
            const n = Number(v);
            if (n === 0) return '0';
            // log axes: label only 1, 2 and 5 × 10^k, so the labels never crowd
            if (opts.log && ![1, 2, 5].includes(Number((n / Math.pow(10, Math.floor(Math.log10(n) + 1e-9))).toFixed(6)))) return '';
            return Math.abs(n) < 1e-3 || Math.abs(n) >= 1e4 ? n.toExponential(0) : String(Number(n.toPrecision(3)));
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

export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#')) {
    const h = color.slice(1);
    const full = h.length === 3 ? h.split('').map((c) => c + c).join('') : h;
    return `#${full}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
  }
  return color;
}
