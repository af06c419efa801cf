// Runs: every stored run in one table — filter, sort, rename, tags, notes, delete, export, open, and pick runs
// to compare.
import { useMemo, useState } from 'react';
import { unwrap, type BackpropLabApi, type ExportFormat, type RunSummary } from '../api';
import { fmtAcc, fmtCost, fmtDate, fmtDuration, fmtInt } from '../lib/format';
import { ExportMenu } from './ExportMenu';

type SortKey = 'name' | 'status' | 'dataset' | 'architecture' | 'createdAt' | 'finalCost' | 'testCost' | 'trainAccuracy' | 'testAccuracy' | 'durationMs' | 'backend';

const COLUMNS: ReadonlyArray<{ key: SortKey; label: string; num?: boolean }> = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'dataset', label: 'Data' },
  { key: 'architecture', label: 'Architecture' },
  { key: 'finalCost', label: 'Train cost', num: true },
  { key: 'testCost', label: 'Test cost', num: true },
  { key: 'trainAccuracy', label: 'Train acc', num: true },
  { key: 'testAccuracy', label: 'Test acc', num: true },
  { key: 'backend', label: 'Backend' },
  { key: 'durationMs', label: 'Duration', num: true },
  { key: 'createdAt', label: 'Created', num: true },
];

function sortValue(r: RunSummary, k: SortKey): string | number | null {
  if (k === 'backend') return r.backend ? `${r.backend.name} ${r.backend.mode}` : null;
  return r[k] as string | number | null;
}

export function RunsView({
  runs,
  api,
  selected,
  setSelected,
  onOpen,
  onCompare,
  onExport,
  onError,
  shownRunId,
}: {
  runs: RunSummary[];
  api: BackpropLabApi;
  selected: string[];
  setSelected: (ids: string[]) => void;
  onOpen: (id: string) => void;
  onCompare: () => void;
  onExport: (id: string, f: ExportFormat) => void;
  onError: (m: string) => void;
  shownRunId: string | null;
}) {
  const [filter, setFilter] = useState('');
  const [status, setStatus] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'createdAt', dir: -1 });
  const [editing, setEditing] = useState<{ id: string; field: 'name' | 'tags' } | null>(null);
  const [detail, setDetail] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const rows = runs.filter((r) => {
      if (status && r.status !== status) return false;
      if (!q) return true;
      const hay = [r.name, r.dataset, r.architecture, r.status, r.notes, r.backend?.name ?? '', ...r.tags].join(' ').toLowerCase();
      return q.split(/\s+/).every((w) => hay.includes(w));
    });
    return rows.sort((a, b) => {
      const x = sortValue(a, sort.key), y = sortValue(b, sort.key);
      if (x === y) return 0;
      if (x === null || (typeof x === 'number' && Number.isNaN(x))) return 1; // missing values last, either way
      if (y === null || (typeof y === 'number' && Number.isNaN(y))) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
  }, [runs, filter, status, sort]);

  const toggle = (id: string) => setSelected(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  const act = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      onError((e as Error).message);
    }
  };
  const detailRun = runs.find((r) => r.id === detail) ?? null;

  return (
    <div className="runs" data-testid="runs-view">
      <div className="runs-toolbar">
        <input type="search" placeholder="Filter: name, tag, dataset, note…" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="runs-filter" className="search" />
        <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="runs-status-filter" aria-label="status">
          <option value="">any status</option>
          {['running', 'paused', 'finished', 'failed', 'stopped', 'interrupted'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <span className="muted small tnum" data-testid="runs-count">
          {shown.length === runs.length ? `${fmtInt(runs.length)} runs` : `${fmtInt(shown.length)} of ${fmtInt(runs.length)} runs`}
        </span>
        <span className="spacer" />
        {selected.length > 0 && (
          <button type="button" className="btn ghost small" onClick={() => setSelected([])}>
            Clear selection
          </button>
        )}
        <button type="button" className="btn primary" disabled={selected.length < 2 || selected.length > 10} onClick={onCompare} data-testid="compare-selected" title="choose 2 to 10 runs">
          Compare {selected.length ? `(${selected.length})` : ''}
        </button>
      </div>
      <div className="table-wrap">
        <table className="data-table runs-table" data-testid="runs-table">
          <thead>
            <tr>
              <th className="check">
                <input
                  type="checkbox"
                  aria-label="select all shown"
                  checked={shown.length > 0 && shown.every((r) => selected.includes(r.id))}
                  onChange={(e) => setSelected(e.target.checked ? [...new Set([...selected, ...shown.map((r) => r.id)])].slice(0, 10) : [])}
                />
              </th>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  className={`${c.num ? 'num ' : ''}sortable${sort.key === c.key ? ' sorted' : ''}`}
                  aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
                  onClick={() => setSort(sort.key === c.key ? { key: c.key, dir: (sort.dir * -1) as 1 | -1 } : { key: c.key, dir: c.num ? -1 : 1 })}
                  data-testid={`sort-${c.key}`}
                >
                  {c.label}
                  {sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                </th>
              ))}
              <th aria-label="actions" />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} data-testid="run-row" data-run-id={r.id} data-status={r.status} className={`${selected.includes(r.id) ? 'selected' : ''}${r.id === shownRunId ? ' shown' : ''}`}>
                <td className="check">
                  <input type="checkbox" aria-label={`select ${r.name}`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} data-testid="run-select" />
                </td>
                <td className="name-cell">
                  {editing?.id === r.id && editing.field === 'name' ? (
                    <InlineEdit
                      initial={r.name}
                      testId="rename-input"
                      onDone={(name) => {
                        setEditing(null);
                        if (name !== null && name.trim() && name !== r.name) void act(unwrap(api.runs.rename({ runId: r.id, name: name.trim() })));
                      }}
                    />
                  ) : (
                    <button type="button" className="link run-name" onClick={() => onOpen(r.id)} title="show in Train" data-testid="run-name-cell">
                      {r.name}
                    </button>
                  )}
                  <div className="tags">
                    {editing?.id === r.id && editing.field === 'tags' ? (
                      <InlineEdit
                        initial={r.tags.join(', ')}
                        placeholder="tags, comma separated"
                        testId="tags-input"
                        onDone={(text) => {
                          setEditing(null);
                          if (text === null) return;
                          const tags = [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
                          void act(unwrap(api.runs.tag({ runId: r.id, tags })));
                        }}
                      />
                    ) : (
                      r.tags.map((t) => (
                        <span className="tag" key={t}>
                          {t}
                        </span>
                      ))
                    )}
                    {r.notes && <span className="note-mark" title={r.notes}>✎ note</span>}
                  </div>
                </td>
                <td>
                  <span className={`badge status-${r.status}`} title={r.error ?? ''} data-testid="run-status-cell">
                    {r.status}
                  </span>
                </td>
                <td>{r.dataset}</td>
                <td className="tnum mono-ish">{r.architecture}</td>
                <td className="num tnum">{fmtCost(r.finalCost)}</td>
                <td className="num tnum">{fmtCost(r.testCost)}</td>
                <td className="num tnum">{fmtAcc(r.trainAccuracy)}</td>
                <td className="num tnum strong" data-testid="run-test-accuracy">
                  {fmtAcc(r.testAccuracy)}
                </td>
                <td className="small" title={r.backend?.reason ?? ''}>
                  {r.backend ? `${r.backend.name} · ${r.backend.mode}` : '—'}
                </td>
                <td className="num tnum">{fmtDuration(r.durationMs)}</td>
                <td className="num tnum small muted">{fmtDate(r.createdAt)}</td>
                <td className="actions">
                  <button type="button" className="icon-btn" title="rename" aria-label={`rename ${r.name}`} onClick={() => setEditing({ id: r.id, field: 'name' })} data-testid="rename">
                    <PenIcon />
                  </button>
                  <button type="button" className="icon-btn" title="tags" aria-label={`tags of ${r.name}`} onClick={() => setEditing({ id: r.id, field: 'tags' })} data-testid="edit-tags">
                    #
                  </button>
                  <button type="button" className="icon-btn" title="notes and details" aria-label={`details of ${r.name}`} onClick={() => setDetail(detail === r.id ? null : r.id)} data-testid="details">
                    <InfoIcon />
                  </button>
                   <ExportMenu label="Export" onExport={(f) => onExport(r.id, f)} testId="row-export" />
                  {confirmDelete === r.id ? (
                    <span className="confirm">
                      <button
                        type="button"
                        className="btn danger small"
                        data-testid="confirm-delete"
                        onClick={() => {
                          setConfirmDelete(null);
                          setSelected(selected.filter((x) => x !== r.id));
                          void act(unwrap(api.runs.delete({ runId: r.id })));
                        }}
                      >
                        Delete
                      </button>
                      <button type="button" className="btn ghost small" onClick={() => setConfirmDelete(null)}>
                        Keep
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="icon-btn danger" title="delete" aria-label={`delete ${r.name}`} onClick={() => setConfirmDelete(r.id)} data-testid="delete">
                      <TrashIcon />
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {runs.length === 0 && <p className="empty-state muted">No runs yet. Train one on the Train page; every run is stored here, with its curves and weights.</p>}
      </div>
      {detailRun && <RunDetailPane run={detailRun} api={api} onClose={() => setDetail(null)} onError={onError} />}
    </div>
  );
}

function InlineEdit({ initial, onDone, placeholder, testId }: { initial: string; onDone: (v: string | null) => void; placeholder?: string; testId?: string }) {
  const [text, setText] = useState(initial);
  return (
    <input
      autoFocus
      className="inline-edit"
      value={text}
      placeholder={placeholder}
      data-testid={testId}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => onDone(text)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onDone(text);
        else if (e.key === 'Escape') onDone(null);
        e.stopPropagation();
      }}
    />
  );
}

function RunDetailPane({ run, api, onClose, onError }: { run: RunSummary; api: BackpropLabApi; onClose: () => void; onError: (m: string) => void }) {
  const [note, setNote] = useState(run.notes);
  const [saved, setSaved] = useState(true);
  return (
    <aside className="card run-detail" data-testid="run-detail">
      <header className="section-head">
        <h3>{run.name}</h3>
        <button type="button" className="icon-btn" aria-label="close" onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="kv small">
        <dt>Id</dt>
        <dd className="mono">{run.id}</dd>
        <dt>Epochs</dt>
        <dd className="tnum">{fmtInt(run.epochsDone)}</dd>
        <dt>Backend</dt>
        <dd>{run.backend ? `${run.backend.name} · ${run.backend.mode} · ${run.backend.precision} — ${run.backend.reason}` : '—'}</dd>
        {run.error && (
          <>
            <dt>Ended</dt>
            <dd>{run.error}</dd>
          </>
        )}
      </dl>
      <label className="block">
        <span className="row-label">Notes</span>
        <textarea
          value={note}
          rows={5}
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

const svg = { width: 14, height: 14, viewBox: '0 0 16 16', 'aria-hidden': true, fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };
const PenIcon = () => (
  <svg {...svg}>
    <path d="M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z" />
  </svg>
);
const InfoIcon = () => (
  <svg {...svg}>
    <circle cx="8" cy="8" r="6" />
    <path d="M8 7.5v3.5M8 5v.01" />
  </svg>
);
const TrashIcon = () => (
  <svg {...svg}>
    <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.5 8.5h6l.5-8.5" />
  </svg>
);
