// A small menu of export formats for one run.
import { useCallback, useRef, useState } from 'react';
import { FORMATS as TABLE } from '../../../engine/export/format-table';
import type { ExportFormat } from '../api';
import { useDismiss } from '../lib/canvas';

const HINTS: Record<ExportFormat, string> = {
  json: 'config, weights and metrics',
  npz: 'numpy: np.load(path)["W1"]',
  onnx: 'for onnxruntime',
  py: 'the run as numpy code',
  'metrics-csv': 'every epoch',
  'metrics-json': 'every epoch, as JSON',
};

/** The menu: every format of the one table (engine/export/format-table.ts), with a hint. */
export const FORMATS: ReadonlyArray<{ format: ExportFormat; label: string; hint: string }> = TABLE.map((f) => ({ format: f.name, label: f.label, hint: HINTS[f.name] }));

export function ExportMenu({ disabled, onExport, label = 'Export', testId = 'export-menu' }: { disabled?: boolean; onExport: (f: ExportFormat) => void; label?: string; testId?: string }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(open, useCallback(() => setOpen(false), []), ref);
  return (
    <div className="menu" ref={ref}>
      <button type="button" className="btn" disabled={disabled} aria-haspopup="menu" aria-expanded={open} data-testid={testId} onClick={() => setOpen(!open)}>
        {label} ▾
      </button>
      {open && (
        <div className="menu-list" role="menu">
          {FORMATS.map((f) => (
            <button
              key={f.format}
              type="button"
              role="menuitem"
              data-testid={`export-${f.format}`}
              onClick={() => {
                setOpen(false);
                onExport(f.format);
              }}
            >
              <span>{f.label}</span>
              <span className="muted small">{f.hint}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
