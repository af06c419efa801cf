// A classifier's confusion matrix on its test set (the snapshot's, engine/confusion.ts): counts per (true, predicted)
// class, each cell shaded by its share of the true class's row (right answers in the accent colour, wrong ones in
// the error colour), and each class's accuracy beside its row.
import { memo } from 'react';
import type { RunSnapshotEvent } from '../api';
import { fmtAcc, fmtInt } from '../lib/format';

export type Confusion = NonNullable<RunSnapshotEvent['confusion']>;

// memo: the Train page re-renders with every metrics batch; the matrix changes only with a snapshot
export const ConfusionMatrix = memo(function ConfusionMatrix({ confusion, classNames }: { confusion: Confusion; classNames: readonly string[] }) {
  const { matrix, perClass, classes, samples, wrong } = confusion;
  const name = (k: number) => classNames[k] ?? String(k);
  const accuracy = samples ? (samples - wrong) / samples : null;
  return (
    <div className="confusion" data-testid="confusion-matrix" data-classes={classes} data-samples={samples}>
      <p className="muted small confusion-sub">
        {confusion.set} set · {fmtInt(samples)} samples · {fmtInt(wrong)} wrong · accuracy <span className="tnum" data-testid="confusion-accuracy">{fmtAcc(accuracy)}</span>
      </p>
      <div className="confusion-scroll">
        <table className={`confusion-table${classes > 6 ? ' dense' : ''}`}>
          <thead>
            <tr>
              <th className="corner" scope="col" title="rows: the true class; columns: the predicted class">
                true ↓ pred. →
              </th>
              {matrix.map((_, p) => (
                <th key={p} scope="col" className="num" title={`predicted ${name(p)}`}>
                  {name(p)}
                </th>
              ))}
              <th scope="col" className="num per-class-head">
                acc.
              </th>
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, t) => {
              const total = row.reduce((a, b) => a + b, 0);
              return (
                <tr key={t} data-testid="confusion-row">
                  <th scope="row" className="num" title={`true ${name(t)}: ${fmtInt(total)} samples`}>
                    {name(t)}
                  </th>
                  {row.map((n, p) => {
                    const share = total ? n / total : 0;
                    // the shade: the cell's share of its row, so a small class reads as clearly as a large one
                    const tone = p === t ? 'var(--accent)' : 'var(--bad)';
                    return (
                      <td
                        key={p}
                        className={`num tnum cell${p === t ? ' diag' : ''}${n === 0 ? ' zero' : ''}${share > 0.55 ? ' strong' : ''}`}
                        title={`true ${name(t)}, predicted ${name(p)}: ${fmtInt(n)} (${(share * 100).toFixed(1)}% of ${name(t)})`}
                        style={n ? { background: `color-mix(in srgb, ${tone} ${Math.round(8 + share * 72)}%, transparent)` } : undefined}
                        data-share={share.toFixed(4)}
                      >
                        {n}
                      </td>
                    );
                  })}
                  <td className="num tnum per-class" data-testid="class-accuracy">
                    {fmtAcc(perClass[t] ?? null)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
});
