// Inspect: for one input point, the forward cache of every layer (the notebook's memory: A_prev, Z, and A) and the
// latest gradients; per-layer gradient norms and dead-ReLU shares over the run; weight and gradient distributions over
// time; the gradient check and the loss landscape (with the training trajectory) on demand.
import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import type { ChartDataset } from 'chart.js';
import { unwrap, type BackpropLabApi, type DataPreview, type GradCheckResult, type InspectResult, type ParamJSON } from '../api';
import { Chart, lineOptions, withAlpha } from '../lib/charts';
import { fmtInt, fmtSci, fmtVal } from '../lib/format';
import { palette, type Palette } from '../lib/theme';
import type { LiveRun } from '../live/run';
import { Boundary } from './Boundary';
import { Distributions } from './Distributions';
import { LandscapeView } from './LandscapeView';
import { NumberField } from './fields';
import { useRunView, useSnapshot } from './TrainView';
import { isActive } from '../live/run';
import '../styles/inspect.css';
import { useAfterPaint } from '../lib/draw-scheduler';

export function InspectView({ run, api, preview, theme }: { run: LiveRun; api: BackpropLabApi; preview: DataPreview | null; theme: string }) {
  const v = useRunView(run);
  const snap = useSnapshot(run);
  const [point, setPoint] = useState<[number, number]>([0.5, 0.25]);
  const [result, setResult] = useState<InspectResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [check, setCheck] = useState<GradCheckResult | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const runId = v.runId;

  // one request at a time; a point asked for meanwhile is inspected next (the latest wins), never dropped
  const queued = useRef<[number, number] | null>(null);
  const inspect = useCallback(
    async (first: [number, number]) => {
      if (!runId) return;
      if (inFlight.current) {
        queued.current = first;
        return;
      }
      inFlight.current = true;
      try {
        for (let p: [number, number] | null = first; p; p = queued.current, queued.current = null) {
          const r = await api.net.inspect({ runId, point: p });
          if (r.ok) {
            setResult(r.value);
            setError(null);
          } else setError(r.error.message);
        }
      } finally {
        inFlight.current = false;
      }
    },
    [api, runId],
  );

  // follow the run: re-inspect the chosen point whenever a new snapshot (a few times a second) arrives; typing a
  // point does not (the form's Inspect button or a click on the map does)
  const inspectPoint = useEffectEvent(() => void inspect(point));
  const epoch = snap?.epoch;
  const phase = v.phase;
  useEffect(() => {
    inspectPoint();
  }, [runId, epoch, phase]);

  // another run shown: its gradient check is not this one's
  const [checkedRun, setCheckedRun] = useState(runId);
  if (checkedRun !== runId) {
    setCheckedRun(runId);
    setCheck(null);
    setCheckError(null);
  }

  const pick = (x: number, y: number) => {
    setPoint([x, y]);
    void inspect([x, y]);
  };

  const gradCheck = async () => {
    if (!runId) return;
    setChecking(true);
    setCheckError(null);
    try {
      setCheck(await unwrap(api.net.gradCheck({ runId })));
    } catch (e) {
      setCheckError((e as Error).message);
    } finally {
      setChecking(false);
    }
  };

  if (!runId) {
    return (
      <div className="inspect empty-state" data-testid="inspect-view">
        <h2>Nothing to inspect yet</h2>
        <p className="muted">Train a network (Space) or open a stored run from the Runs page; then pick a point here to see what every layer computes for it.</p>
      </div>
    );
  }

  return (
    <div className="inspect" data-testid="inspect-view">
      <div className="inspect-left">
        <figure className="card">
          <figcaption>
            Pick an input <span className="muted small">click the map or type x₁, x₂</span>
          </figcaption>
          <Boundary grid={snap?.boundary ?? null} data={preview} picked={point} onPick={pick} theme={theme} testId="inspect-boundary" />
          <form
            className="point-form"
            onSubmit={(e) => {
              e.preventDefault();
              void inspect(point);
            }}
          >
            <label>
              x₁ <NumberField value={point[0]} onChange={(x) => x !== null && setPoint([x, point[1]])} testId="point-x1" />
            </label>
            <label>
              x₂ <NumberField value={point[1]} onChange={(y) => y !== null && setPoint([point[0], y])} testId="point-x2" />
            </label>
            <button type="submit" className="btn small" data-testid="inspect-go">
              Inspect
            </button>
          </form>
          {result && <Prediction result={result} />}
        </figure>
        <Health run={run} theme={theme} />
      </div>
      <div className="inspect-right">
        <section className="card">
          <header className="section-head">
            <h3>
              Forward cache <span className="muted small tnum">{result ? `at epoch ${fmtInt(result.epoch)}` : ''}</span>
            </h3>
            <span className="muted small">A_prev → Z = W·A_prev + b → A = g(Z); each row coloured on its own scale (±max |value|, right)</span>
          </header>
          {error && (
            <p className="inline-error" data-testid="inspect-error">
              {error}
            </p>
          )}
          {result && <Caches result={result} theme={theme} />}
        </section>
        <section className="card">
          <header className="section-head">
            <h3>Gradient check</h3>
            <button type="button" className="btn small" onClick={() => void gradCheck()} disabled={checking} data-testid="grad-check">
              {checking ? 'Checking…' : 'Run gradient check'}
            </button>
          </header>
          <p className="muted small">Backprop's dW, db against centred finite differences of the cost, in float64. Below 1e-7 is a pass.</p>
          {checkError && <p className="inline-error">{checkError}</p>}
          {check && <GradCheckTable check={check} />}
        </section>
        <Distributions run={run} api={api} runId={runId} theme={theme} />
        <LandscapeView
          api={api}
          runId={runId}
          theme={theme}
          canCompute={!isActive(v.phase) && v.phase !== 'failed' && v.config?.data.kind !== 'csv'}
          why={
            isActive(v.phase)
              ? 'The landscape is computed around a run’s final weights: once this run has finished or been stopped.'
              : v.phase === 'failed'
                ? 'A failed run keeps no weights to compute a landscape around.'
                : 'This run trained on a CSV file whose data is not stored, so its cost cannot be evaluated here.'
          }
        />
      </div>
    </div>
  );
}

function Prediction({ result }: { result: InspectResult }) {
  const out = result.layers[result.layers.length - 1];
  if (!out) return null;
  const a = out.A;
  const text = a.length === 1 ? `P(class 1) = ${a[0]!.toFixed(4)} → class ${a[0]! >= 0.5 ? 1 : 0}` : `class ${a.indexOf(Math.max(...a))} (p = ${Math.max(...a).toFixed(4)})`;
  return (
    <p className="prediction tnum" data-testid="prediction">
      {text}
    </p>
  );
}

/** A value's colour on its row's scale: the theme's positive or negative colour, more opaque the larger |x| / scale. */
function cellColor(x: number, scale: number, p: Palette): string {
  if (x === 0 || !(scale > 0) || !Number.isFinite(x)) return 'transparent';
  const t = Math.min(1, Math.abs(x) / scale);
  // a floor, so the smallest non-zero values still show against the card in both themes
  return withAlpha(x > 0 ? p.pos : p.neg, 0.12 + 0.88 * t);
}

/** One row of the forward cache, coloured on its own scale: its largest |value|. */
function Strip({ values, label, p }: { values: number[]; label: string; p: Palette }) {
  const shown = values.length <= 64 ? values : values.slice(0, 64);
  let scale = 0;
  for (const x of values) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  return (
    <div className="strip-row" data-testid="strip-row" data-scale={scale}>
      <span className="strip-label">{label}</span>
      <div className="strip" role="list" aria-label={label}>
        {shown.map((x, i) => (
          <span key={i} role="listitem" className={`cell${x === 0 ? ' zero' : ''}`} style={{ background: cellColor(x, scale, p) }} title={`${label}[${i}] = ${fmtVal(x)}`} />
        ))}
        {values.length > shown.length && <span className="muted small">+{values.length - shown.length}</span>}
      </div>
      <span className="strip-scale tnum muted small" data-testid="strip-scale" title={`${label}'s colour scale: ±${fmtVal(scale)} is full colour`}>
        ±{fmtVal(scale)}
      </span>
      <span className="strip-sum tnum muted small">{values.length <= 3 ? values.map(fmtVal).join(', ') : `${range(values)}`}</span>
    </div>
  );
}

const range = (v: number[]) => {
  let lo = Infinity, hi = -Infinity, zeros = 0;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    if (x === 0) zeros++;
  }
  return `${fmtVal(lo)} … ${fmtVal(hi)}${zeros ? ` · ${zeros} zero` : ''}`;
};

const norm = (p: ParamJSON | undefined) => (p ? Math.sqrt(p.data.reduce((s, x) => s + x * x, 0)) : null);

function Caches({ result, theme }: { result: InspectResult; theme: string }) {
  const grads = new Map(result.grads.map((g) => [g.name.replace(/^d/, ''), g]));
  // read per theme: the cells take the theme's positive and negative colours
  const p = useMemo(() => (void theme, palette()), [theme]);
  return (
    <div className="caches" data-testid="layer-caches">
      {result.layers.map((l) => {
        const dW = grads.get(`W${l.layer}`), db = grads.get(`b${l.layer}`);
        return (
          <div className="cache" key={l.layer} data-testid="layer-cache">
            <div className="cache-head">
              <strong>Layer {l.layer}</strong>
              <span className="muted small">
                {l.activation} · {l.A_prev.length} → {l.Z.length}
              </span>
              <span className="muted small tnum grad-norms" data-testid="layer-grads">
                ‖dW{l.layer}‖ {fmtSci(norm(dW))} · ‖db{l.layer}‖ {fmtSci(norm(db))}
              </span>
            </div>
            <Strip values={l.A_prev} label="A_prev" p={p} />
            <Strip values={l.Z} label="Z" p={p} />
            <Strip values={l.A} label="A" p={p} />
          </div>
        );
      })}
    </div>
  );
}

function GradCheckTable({ check }: { check: GradCheckResult }) {
  const pass = (e: number) => e < 1e-7;
  return (
    <table className="data-table compact" data-testid="grad-check-table">
      <thead>
        <tr>
          <th>Parameter</th>
          <th className="num">Entries checked</th>
          <th className="num">Relative error</th>
        </tr>
      </thead>
      <tbody>
        {check.perParam.map((p) => (
          <tr key={p.name}>
            <td>{p.name}</td>
            <td className="num tnum">{fmtInt(p.checked)}</td>
            <td className={`num tnum ${pass(p.relativeError) ? 'good' : 'bad'}`} data-testid="grad-check-error">
              {fmtSci(p.relativeError)}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td>All (ε = {check.epsilon})</td>
          <td />
          <td className={`num tnum strong ${pass(check.relativeError) ? 'good' : 'bad'}`} data-testid="grad-check-total">
            {fmtSci(check.relativeError)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

type Pt = { x: number; y: number | null };

/** Per-layer ‖grad‖ and dead-ReLU share over the run, from the snapshots seen while it trained. */
function Health({ run, theme }: { run: LiveRun; theme: string }) {
  const gradCanvas = useRef<HTMLCanvasElement>(null);
  const deadCanvas = useRef<HTMLCanvasElement>(null);
  const [count, setCount] = useState(run.health.epoch.length);
  useEffect(() => run.onSnapshot(() => setCount(run.health.epoch.length)), [run]);
  // the charts are built after the page first painted (opening Inspect stays quick)
  const painted = useAfterPaint();
  const layers = painted && count > 0 ? run.health.gradNorm.length : 0;
  const charts = useRef<Array<Chart<'line', Pt[]>>>([]);

  // built once per run's layers and theme; each snapshot (a few a second) only refills their data
  useEffect(() => {
    if (layers === 0) return;
    const p = palette();
    const make = (el: HTMLCanvasElement | null, log: boolean, yTitle: string) => {
      if (!el) return null;
      const datasets: ChartDataset<'line', Pt[]>[] = Array.from({ length: layers }, (_, i) => ({
        label: `L${i + 1}`,
        data: [],
        borderColor: p.series[i % p.series.length],
        backgroundColor: p.series[i % p.series.length],
        borderWidth: 1.4,
      }));
      return new Chart(el, { type: 'line', data: { datasets }, options: lineOptions({ xTitle: 'epoch', yTitle, log, ...(log ? {} : { yMin: 0, yMax: 1 }) }) });
    };
    const a = make(gradCanvas.current, true, '‖∇‖');
    const b = make(deadCanvas.current, false, 'dead share');
    charts.current = a && b ? [a, b] : [];
    return () => {
      a?.destroy();
      b?.destroy();
      charts.current = [];
    };
  }, [run, layers, theme]);
  useEffect(() => {
    const [a, b] = charts.current;
    if (!a || !b) return;
    const h = run.health;
    const points = (r: (number | null)[], log: boolean) => r.map((y, k) => ({ x: h.epoch[k]!, y: y === null || (log && y <= 0) ? null : y }));
    a.data.datasets.forEach((d, i) => (d.data = points(h.gradNorm[i] ?? [], true)));
    // a layer without dead-ReLU shares (not relu) draws nothing
    b.data.datasets.forEach((d, i) => {
      const r = h.dead[i] ?? [];
      d.data = points(r.some((x) => x !== null) ? r : r.map(() => null), false);
    });
    a.update('none');
    b.update('none');
  }, [run, layers, theme, count]);

  return (
    <figure className="card health" data-testid="layer-health">
      <figcaption>
        Layer health <span className="muted small">gradient norm and dead ReLUs, per layer</span>
      </figcaption>
      {count === 0 ? (
        <p className="muted small">Recorded from the live snapshots while a run trains in this window.</p>
      ) : (
        <div className="health-charts">
          <div className="mini-chart">
            <canvas ref={gradCanvas} />
          </div>
          <div className="mini-chart">
            <canvas ref={deadCanvas} />
          </div>
        </div>
      )}
    </figure>
  );
}
