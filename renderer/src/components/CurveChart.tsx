// Train and test curves of the shown run (cost or accuracy). The chart.js chart is built once per option change
// (kind, smoothing, log, x axis, theme, a best-epoch marker or none); a new run, or the curves' buffer rebuilding
// its rows (curves.ts: a few times in a long run), refills its datasets with new arrays instead — building a chart
// costs ~20 ms of the page's time, which a run just starting shares with its training. New epochs are appended to
// the datasets and drawn with chart.update('none'). While the chart is scrolled or tabbed away it takes no points
// (a chart.js update is ~10 ms of layout); it catches up when it shows.
import { memo, useEffect, useRef, useSyncExternalStore } from 'react';
import type { ChartDataset } from 'chart.js';
import { Chart, lineOptions, withAlpha } from '../lib/charts';
import { Ema } from '../lib/smooth';
import { palette } from '../lib/theme';
import type { LiveRun } from '../live/run';
import { useAfterPaint, useShown } from '../lib/draw-scheduler';

export interface CurveOptions {
  /** 0 = raw; 0.99 = very smooth. */
  smoothing: number;
  log: boolean;
  x: 'epoch' | 'time';
}

type Pt = { x: number; y: number | null };

// memo: the page re-renders with every metrics batch; the chart follows the run through its own subscriptions
export const CurveChart = memo(function CurveChart({ run, kind, options, theme, testId }: { run: LiveRun; kind: 'cost' | 'accuracy'; options: CurveOptions; theme: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  // the chart's fill while it is built, and whether points arrived while it was not shown
  // (and how many charts this component built: what tests read)
  const pending = useRef<{ fill: (() => void) | null; stale: boolean; updates: number; builds: number }>({ fill: null, stale: false, updates: 0, builds: 0 });
  const shown = useShown(box, () => {
    const p = pending.current;
    if (p.stale && p.fill && shown()) {
      p.stale = false;
      p.fill();
    }
  });
  const generation = useSyncExternalStore(run.subscribe, () => run.generation);
  // built after the page first painted: switching to the Train tab shows it at once, the charts a moment later
  const painted = useAfterPaint();

  // whether the run has a best epoch to mark: the marker's dataset is part of the chart's build
  const hasBest = run.bestEpoch !== null;
  // the chart's refill for a new generation of the run's rows (null while there is no chart)
  const built = useRef<{ generation: number; refill: () => void } | null>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el || !painted) return;
    const p = palette();
    const smooth = options.smoothing > 0;
    const keys = kind === 'cost' ? (['trainCost', 'testCost'] as const) : (['trainAccuracy', 'testAccuracy'] as const);
    const colors = [p.train, p.test];
    const labels = ['train', 'test'];
    const withLr = kind === 'cost';
    // the datasets: the two curves (smoothed when smoothing), their raw points under them when smoothing, the
    // learning rate each epoch trained with (the cost chart, on its own axis at the right), and the epoch whose
    // weights early stopping kept (a marked point on the train curve)
    const curves: ChartDataset<'line', Pt[]>[] = keys.map((_, i) => ({ label: labels[i]!, data: [], borderColor: colors[i], backgroundColor: colors[i], borderDash: i === 1 ? [5, 3] : [] }));
    const raws: ChartDataset<'line', Pt[]>[] = smooth ? keys.map((_, i) => ({ label: `${labels[i]} (raw)`, data: [], borderColor: withAlpha(colors[i]!, 0.22), backgroundColor: withAlpha(colors[i]!, 0.22), borderWidth: 1 })) : [];
    const lrSet: ChartDataset<'line', Pt[]> | null = withLr ? { label: 'learning rate', data: [], yAxisID: 'lr', borderColor: withAlpha(p.muted, 0.8), backgroundColor: withAlpha(p.muted, 0.8), borderWidth: 1.2, borderDash: [2, 3] } : null;
    const bestSet: ChartDataset<'line', Pt[]> | null = hasBest ? { label: '', data: [], borderColor: p.fg, backgroundColor: p.fg, pointRadius: 5, pointStyle: 'crossRot', pointBorderWidth: 2, showLine: false } : null;
    const datasets = [...curves, ...raws, ...(lrSet ? [lrSet] : []), ...(bestSet ? [bestSet] : [])];
    const base = lineOptions({
      xTitle: options.x === 'epoch' ? 'epoch' : 'wall time (s)',
      log: kind === 'cost' && options.log,
      ...(kind === 'accuracy' ? { yMax: 1, yMin: 0 } : {}),
    });
    const chart = new Chart(el, {
      type: 'line',
      data: { datasets },
      options: {
        ...base,
        scales: {
          ...base.scales,
          ...(withLr
            ? {
                lr: {
                  type: 'linear',
                  position: 'right',
                  beginAtZero: true,
                  grid: { drawOnChartArea: false, drawTicks: false },
                  border: { color: p.line },
                  ticks: { color: p.muted, padding: 4, maxTicksLimit: 4, font: { size: 10 }, callback: (v) => String(Number(Number(v).toPrecision(2))) },
                  title: { display: true, text: 'lr', color: p.muted, font: { size: 10 } },
                },
              }
            : {}),
        },
        plugins: {
          ...lineOptions({ xTitle: '' }).plugins,
          legend: { display: true, position: 'top', align: 'end', labels: { color: p.fg, boxWidth: 14, boxHeight: 2, font: { size: 11 }, filter: (item) => !item.text.endsWith('(raw)') } },
        },
      },
    });
    el.parentElement?.setAttribute('data-builds', String(++pending.current.builds));
    // the y axis's range as drawn, for a test to read (an empty accuracy chart must say 0–1)
    const markRange = () => {
      const y = chart.scales['y'];
      if (y) el.parentElement?.setAttribute('data-y-range', `${y.min},${y.max}`);
    };
    markRange();
    // the points charted so far, and the rows of run.series they came from (n); new arrays for each generation
    let raw: Pt[][] = [], smoothed: Pt[][] = [], best: Pt[] = [], lrPts: Pt[] = [], emas: Ema[] = [];
    let n = 0, bestEpoch: number | null = null;
    const restart = () => {
      raw = [[], []];
      smoothed = [[], []];
      best = [];
      lrPts = [];
      emas = [new Ema(options.smoothing), new Ema(options.smoothing)];
      n = 0;
      bestEpoch = run.bestEpoch;
      curves.forEach((d, i) => (d.data = smooth ? smoothed[i]! : raw[i]!));
      raws.forEach((d, i) => (d.data = raw[i]!));
      if (lrSet) lrSet.data = lrPts;
      if (bestSet) Object.assign(bestSet, { data: best, label: `best epoch ${bestEpoch}` });
    };
    // appends the rows of run.series not charted yet and draws them (with none new, draws only when `always`)
    const fill = (always = false) => {
      const s = run.series;
      const len = s.epoch.length;
      if (len === n && !always) return;
      // the new points are collected, then pushed once per dataset: chart.js watches its data arrays' push, and
      // a push per point costs it a bookkeeping pass per point
      const add: { raw: Pt[][]; smoothed: Pt[][]; best: Pt[]; lr: Pt[] } = { raw: [[], []], smoothed: [[], []], best: [], lr: [] };
      for (let j = n; j < len; j++) {
        const x = options.x === 'epoch' ? s.epoch[j]! : s.wallMs[j]! / 1000;
        keys.forEach((k, i) => {
          let y = s[k][j] ?? null;
          if (y !== null && !Number.isFinite(y)) y = null;
          if (y !== null && kind === 'cost' && options.log && y <= 0) y = null;
          if (i === 1 && y === null) return; // the test set may be measured less often: no gap markers
          add.raw[i]!.push({ x, y });
          if (smooth) add.smoothed[i]!.push({ x, y: emas[i]!.push(y) });
          if (i === 0 && bestEpoch !== null && s.epoch[j] === bestEpoch && y !== null) add.best.push({ x, y });
        });
        const lr = s.learningRate[j];
        if (withLr && lr !== null && lr !== undefined && Number.isFinite(lr)) add.lr.push({ x, y: lr });
      }
      const pushAll = (to: Pt[], from: Pt[]) => {
        for (let k = 0; k < from.length; k += 4096) to.push(...from.slice(k, k + 4096));
      };
      keys.forEach((_, i) => {
        pushAll(raw[i]!, add.raw[i]!);
        pushAll(smoothed[i]!, add.smoothed[i]!);
      });
      pushAll(best, add.best);
      pushAll(lrPts, add.lr);
      n = len;
      // an accuracy chart without a point yet shows 0–1, not chart.js's sliver under its max of 1 (0.94–1)
      if (kind === 'accuracy') (chart.options.scales!['y'] as { min?: number }).min = raw[0]!.some((pt) => pt.y !== null) ? undefined : 0;
      el.parentElement?.setAttribute('data-points', String(raw[0]!.length));
      if (bestEpoch !== null) el.parentElement?.setAttribute('data-best-epoch', String(bestEpoch));
      else el.parentElement?.removeAttribute('data-best-epoch');
      chart.update('none');
      // chart.js updates made, what tests read (none while the chart is not shown)
      el.parentElement?.setAttribute('data-updates', String(++pending.current.updates));
      markRange();
    };
    const pend = pending.current;
    // a refill draws every row of the new generation (none: the last run's points are cleared), now or when shown
    pend.fill = () => fill(true);
    const refill = () => {
      restart();
      pend.stale = !shown();
      if (!pend.stale) fill(true);
    };
    refill();
    built.current = { generation: run.generation, refill };
    // appends arrive at most once per live tick (LIVE_TICK_MS): a redraw each while the chart shows
    const off = run.onAppend(() => {
      if (shown()) fill();
      else pend.stale = true;
    });
    return () => {
      off();
      pend.fill = null;
      built.current = null;
      chart.destroy();
    };
  }, [run, hasBest, kind, options.smoothing, options.log, options.x, theme, painted, shown]);

  // a new run, or the run's rows rebuilt (curves.ts): the same chart, refilled
  useEffect(() => {
    const b = built.current;
    if (!b || b.generation === generation) return;
    b.generation = generation;
    b.refill();
  }, [generation]);

  return (
    <div ref={box} className="chart-box" data-testid={testId}>
      <canvas ref={canvas} role="img" aria-label={`${kind} curves`} />
    </div>
  );
});
