// .npz weights: the notebook's params_values (W1, b1, … as float64, W (out, in), b (out, 1)) plus the
// architecture as JSON text, in a zip that np.load opens without allow_pickle. Writing uses fflate's
// zipSync; reading is strict and in memory (see zip.ts), for files from anywhere.

import { zipSync, type Zippable } from 'fflate';
import type { LayerSpec } from '../architecture';
import type { RunConfig } from '../config';
import type { Params } from '../init';
import { ImportError, formatBytes, type ImportLimits } from './errors';
import { encodeNpyFloat64, encodeNpyText, npyFloats, npyText, parseNpy, MAX_NPY_HEADER } from './npy';
import { checkedArchitecture, checkedConfig, checkedParams, limitsWith, parseUntrustedJson, type RawArray } from './validate';
import { listZip, readZipEntry } from './zip';

/** What an export holds: the network and, optionally, the configuration of the run that trained it. */
export interface WeightsExport {
  architecture: readonly LayerSpec[];
  params: Params;
  config?: RunConfig;
  /** The input pipeline (export/inputs.ts) when the run standardizes or computes features: written as inputs.npy (JSON text). */
  inputs?: unknown;
}

/** A fully validated import: params fit the architecture exactly, in the order W1, b1, W2, b2, … */
export interface ImportedWeights {
  architecture: LayerSpec[];
  params: Params;
  /** The run configuration, when the file carries one (checked by resolveConfig). */
  config?: RunConfig;
  /** Metrics the file carries (JSON only), as plain JSON values. */
  metrics?: unknown;
  format: 'json' | 'npz' | 'onnx';
}

export interface NpzWriteOptions {
  /** Deflate the entries, as np.savez_compressed (default false: stored, as np.savez). */
  compress?: boolean;
}

/** The entry names a weights .npz may hold. */
const PARAM_ENTRY = /^([Wb])([1-9][0-9]{0,3})\.npy$/;
const TEXT_ENTRIES = ['architecture.npy', 'architecture_json.npy', 'config.npy', 'inputs.npy'];

/** Deterministic zip timestamps (local time, as zip stores it), so the same weights give the same bytes. */
const MTIME = new Date(2000, 0, 1, 0, 0, 0);

/**
 * The .npz bytes: W<k>.npy ('<f8', shape (out, in)), b<k>.npy ('<f8', shape (out, 1)), architecture.npy
 * (a 0-d unicode array holding the architecture's JSON) and, when given, config.npy (the run configuration's
 * JSON). In numpy: `z = np.load(path); W1 = z["W1"]; arch = json.loads(str(z["architecture"]))`.
 */
export function writeNpz(w: WeightsExport, opts: NpzWriteOptions = {}): Uint8Array {
  const level = opts.compress ? 6 : 0;
  const files: Zippable = {};
  for (const p of w.params) files[`${p.name}.npy`] = [encodeNpyFloat64(p.data, [p.rows, p.cols]), { level, mtime: MTIME }];
  files['architecture.npy'] = [encodeNpyText(JSON.stringify(w.architecture)), { level, mtime: MTIME }];
  if (w.config) files['config.npy'] = [encodeNpyText(JSON.stringify(w.config)), { level, mtime: MTIME }];
  if (w.inputs) files['inputs.npy'] = [encodeNpyText(JSON.stringify(w.inputs)), { level, mtime: MTIME }];
  return zipSync(files, { level, mtime: MTIME });
}

export interface NpzReadOptions {
  /** The file's name for messages (default "the .npz file"). */
  fileName?: string;
  /** The architecture to use when the file has none (e.g. a plain np.savez(**params_values)). */
  architecture?: readonly LayerSpec[];
  limits?: Partial<ImportLimits>;
}

/**
 * Reads weights from untrusted .npz bytes, in memory. Checks the size, the zip structure, entry names
 * (only W<k>.npy, b<k>.npy, architecture.npy or architecture_json.npy, config.npy), inflated sizes (from the
 * directory, then enforced while inflating), every .npy header, and that the arrays fit the architecture.
 * Returns fully validated weights or throws ImportError.
 */
export function readNpz(bytes: Uint8Array, opts: NpzReadOptions = {}): ImportedWeights {
  const limits = limitsWith(opts.limits);
  const file = opts.fileName ?? 'the .npz file';
  if (!(bytes instanceof Uint8Array)) throw new ImportError('file', `${file}: expected the file's bytes (a Uint8Array)`);
  if (bytes.length > limits.maxFileBytes) {
    throw new ImportError('file', `${file} is ${formatBytes(bytes.length)}, over the import limit of ${formatBytes(limits.maxFileBytes)}; a weights file that large is not supported`);
  }
  const entries = listZip(bytes, {
    file,
    maxEntries: limits.maxEntries,
    maxTotalBytes: limits.maxTotalBytes,
    checkName: (name) =>
      PARAM_ENTRY.test(name) || TEXT_ENTRIES.includes(name)
        ? null
        : 'a weights .npz holds only W1.npy, b1.npy, W2.npy, … and architecture.npy (no folders, no other files); save it with np.savez(path, W1=…, b1=…, …, architecture=json_text)',
    maxEntryBytes: (name) => (TEXT_ENTRIES.includes(name) ? limits.maxTextEntryBytes : limits.maxEntryBytes),
  });
  const byName = new Map(entries.map((e) => [e.name, e]));

  // the architecture first: it says how large every other entry may be
  const archEntries = entries.filter((e) => e.name.startsWith('architecture'));
  if (archEntries.length > 1) throw new ImportError('architecture', `${file} has both architecture.npy and architecture_json.npy; keep one`);
  let architecture: LayerSpec[];
  if (archEntries.length === 1) {
    const e = archEntries[0];
    const text = npyText(parseNpy(readZipEntry(bytes, e, file), e.name, file), e.name, file);
    architecture = checkedArchitecture(parseUntrustedJson(text, 'architecture', `${file}: ${e.name}`, limits.maxJsonDepth), 'architecture', file);
  } else if (opts.architecture) {
    architecture = checkedArchitecture(opts.architecture, 'architecture', file);
  } else {
    throw new ImportError('architecture', `${file} has no architecture.npy, so the layers' activations are unknown; save it with np.savez(path, **params_values, architecture=json.dumps(NN_ARCHITECTURE)) or give the architecture when importing`);
  }

  const arrays = new Map<string, RawArray>();
  for (const e of entries) {
    const m = PARAM_ENTRY.exec(e.name);
    if (!m) continue;
    const k = Number(m[2]);
    const layer = architecture[k - 1];
    if (!layer) {
      throw new ImportError(e.name, `${file}: ${e.name} is not a parameter of this ${architecture.length}-layer network (it has W1, b1 … W${architecture.length}, b${architecture.length}); remove it or fix the architecture`);
    }
    // a float64 array of the layer's shape plus the largest header numpy writes
    const values = m[1] === 'W' ? layer.output_dim * layer.input_dim : layer.output_dim;
    const most = 12 + MAX_NPY_HEADER + 8 * values;
    if (e.size > most) {
      throw new ImportError(e.name, `${file}: ${e.name} would inflate to ${formatBytes(e.size)}, more than a ${values}-value array of layer ${k} can take; the file does not fit the architecture`);
    }
    const npy = parseNpy(readZipEntry(bytes, e, file), e.name, file);
    arrays.set(`${m[1]}${k}`, { shape: npy.shape, data: npyFloats(npy, e.name, file), part: e.name });
  }
  const params = checkedParams(arrays, architecture, file, (name) => arrays.get(name)?.part ?? `${name}.npy`);

  let config: RunConfig | undefined;
  const c = byName.get('config.npy');
  if (c) {
    const text = npyText(parseNpy(readZipEntry(bytes, c, file), c.name, file), c.name, file);
    config = checkedConfig(parseUntrustedJson(text, 'config', `${file}: config.npy`, limits.maxJsonDepth), architecture, 'config', file);
  }
  return { architecture, params, ...(config ? { config } : {}), format: 'npz' };
}
