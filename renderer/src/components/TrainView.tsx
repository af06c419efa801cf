// The centre of the Train page: transport controls, progress and speed, the final numbers, the live cost and
// accuracy curves (R² for regression), the decision boundary (in a plane of two features or components for data with
// more, the prediction's heatmap for regression), the network diagram, and for classifiers the confusion matrix (with
// digits' misclassified images), for regression the predicted-vs-true scatter.
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react';
import { taskOf } from '../../../engine/config';
import { confusionMatrix, predictedClasses } from '../../../engine/confusion';
import type { BackpropLabApi, DataPreview, ExportFormat, LayerSpec, RunConfig, RunSnapshotEvent, SnapshotParam } from '../api';
import { atChance, chanceLevel, classCounts, planeGridFromWeights, predict, previewPlane, rowTotals, stillFalling, targetRange, type PlaneChoice } from '../lib/data-views';
import { fmtAcc, fmtCost, fmtDuration, fmtInt, fmtRate, fmtVal } from '../lib/format';
import { palette } from '../lib/theme';
import { isActive, type LiveRun, type RunView } from '../live/run';
import { Boundary, classColor } from './Boundary';
import { ConfusionMatrix, type Confusion } from './ConfusionMatrix';
import { CurveChart, type CurveOptions } from './CurveChart';
import { DigitsMisclassified } from './DigitsMisclassified';
import { ExportMenu } from './ExportMenu';
import { NetworkDiagram } from './NetworkDiagram';
import { PredictedVsTrue } from './PredictedVsTrue';
import { Segmented } from './fields';
import '../styles/data.css';

export interface Transport {
  play(): void;
  step(): void;
  stop(): void;
  reset(): void;
}

export function useRunView(run: LiveRun): RunView {
  return useSyncExternalStore(run.subscribe, run.getView);
}

export function useSnapshot(run: LiveRun): RunSnapshotEvent | null {
  const subscribe = useCallback((onChange: () => void) => run.onSnapshot(onChange), [run]);
  return useSyncExternalStore(subscribe, () => run.snapshot);
}

export function TrainView({
  run,
  transport,
  architecture,
  preview,
  theme,
  onExport,
  api,
}: {
  run: LiveRun;
  transport: Transport;
  architecture: LayerSpec[];
  preview: DataPreview | null;
  theme: string;
  onExport: (format: ExportFormat) => void;
  /** For digits' raw pixels when the run standardizes its data. */
  api?: BackpropLabApi;
}) {
  const v = useRunView(run);
  const snap = useSnapshot(run);
  const [opts, setOpts] = useState<CurveOptions>({ smoothing: 0, log: false, x: 'epoch' });
  const [planeChoice, setPlaneChoice] = useState<PlaneChoice>({ kind: 'pca' });
  const arch = v.config?.architecture ?? architecture;
  const regression = v.config ? taskOf(v.config.data.kind) === 'regression' : preview?.classes === 0;
  const metric = regression ? 'R²' : 'accuracy';
  const weights = snap?.weights ?? null;
  // Data with more than two features: the plane chosen, and the network's output over it (the host's grid for the
  // principal components; the renderer's forward pass of the snapshot's weights for two chosen features).
  const multi = preview !== null && preview.features > 2;
  const choice = useMemo((): PlaneChoice => (multi && planeChoice.kind === 'features' && planeChoice.features.every((i) => i < preview.features) ? planeChoice : { kind: 'pca' }), [multi, planeChoice, preview]);
  const hostGrid = snap?.boundary ?? null;
  const hostPlane = hostGrid?.plane ?? null;
  const plane = useMemo(() => (multi ? (choice.kind === 'pca' && hostPlane) || previewPlane(preview, choice) : null), [multi, preview, choice, hostPlane]);
  const grid = useMemo(() => {
    if (!multi) return hostGrid;
    if (choice.kind === 'pca' && hostGrid) return hostGrid;
    return weights && plane ? planeGridFromWeights(arch, weights, preview, plane) : null;
  }, [multi, choice.kind, hostGrid, weights, plane, arch, preview]);
  // a live run's snapshot carries its confusion matrix; a stored run's is its final weights on the preview's test set
  const stored = useMemo(() => (regression || snap?.confusion || !weights || !preview ? null : confusionFromWeights(arch, weights, preview, v.config?.data.features)), [regression, snap, weights, preview, arch, v.config]);
  const confusion = regression ? null : (snap?.confusion ?? stored);
  const chance = chanceOf(confusion, preview, regression);
  const f = v.final;
  const chanceAtEnd = v.phase === 'finished' && f !== null && atChance(f.testAccuracy ?? f.trainAccuracy, chance);
  // at chance but still learning: more epochs, not a smaller learning rate (and not a red bar)
  const learning = chanceAtEnd && stillFalling(run.series.epoch, run.series.trainCost);
  const collapsed = chanceAtEnd && !learning;
  return (
    <div className="train" data-testid="train-view">
      <Toolbar v={v} transport={transport} onExport={onExport} collapsed={collapsed} />
      <StatusBanner v={v} />
      {chanceAtEnd && (
        <div className="banner warn" role="status" data-testid="chance-hint">
          <strong>
            {regression ? 'R²' : 'Accuracy'}
            {learning
              ? ` still at chance level after ${fmtInt(v.epoch)} epochs, but the cost is still falling: train longer, or try a larger learning rate.`
              : ' at chance level: the network collapsed; try a smaller learning rate.'}
          </strong>{' '}
          <span className="hint">
            {regression
              ? `Its R² is ${fmtAcc(f.testAccuracy ?? f.trainAccuracy)}: no better than always answering the mean (R² 0)`
              : `It scores ${fmtAcc(f.testAccuracy ?? f.trainAccuracy)}, no better than always answering the most common class (${fmtAcc(chance)})`}
            {learning ? ' yet. The cost curve shows how fast it is coming down.' : '. If the learning rate is small already, the network may be unable to fit this data: add a hidden layer or input features.'}
          </span>
        </div>
      )}
      <Stats v={v} run={run} metric={metric} />
      <div className="charts-head">
        <h3>Curves</h3>
        <div className="chart-controls">
          <label className="inline" title="exponential moving average weight">
            Smoothing
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={opts.smoothing}
              data-testid="smoothing"
              onChange={(e) => setOpts({ ...opts, smoothing: Number(e.target.value) })}
            />
            <span className="tnum small smoothing-val">{opts.smoothing.toFixed(2)}</span>
          </label>
          <label className="inline">
            <input type="checkbox" checked={opts.log} data-testid="log-scale" onChange={(e) => setOpts({ ...opts, log: e.target.checked })} />
            Log cost
          </label>
          <Segmented
            value={opts.x}
            onChange={(x) => setOpts({ ...opts, x })}
            testId="x-axis"
            options={[
              { value: 'epoch', label: 'Epoch' },
              { value: 'time', label: 'Time' },
            ]}
          />
        </div>
      </div>
      <div className="charts">
        <figure className="card chart-card">
          <figcaption>Cost</figcaption>
          <CurveChart run={run} kind="cost" options={opts} theme={theme} testId="cost-chart" />
        </figure>
        <figure className="card chart-card">
          <figcaption data-testid="accuracy-title">{regression ? 'R²' : 'Accuracy'}</figcaption>
          <CurveChart run={run} kind="accuracy" options={opts} theme={theme} testId="accuracy-chart" />
        </figure>
      </div>
      <div className="visuals">
        <figure className="card boundary-card">
          <figcaption>
            {regression ? 'Prediction' : 'Decision boundary'}{' '}
            <span className="muted small tnum" data-testid="boundary-epoch">
              {grid ? `epoch ${fmtInt(snap!.epoch)}` : v.phase === 'idle' ? 'data' : ''}
            </span>
          </figcaption>
          {multi && preview && <PlanePicker preview={preview} choice={choice} onChange={setPlaneChoice} plane={plane} />}
          <Boundary grid={grid} data={preview} theme={theme} plane={plane} />
          {regression && preview ? <ValueLegend range={targetRange(preview)} /> : <Legend classNames={preview?.classNames ?? []} classes={preview?.classes ?? 2} />}
        </figure>
        <figure className="card network-card">
          <figcaption>Network</figcaption>
          <NetworkDiagram architecture={arch} weights={snap?.weights ?? null} neurons={snap?.neurons ?? null} theme={theme} />
        </figure>
      </div>
      {confusion && (
        <div className={`data-views${v.config?.data.kind === 'digits' ? ' with-digits' : ''}`}>
          <figure className="card confusion-card">
            <figcaption>
              Confusion matrix <span className="muted small tnum">epoch {fmtInt(snap!.epoch)}</span>
            </figcaption>
            <ConfusionMatrix confusion={confusion} classNames={preview?.classNames ?? []} />
          </figure>
          {v.config?.data.kind === 'digits' && api && (
            <figure className="card digits-card">
              <figcaption>Misclassified digits</figcaption>
              <DigitsMisclassified confusion={confusion} data={v.config.data} preview={preview} api={api} theme={theme} />
            </figure>
          )}
        </div>
      )}
      {regression && preview && (
        <div className="data-views">
          <figure className="card pred-card">
            <figcaption>
              Predicted vs true <span className="muted small tnum">{snap ? `epoch ${fmtInt(snap.epoch)}` : ''}</span>
            </figcaption>
            <PredictedVsTrue preview={preview} architecture={arch} weights={weights} features={v.config?.data.features} theme={theme} />
          </figure>
        </div>
      )}
    </div>
  );
}

/**
 * The confusion matrix of weights on the preview's test set (train without one), as the worker measures it
 * (engine/confusion.ts); null when the preview holds only part of the set or the weights do not fit the data.
 */
function confusionFromWeights(arch: readonly LayerSpec[], weights: readonly SnapshotParam[], preview: DataPreview, features: RunConfig['data']['features']): Confusion | null {
  if (preview.classes < 2) return null;
  const set = preview.test.n > 0 ? 'test' : 'train';
  const points = preview[set];
  if (points.n !== (set === 'test' ? preview.totalTest : preview.totalTrain)) return null;
  const out = predict(arch, weights, preview, points, features);
  if (!out || out.some((x) => !Number.isFinite(x))) return null;
  const m = points.n;
  return { set, samples: m, ...confusionMatrix(predictedClasses(out, out.length / m, m), points.y, preview.classes) };
}

/**
 * The accuracy a network that always answers the most common class gets (data-views' chanceLevel): on the confusion
 * matrix's samples when there is one, else on the preview's test labels (train without a test set). For regression,
 * the R² of always answering the mean: 0.
 */
function chanceOf(confusion: RunSnapshotEvent['confusion'] | null, preview: DataPreview | null, regression: boolean): number | null {
  if (regression) return 0;
  if (confusion) return chanceLevel(rowTotals(confusion.matrix));
  if (!preview || preview.classes < 2) return null;
  const set = preview.test.n > 0 ? preview.test : preview.train;
  return chanceLevel(classCounts(set.y, preview.classes));
}

/** Data with more than two features: which plane the boundary shows, and the control to choose it. */
function PlanePicker({ preview, choice, onChange, plane }: { preview: DataPreview; choice: PlaneChoice; onChange: (c: PlaneChoice) => void; plane: ReturnType<typeof previewPlane> }) {
  const pair: [number, number] = choice.kind === 'features' ? choice.features : [0, 1];
  const names = preview.featureNames;
  const pick = (axis: 0 | 1, i: number) => {
    const next: [number, number] = axis === 0 ? [i, pair[1]] : [pair[0], i];
    // two different features: choosing the other axis's feature swaps them
    if (next[0] === next[1]) next[1 - axis] = pair[axis];
    onChange({ kind: 'features', features: next });
  };
  return (
    <div className="plane-picker">
      <Segmented
        value={choice.kind}
        onChange={(k) => onChange(k === 'pca' ? { kind: 'pca' } : { kind: 'features', features: pair })}
        testId="plane-kind"
        options={[
          { value: 'pca', label: 'PCA' },
          { value: 'features', label: 'Features' },
        ]}
      />
      {choice.kind === 'features' && (
        <span className="plane-features">
          {([0, 1] as const).map((axis) => (
            <select key={axis} value={pair[axis]} aria-label={axis === 0 ? 'horizontal feature' : 'vertical feature'} data-testid={`plane-feature-${axis + 1}`} onChange={(e) => pick(axis, Number(e.target.value))}>
              {names.map((n, i) => (
                <option key={i} value={i}>
                  {n}
                </option>
              ))}
            </select>
          ))}
        </span>
      )}
      <p className="muted small plane-note" data-testid="plane-note">
        {plane?.kind === 'pca'
          ? `PC1 × PC2 of the train set${plane.explained ? ` (${(plane.explained[0] * 100).toFixed(0)}% + ${(plane.explained[1] * 100).toFixed(0)}% of the variance)` : ''}`
          : plane
            ? `${plane.labels[0]} × ${plane.labels[1]}; the other ${preview.features - 2} features at their train means`
            : ''}
      </p>
    </div>
  );
}

function Legend({ classNames, classes }: { classNames: readonly string[]; classes: number }) {
  const k = Math.max(2, classes);
  const p = palette(); // the theme's colours as Boundary draws them (this re-renders on a theme switch)
  return (
    <div className={`legend small muted${k > 4 ? ' many' : ''}`} data-testid="class-legend">
      {Array.from({ length: k }, (_, i) => {
        const [r, g, b] = classColor(p, i);
        return (
          <span key={i}>
            <i className="dot" style={{ background: `rgb(${r},${g},${b})` }} /> {classLabel(classNames[i] ?? String(i), k)}
          </span>
        );
      })}
      <span>
        <i className="dot ring" /> test
      </span>
    </div>
  );
}

/** "class 0" for a numbered class among a few; the name itself for named classes, or for many (digits' 0–9). */
function classLabel(name: string, classes: number): string {
  return /^\d+$/.test(name) && classes <= 4 ? `class ${name}` : name;
}

/** Regression: the prediction's colour scale over the targets' range. */
function ValueLegend({ range }: { range: [number, number] }) {
  return (
    <div className="value-legend small muted" data-testid="value-legend">
      <span className="tnum">{fmtVal(range[0])}</span>
      <i className="value-bar" aria-hidden="true" />
      <span className="tnum">{fmtVal(range[1])}</span>
      <span>
        <i className="dot ring" /> test
      </span>
    </div>
  );
}

const PHASE_LABEL: Record<string, string> = {
  idle: 'Ready',
  starting: 'Starting…',
  running: 'Training',
  paused: 'Paused',
  finished: 'Finished',
  failed: 'Failed',
  stopped: 'Stopped',
  interrupted: 'Interrupted',
};

function Toolbar({ v, transport, onExport, collapsed }: { v: RunView; transport: Transport; onExport: (f: ExportFormat) => void; collapsed: boolean }) {
  const active = isActive(v.phase);
  const running = v.phase === 'running';
  const progress = v.totalEpochs > 0 ? Math.min(1, v.epoch / v.totalEpochs) : 0;
  const eta = running && v.rate ? ((v.totalEpochs - v.epoch) / v.rate) * 1000 : null;
  return (
    <div className="toolbar">
      <div className="transport" role="group" aria-label="training controls">
        <button type="button" className="btn primary play" data-testid="play" onClick={transport.play} title={running ? 'Pause (Space)' : 'Train (Space)'} disabled={v.phase === 'starting'}>
          {running ? (
            <>
              <PauseIcon /> Pause
            </>
          ) : (
            <>
              <PlayIcon /> {v.phase === 'paused' ? 'Resume' : 'Train'}
            </>
          )}
        </button>
        <button type="button" className="btn" data-testid="step" onClick={transport.step} title="Step one epoch (→ or S)" disabled={v.phase === 'starting'}>
          <StepIcon /> Step
        </button>
        <button type="button" className="btn" data-testid="stop" onClick={transport.stop} disabled={!active || v.phase === 'starting'} title="Stop (Esc)">
          <StopIcon /> Stop
        </button>
        <button type="button" className="btn ghost" data-testid="reset" onClick={transport.reset} title="Clear the view; the next Train starts a new run">
          Reset
        </button>
      </div>
      <div className="progress-block">
        <div className="progress-line">
          <span className={`phase phase-${v.phase}${collapsed ? ' collapsed' : ''}`} data-testid="run-status" title={collapsed ? 'finished at chance-level accuracy' : undefined}>
            {PHASE_LABEL[v.phase] ?? v.phase}
          </span>
          <span className="tnum" data-testid="epoch-counter">
            epoch {fmtInt(v.epoch)} / {fmtInt(v.totalEpochs)}
          </span>
          {active && (
            <>
              <span className="muted tnum" data-testid="rate">
                {fmtRate(v.rate)} epochs/s
              </span>
              <span className="muted tnum" data-testid="eta">
                ETA {eta === null ? '—' : fmtDuration(eta)}
              </span>
            </>
          )}
          {v.name && <span className="muted run-title" title={v.runId ? `${v.name} (run ${v.runId})` : v.name} data-testid="run-title">{v.name}</span>}
        </div>
        <div className="progress" aria-hidden="true">
          <div className={`bar phase-${v.phase}${collapsed ? ' collapsed' : ''}`} style={{ width: `${(progress * 100).toFixed(2)}%` }} />
        </div>
      </div>
      <ExportMenu disabled={!v.runId || v.phase === 'starting'} onExport={onExport} />
    </div>
  );
}

function StatusBanner({ v }: { v: RunView }) {
  if (v.phase === 'failed' && v.reason) {
    const diverged = /diverg|NaN|Infinity|saturat/i.test(v.reason);
    return (
      <div className="banner error" role="alert" data-testid={diverged ? 'diverged-message' : 'run-error'}>
        <strong>{diverged ? 'The run diverged.' : 'The run failed.'}</strong> {v.reason}
        {diverged && <span className="hint"> Lower the learning rate (try 10× smaller) or use adam, then train again.</span>}
      </div>
    );
  }
  if ((v.phase === 'stopped' || v.phase === 'interrupted') && v.reason) {
    return (
      <div className="banner warn" data-testid="run-note">
        {v.reason}
      </div>
    );
  }
  return null;
}

function Stats({ v, run, metric }: { v: RunView; run: LiveRun; metric: 'accuracy' | 'R²' }) {
  const s = run.series;
  const n = s.epoch.length;
  const last = n ? n - 1 : -1;
  // Live: the latest epoch's numbers; once finished, the final ones (at the parameters after the last update).
  const f = v.final;
  const trainCost = f ? f.finalCost : last >= 0 ? s.trainCost[last]! : null;
  const testCost = f ? f.testCost : last >= 0 ? lastNonNull(s.testCost) : null;
  const trainAcc = f ? f.trainAccuracy : last >= 0 ? s.trainAccuracy[last]! : null;
  const testAcc = f ? f.testAccuracy : last >= 0 ? lastNonNull(s.testAccuracy) : null;
  const epoch0 = n && s.epoch[0] === 0 ? s.trainCost[0]! : null;
  const [why, setWhy] = useState(false);
  return (
    <>
    <div className="stats" data-testid="stats">
      <Stat label="Train cost" value={fmtCost(trainCost)} raw={trainCost} testId={f ? 'final-cost' : 'train-cost'} />
      <Stat label="Test cost" value={fmtCost(testCost)} raw={testCost} testId="test-cost" />
      <Stat label={`Train ${metric}`} value={fmtAcc(trainAcc)} raw={trainAcc} testId={f ? 'final-train-accuracy' : 'train-accuracy'} />
      <Stat label={`Test ${metric}`} value={fmtAcc(testAcc)} raw={testAcc} testId={f ? 'final-test-accuracy' : 'test-accuracy'} accent />
      <Stat label="Cost at epoch 0" value={fmtCost(epoch0)} raw={epoch0} testId="epoch0-cost" />
      <div className="stat backend-stat" data-testid="backend-info" title={v.backend?.reason ?? ''}>
        <span className="stat-label">Backend</span>
        <span className="stat-value small" data-testid="backend">
          {v.backend ? `${v.backend.name} · ${v.backend.mode}` : '—'}
        </span>
        <span className="stat-sub muted" data-testid="backend-reason">
          {v.backend ? `${v.backend.precision} · ${v.backend.reason}` : 'chosen when the run starts'}
        </span>
        {v.backend && (
          <button type="button" className="link backend-why" data-testid="backend-why" aria-expanded={why} onClick={() => setWhy(!why)}>
            {why ? 'less' : 'why?'}
          </button>
        )}
      </div>
      {f && (
        <div className="stat">
          <span className="stat-label">Time</span>
          <span className="stat-value small tnum" data-testid="train-ms">
            {fmtDuration(f.msPerEpoch * v.epoch)}
          </span>
          <span className="stat-sub muted tnum" data-testid="us-per-epoch">{f.msPerEpoch ? `${(f.msPerEpoch * 1000).toFixed(0)} µs/epoch` : ''}</span>
        </div>
      )}
    </div>
    {why && v.backend && (
      <p className="backend-reason-full small muted" data-testid="backend-reason-full">
        <strong>{v.backend.name} · {v.backend.mode}</strong> ({v.backend.precision}): {v.backend.reason}
      </p>
    )}
    </>
  );
}

function lastNonNull(a: (number | null)[]): number | null {
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== null) return a[i]!;
  return null;
}

function Stat({ label, value, raw, testId, accent }: { label: string; value: string; raw: number | null; testId: string; accent?: boolean }) {
  return (
    <div className={`stat${accent ? ' accent' : ''}`}>
      <span className="stat-label">{label}</span>
      {/* data-value keeps the full float64 (shortest round-trip form) for comparison with numpy */}
      <span className="stat-value tnum" data-testid={testId} data-value={raw === null ? '' : String(raw)}>
        {value}
      </span>
    </div>
  );
}

const PlayIcon = () => (
  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
    <path d="M4 2.5v11l9-5.5z" fill="currentColor" />
  </svg>
);
const PauseIcon = () => (
  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
    <path d="M4 2.5h3v11H4zM9 2.5h3v11H9z" fill="currentColor" />
  </svg>
);
const StepIcon = () => (
  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
    <path d="M3 2.5v11l7-5.5zM11 2.5h2v11h-2z" fill="currentColor" />
  </svg>
);
const StopIcon = () => (
  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
    <rect x="3.5" y="3.5" width="9" height="9" rx="1" fill="currentColor" />
  </svg>
);
