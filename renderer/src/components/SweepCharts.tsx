// Two chart.js views of a sweep: one hyperparameter against the metric (a log x axis for the learning rate,
// names as positions for categories; the best trial ringed), and the curves of the top trials overlaid.
import { useEffect, useRef, useState } from 'react';
import type { ChartDataset, ChartOptions } from 'chart.js';
import type { BackpropLabApi, MetricKey, RunCurves, SweepTrialInfo } from '../api';
import { Chart, lineOptions } from '../lib/charts';
import { colourIndex, metricValue, METRIC_COLOURS, paramText, position, type Axis } from '../lib/sweep-axes';
import { palette } from '../lib/theme';

type Pt = { x: number; y: number };

export function SweepScatter({ trials, axis, metricAxis, metric, bestIndex, theme }: { trials: readonly SweepTrialInfo[]; axis: Axis; metricAxis: Axis; metric: string; bestIndex: number | null; theme: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const p = palette();
    const pts: Pt[] = [], colours: string[] = [];
    let bestPt: Pt | null = null;
    for (const t of trials) {
      const y = metricValue(t, metric);
      const v = t.params[axis.key];
      if (y === null || v === undefined) continue;
      const x = axis.scale === 'category' ? axis.categories.indexOf(paramText(v)) : (v as number);
      const pt = { x, y };
      pts.push(pt);
      colours.push(METRIC_COLOURS[Math.max(0, colourIndex(position(metricAxis, y), metric))]!);
      if (t.trialIndex === bestIndex) bestPt = pt;
    }
    const datasets: ChartDataset<'line', Pt[]>[] = [
      { label: 'trials', data: pts, showLine: false, pointRadius: 3.5, pointHoverRadius: 5, pointBackgroundColor: colours, pointBorderColor: colours, borderColor: p.muted },
    ];
    if (bestPt) datasets.push({ label: 'best', data: [bestPt], showLine: false, pointRadius: 7, pointBorderWidth: 2, pointBackgroundColor: 'transparent', pointBorderColor: p.fg, borderColor: p.fg });
    const base = lineOptions({ xTitle: axis.label, yTitle: metric, legend: false });
    // the shared x axis (grid, ticks, title), re-typed as a category-as-index or a log axis as the parameter asks
    const x = base.scales!['x'] as Record<string, unknown> & { ticks: object };
    const chart = new Chart(el, {
      type: 'line',
      data: { datasets },
      options: {
        ...base,
        interaction: { mode: 'nearest', intersect: true },
        scales: {
          ...base.scales,
          x: (
            axis.scale === 'category'
              ? {
                  ...x,
                  type: 'linear',
                  min: -0.5,
                  max: axis.categories.length - 0.5,
                  // one tick per category, at its index
                  afterBuildTicks: (scale: { ticks: Array<{ value: number }> }) => {
                    scale.ticks = axis.categories.map((_, i) => ({ value: i }));
                  },
                  ticks: { ...x.ticks, autoSkip: false, callback: (v: number | string) => axis.categories[Number(v)] ?? '' },
                }
              : axis.scale === 'log'
                ? { ...x, type: 'logarithmic', ticks: { ...x.ticks, callback: (v) => (Math.abs(Math.log10(Number(v)) % 1) < 1e-9 ? String(Number(v)) : '') } }
                : x) as NonNullable<ChartOptions<'line'>['scales']>[string],
        },
        plugins: { ...base.plugins, tooltip: { callbacks: { label: (c) => `${axis.label} ${axis.scale === 'category' ? axis.categories[c.parsed.x as number] : c.parsed.x}: ${metric} ${Number(c.parsed.y).toPrecision(4)}` } } },
      },
    });
    return () => chart.destroy();
  }, [trials, axis, metricAxis, metric, bestIndex, theme]);
  return (
    <div className="chart-box" data-testid="sweep-scatter">
      <canvas ref={canvas} role="img" aria-label={`${axis.label} against ${metric}`} />
    </div>
  );
}

/** The curve key a sweep's metric is read from. */
const curveKey = (metric: string): MetricKey => (metric === 'cost' ? 'trainCost' : metric === 'testAccuracy' ? 'testAccuracy' : metric === 'trainAccuracy' ? 'trainAccuracy' : 'testCost');

export function TopCurves({ api, top, metric, theme }: { api: BackpropLabApi; top: ReadonlyArray<{ runId: string; label: string }>; metric: string; theme: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [curves, setCurves] = useState<{ ids: string; data: Record<string, RunCurves>; error?: string } | null>(null);
  const ids = top.map((t) => t.runId).join(',');
  useEffect(() => {
    if (!ids) return;
    let live = true;
    void api.runs.curves({ runIds: ids.split(','), keys: [curveKey(metric)], maxPoints: 400 }).then((r) => {
      if (!live) return;
      setCurves(r.ok ? { ids, data: r.value } : { ids, data: {}, error: r.error.message });
    });
    return () => {
      live = false;
    };
  }, [api, ids, metric]);
  useEffect(() => {
    const el = canvas.current;
    if (!el || !curves || curves.ids !== ids) return;
    const p = palette();
    const key = curveKey(metric);
    const datasets: ChartDataset<'line', Pt[]>[] = top.map((t, i) => {
      const c = curves.data[t.runId]?.[key];
      const data = c ? c.step.map((s, j) => ({ x: s, y: c.value[j]! })).filter((q) => Number.isFinite(q.y)) : [];
      return { label: t.label, data, borderColor: p.series[i % p.series.length], backgroundColor: p.series[i % p.series.length], borderWidth: i === 0 ? 2.4 : 1.4 };
    });
    const chart = new Chart(el, { type: 'line', data: { datasets }, options: lineOptions({ xTitle: 'epoch', yTitle: key }) });
    return () => chart.destroy();
  }, [curves, ids, top, metric, theme]);
  return (
    <div className="chart-box" data-testid="sweep-curves">
      {!ids && <p className="muted small chart-empty">Curves appear once trials finish.</p>}
      {ids && curves?.ids === ids && curves.error && (
        <p className="muted small chart-empty" data-testid="sweep-curves-error">
          The curves could not be read: {curves.error}
        </p>
      )}
      <canvas ref={canvas} role="img" aria-label="curves of the top trials" />
    </div>
  );
}
