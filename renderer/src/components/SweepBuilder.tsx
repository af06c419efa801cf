// The sweep builder: parameters picked from the design (each a grid of values or a random range), random draws
// and their seed, trials at once, early termination (ASHA); it shows how many trials and about how long before
// Start, and an entry that cannot be used blocks Start with a message naming the field.
import { useMemo, useState } from 'react';
import type { RunConfig, RunSummary } from '../api';
import { archString, fmtDuration, fmtInt } from '../lib/format';
import { estimateSweep } from '../lib/sweep-estimate';
import { buildSweep, modesFor, newRow, paramChoices, paramLabel, type Mode, type ParamKey, type SweepDraft } from '../lib/sweep-spec';

const MODE_LABEL: Record<Mode, string> = { grid: 'grid', uniform: 'uniform', log_uniform: 'log-uniform', int: 'int', choice: 'choice' };

export function SweepBuilder({
  config,
  csvName,
  runs,
  draft,
  setDraft,
  busy,
  maxParallel,
  onStart,
}: {
  config: RunConfig;
  csvName: string | null;
  runs: readonly RunSummary[];
  draft: SweepDraft;
  setDraft: (d: SweepDraft) => void;
  busy: boolean;
  maxParallel: number;
  onStart: (spec: Record<string, unknown>, parallel: number) => void;
}) {
  const [adding, setAdding] = useState<string>('');
  const built = useMemo(() => buildSweep(draft, config, csvName), [draft, config, csvName]);
  const arch = archString(config.architecture);
  const estimate = useMemo(
    () => (built.count ? estimateSweep(runs, arch, config.data.kind, config.training.epochs, built.count, Math.min(built.parallel, maxParallel)) : null),
    [runs, arch, config.data.kind, config.training.epochs, built.count, built.parallel, maxParallel],
  );
  const choices = paramChoices(config).filter((c) => !draft.params.some((p) => p.key === c.key));
  const hasRandom = draft.params.some((p) => p.mode !== 'grid');
  const setRow = (i: number, patch: Partial<SweepDraft['params'][number]>) => setDraft({ ...draft, params: draft.params.map((r, k) => (k === i ? { ...r, ...patch } : r)) });

  return (
    <aside className="design sweep-builder" data-testid="sweep-builder">
      <section className="panel-section">
        <div className="section-head">
          <h2>Sweep</h2>
          <span className="muted small" title="every trial starts from the Train page's design">
            over {arch} · {config.data.kind} · {fmtInt(config.training.epochs)} epochs
          </span>
        </div>
        <label className="row">
          <span className="row-label">name</span>
          <span className="row-control">
            <input type="text" value={draft.name} placeholder="from its parameters" onChange={(e) => setDraft({ ...draft, name: e.target.value })} data-testid="sweep-name" />
          </span>
        </label>
      </section>

      <section className="panel-section">
        <h3>Parameters</h3>
        {draft.params.length === 0 && <p className="muted small">Add a parameter to vary.</p>}
        {draft.params.map((row, i) => {
          const modes = modesFor(row.key, config);
          const listed = row.mode === 'grid' || row.mode === 'choice';
          return (
            <div className="sweep-param" key={row.key} data-testid={`param-${row.key}`}>
              <div className="sweep-param-head">
                <span className="strong">{paramLabel(row.key, config)}</span>
                <select value={row.mode} aria-label={`${row.key} mode`} onChange={(e) => setRow(i, { mode: e.target.value as Mode })} data-testid={`mode-${row.key}`}>
                  {modes.map((m) => (
                    <option key={m} value={m}>
                      {MODE_LABEL[m]}
                    </option>
                  ))}
                </select>
                <button type="button" className="icon-btn danger" aria-label={`remove ${row.key}`} onClick={() => setDraft({ ...draft, params: draft.params.filter((_, k) => k !== i) })}>
                  ×
                </button>
              </div>
              {listed ? (
                <input type="text" value={row.values} aria-label={`${row.key} values`} placeholder="values, comma-separated" onChange={(e) => setRow(i, { values: e.target.value })} data-testid={`values-${row.key}`} />
              ) : (
                <div className="sweep-range">
                  <input type="text" inputMode="decimal" value={row.low} aria-label={`${row.key} low`} onChange={(e) => setRow(i, { low: e.target.value })} data-testid={`low-${row.key}`} />
                  <span className="muted">to</span>
                  <input type="text" inputMode="decimal" value={row.high} aria-label={`${row.key} high`} onChange={(e) => setRow(i, { high: e.target.value })} data-testid={`high-${row.key}`} />
                </div>
              )}
            </div>
          );
        })}
        {choices.length > 0 && (
          <select
            value={adding}
            aria-label="add a parameter"
            data-testid="add-param"
            onChange={(e) => {
              const key = e.target.value as ParamKey;
              setAdding('');
              if (key) setDraft({ ...draft, params: [...draft.params, newRow(key, config)] });
            }}
          >
            <option value="">+ add a parameter…</option>
            {choices.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </select>
        )}
      </section>

      <section className="panel-section">
        <div className="two-col">
          <label className="row" title="random draws (with a range or choice)">
            <span className="row-label">trials</span>
            <span className="row-control">
              <input type="text" inputMode="numeric" value={draft.trials} disabled={!hasRandom} onChange={(e) => setDraft({ ...draft, trials: e.target.value })} data-testid="sweep-trials" />
            </span>
          </label>
          <label className="row" title="seed of the random draws">
            <span className="row-label">seed</span>
            <span className="row-control">
              <input type="text" inputMode="numeric" value={draft.seed} disabled={!hasRandom} onChange={(e) => setDraft({ ...draft, seed: e.target.value })} data-testid="sweep-seed" />
            </span>
          </label>
          <label className="row" title={`trials that train at once (this host allows ${maxParallel})`}>
            <span className="row-label">at once</span>
            <span className="row-control">
              <input type="text" inputMode="numeric" value={draft.parallel} onChange={(e) => setDraft({ ...draft, parallel: e.target.value })} data-testid="sweep-parallel" />
            </span>
          </label>
        </div>
      </section>

      <section className="panel-section">
        <label className="inline">
          <input type="checkbox" checked={draft.asha.enabled} onChange={(e) => setDraft({ ...draft, asha: { ...draft.asha, enabled: e.target.checked } })} data-testid="asha-enabled" />
          Early termination (ASHA)
        </label>
        {draft.asha.enabled && (
          <label className="row">
            <span className="row-label">metric</span>
            <span className="row-control">
              <select value={draft.asha.metric} onChange={(e) => setDraft({ ...draft, asha: { ...draft.asha, metric: e.target.value as SweepDraft['asha']['metric'] } })} data-testid="asha-metric">
                {['testCost', 'cost', 'testAccuracy', 'trainAccuracy'].map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </span>
          </label>
        )}
        {draft.asha.enabled && (
          <div className="two-col">
            <label className="row">
              <span className="row-label">min epochs</span>
              <span className="row-control">
                <input type="text" inputMode="numeric" value={draft.asha.minEpochs} onChange={(e) => setDraft({ ...draft, asha: { ...draft.asha, minEpochs: e.target.value } })} data-testid="asha-min-epochs" />
              </span>
            </label>
            <label className="row">
              <span className="row-label">reduction</span>
              <span className="row-control">
                <input type="text" inputMode="numeric" value={draft.asha.reduction} onChange={(e) => setDraft({ ...draft, asha: { ...draft.asha, reduction: e.target.value } })} data-testid="asha-reduction" />
              </span>
            </label>
          </div>
        )}
      </section>

      <section className="panel-section sweep-start">
        <p className="sweep-summary" data-testid="sweep-summary">
          <span className="strong tnum" data-testid="sweep-count">
            {built.count === null ? '—' : fmtInt(built.count)} trial{built.count === 1 ? '' : 's'}
          </span>
          {built.count !== null && (
            <span className="muted tnum" data-testid="sweep-estimate" title={estimate?.basis ?? 'no run recorded yet to measure the pace'}>
              {' · '}
              {fmtInt(built.count * config.training.epochs)} epochs
              {' · '}
              {estimate ? `${estimate.rough ? '~' : ''}${fmtDuration(estimate.ms)}${draft.asha.enabled ? ' at most' : ''}` : 'time unknown until a run is recorded'}
            </span>
          )}
        </p>
        {built.problems.length > 0 && (
          <ul className="inline-error sweep-problems" data-testid="sweep-problems">
            {built.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <button type="button" className="btn primary" disabled={busy || !built.spec} onClick={() => built.spec && onStart(built.spec, Math.min(built.parallel, maxParallel))} data-testid="sweep-start">
          Start sweep
        </button>
      </section>
    </aside>
  );
}
