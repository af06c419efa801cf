// The runs table's detail pane: one run's actions (open, compare, rename, tags, export, delete) at the top where
// they stay in view, its small cost and accuracy curves, its whole configuration in words (the architecture as
// one row), and its notes. The pane scrolls on its own; the table beside it keeps its row actions.
import { useEffect, useRef, useState } from 'react';
import type { ChartDataset } from 'chart.js';
import { unwrap, type BackpropLabApi, type ExportFormat, type RunCurves, type RunDetail, type RunSummary } from '../api';
import { Chart, lineOptions } from '../lib/charts';
import { fmtDate, fmtDuration, fmtInt } from '../lib/format';
import { isRegressionRun, settingsByGroup } from '../lib/run-settings';
import { palette } from '../lib/theme';
import { ExportMenu } from './ExportMenu';
import { InlineEdit, PenIcon, TrashIcon, type RunEdits } from './RunParts';

const ORIGIN_WORDS: Record<NonNullable<RunDetail['lineage']>['origin'], string> = { continue: 'continued from', clone: 'cloned from', rerun: 'a re-run of' };
/** Points per curve the pane asks for: a small chart needs no more. */
const MAX_POINTS = 300;
const COST_KEYS = ['trainCost', 'testCost'] as const;
const ACCURACY_KEYS = ['trainAccuracy', 'testAccuracy'] as const;

export function RunDetailPane({
  run,
  api,
  theme,
  selected,
  onSelect,
  onOpen,
  onExport,
  edits,
  nameOf,
  onClose,
  onError,
}: {
  run: RunSummary;
  api: BackpropLabApi;
  theme: string;
  selected: boolean;
  onSelect: () => void;
  onOpen: () => void;
  onExport: (f: ExportFormat) => void;
  edits: RunEdits;
  /** A stored run's name (its parent's), or null when it is gone. */
  nameOf: (id: string) => string | null;
  onClose: () => void;
  onError: (m: string) => void;
}) {
  const [note, setNote] = useState(run.notes);
  const [saved, setSaved] = useState(true);
  const [editing, setEditing] = useState<'name' | 'tags' | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [got, setGot] = useState<{ run: RunDetail; curves: RunCurves } | null>(null);

  // the run with its curves, again when it moves on (a running run's list row changes as it trains and ends)
  useEffect(() => {
    let live = true;
    void api.runs.get({ runId: run.id, maxPoints: MAX_POINTS }).then((r) => {
      if (live && r.ok) setGot(r.value);
    });
    return () => {
      live = false;
    };
  }, [api, run.id, run.status, run.epochsDone]);

  const config = got?.run.config ?? run.config ?? null;
  const lineage = got?.run.lineage ?? null;
  const regression = isRegressionRun(run);
  const acc = regression ? 'R²' : 'accuracy';

  return (
    <aside className="card run-detail" data-testid="run-detail" aria-label={`details of ${run.name}`}>
      <div className="detail-top">
        <header className="section-head">
          {editing === 'name' ? (
            <InlineEdit
              initial={run.name}
              testId="detail-rename-input"
              onDone={(name) => {
                setEditing(null);
                edits.rename(run, name);
              }}
            />
          ) : (
            <h3 title={run.name} data-testid="detail-name">
              {run.name}
            </h3>
          )}
          <button type="button" className="icon-btn" aria-label="close" title="close the details" onClick={onClose} data-testid="detail-close">
            ×
          </button>
        </header>
        <div className="detail-actions" data-testid="detail-actions">
          <button type="button" className="btn small primary" onClick={onOpen} data-testid="detail-open" title="show it in Train, its settings in the Design panel">
            Open
          </button>
          <label className="check-label small" title="pick it for Compare (2 to 10 runs)">
            <input type="checkbox" checked={selected} onChange={onSelect} data-testid="detail-select" />
            compare
          </label>
          <span className="spacer" />
          <button type="button" className="icon-btn" title="rename" aria-label={`rename ${run.name}`} onClick={() => setEditing('name')} data-testid="detail-rename">
            <PenIcon />
          </button>
          <button type="button" className="icon-btn" title="tags" aria-label={`tags of ${run.name}`} onClick={() => setEditing('tags')} data-testid="detail-tags">
            #
          </button>
          <ExportMenu label="Export" onExport={onExport} testId="detail-export" />
          {confirmDelete ? (
            <span className="confirm">
              <button
                type="button"
                className="btn danger small"
                data-testid="detail-confirm-delete"
                onClick={() => {
                  setConfirmDelete(false);
                  edits.remove(run);
                }}
              >
                Delete
              </button>
              <button type="button" className="btn ghost small" onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" className="icon-btn danger" title="delete" aria-label={`delete ${run.name}`} onClick={() => setConfirmDelete(true)} data-testid="detail-delete">
              <TrashIcon />
            </button>
          )}
        </div>
        <div className="tags">
          {editing === 'tags' ? (
            <InlineEdit
              initial={run.tags.join(', ')}
              placeholder="tags, comma separated"
              testId="detail-tags-input"
              onDone={(text) => {
                setEditing(null);
                edits.setTags(run, text);
              }}
            />
          ) : (
            run.tags.map((t) => (
              <span className="tag" key={t}>
                {t}
              </span>
            ))
          )}
        </div>
      </div>

      <dl className="kv small">
        <dt>Status</dt>
        <dd>
          <span className={`badge status-${run.status}`}>{run.status}</span>
          {run.error && <span className="muted"> {run.error}</span>}
        </dd>
        <dt>Epochs</dt>
        <dd className="tnum">
          {fmtInt(run.epochsDone)}
          {run.plannedEpochs && run.plannedEpochs !== run.epochsDone ? ` of ${fmtInt(run.plannedEpochs)}` : ''}
          {got?.run.stoppedEarly ? ` · stopped early, best epoch ${fmtInt(got.run.bestEpoch ?? 0)}` : ''}
        </dd>
        <dt>Duration</dt>
        <dd className="tnum">{fmtDuration(run.durationMs)}</dd>
        <dt>Created</dt>
        <dd className="tnum">{fmtDate(run.createdAt)}</dd>
        {run.sweep && (
          <>
            <dt>Sweep</dt>
            <dd>{run.sweep.name}</dd>
          </>
        )}
        {lineage && (
          <>
            <dt>Origin</dt>
            <dd data-testid="detail-lineage">{`${ORIGIN_WORDS[lineage.origin]} ${(lineage.parent && nameOf(lineage.parent)) ?? 'a deleted run'}`}</dd>
          </>
        )}
        <dt>Ran on</dt>
        <dd>{run.backend ? `${run.backend.name} · ${run.backend.mode} · ${run.backend.precision}` : '—'}</dd>
        <dt>Id</dt>
        <dd className="mono">{run.id}</dd>
      </dl>

      <section className="detail-curves" aria-label="curves">
        <MiniChart curves={got?.curves ?? null} keys={COST_KEYS} title="cost" theme={theme} testId="detail-cost-chart" />
        <MiniChart curves={got?.curves ?? null} keys={ACCURACY_KEYS} title={acc} theme={theme} testId="detail-accuracy-chart" yMax={regression ? undefined : 1} legend={false} />
      </section>

      <section className="detail-config" data-testid="detail-config" aria-label="configuration">
        {config ? (
          settingsByGroup(config).map((g) => (
            <div key={g.group}>
              <h4 className="row-label">{g.group}</h4>
              <dl className="kv small">
                {g.rows.map((r) => (
                  <div key={r.key} className="kv-row" data-testid="config-row" data-key={r.key} title={r.path}>
                    <dt>{r.label}</dt>
                    <dd className="tnum">{r.text}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))
        ) : (
          <p className="muted small">Loading its configuration…</p>
        )}
      </section>

      <label className="block">
        <span className="row-label">Notes</span>
        <textarea
          value={note}
          rows={4}
          data-testid="run-note"
          onChange={(e) => {
            setNote(e.target.value);
            setSaved(false);
          }}
          onKeyDown={(e) => e.stopPropagation()}
        />
      </label>
      <div className="row-end">
        <span className="muted small">{saved ? 'saved' : 'unsaved'}</span>
        <button
          type="button"
          className="btn small primary"
          disabled={saved}
          data-testid="save-note"
          onClick={async () => {
            try {
              await unwrap(api.runs.note({ runId: run.id, notes: note }));
              setSaved(true);
            } catch (e) {
              onError((e as Error).message);
            }
          }}
        >
          Save note
        </button>
      </div>
    </aside>
  );
}

type Pt = { x: number; y: number | null };

/** A small train/test chart of two curves of the run (no controls); data-points says how many epochs it drew. */
function MiniChart({
  curves,
  keys,
  title,
  theme,
  testId,
  yMax,
  legend = true,
}: {
  curves: RunCurves | null;
  keys: readonly ['trainCost' | 'trainAccuracy', 'testCost' | 'testAccuracy'];
  title: string;
  theme: string;
  testId: string;
  yMax?: number | undefined;
  /** The train/test legend (once is enough when the charts sit one above the other). */
  legend?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const points = curves?.[keys[0]]?.step.length ?? 0;
  useEffect(() => {
    const el = canvas.current;
    if (!el || !curves) return;
    const p = palette();
    const datasets: ChartDataset<'line', Pt[]>[] = [];
    keys.forEach((k, i) => {
      const c = curves[k];
      if (!c) return;
      const data = c.step.map((x, j) => ({ x, y: Number.isFinite(c.value[j]) ? c.value[j]! : null }));
      const color = i === 0 ? p.train : p.test;
      datasets.push({ label: i === 0 ? 'train' : 'test', data, borderColor: color, backgroundColor: color, borderDash: i === 1 ? [5, 3] : [] });
    });
    const chart = new Chart(el, { type: 'line', data: { datasets }, options: lineOptions({ xTitle: 'epoch', yTitle: title, legend, ...(yMax !== undefined ? { yMax } : {}) }) });
    return () => chart.destroy();
  }, [curves, keys, title, theme, yMax, legend]);
  return (
    <figure className="mini-chart" data-testid={testId} data-points={points}>
      {curves && points === 0 ? <p className="muted small">No {title} recorded.</p> : <canvas ref={canvas} aria-label={`${title} by epoch`} />}
    </figure>
  );
}
