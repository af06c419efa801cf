// Compare 2–10 runs: overlaid curves, final metrics side by side, the configuration table (optionally only
// the rows that differ), and the distance between weights of runs that share architecture and init seed.
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { ChartDataset } from 'chart.js';
import { unwrap, type BackpropLabApi, type MetricKey, type RunCurves, type RunDiff, type RunSummary } from '../api';
import { Chart, lineOptions } from '../lib/charts';
import { fmtAcc, fmtCost, fmtInt } from '../lib/format';
import { palette } from '../lib/theme';
import { Segmented } from './fields';

const METRICS: ReadonlyArray<{ value: MetricKey; label: string }> = [
  { value: 'trainCost', label: 'Train cost' },
  { value: 'testCost', label: 'Test cost' },
  { value: 'trainAccuracy', label: 'Train acc' },
  { value: 'testAccuracy', label: 'Test acc' },
];

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
  const [metric, setMetric] = useState<MetricKey>('trainCost');
  const [log, setLog] = useState(false);
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
        const [c, d] = await Promise.all([unwrap(api.runs.curves({ runIds, maxPoints: 2000 })), unwrap(api.runs.diff({ runIds }))]);
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
        <button type="button" className="btn primary" onClick={goToRuns}>
          Go to Runs
        </button>
      </div>
    );
  }

  const nameOf = (id: string) => byId.get(id)?.name ?? diff?.final.find((f) => f.id === id)?.name ?? id.slice(0, 8);
  const rows = diff ? (onlyDiff ? diff.rows.filter((r) => r.differs) : diff.rows) : [];

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
              <Segmented value={metric} onChange={setMetric} options={METRICS} testId="compare-metric" />
              <label className="inline">
                <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log
              </label>
            </span>
          </figcaption>
          <OverlayChart ids={ids} curves={curves} metric={metric} log={log} names={ids.map(nameOf)} theme={theme} />
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
                <th className="num">Train acc</th>
                <th className="num">Test acc</th>
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
                    <td className="num tnum">{fmtCost(f.finalCost)}</td>
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
      <section className="card">
        <header className="section-head">
          <h3>Parameters</h3>
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
                <tr key={r.path} className={r.differs ? 'differs' : ''} data-testid="param-row">
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

function show(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '…' : s;
}

function OverlayChart({ ids, curves, metric, log, names, theme }: { ids: string[]; curves: Record<string, RunCurves> | null; metric: MetricKey; log: boolean; names: string[]; theme: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // The names' content, not the array (a new one every render), decides whether the chart is drawn again.
  const namesKey = JSON.stringify(names);
  useEffect(() => {
    const labels = JSON.parse(namesKey) as string[];
    if (!canvas.current || !curves) return;
    const p = palette();
    const isCost = metric.endsWith('Cost');
    const datasets: ChartDataset<'line', { x: number; y: number | null }[]>[] = ids.map((id, i) => {
      const c = curves[id]?.[metric];
      const data = c ? c.step.map((x, k) => ({ x, y: Number.isFinite(c.value[k]!) && !(log && isCost && c.value[k]! <= 0) ? c.value[k]! : null })) : [];
      return { label: labels[i]!, data, borderColor: p.series[i % p.series.length], backgroundColor: p.series[i % p.series.length] };
    });
    const chart = new Chart(canvas.current, { type: 'line', data: { datasets }, options: lineOptions({ xTitle: 'epoch', log: log && isCost, ...(isCost ? {} : { yMax: 1 }) }) });
    canvas.current.parentElement?.setAttribute('data-series', String(datasets.filter((d) => d.data.length > 0).length));
    return () => chart.destroy();
  }, [ids, curves, metric, log, namesKey, theme]);
  return (
    <div className="chart-box tall" data-testid="compare-chart">
      <canvas ref={canvas} />
    </div>
  );
}
