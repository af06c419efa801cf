// Compare 2–10 runs: overlaid curves (cost, accuracy or R²; x by epoch, share of training, wall time or log epochs),
// final metrics side by side, the settings that matter as readable rows (optionally only those that differ), the
// distance between weights of runs that share architecture and init seed, and the cost along the line between two
// runs' weights.
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { ChartDataset } from 'chart.js';
import { unwrap, type BackpropLabApi, type MetricKey, type RunCurves, type RunDiff, type RunSummary } from '../api';
import { Chart, lineOptions } from '../lib/charts';
import { scoreName, X_AXES, xTitle, xValues, type XAxis } from '../lib/compare';
import { fmtAcc, fmtCost, fmtInt } from '../lib/format';
import { palette } from '../lib/theme';
import { Segmented } from './fields';
import { InterpolationChart } from './InterpolationChart';
import '../styles/compare.css';

type OverlayMetric = 'trainCost' | 'testCost' | 'trainAccuracy' | 'testAccuracy';
/** What the curves view loads for each run: the four overlays and the wall clock for the time axis. */
const CURVE_KEYS: MetricKey[] = ['trainCost', 'testCost', 'trainAccuracy', 'testAccuracy', 'elapsedMs'];

export function CompareView({
  ids,
  setIds,
  runs,
  api,
  theme,
  onError,
  goToRuns,
}: {
  ids: string[];
  setIds: (ids: string[]) => void;
  runs: RunSummary[];
  api: BackpropLabApi;
  theme: string;
  onError: (m: string) => void;
  goToRuns: () => void;
}) {
  const [metric, setMetric] = useState<OverlayMetric>('trainCost');
  const [xAxis, setXAxis] = useState<XAxis>('epoch');
  const [log, setLog] = useState(false);
  // The interpolation's two runs, by default the first two chosen (see pairOf).
  const [pair, setPair] = useState<[string, string] | null>(null);
  const [onlyDiff, setOnlyDiff] = useState(true);
  // The selection's identity: a new array of the same ids loads nothing again.
  const key = ids.join(',');
  // What was loaded, and for which selection: another selection shows nothing until its own data arrives.
  const [loaded, setLoaded] = useState<{ key: string; curves: Record<string, RunCurves>; diff: RunDiff } | null>(null);
  const curves = loaded?.key === key ? loaded.curves : null;
  const diff = loaded?.key === key ? loaded.diff : null;
  const byId = new Map(runs.map((r) => [r.id, r]));
  const colors = palette().series;
  const reportError = useEffectEvent((message: string) => onError(message));

  useEffect(() => {
    const runIds = key.split(',');
    if (runIds.length < 2) return;
    let live = true;
    void (async () => {
      try {
        const [c, d] = await Promise.all([unwrap(api.runs.curves({ runIds, keys: CURVE_KEYS, maxPoints: 2000 })), unwrap(api.runs.diff({ runIds }))]);
        if (live) setLoaded({ key, curves: c, diff: d });
      } catch (e) {
        if (live) reportError((e as Error).message);
      }
    })();
    return () => {
      live = false;
    };
  }, [key, api]);

  if (ids.length < 2) {
    return (
      <div className="compare empty-state" data-testid="compare-view">
        <h2>Choose runs to compare</h2>
        <p className="muted">Tick 2 to 10 runs on the Runs page, then press Compare.</p>
        <button type="button" className="btn primary" onClick={goToRuns} data-testid="go-to-runs">
          Go to Runs
        </button>
      </div>
    );
  }

  const nameOf = (id: string) => byId.get(id)?.name ?? diff?.final.find((f) => f.id === id)?.name ?? id.slice(0, 8);
  const rows = diff ? (onlyDiff ? diff.rows.filter((r) => r.differs) : diff.rows) : [];
  const score = scoreName(diff ? diff.final.map((f) => f.task) : []);
  const metrics: ReadonlyArray<{ value: OverlayMetric; label: string }> = [
    { value: 'trainCost', label: 'Train cost' },
    { value: 'testCost', label: 'Test cost' },
    { value: 'trainAccuracy', label: `Train ${score}` },
    { value: 'testAccuracy', label: `Test ${score}` },
  ];
  const epochsDone = Object.fromEntries((diff?.final ?? []).map((f) => [f.id, f.epochsDone]));
  const [idA, idB] = pairOf(pair, ids);
  const colorOf = (id: string) => colors[ids.indexOf(id) % colors.length]!;
  const archOf = (id: string) => String(diff?.rows.find((r) => r.path === 'architecture')?.values[ids.indexOf(id)] ?? '');

  return (
    <div className="compare" data-testid="compare-view">
      <div className="compare-chips">
        {ids.map((id, i) => (
          <span className="chip" key={id} data-testid="compare-chip">
            <i className="swatch" style={{ background: colors[i % colors.length] }} />
            {nameOf(id)}
            <button type="button" className="icon-btn" aria-label={`remove ${nameOf(id)} from the comparison`} onClick={() => setIds(ids.filter((x) => x !== id))}>
              ×
            </button>
          </span>
        ))}
      </div>
      <div className="compare-grid">
        <figure className="card compare-chart">
          <figcaption className="section-head">
            <span>Curves</span>
            <span className="chart-controls">
              <Segmented value={metric} onChange={setMetric} options={metrics} testId="compare-metric" />
              <label className="inline" title="cost on a log scale">
                <input type="checkbox" checked={log} disabled={!metric.endsWith('Cost')} onChange={(e) => setLog(e.target.checked)} data-testid="compare-log" /> Log
              </label>
            </span>
          </figcaption>
          <OverlayChart ids={ids} curves={curves} metric={metric} xAxis={xAxis} log={log} names={ids.map(nameOf)} epochsDone={epochsDone} yLabel={metric.endsWith('Cost') ? 'cost' : score} theme={theme} />
          <div className="compare-x">
            <span className="muted small">x axis</span>
            <Segmented value={xAxis} onChange={setXAxis} options={X_AXES} testId="compare-x-axis" />
          </div>
        </figure>
        <section className="card">
          <h3>Final metrics</h3>
          <table className="data-table compact" data-testid="compare-final">
            <thead>
              <tr>
                <th>Run</th>
                <th className="num">Epochs</th>
                <th className="num">Train cost</th>
                <th className="num">Test cost</th>
                <th className="num">Train {score}</th>
                <th className="num">Test {score}</th>
              </tr>
            </thead>
            <tbody>
              {(diff?.final ?? []).map((f) => {
                const i = ids.indexOf(f.id);
                return (
                  <tr key={f.id}>
                    <td>
                      <i className="swatch" style={{ background: colors[i % colors.length] }} /> {f.name}
                    </td>
                    <td className="num tnum">{fmtInt(f.epochsDone)}</td>
                    <td className="num tnum" data-value={f.finalCost ?? ''} data-testid="final-train-cost">
                      {fmtCost(f.finalCost)}
                    </td>
                    <td className="num tnum">{fmtCost(f.testCost)}</td>
                    <td className="num tnum">{fmtAcc(f.trainAccuracy)}</td>
                    <td className="num tnum strong">{fmtAcc(f.testAccuracy)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h3>Weight distance</h3>
          {diff && diff.weightDistances.length > 0 ? (
            <table className="data-table compact" data-testid="weight-distances">
              <thead>
                <tr>
                  <th>Runs</th>
                  <th className="num">‖θa − θb‖₂</th>
                </tr>
              </thead>
              <tbody>
                {diff.weightDistances.map((d) => (
                  <tr key={`${d.a}-${d.b}`}>
                    <td>
                      {nameOf(d.a)} ↔ {nameOf(d.b)}
                    </td>
                    <td className="num tnum">{fmtCost(d.distance)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted small">{diff ? 'Only for runs with the same architecture and init seed.' : 'Loading…'}</p>
          )}
        </section>
      </div>
      <section className="card" data-testid="interpolation">
        <header className="section-head">
          <h3>Interpolation between weights</h3>
          {ids.length > 2 && (
            <span className="chart-controls">
              <PairSelect label="A" value={idA} ids={ids} nameOf={nameOf} onChange={(id) => setPair([id, id === idB ? idA : idB])} testId="interpolation-a" />
              <PairSelect label="B" value={idB} ids={ids} nameOf={nameOf} onChange={(id) => setPair([id === idA ? idB : idA, id])} testId="interpolation-b" />
            </span>
          )}
        </header>
        {diff ? (
          <InterpolationChart
            api={api}
            a={{ id: idA, name: nameOf(idA), color: colorOf(idA), architecture: archOf(idA) }}
            b={{ id: idB, name: nameOf(idB), color: colorOf(idB), architecture: archOf(idB) }}
            theme={theme}
          />
        ) : (
          <p className="muted small">Loading…</p>
        )}
      </section>
      <section className="card">
        <header className="section-head">
          <h3>Settings</h3>
          <label className="inline">
            <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} data-testid="only-differences" /> Only differences
          </label>
        </header>
        <div className="table-wrap">
          <table className="data-table compact params-table" data-testid="compare-params">
            <thead>
              <tr>
                <th>Setting</th>
                {ids.map((id, i) => (
                  <th key={id}>
                    <i className="swatch" style={{ background: colors[i % colors.length] }} /> {nameOf(id)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.path} className={r.differs ? 'differs' : ''} data-testid="param-row" data-path={r.path}>
                  <td className="mono">{r.path}</td>
                  {r.values.map((v, i) => (
                    <td key={i} className="tnum">
                      {show(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {diff && rows.length === 0 && <p className="muted small">The runs have the same configuration.</p>}
        </div>
      </section>
    </div>
  );
}

/** A setting's value; null is a setting that does not apply to that run (the diff writes full batch out). */
function show(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '…' : s;
}

/** The interpolation's pair: the one chosen while both are still compared, else the first two runs. */
function pairOf(pair: [string, string] | null, ids: string[]): [string, string] {
  return pair && ids.includes(pair[0]) && ids.includes(pair[1]) && pair[0] !== pair[1] ? pair : [ids[0]!, ids[1]!];
}

function PairSelect({ label, value, ids, nameOf, onChange, testId }: { label: string; value: string; ids: string[]; nameOf: (id: string) => string; onChange: (id: string) => void; testId: string }) {
  return (
    <label className="inline">
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {ids.map((id) => (
          <option key={id} value={id}>
            {nameOf(id)}
          </option>
        ))}
      </select>
    </label>
  );
}

function OverlayChart({
  ids,
  curves,
  metric,
  xAxis,
  log,
  names,
  epochsDone,
  yLabel,
  theme,
}: {
  ids: string[];
  curves: Record<string, RunCurves> | null;
  metric: OverlayMetric;
  xAxis: XAxis;
  log: boolean;
  names: string[];
  epochsDone: Record<string, number>;
  yLabel: string;
  theme: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // The names' and epoch counts' content, not the objects (new every render), decides whether the chart is redrawn.
  const namesKey = JSON.stringify(names);
  const epochsKey = JSON.stringify(epochsDone);
  useEffect(() => {
    const labels = JSON.parse(namesKey) as string[];
    const done = JSON.parse(epochsKey) as Record<string, number>;
    const el = canvas.current;
    if (!el || !curves) return;
    const p = palette();
    const isCost = metric.endsWith('Cost');
    const logY = log && isCost;
    const datasets: ChartDataset<'line', { x: number; y: number | null }[]>[] = ids.map((id, i) => {
      const c = curves[id]?.[metric];
      const xs = c ? xValues(xAxis, c.step, { epochsDone: done[id] ?? 0, elapsedMs: curves[id]?.elapsedMs }) : [];
      const data = c
        ? c.step.flatMap((_, k) => {
            const y = c.value[k]!;
            return Number.isFinite(xs[k]!) ? [{ x: xs[k]!, y: Number.isFinite(y) && !(logY && y <= 0) ? y : null }] : [];
          })
        : [];
      return { label: labels[i]!, data, borderColor: p.series[i % p.series.length], backgroundColor: p.series[i % p.series.length] };
    });
    const points = datasets.map((d) => d.data.filter((pt) => pt.y !== null).length);
    const empty = points.every((n) => n === 0);
    // accuracy is at most 1; R² too (and unbounded below); an empty chart shows 0–1 rather than a sliver under 1
    const options = lineOptions({
      xTitle: xTitle(xAxis),
      xLog: xAxis === 'log',
      ...(xAxis === 'share' ? { xMin: 0, xMax: 100 } : {}),
      yTitle: yLabel,
      log: logY,
      ...(isCost ? {} : { yMax: 1 }),
      ...(!isCost && empty ? { yMin: 0 } : {}),
    });
    const chart = new Chart(el, { type: 'line', data: { datasets }, options });
    const box = el.parentElement;
    box?.setAttribute('data-series', String(points.filter((n) => n > 0).length));
    box?.setAttribute('data-points', points.join(','));
    box?.setAttribute('data-metric', metric);
    box?.setAttribute('data-x-axis', xAxis);
    box?.setAttribute('data-x-max', String(Math.max(...datasets.flatMap((d) => d.data.map((pt) => pt.x)), 0)));
    // the y tick labels as drawn (a test checks that no two read the same)
    box?.setAttribute('data-y-ticks', (chart.scales['y']?.ticks ?? []).map((t) => String(t.label ?? '')).join('|'));
    return () => chart.destroy();
  }, [ids, curves, metric, xAxis, log, namesKey, epochsKey, yLabel, theme]);
  return (
    <div className="chart-box tall" data-testid="compare-chart">
      <canvas ref={canvas} role="img" aria-label="overlaid curves of the compared runs" />
    </div>
  );
}
