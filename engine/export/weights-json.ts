// Weights as JSON: { format, version, architecture, config?, inputs?, params: { W1: [[…]], b1: [[…]], … }, metrics? },
// W as (out, in) rows and b as (out, 1), the notebook's params_values. The importer also takes the
// foundation CLI's `--export` files, which have the same fields without format and version.

import { z } from 'zod';
import { paramsToJSON } from '../init';
import { ImportError, formatBytes, type ImportLimits } from './errors';
import type { ImportedWeights, WeightsExport } from './npz';
import { checkedArchitecture, checkedConfig, checkedParams, limitsWith, parseUntrustedJson, type RawArray } from './validate';

export const WEIGHTS_FORMAT = 'backprop-lab-weights';
export const WEIGHTS_VERSION = 1;

/** The JSON document, as written. */
export interface WeightsJSON {
  format: typeof WEIGHTS_FORMAT;
  version: typeof WEIGHTS_VERSION;
  architecture: WeightsExport['architecture'];
  config?: WeightsExport['config'];
  /**
   * What the run does to a sample before layer 1, when it does anything (export/inputs.ts): rawNames, the
   * StandardScaler's mean and scale, the input features' names (x1, x2, x1^2, …) in the order layer 1 takes them.
   */
  inputs?: unknown;
  params: Record<string, number[][]>;
  metrics?: unknown;
}

/** The document for a network (and, optionally, its run configuration and metrics). */
export function weightsToJSON(w: WeightsExport & { metrics?: unknown }): WeightsJSON {
  return {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    architecture: w.architecture.map((l) => ({ ...l })),
    ...(w.config ? { config: w.config } : {}),
    ...(w.inputs ? { inputs: w.inputs } : {}),
    params: paramsToJSON(w.params),
    ...(w.metrics !== undefined ? { metrics: w.metrics } : {}),
  };
}

/** The document as text (one space of indent, a final newline), as the CLI writes it. */
export function stringifyWeights(w: WeightsExport & { metrics?: unknown }): string {
  return JSON.stringify(weightsToJSON(w), null, 1) + '\n';
}

const Document = z.object({
  format: z.string().optional(),
  version: z.number().optional(),
  architecture: z.unknown().refine((v) => v !== undefined, 'is missing'),
  params: z.record(z.string(), z.unknown(), { error: (iss) => (iss.input === undefined ? 'is missing' : 'must be an object of W1, b1, … matrices') }),
  config: z.unknown().optional(),
  metrics: z.unknown().optional(),
});

const PARAM_NAME = /^([Wb])([1-9][0-9]{0,3})$/;

/** One params entry → shape and values: a list of equal-length rows of numbers, or (for b) a flat list. */
function rawArray(value: unknown, part: string, file: string): RawArray {
  const fail = (problem: string): never => {
    throw new ImportError(part, `${file}: ${part} ${problem}`);
  };
  if (!Array.isArray(value)) return fail('must be a list of rows, e.g. [[0.1, 0.2], [0.3, 0.4]]');
  const flat = value.every((v) => typeof v === 'number' || v === null);
  if (flat && value.length > 0) {
    const data = new Float64Array(value.length);
    value.forEach((v, i) => {
      if (typeof v !== 'number') fail(`[${i}] is ${v === null ? 'null (the value was NaN or Infinity when written)' : JSON.stringify(v)}; weights must be finite numbers`);
      data[i] = v as number;
    });
    return { shape: [value.length], data, part };
  }
  const rows = value.length;
  const cols = Array.isArray(value[0]) ? value[0].length : -1;
  const data = new Float64Array(rows * Math.max(cols, 0));
  value.forEach((row, r) => {
    if (!Array.isArray(row)) fail(`[${r}] must be a row (a list of numbers), got ${JSON.stringify(row)?.slice(0, 40)}`);
    if ((row as unknown[]).length !== cols) fail(`[${r}] has ${(row as unknown[]).length} values but row 0 has ${cols}; every row must have the same length`);
    (row as unknown[]).forEach((v, c) => {
      if (typeof v !== 'number') fail(`[${r}][${c}] is ${v === null ? 'null (the value was NaN or Infinity when written)' : JSON.stringify(v)?.slice(0, 40)}; weights must be finite numbers`);
      data[r * cols + c] = v as number;
    });
  });
  return { shape: [rows, Math.max(cols, 0)], data, part };
}

export interface JsonReadOptions {
  /** The file's name for messages (default "the weights file"). */
  fileName?: string;
  limits?: Partial<ImportLimits>;
}

/**
 * Reads a weights JSON file (text, or its bytes as UTF-8) from an untrusted source: size cap, UTF-8,
 * JSON syntax, no __proto__/constructor/prototype keys, a known format and version, a valid
 * architecture, params that fit it exactly, and a valid config when present. Throws ImportError.
 */
export function parseWeightsJSON(input: string | Uint8Array, opts: JsonReadOptions = {}): ImportedWeights {
  const limits = limitsWith(opts.limits);
  const file = opts.fileName ?? 'the weights file';
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (input instanceof Uint8Array) {
    if (input.length > limits.maxFileBytes) {
      throw new ImportError('file', `${file} is ${formatBytes(input.length)}, over the import limit of ${formatBytes(limits.maxFileBytes)}; a weights file that large is not supported`);
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new ImportError('file', `${file} is not UTF-8 text; a weights JSON file is text written by Backprop Lab's export`);
    }
  } else {
    throw new ImportError('file', `${file}: expected the file's text or bytes`);
  }
  if (text.length > limits.maxFileBytes) {
    throw new ImportError('file', `${file} is ${formatBytes(text.length)}, over the import limit of ${formatBytes(limits.maxFileBytes)}; a weights file that large is not supported`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const value = parseUntrustedJson(text, 'json', file, limits.maxJsonDepth);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportError('json', `${file} must hold a JSON object with "architecture" and "params"; export the weights again from Backprop Lab`);
  }
  const parsed = Document.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join('.') || 'the document';
    throw new ImportError(String(issue.path[0] ?? 'json'), `${file}: ${path} ${issue.message.replace(/^Invalid input: /, '')}; a weights file has "architecture" (a list of layers) and "params" (an object of W1, b1, … matrices)`);
  }
  const doc = parsed.data;
  if (doc.format !== undefined && doc.format !== WEIGHTS_FORMAT) {
    throw new ImportError('format', `${file} is a ${JSON.stringify(doc.format).slice(0, 60)} file, not "${WEIGHTS_FORMAT}"; import a weights file exported by Backprop Lab`);
  }
  if (doc.version !== undefined && doc.version !== WEIGHTS_VERSION) {
    throw new ImportError('version', doc.version > WEIGHTS_VERSION && Number.isInteger(doc.version)
      ? `${file} is weights format version ${doc.version}, written by a newer Backprop Lab; update the app to import it`
      : `${file} has version ${doc.version}; the weights format version is ${WEIGHTS_VERSION}`);
  }
  const architecture = checkedArchitecture(doc.architecture, 'architecture', file);
  const arrays = new Map<string, RawArray>();
  for (const [name, v] of Object.entries(doc.params)) {
    const m = PARAM_NAME.exec(name);
    if (!m) throw new ImportError(`params.${name}`, `${file}: params has an entry ${JSON.stringify(name).slice(0, 40)}; only W1, b1, W2, b2, … are allowed`);
    arrays.set(name, rawArray(v, `params.${name}`, file));
  }
  const params = checkedParams(arrays, architecture, file, (name) => `params.${name}`);
  const config = doc.config !== undefined && doc.config !== null ? checkedConfig(doc.config, architecture, 'config', file) : undefined;
  return { architecture, params, ...(config ? { config } : {}), ...(doc.metrics !== undefined ? { metrics: doc.metrics } : {}), format: 'json' };
}
