// The train and test cost along the straight line between two runs' weights, θ(α) = (1 − α)·θA + α·θB for α from
// −0.5 to 1.5 (Goodfellow, Vinyals & Saxe, 2015), from the core's runs.interpolate. Runs of different architectures
// have no such line: one sentence says so instead.
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { ChartDataset } from 'chart.js';
import { unwrap, type BackpropLabApi, type RunId } from '../api';
import type { Interpolation } from '../../../electron/contract';
import { Chart, lineOptions } from '../lib/charts';
import { fmtCost } from '../lib/format';
import { palette } from '../lib/theme';

type Pt = { x: number; y: number | null };

export interface InterpolationRun {
  id: RunId;
  name: string;
  color: string;
  /** The architecture in short form with activations (the diff's architecture row). */
  architecture: string;
}

export function InterpolationChart({ api, a, b, theme }: { api: BackpropLabApi; a: InterpolationRun; b: InterpolationRun; theme: string }) {
  const same = a.architecture === b.architecture;
  const key = `${a.id},${b.id}`;
  // What was evaluated, and for which pair: another pair shows "Evaluating…" until its own result arrives.
  const [result, setResult] = useState<{ key: string; value: Interpolation | null; error: string | null } | null>(null);
  const shown = result?.key === key ? result : null;
  const settle = useEffectEvent((r: { key: string; value: Interpolation | null; error: string | null }) => setResult(r));

  useEffect(() => {
    if (!same) return;
    const [ida, idb] = key.split(',') as [string, string];
    let live = true;
    void (async () => {
      try {
        const value = await unwrap(api.runs.interpolate({ a: ida, b: idb }));
        if (live) settle({ key, value, error: null });
      } catch (e) {
        // a run still training or trained on a CSV file has nothing to evaluate: the reason is the chart's line
        if (live) settle({ key, value: null, error: (e as Error).message });
      }
    })();
    return () => {
      live = false;
    };
  }, [key, same, api]);

  if (!same) {
    return (
      <p className="muted small" data-testid="interpolation-note">
        No interpolation: the runs have different architectures ({a.architecture} vs {b.architecture}); the line between weights needs one.
      </p>
    );
  }
  if (shown?.error) {
    return (
      <p className="muted small" data-testid="interpolation-note">
        {shown.error}
      </p>
    );
  }
  return <InterpolationPlot data={shown?.value ?? null} a={a} b={b} theme={theme} />;
}

function InterpolationPlot({ data, a, b, theme }: { data: Interpolation | null; a: InterpolationRun; b: InterpolationRun; theme: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const i0 = data ? data.alphas.indexOf(0) : -1;
  const i1 = data ? data.alphas.indexOf(1) : -1;
  useEffect(() => {
    const el = canvas.current;
    if (!el || !data) return;
    const p = palette();
    const line = (ys: Array<number | null>): Pt[] => data.alphas.map((x, k) => ({ x, y: ys[k] ?? null }));
    const hasTest = data.testCost.some((v) => v !== null);
    const at = (k: number): Pt[] => (k >= 0 ? [{ x: data.alphas[k]!, y: data.trainCost[k] ?? null }] : []);
    const datasets: ChartDataset<'line', Pt[]>[] = [
      { label: 'train', data: line(data.trainCost), borderColor: p.train, backgroundColor: p.train },
      ...(hasTest ? [{ label: 'test', data: line(data.testCost), borderColor: p.test, backgroundColor: p.test, borderDash: [5, 3] }] : []),
      // the two runs themselves: α 0 is A, α 1 is B, each in its colour on the train curve
      { label: `α 0: ${a.name}`, data: at(data.alphas.indexOf(0)), borderColor: a.color, backgroundColor: a.color, pointRadius: 5, showLine: false },
      { label: `α 1: ${b.name}`, data: at(data.alphas.indexOf(1)), borderColor: b.color, backgroundColor: b.color, pointRadius: 5, showLine: false },
    ];
    const chart = new Chart(el, { type: 'line', data: { datasets }, options: lineOptions({ xTitle: 'α   (θ = (1 − α)·θA + α·θB)', yTitle: 'cost' }) });
    return () => chart.destroy();
  }, [data, a.name, b.name, a.color, b.color, theme]);

  const attrs = data
    ? {
        'data-points': String(data.alphas.length),
        'data-train-at-0': String(data.trainCost[i0] ?? ''),
        'data-train-at-1': String(data.trainCost[i1] ?? ''),
        'data-test-at-0': String(data.testCost[i0] ?? ''),
        'data-test-at-1': String(data.testCost[i1] ?? ''),
      }
    : {};
  // a barrier: the train cost strictly between the runs rises above both of theirs (Goodfellow et al.'s question)
  const inner = data && i0 >= 0 && i1 > i0 + 1 ? highest(data.alphas.slice(i0 + 1, i1), data.trainCost.slice(i0 + 1, i1)) : null;
  const ends = data ? Math.max(data.trainCost[i0] ?? -Infinity, data.trainCost[i1] ?? -Infinity) : Infinity;
  const barrier = inner && inner.cost > ends ? inner : null;
  return (
    <>
      <div className="chart-box" data-testid="interpolation-chart" {...attrs}>
        <canvas ref={canvas} role="img" aria-label="cost along the line between the two runs' weights" />
      </div>
      <p className="muted small interpolation-summary" data-testid="interpolation-summary">
        {data
          ? `Train cost ${fmtCost(data.trainCost[i0])} at α 0 (A), ${fmtCost(data.trainCost[i1])} at α 1 (B); ` +
            (barrier
              ? `between them it rises to ${fmtCost(barrier.cost)} at α ${barrier.alpha.toFixed(2)}: a barrier of ${fmtCost(barrier.cost - ends)} separates the two.`
              : 'between them it never rises above both: no barrier on the line.')
          : 'Evaluating the cost along the line…'}
      </p>
    </>
  );
}

/** The highest finite cost along the α list, with its α (null when none is finite). */
function highest(alphas: number[], cost: Array<number | null>): { alpha: number; cost: number } | null {
  let best: { alpha: number; cost: number } | null = null;
  cost.forEach((c, k) => {
    if (c !== null && Number.isFinite(c) && (best === null || c > best.cost)) best = { alpha: alphas[k]!, cost: c };
  });
  return best;
}
