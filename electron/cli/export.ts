// What `train --export FILE` and `runs export ID --format F` write, through engine/export: weights as JSON or
// .npz, the network as ONNX, the run as a numpy script, its metrics as CSV or JSON.

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { LayerSpec } from '../../engine/architecture';
import type { RunConfig } from '../../engine/config';
import { exportOnnx, metricsToCSV, metricsToJSON, notebookScript, stringifyWeights, writeNpz } from '../../engine/export/index';
import type { Params } from '../../engine/init';
import type { EpochMetrics } from '../../engine/train';
import { CliError } from './db';

/** Formats of `runs export --format`; `train --export` takes the first four, chosen by the file's extension. */
export const RUN_EXPORT_FORMATS = ['json', 'npz', 'onnx', 'py', 'metrics-csv', 'metrics-json'] as const;
export type RunExportFormat = (typeof RUN_EXPORT_FORMATS)[number];

/** Formats whose output is binary (written to a file, never to stdout). */
export const BINARY_FORMATS: readonly RunExportFormat[] = ['npz', 'onnx'];

const BY_EXTENSION: Record<string, RunExportFormat> = { '.json': 'json', '.npz': 'npz', '.onnx': 'onnx', '.py': 'py', '.csv': 'metrics-csv' };

/** The format a file name asks for, or null: .json, .npz, .onnx, .py (and .csv: the metrics, for runs export). */
export function formatOfFile(file: string, opts: { metrics: boolean }): RunExportFormat | null {
  const f = BY_EXTENSION[extname(file).toLowerCase()] ?? null;
  return f === 'metrics-csv' && !opts.metrics ? null : f;
}

/** The usual extension of a format, for messages. */
export const EXTENSION: Record<RunExportFormat, string> = { json: '.json', npz: '.npz', onnx: '.onnx', py: '.py', 'metrics-csv': '.csv', 'metrics-json': '.json' };

/** What one export is made from. */
export interface ExportSource {
  architecture: readonly LayerSpec[];
  config: RunConfig;
  /** The trained weights; null when there are none (a diverged or failed run). */
  params: Params | null;
  /** Why there are no weights, for the message ("the run failed: diverged at epoch 12 …"). */
  noParamsWhy?: string;
  /** The final figures, written into the JSON export. */
  summary?: Record<string, unknown>;
  /** The run's name, for the script's docstring. */
  title?: string;
  /** The per-epoch metrics (read only for the metrics formats). */
  epochMetrics?: () => EpochMetrics[];
  /** Extra fields of the metrics JSON document (the run's id, name, status). */
  metricsInfo?: Record<string, unknown>;
  /** The run started from imported weights rather than init_layers(seed): a numpy script cannot repeat it. */
  startedFromImport?: boolean;
  producerVersion?: string;
}

/** The export's content: text for json, py and the metrics; bytes for npz and onnx. Throws CliError. */
export function exportContent(format: RunExportFormat, src: ExportSource): string | Uint8Array {
  const weights = (): Params => {
    if (src.params) return src.params;
    throw new CliError(`cannot export ${format}: there are no weights${src.noParamsWhy ? ` (${src.noParamsWhy})` : ''}; export the metrics (metrics-csv, metrics-json) or the script (py) instead`);
  };
  switch (format) {
    case 'json':
      return stringifyWeights({ architecture: src.architecture, params: weights(), config: src.config, ...(src.summary ? { metrics: src.summary } : {}) });
    case 'npz':
      return writeNpz({ architecture: src.architecture, params: weights(), config: src.config });
    case 'onnx':
      try {
        return exportOnnx({ architecture: src.architecture, params: weights() }, src.producerVersion ? { producerVersion: src.producerVersion } : {});
      } catch (e) {
        if (e instanceof RangeError) throw new CliError(`cannot export onnx: ${e.message}`);
        throw e;
      }
    case 'py':
      if (src.startedFromImport) {
        throw new CliError('cannot export py: this run started from imported weights, and the numpy script starts from init_layers(seed), so it would not repeat the run; export json or npz instead');
      }
      return notebookScript(src.config, src.title ? { title: src.title } : {});
    case 'metrics-csv':
      return metricsToCSV(src.epochMetrics?.() ?? []);
    case 'metrics-json':
      return metricsToJSON(src.epochMetrics?.() ?? [], src.metricsInfo ?? {});
  }
}

/** Fails (CliError, exit 2) unless the folder that will hold `file` exists. */
export function checkOutputFolder(file: string, option: string): void {
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${option}: folder not found: ${dir}`);
}

/** Writes an export; an error becomes CliError (exit 1: the command was right, the disk said no). */
export function writeExport(file: string, content: string | Uint8Array, option: string): void {
  try {
    writeFileSync(file, content);
  } catch (e) {
    throw new CliError(`${option}: cannot write ${file}: ${(e as Error).message}`, 1);
  }
}
