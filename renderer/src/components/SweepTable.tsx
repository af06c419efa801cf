// The trials of a sweep as a table: status (pruned included), the swept parameters, the metric and the epochs.
// Windowed (lib/virtual.ts): only the rows in view are in the page, so 1,000 trials scroll like 30.
import { useRef } from 'react';
import type { SweepTrialInfo } from '../api';
import { fmtCost, fmtInt } from '../lib/format';
import { metricValue, paramText, PARAM_LABELS } from '../lib/sweep-axes';
import { useVirtualRows } from '../lib/virtual';

const ROW = 28;

export function SweepTable({
  trials,
  shown,
  keys,
  metric,
  bestIndex,
  selected,
  onToggle,
  onOpen,
  sort,
  onSort,
}: {
  trials: readonly SweepTrialInfo[];
  /** Indices into trials, in display order. */
  shown: readonly number[];
  keys: readonly string[];
  metric: string;
  /** trialIndex of the best trial, or null. */
  bestIndex: number | null;
  selected: ReadonlySet<number>;
  onToggle: (trialIndex: number) => void;
  onOpen: (runId: string) => void;
  /** The column the rows are sorted by (null: finished first, best first), and a click on a header. */
  sort: { key: string; dir: 1 | -1 } | null;
  onSort: (key: string) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const win = useVirtualRows(scroller, shown.length, ROW);
  const cols = `30px 44px 78px repeat(${keys.length}, minmax(70px, 1fr)) 86px 60px 52px`;
  return (
    <div className="sweep-table" data-testid="sweep-table" data-rows={shown.length}>
      <div className="vt-head" style={{ gridTemplateColumns: cols }}>
        <span />
        {(
          [
            ['#', '#', true],
            ['status', 'status', false],
            ...keys.map((k) => [k, PARAM_LABELS[k] ?? k, true] as const),
            ['$metric', metric, true],
            ['epochs', 'epochs', true],
          ] as ReadonlyArray<readonly [string, string, boolean]>
        ).map(([key, label, num]) => (
          <button
            key={key}
            type="button"
            className={`vt-sort${num ? ' num' : ''}${sort?.key === key ? ' sorted' : ''}`}
            onClick={() => onSort(key)}
            title={`sort by ${label}`}
            data-testid={`sort-${key}`}
          >
            {label}
            {sort?.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
          </button>
        ))}
        <span />
      </div>
      <div className="vt-body" ref={scroller}>
        <div style={{ height: win.before }} />
        {shown.slice(win.start, win.end).map((i) => {
          const t = trials[i]!;
          const m = metricValue(t, metric);
          const isBest = t.trialIndex === bestIndex;
          return (
            <div
              key={t.trialIndex}
              className={`vt-row${isBest ? ' best' : ''}${selected.has(t.trialIndex) ? ' selected' : ''}`}
              style={{ gridTemplateColumns: cols, height: ROW }}
              data-testid="trial-row"
              data-trial={t.trialIndex}
              data-status={t.status}
            >
              <span>
                <input type="checkbox" aria-label={`select trial ${t.trialIndex + 1}`} checked={selected.has(t.trialIndex)} disabled={!t.runId} onChange={() => onToggle(t.trialIndex)} />
              </span>
              <span className="num tnum">{t.trialIndex + 1}</span>
              <span>
                <span className={`badge status-${t.status}`} title={t.reason ?? undefined}>
                  {t.status}
                </span>
              </span>
              {keys.map((k) => (
                <span key={k} className="num tnum" title={paramText(t.params[k])} data-testid={`cell-${k}`}>
                  {t.params[k] === undefined ? '—' : paramText(t.params[k])}
                </span>
              ))}
              <span className="num tnum strong" data-testid="trial-metric">
                {isBest && <span className="best-star" title="best trial">★ </span>}
                {fmtCost(m)}
              </span>
              <span className="num tnum">{fmtInt(t.epochs)}</span>
              <span>
                {t.runId && (
                  <button type="button" className="link" onClick={() => onOpen(t.runId!)} data-testid="open-trial">
                    open
                  </button>
                )}
              </span>
            </div>
          );
        })}
        <div style={{ height: win.after }} />
        {shown.length === 0 && <p className="muted small empty-row">No trial passes the brushes. Double-click the plot to clear them.</p>}
      </div>
    </div>
  );
}
