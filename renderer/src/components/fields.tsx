// Small form controls: a number field that keeps what is typed until it parses, a labelled row, a segmented switch.
import { useState, type ReactNode } from 'react';

/** A number input that commits only valid values; an empty field commits `emptyValue` when one is given. */
export function NumberField({
  value,
  onChange,
  min,
  max,
  integer,
  emptyValue,
  placeholder,
  testId,
  disabled,
  label,
}: {
  value: number | null;
  onChange: (v: number | null) => void;
  min?: number;
  max?: number;
  /** Accepted for symmetry with `<input type="number">`; the field is text, so it does not constrain input. */
  step?: number | 'any';
  integer?: boolean;
  emptyValue?: null;
  placeholder?: string;
  testId?: string;
  disabled?: boolean;
  label?: string;
}) {
  const [text, setText] = useState(value === null ? '' : String(value));
  // follow outside changes of the value unless the text already means it (adjusted while rendering, not in an effect)
  const [followed, setFollowed] = useState(value);
  if (!Object.is(value, followed)) {
    setFollowed(value);
    if (value === null ? text !== '' : Number(text) !== value || text.trim() === '') setText(value === null ? '' : String(value));
  }
  const parsed = text.trim() === '' ? null : Number(text);
  const bad =
    parsed === null
      ? emptyValue !== null
      : !Number.isFinite(parsed) || (integer && !Number.isInteger(parsed)) || (min !== undefined && parsed < min) || (max !== undefined && parsed > max);
  return (
    <input
      type="text"
      inputMode="decimal"
      className={`num-input${bad ? ' invalid' : ''}`}
      value={text}
      placeholder={placeholder}
      disabled={disabled}
      aria-label={label}
      aria-invalid={bad}
      data-testid={testId}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        const n = t.trim() === '' ? null : Number(t);
        if (n === null) {
          if (emptyValue === null) onChange(null);
          return;
        }
        if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || (min !== undefined && n < min) || (max !== undefined && n > max)) return;
        onChange(n);
      }}
    />
  );
}

export function Row({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="row">
      <span className="row-label" title={hint}>
        {label}
      </span>
      <span className="row-control">{children}</span>
    </label>
  );
}

export function Segmented<T extends string>({ value, options, onChange, testId }: { value: T; options: ReadonlyArray<{ value: T; label: string }>; onChange: (v: T) => void; testId?: string }) {
  return (
    <div className="segmented" role="radiogroup" data-testid={testId}>
      {options.map((o) => (
        <button key={o.value} type="button" role="radio" aria-checked={value === o.value} className={value === o.value ? 'on' : ''} onClick={() => onChange(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}
