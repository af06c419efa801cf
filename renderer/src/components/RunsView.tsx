// Runs: every stored run in one table — filter, sort, choose columns (any setting), group by sweep or tag, rename,
// tags, notes, delete, export, open, pick runs to compare, and a detail pane with the run's whole configuration
// and its curves.
import { useCallback, useMemo, useRef, useState } from 'react';
import { unwrap, type BackpropLabApi, type ExportFormat, type RunSummary } from '../api';
import { fmtInt } from '../lib/format';
import { GROUP_BYS, groupRuns, loadChoice, saveChoice, type GroupBy } from '../lib/run-settings';
import { ExportMenu } from './ExportMenu';
import { RunDetailPane } from './RunDetail';
import { InfoIcon, InlineEdit, PenIcon, TrashIcon, type RunEdits } from './RunParts';
import { COLUMN_GROUPS, COLUMNS, COLUMNS_STORAGE_KEY, DEFAULT_COLUMNS, NAME_COLUMN, columnLabel, loadColumns, type Column } from './RunColumns';
import '../styles/runs.css';
import { useDismiss } from '../lib/canvas';

const GROUP_STORAGE_KEY = 'bpl-runs-group';
const GROUP_LABELS: Record<GroupBy, string> = { none: 'no grouping', sweep: 'by sweep', tag: 'by tag' };

type SortKey = string;

function compare(x: string | number | null, y: string | number | null, dir: 1 | -1): number {
  if (x === y) return 0;
  if (x === null || (typeof x === 'number' && Number.isNaN(x))) return 1; // missing values last, either way
  if (y === null || (typeof y === 'number' && Number.isNaN(y))) return -1;
  return (x < y ? -1 : 1) * dir;
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
  theme,
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
  theme: string;
}) {
  const [filter, setFilter] = useState('');
  const [status, setStatus] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'createdAt', dir: -1 });
  const [editing, setEditing] = useState<{ id: string; field: 'name' | 'tags' } | null>(null);
  const [detail, setDetail] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [columnKeys, setColumnKeys] = useState<string[]>(loadColumns);
  const [groupBy, setGroupBy] = useState<GroupBy>(() => loadChoice<GroupBy>(GROUP_STORAGE_KEY, (v) => ((GROUP_BYS as readonly unknown[]).includes(v) ? (v as GroupBy) : null), 'none'));
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());

  const columns = useMemo(() => COLUMNS.filter((c) => columnKeys.includes(c.key)), [columnKeys]);
  const tagsColumn = columnKeys.includes('tags');
  const chooseColumns = (keys: string[]) => {
    setColumnKeys(keys);
    saveChoice(COLUMNS_STORAGE_KEY, keys);
  };
  const chooseGroup = (g: GroupBy) => {
    setGroupBy(g);
    saveChoice(GROUP_STORAGE_KEY, g);
  };

  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const rows = runs.filter((r) => {
      if (status && r.status !== status) return false;
      if (!q) return true;
      const hay = [r.name, r.dataset, r.architecture, r.status, r.notes, r.backend?.name ?? '', r.sweep?.name ?? '', ...r.tags].join(' ').toLowerCase();
      return q.split(/\s+/).every((w) => hay.includes(w));
    });
    const col: Pick<Column, 'sortValue'> = sort.key === 'name' ? NAME_COLUMN : (COLUMNS.find((c) => c.key === sort.key) ?? NAME_COLUMN);
    return rows.sort((a, b) => compare(col.sortValue(a), col.sortValue(b), sort.dir));
  }, [runs, filter, status, sort]);
  const groups = useMemo(() => groupRuns(shown, groupBy), [shown, groupBy]);

  const toggle = (id: string) => setSelected(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  const act = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      onError((e as Error).message);
    }
  };
  const edits: RunEdits = {
    rename: (r, name) => {
      if (name !== null && name.trim() && name.trim() !== r.name) void act(unwrap(api.runs.rename({ runId: r.id, name: name.trim() })));
    },
    setTags: (r, text) => {
      if (text === null) return;
      const tags = [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
      void act(unwrap(api.runs.tag({ runId: r.id, tags })));
    },
    remove: (r) => {
      setSelected(selected.filter((x) => x !== r.id));
      if (detail === r.id) setDetail(null);
      void act(unwrap(api.runs.delete({ runId: r.id })));
    },
  };
  const detailRun = runs.find((r) => r.id === detail) ?? null;
  const span = columns.length + 3; // check, name, …, actions

  // a run is in two tag groups when it has two tags: an edit belongs to the row it was started in
  const tagsOf = (r: RunSummary, rowKey: string) => (
    <div className="tags">
      {editing?.id === rowKey && editing.field === 'tags' ? (
        <InlineEdit
          initial={r.tags.join(', ')}
          placeholder="tags, comma separated"
          testId="tags-input"
          onDone={(text) => {
            setEditing(null);
            edits.setTags(r, text);
          }}
        />
      ) : (
        r.tags.map((t) => (
          <span className="tag" key={t}>
            {t}
          </span>
        ))
      )}
    </div>
  );

  const row = (r: RunSummary, groupKey: string, rowKey = `${groupKey}|${r.id}`) => (
    <tr
      key={rowKey}
      data-testid="run-row"
      data-run-id={r.id}
      data-status={r.status}
      className={`${selected.includes(r.id) ? 'selected' : ''}${r.id === shownRunId ? ' shown' : ''}${r.id === detail ? ' detailed' : ''}`}
    >
      <td className="check">
        <input type="checkbox" aria-label={`select ${r.name}`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} data-testid="run-select" />
      </td>
      <td className="name-cell">
        {editing?.id === rowKey && editing.field === 'name' ? (
          <InlineEdit
            initial={r.name}
            testId="rename-input"
            onDone={(name) => {
              setEditing(null);
              edits.rename(r, name);
            }}
          />
        ) : (
          <button type="button" className="link run-name" onClick={() => onOpen(r.id)} title="show in Train" data-testid="run-name-cell">
            {r.name}
          </button>
        )}
        {!tagsColumn && tagsOf(r, rowKey)}
        {r.notes && (
          <span className="note-mark" title={r.notes}>
            ✎ note
          </span>
        )}
      </td>
      {columns.map((c) => (
        <td key={c.key} className={`${c.num ? 'num ' : ''}${c.className ?? ''}`} data-testid={c.testId}>
          {c.key === 'tags' ? tagsOf(r, rowKey) : c.cell(r)}
        </td>
      ))}
      <td className="actions">
        <button type="button" className="icon-btn" title="rename" aria-label={`rename ${r.name}`} onClick={() => setEditing({ id: rowKey, field: 'name' })} data-testid="rename">
          <PenIcon />
        </button>
        <button type="button" className="icon-btn" title="tags" aria-label={`tags of ${r.name}`} onClick={() => setEditing({ id: rowKey, field: 'tags' })} data-testid="edit-tags">
          #
        </button>
        <button
          type="button"
          className={`icon-btn${detail === r.id ? ' on' : ''}`}
          title="settings, curves and notes"
          aria-label={`details of ${r.name}`}
          aria-pressed={detail === r.id}
          onClick={() => setDetail(detail === r.id ? null : r.id)}
          data-testid="details"
        >
          <InfoIcon />
        </button>
        <ExportMenu label="Export" onExport={(f) => onExport(r.id, f)} testId="row-export" />
        {confirmDelete === rowKey ? (
          <span className="confirm">
            <button
              type="button"
              className="btn danger small"
              data-testid="confirm-delete"
              onClick={() => {
                setConfirmDelete(null);
                edits.remove(r);
              }}
            >
              Delete
            </button>
            <button type="button" className="btn ghost small" onClick={() => setConfirmDelete(null)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="icon-btn danger" title="delete" aria-label={`delete ${r.name}`} onClick={() => setConfirmDelete(rowKey)} data-testid="delete">
            <TrashIcon />
          </button>
        )}
      </td>
    </tr>
  );

  return (
    <div className={`runs${detailRun ? ' with-detail' : ''}`} data-testid="runs-view">
      <div className="runs-toolbar">
        <input type="search" placeholder="Filter: name, tag, dataset, sweep, note…" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="runs-filter" className="search" />
        <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="runs-status-filter" aria-label="status">
          <option value="">any status</option>
          {['running', 'paused', 'finished', 'failed', 'stopped', 'interrupted', 'pruned'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <select value={groupBy} onChange={(e) => chooseGroup(e.target.value as GroupBy)} data-testid="runs-group-by" aria-label="group runs">
          {GROUP_BYS.map((g) => (
            <option key={g} value={g}>
              {GROUP_LABELS[g]}
            </option>
          ))}
        </select>
        <ColumnPicker chosen={columnKeys} onChange={chooseColumns} />
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
              {[{ key: NAME_COLUMN.key, label: NAME_COLUMN.label, num: false, title: undefined as string | undefined }, ...columns].map((c) => (
                <th
                  key={c.key}
                  className={`${c.num ? 'num ' : ''}${c.key === 'name' ? 'name-col ' : ''}sortable${sort.key === c.key ? ' sorted' : ''}`}
                  aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
                  onClick={() => setSort(sort.key === c.key ? { key: c.key, dir: (sort.dir * -1) as 1 | -1 } : { key: c.key, dir: c.num ? -1 : 1 })}
                  title={c.title}
                  data-testid={`sort-${c.key}`}
                >
                  {'group' in c ? columnLabel(c, shown) : c.label}
                  {sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                </th>
              ))}
              <th className="actions" aria-label="actions" />
            </tr>
          </thead>
          {groups.map((g) =>
            groupBy === 'none' ? (
              <tbody key="all">{g.runs.map((r) => row(r, ''))}</tbody>
            ) : (
              <tbody key={g.key} className="run-group" data-testid="run-group" data-group={g.label}>
                <tr className="group-head">
                  <td colSpan={span}>
                    <button
                      type="button"
                      className="group-toggle"
                      aria-expanded={!closed.has(g.key)}
                      data-testid="group-toggle"
                      onClick={() => {
                        const next = new Set(closed);
                        if (!next.delete(g.key)) next.add(g.key);
                        setClosed(next);
                      }}
                    >
                      <span className="chevron" aria-hidden="true">
                        {closed.has(g.key) ? '▸' : '▾'}
                      </span>
                      <span className={g.rest ? 'muted' : 'group-label'}>{g.label}</span>
                      <span className="count tnum" data-testid="group-count">
                        {fmtInt(g.runs.length)}
                      </span>
                    </button>
                  </td>
                </tr>
                {!closed.has(g.key) && g.runs.map((r) => row(r, g.key))}
              </tbody>
            ),
          )}
        </table>
        {runs.length === 0 && <p className="empty-state muted">No runs yet. Train one on the Train page; every run is stored here, with its curves and weights.</p>}
      </div>
      {detailRun && (
        <RunDetailPane
          key={detailRun.id}
          run={detailRun}
          api={api}
          theme={theme}
          selected={selected.includes(detailRun.id)}
          onSelect={() => toggle(detailRun.id)}
          onOpen={() => onOpen(detailRun.id)}
          onExport={(f) => onExport(detailRun.id, f)}
          edits={edits}
          nameOf={(id) => runs.find((x) => x.id === id)?.name ?? null}
          onClose={() => setDetail(null)}
          onError={onError}
        />
      )}
    </div>
  );
}

/** The Columns menu: a checkbox per column, grouped as the detail pane groups settings; remembered by the caller. */
function ColumnPicker({ chosen, onChange }: { chosen: string[]; onChange: (keys: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(open, useCallback(() => setOpen(false), []), ref, { escape: true });
  // kept in table order, whatever order they were ticked in
  const set = (key: string, on: boolean) => onChange(COLUMNS.map((c) => c.key).filter((k) => (k === key ? on : chosen.includes(k))));
  return (
    <div className="menu" ref={ref}>
      <button type="button" className="btn" aria-haspopup="true" aria-expanded={open} data-testid="columns-menu" onClick={() => setOpen(!open)}>
        Columns ({chosen.length + 1}) ▾
      </button>
      {open && (
        <div className="menu-list column-picker" data-testid="column-picker">
          {COLUMN_GROUPS.map((g) => (
            <fieldset key={g}>
              <legend className="row-label">{g}</legend>
              {COLUMNS.filter((c) => c.group === g).map((c) => (
                <label key={c.key} className="check-label" title={c.title}>
                  <input type="checkbox" checked={chosen.includes(c.key)} onChange={(e) => set(c.key, e.target.checked)} data-testid={`column-${c.key}`} />
                  {c.label}
                </label>
              ))}
            </fieldset>
          ))}
          <div className="row-end">
            <button type="button" className="btn small ghost" data-testid="columns-all" onClick={() => onChange(COLUMNS.map((c) => c.key))}>
              Show all
            </button>
            <button type="button" className="btn small ghost" data-testid="columns-reset" onClick={() => onChange([...DEFAULT_COLUMNS])}>
              Reset to default
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
