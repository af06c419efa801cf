// Checks shared by the JSON and .npz importers: safe JSON parsing, the architecture, the run
// configuration, and parameters that fit the architecture exactly. Everything throws ImportError.

import { ArchitectureError, validateArchitecture, type LayerSpec } from '../architecture';
import { ConfigError, resolveConfig, type DeepPartial, type RunConfig } from '../config';
import type { Params } from '../init';
import { DEFAULT_IMPORT_LIMITS, ImportError, type ImportLimits } from './errors';

/** Keys that could reach an object's prototype when a parsed document is merged or spread later. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The limits with the caller's overrides. */
export function limitsWith(over?: Partial<ImportLimits>): ImportLimits {
  return { ...DEFAULT_IMPORT_LIMITS, ...(over ?? {}) };
}

/**
 * JSON.parse for untrusted text: a clear ImportError for a syntax error, and for any object key named
 * __proto__, constructor or prototype, or nesting deeper than maxDepth (walked without recursion).
 */
export function parseUntrustedJson(text: string, part: string, what: string, maxDepth: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ImportError(part, `${what} is not valid JSON (${(e as Error).message}); export it again from Backprop Lab or fix the file`);
  }
  const stack: Array<[unknown, number, string]> = [[value, 0, '']];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) throw new ImportError(part, `${what} is nested more than ${maxDepth} levels deep at ${path || 'the top'}; this is not a weights file`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] !== null && typeof v[i] === 'object') stack.push([v[i], depth + 1, `${path}[${i}]`]);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ImportError(part, `${what} has a key named "${key}"${path ? ` in ${path}` : ''}; such keys are refused (they can alter objects' prototypes) — remove it`);
      }
      const child = (v as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1, path ? `${path}.${key}` : key]);
    }
  }
  return value;
}

/** validateArchitecture, its error turned into an ImportError that names the file part. */
export function checkedArchitecture(value: unknown, part: string, file: string): LayerSpec[] {
  try {
    return validateArchitecture(value);
  } catch (e) {
    if (e instanceof ArchitectureError) throw new ImportError(part, `${file}: ${part}: ${e.message}`);
    throw e;
  }
}

function sameArchitecture(a: readonly LayerSpec[], b: readonly LayerSpec[]): boolean {
  return a.length === b.length && a.every((l, i) => l.input_dim === b[i].input_dim && l.output_dim === b[i].output_dim && l.activation === b[i].activation);
}

/** resolveConfig over an imported config, which must describe the same architecture as the file. */
export function checkedConfig(value: unknown, architecture: readonly LayerSpec[], part: string, file: string): RunConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportError(part, `${file}: ${part} must be an object (a run configuration); remove it or export the file again`);
  }
  let cfg: RunConfig;
  try {
    cfg = resolveConfig(value as DeepPartial<RunConfig>);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ArchitectureError) throw new ImportError(part, `${file}: ${part}: ${e.message}`);
    throw e;
  }
  if ((value as { architecture?: unknown }).architecture !== undefined && !sameArchitecture(cfg.architecture, architecture)) {
    throw new ImportError(part, `${file}: ${part}.architecture differs from the file's architecture; the weights belong to one network — remove ${part} or make the two agree`);
  }
  return { ...cfg, architecture: architecture.map((l) => ({ ...l })) };
}

/** One array as read from a file, before it is checked: its shape and float64 values in C order. */
export interface RawArray {
  shape: number[];
  data: Float64Array;
  /** Where it came from, for messages ("W2.npy", "params.W2"). */
  part: string;
}

const fmtShape = (s: readonly number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

/**
 * The parameters W1, b1, …, WL, bL, checked against the architecture: every name present and no other,
 * W<k> of shape (out, in), b<k> of shape (out, 1) or (out,) (the notebook's 1-d bias), every value finite.
 * Returns new arrays in the notebook's order.
 */
export function checkedParams(arrays: ReadonlyMap<string, RawArray>, architecture: readonly LayerSpec[], file: string, partOf: (name: string) => string): Params {
  const L = architecture.length;
  const wanted = new Set<string>();
  for (let k = 1; k <= L; k++) wanted.add(`W${k}`), wanted.add(`b${k}`);
  for (const name of arrays.keys()) {
    if (!wanted.has(name)) {
      throw new ImportError(partOf(name), `${file}: ${partOf(name)} is not a parameter of this ${L}-layer network (it has W1, b1 … W${L}, b${L}); remove it or fix the architecture`);
    }
  }
  const params: Params = [];
  architecture.forEach((layer, idx) => {
    const k = idx + 1;
    for (const kind of ['W', 'b'] as const) {
      const name = `${kind}${k}`;
      const part = partOf(name);
      const a = arrays.get(name);
      if (!a) throw new ImportError(part, `${file}: ${part} is missing; layer ${k} (${layer.input_dim} → ${layer.output_dim}) needs ${name}`);
      const rows = layer.output_dim, cols = kind === 'W' ? layer.input_dim : 1;
      const ok = kind === 'W'
        ? a.shape.length === 2 && a.shape[0] === rows && a.shape[1] === cols
        : (a.shape.length === 2 && a.shape[0] === rows && a.shape[1] === 1) || (a.shape.length === 1 && a.shape[0] === rows);
      if (!ok) {
        const want = kind === 'W' ? `(${rows}, ${cols}) (output_dim, input_dim)` : `(${rows}, 1)`;
        throw new ImportError(part, `${file}: ${part} has shape ${fmtShape(a.shape)} but layer ${k} (${layer.input_dim} → ${layer.output_dim}) needs ${want}; export the weights of this same network, or fix the architecture`);
      }
      for (let i = 0; i < a.data.length; i++) {
        if (!Number.isFinite(a.data[i])) {
          const at = kind === 'W' ? `[${Math.floor(i / cols)}, ${i % cols}]` : `[${i}]`;
          throw new ImportError(part, `${file}: ${part}${at} is ${a.data[i]}; weights must be finite numbers (this network diverged — export it from an earlier checkpoint)`);
        }
      }
      params.push({ name, rows, cols, data: Float64Array.from(a.data) });
    }
  });
  return params;
}

/**
 * The parameter `name` of shape (rows, cols), for exporters: a programming error (not a bad file) when the
 * parameters do not fit the architecture, so a plain Error.
 */
export function paramOf(params: Params, name: string, rows: number, cols: number): Float64Array {
  const p = params.find((q) => q.name === name);
  if (!p) throw new Error(`cannot export: parameter ${name} is missing (the parameters must be W1, b1, … of the architecture)`);
  if (p.rows !== rows || p.cols !== cols || p.data.length !== rows * cols) {
    throw new Error(`cannot export: ${name} is (${p.rows}, ${p.cols}) but the architecture needs (${rows}, ${cols})`);
  }
  return p.data;
}
