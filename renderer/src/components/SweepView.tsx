// The Sweeps page: the builder (left) and the chosen sweep (right): its progress, the parallel-coordinates plot
// (brushing filters the table), a scatter of one hyperparameter against the metric, the curves of the top trials,
// and the live table of trials — open any trial as a run, send a selection to Compare.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AppInfo, BackpropLabApi, RunSummary, SweepDetail, SweepInfo, SweepProgressEvent, SweepTrialInfo } from '../api';
import { fmtCost, fmtDate, fmtDuration, fmtInt } from '../lib/format';
import { buildAxes, lowerIsBetter, metricValue, paramText, positions } from '../lib/sweep-axes';
import { initialDraft, type SweepDraft } from '../lib/sweep-spec';
import type { Design } from '../live/design';
import { SweepBuilder } from './SweepBuilder';
import { SweepScatter, TopCurves } from './SweepCharts';
import { SweepParallel } from './SweepParallel';
import { SweepTable } from './SweepTable';

const TOP = 5;
/** The table's order of statuses. */
const GROUP: Record<SweepTrialInfo['status'], number> = { finished: 0, running: 1, paused: 1, pruned: 2, stopped: 2, interrupted: 2, failed: 3, pending: 4 };

export function SweepView({
  api,
  info,
  design,
  runs,
  theme,
  onOpen,
  onCompare,
  onError,
}: {
  api: BackpropLabApi;
  info: AppInfo;
  design: Design;
  runs: readonly RunSummary[];
  theme: string;
  onOpen: (runId: string) => void;
  onCompare: (runIds: string[]) => void;
  onError: (m: string) => void;
}) {
  const [draft, setDraft] = useState<SweepDraft>(() => initialDraft(design.config));
  const [sweeps, setSweeps] = useState<SweepInfo[]>([]);
  const [sweepId, setSweepId] = useState<string | null>(null);
  const [detail, setDetail] = useState<SweepDetail | null>(null);
  const [progress, setProgress] = useState<SweepProgressEvent | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Set<number> | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [scatterKey, setScatterKey] = useState<string>('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [plotKey, setPlotKey] = useState(0);
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);

  const refreshList = useCallback(
    () =>
      void api.sweeps.list({ limit: 200 }).then((r) => {
        if (r.ok) {
          setSweeps(r.value);
          setSweepId((id) => id ?? r.value[0]?.id ?? null);
        }
      }),
    [api],
  );
  useEffect(refreshList, [refreshList]);

  // the chosen sweep: loaded now, and again (at most every 400 ms) while its progress events arrive
  useEffect(() => {
    if (!sweepId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const load = () => {
      timer = null;
      last = performance.now();
      void api.sweeps.get({ sweepId }).then((r) => {
        if (!live) return;
        if (r.ok) setDetail(r.value);
        else onError(r.error.message);
      });
    };
    load();
    const off = api.on['sweep.progress']((e) => {
      if (e.sweepId !== sweepId) return;
      setProgress(e);
      if (e.status !== 'running') {
        if (timer) clearTimeout(timer);
        load();
        refreshList();
      } else if (!timer) timer = setTimeout(load, Math.max(0, last + 400 - performance.now()));
    });
    return () => {
      live = false;
      off();
      if (timer) clearTimeout(timer);
    };
  }, [api, sweepId, onError, refreshList]);

  const choose = (id: string) => {
    setConfirmDelete(false);
    setSweepId(id);
    setDetail(null);
    setProgress(null);
    setFilter(null);
    setSelected(new Set());
  };

  const start = async (spec: Record<string, unknown>, parallel: number) => {
    setStarting(true);
    setStartError(null);
    const csv = design.config.data.kind === 'csv' && design.csv ? { csvTexts: { [design.csv.filename]: design.csv.text } } : {};
    const r = await api.sweeps.start({ spec, parallel, ...csv });
    setStarting(false);
    if (!r.ok) {
      setStartError(r.error.message);
      return;
    }
    refreshList();
    choose(r.value.sweepId);
  };

  const remove = async (deleteRuns: boolean) => {
    if (!sweepId) return;
    setConfirmDelete(false);
    const r = await api.sweeps.delete({ sweepId, deleteRuns });
    if (!r.ok) {
      onError(r.error.message);
      return;
    }
    setSweepId(null);
    setDetail(null);
    setProgress(null);
    setFilter(null);
    setSelected(new Set());
    refreshList();
  };

  const stop = async () => {
    if (!sweepId) return;
    const r = await api.sweeps.stop({ sweepId });
    if (!r.ok) onError(r.error.message);
  };

  const current = detail && detail.sweep.id === sweepId ? detail : null;
  const trials = useMemo(() => current?.trials ?? [], [current]);
  const metric = current?.metric ?? 'testCost';
  const logKeys = useMemo(() => {
    const random = (current?.sweep.spec['random'] ?? {}) as Record<string, Record<string, unknown>>;
    return new Set(Object.entries(random).filter(([, d]) => d && 'log_uniform' in d).map(([k]) => k));
  }, [current]);
  const axes = useMemo(() => buildAxes(trials, metric, logKeys), [trials, metric, logKeys]);
  const pos = useMemo(() => positions(trials, axes, metric), [trials, axes, metric]);
  const bestIndex = current?.best?.trialIndex ?? null;
  const bestRow = bestIndex === null ? -1 : trials.findIndex((t) => t.trialIndex === bestIndex);
  const paramKeys = useMemo(() => axes.filter((a) => !a.metric).map((a) => a.key), [axes]);
  const scatterAxis = axes.find((a) => a.key === scatterKey && !a.metric) ?? axes.find((a) => !a.metric) ?? null;
  const metricAxis = axes[axes.length - 1]!;

  // the table: the trials that pass the brushes — finished ones first, then those training, then the pruned or
  // stopped, failed and pending last; best first by the metric within each
  const shown = useMemo(() => {
    const idx = trials.map((_, i) => i).filter((i) => !filter || filter.has(i));
    const sign = lowerIsBetter(metric) ? 1 : -1;
    if (sort) {
      const value = (t: SweepTrialInfo): number | string | null => {
        if (sort.key === '#') return t.trialIndex;
        if (sort.key === 'status') return t.status;
        if (sort.key === 'epochs') return t.epochs;
        if (sort.key === '$metric') return metricValue(t, metric);
        const v = t.params[sort.key];
        return v === undefined ? null : typeof v === 'number' ? v : paramText(v);
      };
      const vals = new Map(idx.map((i) => [i, value(trials[i]!)]));
      return idx.sort((a, b) => {
        const x = vals.get(a)!, y = vals.get(b)!;
        if (x === y) return trials[a]!.trialIndex - trials[b]!.trialIndex;
        if (x === null) return 1; // missing values last, either way
        if (y === null) return -1;
        return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })) * sort.dir;
      });
    }
    return idx.sort((a, b) => {
      const g = GROUP[trials[a]!.status] - GROUP[trials[b]!.status];
      if (g) return g;
      const x = metricValue(trials[a]!, metric), y = metricValue(trials[b]!, metric);
      if (x === null && y === null) return trials[a]!.trialIndex - trials[b]!.trialIndex;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x - y) * sign;
    });
  }, [trials, filter, metric, sort]);

  const top = useMemo(
    () =>
      shown
        .map((i) => trials[i]!)
        .filter((t) => t.runId && metricValue(t, metric) !== null)
        .slice(0, TOP)
        .map((t) => ({ runId: t.runId!, label: `#${t.trialIndex + 1}` })),
    [shown, trials, metric],
  );

  const toggle = (trialIndex: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(trialIndex)) n.delete(trialIndex);
      else n.add(trialIndex);
      return n;
    });
  const selectedRuns = trials.filter((t) => selected.has(t.trialIndex) && t.runId).map((t) => t.runId!);
  const compareIds = selectedRuns.length >= 2 ? selectedRuns : top.map((t) => t.runId);
  const maxCompare = info.limits.maxCompare;

  const status = progress?.sweepId === sweepId ? progress.status : (current?.sweep.status ?? null);
  const total = current?.trials.length ?? progress?.total ?? 0;
  const done = progress?.sweepId === sweepId ? progress.done : trials.filter((t) => !['pending', 'running', 'paused'].includes(t.status)).length;
  const pruned = trials.filter((t) => t.status === 'pruned').length;
  const maxParallel = Math.max(1, info.limits.maxLiveRuns);

  return (
    <div className="sweep-layout">
      <SweepBuilder config={design.config} csvName={design.csv?.filename ?? null} runs={runs} draft={draft} setDraft={setDraft} busy={starting} maxParallel={maxParallel} onStart={(s, p) => void start(s, p)} />
      <section className="sweep-main" data-testid="sweep-view">
        {startError && (
          <div className="banner error" role="alert" data-testid="sweep-start-error">
            {startError}
          </div>
        )}
        <div className="sweep-toolbar">
          <select value={sweepId ?? ''} onChange={(e) => choose(e.target.value)} aria-label="sweep" data-testid="sweep-select" disabled={sweeps.length === 0}>
            {sweeps.length === 0 && <option value="">no sweep yet</option>}
            {sweeps.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} · {fmtInt(s.trials)} trials · {fmtDate(s.createdAt)}
              </option>
            ))}
          </select>
          {status && (
            <span className={`phase phase-${status === 'running' ? 'running' : status === 'finished' ? 'finished' : 'failed'}`} data-testid="sweep-status">
              {status}
            </span>
          )}
          {total > 0 && (
            <span className="muted small tnum" data-testid="sweep-progress">
              {fmtInt(done)} / {fmtInt(total)} done{progress?.sweepId === sweepId && progress.running ? ` · ${progress.running} running` : ''}
              {pruned ? ` · ${pruned} pruned` : ''}
              {status === 'running' && progress?.etaMs ? ` · ${fmtDuration(progress.etaMs)} left` : ''}
              {current && current.sweep.epochsSaved > 0 ? ` · ${fmtInt(current.sweep.epochsSaved)} epochs saved` : ''}
            </span>
          )}
          <span className="spacer" />
          {status === 'running' && (
            <button type="button" className="btn danger small" onClick={() => void stop()} data-testid="sweep-stop">
              Stop sweep
            </button>
          )}
          {status && status !== 'running' && !confirmDelete && (
            <button type="button" className="btn ghost small" onClick={() => setConfirmDelete(true)} data-testid="sweep-delete">
              Delete…
            </button>
          )}
          {confirmDelete && status !== 'running' && (
            <span className="sweep-confirm" role="group" aria-label="delete the sweep">
              <span className="small">Delete this sweep. Its {fmtInt(trials.filter((t) => t.runId).length)} runs:</span>
              <button type="button" className="btn small" onClick={() => void remove(false)} data-testid="sweep-delete-keep">
                Keep them
              </button>
              <button type="button" className="btn danger small" onClick={() => void remove(true)} data-testid="sweep-delete-runs">
                Delete them too
              </button>
              <button type="button" className="btn ghost small" onClick={() => setConfirmDelete(false)}>
                Cancel
              </button>
            </span>
          )}
        </div>
        {(status === 'failed' || status === 'interrupted') && (progress?.error ?? current?.sweep.error) && (
          <div className="banner error" role="alert" data-testid="sweep-error">
            {progress?.error ?? current?.sweep.error}
          </div>
        )}
        {total > 0 && (
          <div className="progress" aria-hidden="true">
            <div className={`bar phase-${status === 'running' ? 'running' : status === 'finished' ? 'finished' : 'stopped'}`} style={{ width: `${(100 * done) / total}%` }} />
          </div>
        )}

        {!current ? (
          <div className="empty-state">
            <h2>{sweepId ? 'Loading the sweep…' : 'No sweep yet'}</h2>
            <p className="muted">Pick parameters on the left — values to try or ranges to draw from — and start a sweep over the Train page&apos;s design.</p>
          </div>
        ) : (
          <>
            <div className="sweep-plots">
              <figure className="card sweep-pc">
                <figcaption>
                  Parallel coordinates
                  <span className="muted small">coloured by {metric} · drag an axis to filter</span>
                </figcaption>
                {/* a new key clears the brushes (they live in the plot) */}
                <SweepParallel key={plotKey} axes={axes} pos={pos} metric={metric} best={bestRow} theme={theme} onFilter={setFilter} />
              </figure>
              <div className="sweep-side">
                <figure className="card">
                  <figcaption>
                    {scatterAxis && (
                      <select value={scatterAxis.key} onChange={(e) => setScatterKey(e.target.value)} aria-label="scatter parameter" data-testid="scatter-param">
                        {axes
                          .filter((a) => !a.metric)
                          .map((a) => (
                            <option key={a.key} value={a.key}>
                              {a.label}
                            </option>
                          ))}
                      </select>
                    )}
                    <span className="muted small">against {metric}</span>
                  </figcaption>
                  {scatterAxis && <SweepScatter trials={trials} axis={scatterAxis} metricAxis={metricAxis} metric={metric} bestIndex={bestIndex} theme={theme} />}
                </figure>
                <figure className="card">
                  <figcaption>
                    Top {top.length || TOP} trials <span className="muted small">{metric} by epoch</span>
                  </figcaption>
                  <TopCurves api={api} top={top} metric={metric} theme={theme} />
                </figure>
              </div>
            </div>
            <div className="sweep-table-bar">
              {current.best ? (
                <span data-testid="sweep-best">
                  <span className="best-star">★</span> best: trial #{current.best.trialIndex + 1} · {metric} <span className="strong tnum">{fmtCost(metricValue(current.best, metric))}</span>
                  {current.best.runId && (
                    <button type="button" className="btn small" onClick={() => onOpen(current.best!.runId!)} data-testid="open-best">
                      Open best trial
                    </button>
                  )}
                </span>
              ) : (
                <span className="muted small">no finished trial yet</span>
              )}
              <span className="spacer" />
              <span className="muted small tnum" data-testid="sweep-shown">
                {filter ? `${fmtInt(shown.length)} of ${fmtInt(trials.length)} trials` : `${fmtInt(trials.length)} trials`}
              </span>
              {filter && (
                <button
                  type="button"
                  className="btn ghost small"
                  onClick={() => {
                    setPlotKey((k) => k + 1);
                    setFilter(null);
                  }}
                  data-testid="clear-brushes"
                >
                  Clear filter
                </button>
              )}
              <button
                type="button"
                className="btn primary small"
                disabled={compareIds.length < 2 || compareIds.length > maxCompare}
                title={selectedRuns.length >= 2 ? `compare the ${selectedRuns.length} selected trials` : `tick 2 to ${maxCompare} trials, or compare the top ${TOP} shown`}
                onClick={() => onCompare(compareIds)}
                data-testid="sweep-compare"
              >
                {selectedRuns.length >= 2 ? `Compare ${selectedRuns.length} selected` : `Compare top ${Math.min(TOP, top.length)}`}
              </button>
            </div>
            <SweepTable
              trials={trials}
              shown={shown}
              keys={paramKeys}
              metric={metric}
              bestIndex={bestIndex}
              selected={selected}
              onToggle={toggle}
              onOpen={onOpen}
              sort={sort}
              // a click sorts by the column, a second one reverses it, a third goes back to best first
              onSort={(key) => setSort((s) => (s?.key !== key ? { key, dir: 1 } : s.dir === 1 ? { key, dir: -1 } : null))}
            />
          </>
        )}
      </section>
    </div>
  );
}
