// The store's one error type (the caller branches on `code`) and input validation with zod, whose issues are
// turned into one message that names the function, the field and the value it got.

import type { z } from 'zod';

/**
 * What went wrong, for callers that branch:
 * - NOT_FOUND: no run with that id
 * - INVALID: an argument failed validation (the message names it)
 * - STATE: the run is not in a state that allows this (e.g. finishing a run that already finished)
 * - TOO_NEW: the database was written by a newer Backprop Lab (left untouched)
 * - CORRUPT: the file is damaged or not an SQLite database (left untouched; see openStoreOrRecover)
 * - NOT_OURS: a valid SQLite database that belongs to something else (left untouched)
 */
export type StoreErrorCode = 'NOT_FOUND' | 'INVALID' | 'STATE' | 'TOO_NEW' | 'CORRUPT' | 'NOT_OURS';

export class StoreError extends Error {
  /** A short reason without the advice (e.g. for CORRUPT, what SQLite said). */
  readonly detail?: string;
  constructor(readonly code: StoreErrorCode, message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.name = 'StoreError';
    if (options?.detail !== undefined) this.detail = options.detail;
  }
}

/** A value as it appears in a message: strings quoted, numbers as JS prints them (NaN, -0 stay visible). */
export function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + '…' : s;
  } catch {
    return String(v);
  }
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const A = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** "must be …" for zod's common issues; a message written in a schema (e.g. 'must be a run id') is kept. */
function phrase(issue: z.core.$ZodIssue): string {
  const m = issue.message;
  if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(m)) return m;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'int' ? 'an integer' : A(String(issue.expected))}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small': {
      const n = String(issue.minimum);
      if (issue.origin === 'string') return `must have at least ${n} character${n === '1' ? '' : 's'}`;
      if (issue.origin === 'array') return `must have at least ${n} item${n === '1' ? '' : 's'}`;
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${n}`;
    }
    case 'too_big': {
      const n = String(issue.maximum);
      if (issue.origin === 'string') return `must have at most ${n} characters`;
      if (issue.origin === 'array') return `must have at most ${n} items`;
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${n}`;
    }
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return m.replace(/^Invalid (input|option): /, '');
  }
}

/**
 * Parses `value` with `schema` or throws StoreError('INVALID') such as
 * `listRuns: query.sort must be one of "date", "finalCost", "testAccuracy", got "cost"`.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string, name = 'options'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const parts = r.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
    const field = (name + path).replace(/^\./, '');
    return `${field} ${phrase(issue)}, got ${show(at(value, issue.path))}`;
  });
  throw new StoreError('INVALID', `${where}: ${parts.join('; ')}`);
}
