// The centre of the Train page: transport controls, progress and speed, the final numbers, the live cost and
// accuracy curves, the decision boundary and the network diagram.
import { useCallback, useState, useSyncExternalStore } from 'react';
import type { DataPreview, ExportFormat, LayerSpec, RunSnapshotEvent } from '../api';
import { fmtAcc, fmtCost, fmtDuration, fmtInt, fmtRate } from '../lib/format';
import { isActive, type LiveRun, type RunView } from '../live/run';
import { Boundary } from './Boundary';
import { CurveChart, type CurveOptions } from './CurveChart';
import { ExportMenu } from './ExportMenu';
import { NetworkDiagram } from './NetworkDiagram';
import { Segmented } from './fields';

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
}: {
  run: LiveRun;
  transport: Transport;
  architecture: LayerSpec[];
  preview: DataPreview | null;
  theme: string;
  onExport: (format: ExportFormat) => void;
}) {
  const v = useRunView(run);
  const snap = useSnapshot(run);
  const [opts, setOpts] = useState<CurveOptions>({ smoothing: 0, log: false, x: 'epoch' });
  const arch = v.config?.architecture ?? architecture;
  return (
    <div className="train" data-testid="train-view">
      <Toolbar v={v} transport={transport} onExport={onExport} />
      <StatusBanner v={v} />
      <Stats v={v} run={run} />
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
          <figcaption>Accuracy</figcaption>
          <CurveChart run={run} kind="accuracy" options={opts} theme={theme} testId="accuracy-chart" />
        </figure>
      </div>
      <div className="visuals">
        <figure className="card boundary-card">
          <figcaption>
            Decision boundary{' '}
            <span className="muted small tnum" data-testid="boundary-epoch">
              {snap?.boundary ? `epoch ${fmtInt(snap.epoch)}` : v.phase === 'idle' ? 'data' : ''}
            </span>
          </figcaption>
          <Boundary grid={snap?.boundary ?? null} data={preview} theme={theme} />
          <Legend />
        </figure>
        <figure className="card network-card">
          <figcaption>Network</figcaption>
          <NetworkDiagram architecture={arch} weights={snap?.weights ?? null} neurons={snap?.neurons ?? null} theme={theme} />
        </figure>
      </div>
    </div>
  );
}

function Legend() {
  return (
    <div className="legend small muted">
      <span>
        <i className="dot c0" /> class 0
      </span>
      <span>
        <i className="dot c1" /> class 1
      </span>
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

function Toolbar({ v, transport, onExport }: { v: RunView; transport: Transport; onExport: (f: ExportFormat) => void }) {
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
          <span className={`phase phase-${v.phase}`} data-testid="run-status">
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
          {v.name && <span className="muted run-title" title={v.runId ?? ''} data-testid="run-title">{v.name}</span>}
        </div>
        <div className="progress" aria-hidden="true">
          <div className={`bar phase-${v.phase}`} style={{ width: `${(progress * 100).toFixed(2)}%` }} />
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

function Stats({ v, run }: { v: RunView; run: LiveRun }) {
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
  return (
    <div className="stats" data-testid="stats">
      <Stat label="Train cost" value={fmtCost(trainCost)} raw={trainCost} testId={f ? 'final-cost' : 'train-cost'} />
      <Stat label="Test cost" value={fmtCost(testCost)} raw={testCost} testId="test-cost" />
      <Stat label="Train accuracy" value={fmtAcc(trainAcc)} raw={trainAcc} testId={f ? 'final-train-accuracy' : 'train-accuracy'} />
      <Stat label="Test accuracy" value={fmtAcc(testAcc)} raw={testAcc} testId={f ? 'final-test-accuracy' : 'test-accuracy'} accent />
      <Stat label="Cost at epoch 0" value={fmtCost(epoch0)} raw={epoch0} testId="epoch0-cost" />
      <div className="stat backend-stat" data-testid="backend-info" title={v.backend?.reason ?? ''}>
        <span className="stat-label">Backend</span>
        <span className="stat-value small" data-testid="backend">
          {v.backend ? `${v.backend.name} · ${v.backend.mode}` : '—'}
        </span>
        <span className="stat-sub muted" data-testid="backend-reason">
          {v.backend ? `${v.backend.precision} · ${v.backend.reason}` : 'chosen when the run starts'}
        </span>
      </div>
      {f && (
        <div className="stat">
          <span className="stat-label">Time</span>
          <span className="stat-value small tnum" data-testid="train-ms">
            {fmtDuration(f.msPerEpoch * v.epoch)}
          </span>
          <span className="stat-sub muted tnum">{f.msPerEpoch ? `${(f.msPerEpoch * 1000).toFixed(0)} µs/epoch` : ''}</span>
        </div>
      )}
    </div>
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
