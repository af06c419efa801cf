// Small form controls: a number field that keeps what is typed until it parses, a labelled row, a segmented switch.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

/**
 * Where a NumberField with a `field` name reports whether its text is valid: null when it is, else a message naming
 * the field and its valid range. The Design panel collects these so that Train is blocked while any is invalid.
 */
export const FieldValidity = createContext<((field: string, problem: string | null) => void) | null>(null);

/** "an integer from 1 to 4,096", "a number ≥ 0", … from a field's bounds (or its own `range` text). */
function rangeText(integer: boolean | undefined, min: number | undefined, max: number | undefined, minExclusive: boolean | undefined): string {
  const kind = integer ? 'an integer' : 'a number';
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 12 });
  if (min !== undefined && max !== undefined) return `${kind} from ${f(min)} to ${f(max)}`;
  if (min !== undefined) return `${kind} ${minExclusive ? '>' : '≥'} ${f(min)}`;
  if (max !== undefined) return `${kind} ≤ ${f(max)}`;
  return kind;
}

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
  field,
  range,
  minExclusive,
  maxExclusive,
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
  /** The name used in a validity message ("Learning rate"); with it, the field reports to FieldValidity. */
  field?: string;
  /** The valid range in words, when the bounds alone do not say it ("a fraction from 0 up to (not including) 1"). */
  range?: string;
  /** min itself is not valid (learning rate > 0). */
  minExclusive?: boolean;
  /** max itself is not valid (test size < 1). */
  maxExclusive?: boolean;
}) {
  const [text, setText] = useState(value === null ? '' : String(value));
  // follow outside changes of the value unless the text already means it (adjusted while rendering, not in an effect)
  const [followed, setFollowed] = useState(value);
  if (!Object.is(value, followed)) {
    setFollowed(value);
    if (value === null ? text !== '' : Number(text) !== value || text.trim() === '') setText(value === null ? '' : String(value));
  }
  const outside = (n: number) =>
    !Number.isFinite(n) ||
    (integer && !Number.isInteger(n)) ||
    (min !== undefined && (minExclusive ? n <= min : n < min)) ||
    (max !== undefined && (maxExclusive ? n >= max : n > max));
  const parsed = text.trim() === '' ? null : Number(text);
  const bad = parsed === null ? emptyValue !== null : outside(parsed);
  const report = useContext(FieldValidity);
  const problem = bad && field ? `${field} must be ${range ?? rangeText(integer, min, max, minExclusive)}${emptyValue === null ? ' (or empty)' : ''}; "${text}" is not` : null;
  useEffect(() => {
    if (!report || !field) return;
    report(field, problem);
    return () => report(field, null);
  }, [report, field, problem]);
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
      title={problem ?? undefined}
      data-testid={testId}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        const n = t.trim() === '' ? null : Number(t);
        if (n === null) {
          if (emptyValue === null) onChange(null);
          return;
        }
        if (outside(n)) return;
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
