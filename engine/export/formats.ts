// One function that makes any export of a run from its parts, over the one format table (format-table.ts,
// re-exported here). The core (dashboard and browser mode) and the command line both call it, so every front
// end writes the same bytes and refuses the same things with the same ExportError codes.

import type { LayerSpec } from '../architecture';
import type { RunConfig } from '../config';
import { initLayers, type Params } from '../init';
import { ExportError } from './errors';
import { formatInfo, type FormatInfo, type FormatName } from './format-table';
import { inputPipeline, type InputPipeline } from './inputs';
import { metricsToCSV, metricsToJSON, type MetricsRow } from './metrics';
import { notebookScript } from './notebook';
import { writeNpz } from './npz';
import { exportOnnx } from './onnx';
import { paramOf } from './validate';
import { stringifyWeights } from './weights-json';

export * from './format-table';
export { ExportError, type ExportErrorCode } from './errors';

/** What an export of a run is made from. Only what the format reads is used (metrics are read lazily). */
export interface RunParts {
  architecture: readonly LayerSpec[];
  config: RunConfig;
  /** The trained weights; null or absent when there are none (a failed run, one still running). */
  params?: Params | null;
  /** Why there are no weights, for the no_weights message ("run 3f2a… failed: diverged at epoch 12"). */
  noWeightsWhy?: string;
  /**
   * The weights the run started from, when it may not have been init_layers(seed) (imported weights, kept as
   * the epoch-0 checkpoint). The numpy script embeds them unless they are exactly init_layers(seed)'s.
   */
  initialParams?: Params | null;
  /** The final figures, written into the JSON export as "metrics". */
  summary?: Record<string, unknown>;
  /** The run's name, for the script's docstring. */
  title?: string;
  /** Per-epoch metrics, or a function that reads them (called only for the metrics formats). */
  epochMetrics?: readonly MetricsRow[] | (() => readonly MetricsRow[]);
  /** Extra fields of the metrics JSON document (the run's id, name, status). */
  metricsInfo?: Record<string, unknown>;
  /** Written into the ONNX model as producer_version. */
  producerVersion?: string;
  /** ONNX weights as float32 (default: what every runtime runs) or float64 (the engine's weights bit for bit). */
  onnxPrecision?: 'float32' | 'float64';
  /** For a csv run's script: the path it reads (default: the run configuration's). */
  csvPath?: string;
}

/**
 * The run's input pipeline for the JSON and .npz: what inputPipeline says, or (a standardized CSV run, whose data is
 * not at hand) its feature names and that it was standardized.
 */
function namedInputs(config: RunConfig): InputPipeline | Record<string, unknown> | null {
  try {
    return inputPipeline(config);
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    return { standardize: true, ...(config.data.features ? { features: config.data.features } : {}) };
  }
}

/** Are these exactly init_layers(seed, scale) of the architecture, bit for bit? */
function fromSeed(params: Params, arch: readonly LayerSpec[], config: RunConfig): boolean {
  const init = initLayers(arch, config.init.seed, config.init.scale);
  return (
    params.length === init.length &&
    init.every((p) => {
      const q = params.find((x) => x.name === p.name);
      return q !== undefined && q.rows === p.rows && q.cols === p.cols && q.data.length === p.data.length && q.data.every((v, i) => Object.is(v, p.data[i]));
    })
  );
}

/** Throws ExportError('bad_weights') unless every W<k> (out, in) and b<k> (out, 1) of the architecture is there. */
function checkFit(format: FormatName, params: Params, arch: readonly LayerSpec[], what: string): void {
  arch.forEach((l, i) => {
    try {
      paramOf(params, `W${i + 1}`, l.output_dim, l.input_dim);
      paramOf(params, `b${i + 1}`, l.output_dim, 1);
    } catch (e) {
      // paramOf's message: "cannot export: W2 is (3, 4) but the architecture needs (4, 3)"
      throw new ExportError('bad_weights', `cannot export ${format}: ${what}: ${(e as Error).message.replace(/^cannot export: /, '')}`);
    }
  });
}

/** The first NaN or infinite value of the parameters, as "W2[5] is NaN", or null. */
function nonFinite(params: Params): string | null {
  for (const p of params) {
    const bad = p.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return `${p.name}[${bad}] is ${p.data[bad]}`;
  }
  return null;
}

/** The trained weights, fitting the architecture, or ExportError (no_weights, bad_weights). */
function checkedWeights(format: FormatName, parts: RunParts): Params {
  const params = parts.params;
  if (!params) {
    throw new ExportError('no_weights', `cannot export ${format}: there are no weights${parts.noWeightsWhy ? ` (${parts.noWeightsWhy})` : ''}; export the metrics (metrics-csv, metrics-json) or the script (py) instead`);
  }
  checkFit(format, params, parts.architecture, 'the weights');
  return params;
}

/**
 * The export's content: text for json, py and the metrics formats; bytes for npz and onnx (formatInfo(format).binary).
 * Throws ExportError: unknown_format, no_weights (a weights format without params), bad_weights (params or
 * starting weights that do not fit the architecture), not_representable (ONNX: a weight beyond float32; JSON or
 * the script: a weight that is NaN or infinite).
 */
export function exportRun(format: FormatName, parts: RunParts): string | Uint8Array {
  const info = formatInfo(format);
  if (!info) throw new ExportError('unknown_format', `cannot export ${JSON.stringify(String(format)).slice(0, 40)}: the formats are json, npz, onnx, py, metrics-csv and metrics-json`);
  const metrics = () => (typeof parts.epochMetrics === 'function' ? parts.epochMetrics() : (parts.epochMetrics ?? []));
  switch (info.name) {
    case 'json': {
      const params = checkedWeights(format, parts);
      const bad = nonFinite(params);
      if (bad) throw new ExportError('not_representable', `cannot export json: ${bad}, which JSON cannot hold; export npz instead`);
      const inputs = namedInputs(parts.config);
      return stringifyWeights({ architecture: parts.architecture, params, config: parts.config, ...(inputs ? { inputs } : {}), ...(parts.summary ? { metrics: parts.summary } : {}) });
    }
    case 'npz': {
      const inputs = namedInputs(parts.config);
      return writeNpz({ architecture: parts.architecture, params: checkedWeights(format, parts), config: parts.config, ...(inputs ? { inputs } : {}) });
    }
    case 'onnx': {
      const params = checkedWeights(format, parts);
      try {
        const inputs = inputPipeline(parts.config);
        return exportOnnx({ architecture: parts.architecture, params }, { ...(parts.producerVersion ? { producerVersion: parts.producerVersion } : {}), ...(parts.onnxPrecision ? { precision: parts.onnxPrecision } : {}), ...(inputs ? { inputs } : {}) });
      } catch (e) {
        if (e instanceof RangeError) throw new ExportError('not_representable', `cannot export onnx: ${e.message.replace(/^cannot export /, '')}; export npz or json, which keep float64`);
        throw e;
      }
    }
    case 'py': {
      const start = parts.initialParams && !fromSeed(parts.initialParams, parts.architecture, parts.config) ? parts.initialParams : undefined;
      if (start) {
        checkFit(format, start, parts.architecture, 'the starting weights');
        const bad = nonFinite(start);
        if (bad) throw new ExportError('not_representable', `cannot export py: the starting weight ${bad}; a run cannot start from non-finite weights`);
      }
      return notebookScript(parts.config, { ...(parts.title ? { title: parts.title } : {}), ...(parts.csvPath ? { csvPath: parts.csvPath } : {}), ...(start ? { initialParams: start } : {}) });
    }
    case 'metrics-csv':
      return metricsToCSV(metrics());
    case 'metrics-json':
      return metricsToJSON(metrics(), parts.metricsInfo ?? {});
  }
}

/** An export as a file: its content, that content as bytes (UTF-8 for text), and the format's extension and MIME type. */
export interface ExportedFile {
  format: FormatName;
  ext: string;
  mime: string;
  binary: boolean;
  /** The text (json, py, metrics) or the bytes (npz, onnx), as exportRun returns it. */
  content: string | Uint8Array;
  bytes: Uint8Array;
}

/** exportRun with the file's details from the format table. Throws ExportError as exportRun. */
export function exportRunFile(format: FormatName, parts: RunParts): ExportedFile {
  const content = exportRun(format, parts);
  const info = formatInfo(format) as FormatInfo;
  return { format: info.name, ext: info.ext, mime: info.mime, binary: info.binary, content, bytes: typeof content === 'string' ? new TextEncoder().encode(content) : content };
}
