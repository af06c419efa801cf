// The dashboard: connects to the host (desktop preload or `backprop-lab serve`), then lays out the pages —
// Train (design panel + live charts), Inspect, Runs, Compare — with themes and keyboard shortcuts.
import { useCallback, useEffect, useEffectEvent, useLayoutEffect, useMemo, useState } from 'react';
import { connectHost, unwrap, type AppInfo, type BackpropLabApi, type DataPreview, type ExportFormat, type Host, type RunConfig, type RunDetail, type RunSummary } from './api';
import { CompareView } from './components/CompareView';
import { DesignPanel } from './components/DesignPanel';
import { InspectView } from './components/InspectView';
import { RunsView } from './components/RunsView';
import type { StoredRunActions } from './components/StoredRun';
import { SweepView } from './components/SweepView';
import { Toasts, useToasts } from './components/Toasts';
import { TrainView, useRunView } from './components/TrainView';
import { saveFile } from './lib/download';
import type { ThemeChoice } from './lib/theme';
import { RunController } from './live/controller';
import type { Design } from './live/design';
import { isActive } from './live/run';

type Tab = 'train' | 'inspect' | 'runs' | 'compare' | 'sweeps';
const TABS: ReadonlyArray<{ id: Tab; label: string }> = [
  { id: 'train', label: 'Train' },
  { id: 'inspect', label: 'Inspect' },
  { id: 'sweeps', label: 'Sweeps' },
  { id: 'runs', label: 'Runs' },
  { id: 'compare', label: 'Compare' },
];

const ORIGIN_WORDS: Record<NonNullable<RunDetail['lineage']>['origin'], string> = { continue: 'continued from', clone: 'cloned from', rerun: 'a re-run of' };

export function App() {
  const [host, setHost] = useState<Host | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [lost, setLost] = useState(false);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const h = await connectHost();
        const i = await unwrap(h.api.app.info({}));
        if (cancelled) return;
        h.onLost(() => setLost(true));
        setHost(h);
        setInfo(i);
      } catch (e) {
        if (!cancelled) setFatal((e as Error).message);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  const theme = useTheme();

  if (fatal) {
    return (
      <Shell theme={theme} hostLabel="not connected">
        <div className="fatal card" role="alert" data-testid="connect-error">
          <h2>Cannot reach the Backprop Lab host</h2>
          <p>{fatal}</p>
        </div>
      </Shell>
    );
  }
  if (!host || !info) {
    return (
      <Shell theme={theme} hostLabel="connecting…">
        <p className="loading muted">Connecting…</p>
      </Shell>
    );
  }
  return <Dashboard host={host} info={info} theme={theme} lost={lost} />;
}

/** A data spec's identity: a new object with the same content, or the same file again, is the same spec. */
const specKey = (data: RunConfig['data'] | null, csvText: string | undefined, csvName: string | undefined) =>
  data ? JSON.stringify(data) + (csvText !== undefined ? `#${csvText.length}:${csvName}` : '') : '';

/**
 * The host's preview of a data spec (debounced); null spec: none. While a new spec's preview loads, the last one
 * stays (`current` false): the panel keeps showing points, and waits for `current` before fitting the network.
 */
function usePreview(api: BackpropLabApi, data: RunConfig['data'] | null, csvText: string | undefined, csvName: string | undefined) {
  const [state, setState] = useState<{ preview: DataPreview | null; key: string }>({ preview: null, key: '' });
  const [error, setError] = useState<string | null>(null);
  const key = specKey(data, csvText, csvName);
  const asked = useEffectEvent(() => ({ data, csvText, key }));
  useEffect(() => {
    if (!key) return;
    let live = true;
    const t = setTimeout(async () => {
      const { data, csvText, key } = asked();
      if (!data) return;
      if (data.kind === 'csv' && csvText === undefined) {
        setState({ preview: null, key });
        setError(null);
        return;
      }
      const r = await api.data.preview({ data, ...(csvText !== undefined ? { csvText } : {}) });
      if (!live) return;
      // labelled with the spec it was asked for, so a late answer for an older spec is never taken for the new one's
      if (r.ok) {
        setState({ preview: r.value, key });
        setError(null);
      } else setError(r.error.message);
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, api]);
  return { preview: state.preview, current: state.key === key && key !== '', error };
}

function useTheme() {
  const [choice, setChoice] = useState<ThemeChoice>(() => {
    const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('bpl-theme') : null;
    return saved === 'light' || saved === 'dark' ? saved : 'auto';
  });
  const [systemDark, setSystemDark] = useState(() => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false);
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!mq) return;
    const on = () => setSystemDark(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const resolved = choice === 'auto' ? (systemDark ? 'dark' : 'light') : choice;
  // A layout effect: it runs before the charts' (passive) effects, which read the theme's colours when they rebuild.
  useLayoutEffect(() => {
    document.documentElement.dataset['theme'] = resolved;
    try {
      if (choice === 'auto') localStorage.removeItem('bpl-theme');
      else localStorage.setItem('bpl-theme', choice);
    } catch {
      // storage may be unavailable; the choice just is not remembered
    }
  }, [choice, resolved]);
  const cycle = () => setChoice(choice === 'auto' ? (systemDark ? 'light' : 'dark') : choice === 'dark' ? 'light' : 'dark');
  return { choice, resolved, cycle };
}

type Theme = ReturnType<typeof useTheme>;

function Shell({ theme, hostLabel, tabs, children, right }: { theme: Theme; hostLabel: string; tabs?: React.ReactNode; children: React.ReactNode; right?: React.ReactNode }) {
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <Logo />
          <h1>Backprop Lab</h1>
        </div>
        {tabs}
        <div className="topbar-right">
          {right}
          <span className="host muted small" data-testid="host">
            {hostLabel}
          </span>
          <button type="button" className="icon-btn theme-toggle" onClick={theme.cycle} title={`theme: ${theme.resolved} (click to switch)`} aria-label="switch light/dark theme" data-testid="theme-toggle">
            {theme.resolved === 'dark' ? '☾' : '☀'}
          </button>
        </div>
      </header>
      {children}
    </div>
  );
}

const Logo = () => (
  <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" className="logo">
    <circle cx="4" cy="7" r="2.2" />
    <circle cx="4" cy="17" r="2.2" />
    <circle cx="12" cy="5" r="2.2" />
    <circle cx="12" cy="12" r="2.2" />
    <circle cx="12" cy="19" r="2.2" />
    <circle cx="20" cy="12" r="2.2" />
    <path d="M6 7l4-2M6 7l4 5M6 7l4 12M6 17l4-12M6 17l4-5M6 17l4 2M14 5l4 7M14 12h4M14 19l4-7" strokeWidth="1" fill="none" />
  </svg>
);

function Dashboard({ host, info, theme, lost }: { host: Host; info: AppInfo; theme: Theme; lost: boolean }) {
  const api = host.api;
  const { toasts, show: toast, dismiss } = useToasts();
  // Never changes (toast depends on nothing), so the controller and the run it shows live as long as the api.
  const onError = useCallback((m: string) => toast('error', m), [toast]);
  const controller = useMemo(() => new RunController(api, onError), [api, onError]);
  useEffect(() => controller.attach(), [controller]);
  const run = controller.run;
  const view = useRunView(run);

  const [tab, setTab] = useState<Tab>('train');
  const [design, setDesign] = useState<Design>(() => ({ config: structuredClone(info.defaultConfig), name: '', csv: null, imported: null }));
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [compareIds, setCompareIds] = useState<string[]>([]);
  // The stored run last opened (its configuration fills the Design panel), and the design's invalid fields.
  const [stored, setStored] = useState<RunDetail | null>(null);
  const [invalid, setInvalid] = useState<Readonly<Record<string, string>>>({});
  const onValidity = useCallback(
    (field: string, problem: string | null) =>
      setInvalid((m) => {
        if ((m[field] ?? null) === problem) return m;
        const next = { ...m };
        if (problem === null) delete next[field];
        else next[field] = problem;
        return next;
      }),
    [],
  );
  const problems = Object.values(invalid);

  // --- the runs table, refreshed when the host says runs changed -------------------------------------------------
  useEffect(() => {
    const refreshRuns = () =>
      void api.runs.list({}).then((r) => {
        if (r.ok) setRuns(r.value);
      });
    refreshRuns();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        refreshRuns();
      }, 150);
    };
    const offs = [api.on['runs.changed'](soon), api.on['run.status'](soon)];
    return () => {
      offs.forEach((o) => o());
      if (timer) clearTimeout(timer);
    };
  }, [api]);

  // --- data previews: the design's data (left panel), and the shown run's (boundary, inspect) ----------------------
  const designCsv = design.config.data.kind === 'csv' ? design.csv?.text : undefined;
  const designPreview = usePreview(api, design.config.data, designCsv, design.csv?.filename);
  const shownData = view.config?.data ?? design.config.data;
  const sameData = JSON.stringify(shownData) === JSON.stringify(design.config.data);
  const shownPreview = usePreview(api, sameData ? null : shownData, shownData.kind === 'csv' ? designCsv : undefined, design.csv?.filename);
  const preview = sameData ? designPreview.preview : shownPreview.preview;

  // --- transport ---------------------------------------------------------------------------------------------------
  const startOptions = () => {
    const d = design;
    return {
      config: d.config,
      // no name typed: the store names it (engine/config.ts autoRunName, made unique: "… #2")
      ...(d.name.trim() ? { name: d.name.trim() } : {}),
      ...(d.config.data.kind === 'csv' && d.csv ? { csvText: d.csv.text } : {}),
      ...(d.imported ? { initialParams: d.imported.weights.params } : {}),
      ...(d.from ? { from: { runId: d.from.runId, mode: 'clone' as const } } : {}),
    };
  };
  /** Says why the design cannot train (its invalid fields), or null when it can. */
  const blocked = () => {
    if (problems.length === 0) return false;
    // the panel lists them all; the toast names the first
    onError(`Cannot train: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more, listed in the Design panel)` : ''}`);
    return true;
  };
  const transport = {
    play: () => {
      const phase = run.view.phase;
      if (phase === 'running') void controller.pause();
      else if (phase === 'paused') void controller.resume();
      else if (phase !== 'starting' && !blocked()) void controller.start(startOptions());
    },
    step: () => {
      if (!isActive(run.view.phase) && blocked()) return;
      void controller.step(startOptions());
    },
    stop: () => {
      if (isActive(run.view.phase)) void controller.stop();
    },
    reset: () => void controller.reset(),
  };

  // Space: play/pause · → or S: step · Esc: stop (not while typing in a field). An effect event: it sees this
  // render's transport (and design) while the listener stays registered once.
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const t = e.target as HTMLElement | null;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === ' ' || e.code === 'Space') {
      if (t?.tagName === 'BUTTON') (t as HTMLButtonElement).blur();
      e.preventDefault();
      transport.play();
    } else if (e.key === 'ArrowRight' || e.key === 's' || e.key === 'S') {
      e.preventDefault();
      transport.step();
    } else if (e.key === 'Escape') {
      transport.stop();
    }
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  const exportRun = async (runId: string, format: ExportFormat) => {
    try {
      const file = await unwrap(api.runs.export({ runId, format }));
      saveFile(file);
      toast('info', `Saved ${file.filename}`);
    } catch (e) {
      onError((e as Error).message);
    }
  };

  const openRun = async (id: string) => {
    if (isActive(run.view.phase) && run.view.runId !== id) {
      onError('A run is training in the Train view; pause or stop it before opening another.');
      return;
    }
    const detail = await controller.open(id);
    if (!detail) return;
    // The panel shows the opened run's whole configuration (a CSV run keeps the loaded file if there is one).
    setDesign((d) => ({ config: structuredClone(detail.config), name: '', csv: detail.config.data.kind === 'csv' ? d.csv : null, imported: null, from: null }));
    setStored(detail);
    setTab('train');
  };

  const storedActions: StoredRunActions | null =
    stored && (view.runId === stored.id || design.from?.runId === stored.id)
      ? {
          runId: stored.id,
          name: stored.name,
          epochsDone: stored.epochsDone,
          lineage: stored.lineage ? `${ORIGIN_WORDS[stored.lineage.origin]} ${runs.find((r) => r.id === stored.lineage!.parent)?.name ?? stored.lineage.parent ?? 'a deleted run'}` : null,
          canContinue: stored.stateEpoch !== null,
          clone: () => setDesign((d) => ({ config: structuredClone(stored.config), name: '', csv: d.csv, imported: null, from: { runId: stored.id } })),
          rerun: () => {
            if (isActive(run.view.phase)) return onError('A run is training; stop it before re-running another.');
            void controller.start({ config: stored.config, name: `${stored.name} · re-run`, from: { runId: stored.id, mode: 'rerun' } });
          },
          continueFor: (epochs) => {
            if (isActive(run.view.phase)) return onError('A run is training; stop it before continuing another.');
            void controller.start({ config: stored.config, name: `${stored.name} · continued`, from: { runId: stored.id, mode: 'continue', epochs } });
          },
        }
      : null;

  const tabs = (
    <nav className="tabs" role="tablist">
      {TABS.map((t) => (
        <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'on' : ''} onClick={() => setTab(t.id)} data-testid={`tab-${t.id}`}>
          {t.label}
          {t.id === 'runs' && runs.length > 0 && <span className="count tnum">{runs.length}</span>}
          {t.id === 'compare' && compareIds.length > 0 && <span className="count tnum">{compareIds.length}</span>}
        </button>
      ))}
    </nav>
  );

  return (
    <Shell theme={theme} hostLabel={host.label} tabs={tabs} right={<span className="kbd-hint muted small">Space · → · Esc</span>}>
      {lost && (
        <div className="banner error global" role="alert" data-testid="connection-lost">
          The connection to the host closed. Start <code>backprop-lab serve</code> again and reload this page (with the new URL&apos;s token).
        </div>
      )}
      <main className={`page page-${tab}`}>
        {tab === 'train' && (
          <div className="train-layout">
            <DesignPanel design={design} update={setDesign} info={info} api={api} preview={designPreview.preview}
              previewCurrent={designPreview.current}
              previewError={designPreview.error}
              locked={false}
              theme={theme.resolved}
              onError={onError}
              onValidity={onValidity}
              problems={problems}
              activeRun={isActive(view.phase) ? view.name || 'A run' : null}
              stored={storedActions}
            />
            <TrainView run={run} transport={transport} architecture={design.config.architecture} preview={preview} theme={theme.resolved} onExport={(f) => view.runId && void exportRun(view.runId, f)} api={api} />
          </div>
        )}
        {tab === 'inspect' && <InspectView run={run} api={api} preview={preview} theme={theme.resolved} />}
        {tab === 'runs' && (
          <RunsView
            runs={runs}
            api={api}
            selected={selected}
            setSelected={setSelected}
            onOpen={(id) => void openRun(id)}
            onCompare={() => {
              setCompareIds(selected.slice(0, 10));
              setTab('compare');
            }}
            onExport={(id, f) => void exportRun(id, f)}
            onError={onError}
            shownRunId={view.runId}
            theme={theme.resolved}
          />
        )}
        {tab === 'sweeps' && (
          <SweepView
            api={api}
            info={info}
            design={design}
            runs={runs}
            theme={theme.resolved}
            onOpen={(id) => void openRun(id)}
            onCompare={(ids) => {
              setCompareIds(ids.slice(0, info.limits.maxCompare));
              setTab('compare');
            }}
            onError={onError}
          />
        )}
        {tab === 'compare' && <CompareView ids={compareIds} setIds={setCompareIds} runs={runs} api={api} theme={theme.resolved} onError={onError} goToRuns={() => setTab('runs')} />}
      </main>
      <Toasts toasts={toasts} dismiss={dismiss} />
    </Shell>
  );
}

export type { BackpropLabApi };
