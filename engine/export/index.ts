// Export and import of networks and runs: weights as JSON and .npz (numpy), the network as ONNX, the run as
// a standalone numpy script, metrics as CSV/JSON. Pure TypeScript over strings and Uint8Arrays (the caller
// reads and writes files), so it runs in Node, a worker and the browser.

import type { LayerSpec } from '../architecture';
import { ImportError, type ImportLimits } from './errors';
import { readNpz, type ImportedWeights } from './npz';
import { readOnnx } from './onnx-read';
import { parseWeightsJSON } from './weights-json';

export { ImportError, ExportError, DEFAULT_IMPORT_LIMITS, type ImportLimits, type ExportErrorCode } from './errors';
export {
  FORMATS, FORMAT_NAMES, TRAIN_EXPORT_FORMATS, WEIGHTS_IMPORT_EXTENSIONS, WEIGHTS_IMPORT_ACCEPT,
  formatInfo, formatOfFile, isFormatName, isWeightsFile, extensionOf, type FormatName, type FormatInfo,
} from './format-table';
export { exportRun, exportRunFile, type RunParts, type ExportedFile } from './formats';
export { writeNpz, readNpz, type WeightsExport, type ImportedWeights, type NpzWriteOptions, type NpzReadOptions } from './npz';
export { encodeNpyFloat64, encodeNpyText, parseNpy, npyFloats, npyText, type NpyArray } from './npy';
export { weightsToJSON, stringifyWeights, parseWeightsJSON, WEIGHTS_FORMAT, WEIGHTS_VERSION, type WeightsJSON, type JsonReadOptions } from './weights-json';
export { exportOnnx, onnxModel, decodeOnnx, ONNX_IR_VERSION, type OnnxExportOptions } from './onnx';
export { readOnnx, ONNX_MIN_OPSET, ONNX_MAX_OPSET, type OnnxReadOptions } from './onnx-read';
export { notebookScript, type NotebookOptions } from './notebook';
export { metricsToCSV, metricsToJSON, metricsFromJSON, METRICS_CSV_HEADER, METRICS_FORMAT, type MetricsRow } from './metrics';

/** The weights-and-script formats, by file extension. @deprecated Use FORMAT_NAMES / TRAIN_EXPORT_FORMATS and formatOfFile (format-table.ts). */
export const EXPORT_FORMATS = ['json', 'npz', 'onnx', 'py'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The export format a file name asks for (by its extension, case-insensitive), or null. @deprecated Use formatOfFile(name, { trainExport: true }). */
export function exportFormatOf(fileName: string): ExportFormat | null {
  const m = /\.([A-Za-z]+)$/.exec(fileName);
  const ext = m?.[1].toLowerCase();
  return (EXPORT_FORMATS as readonly string[]).includes(ext ?? '') ? (ext as ExportFormat) : null;
}

export interface ImportOptions {
  /** The file's name, for messages and (with no recognisable content) for the format. */
  fileName?: string;
  /** For an .npz without an architecture entry. */
  architecture?: readonly LayerSpec[];
  limits?: Partial<ImportLimits>;
}

/**
 * Weights from a file's bytes — JSON, .npz or .onnx — told apart by content: a zip starts with "PK\x03\x04"
 * (or, when empty, "PK\x05\x06"); an ONNX model is a protobuf whose first field is ir_version (byte 0x08),
 * which no JSON text starts with; a name ending in .onnx is read as ONNX whatever it starts with. Throws
 * ImportError (naming the file and the problem); returns only fully validated weights.
 */
export function importWeights(bytes: Uint8Array, opts: ImportOptions = {}): ImportedWeights {
  if (!(bytes instanceof Uint8Array)) throw new ImportError('file', `${opts.fileName ?? 'the file'}: expected the file's bytes (a Uint8Array)`);
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
  if (zip) return readNpz(bytes, opts);
  const onnxName = Boolean(opts.fileName && /\.onnx$/i.test(opts.fileName));
  if (onnxName || bytes[0] === 0x08) return readOnnx(bytes, opts);
  if (opts.fileName && /\.npz$/i.test(opts.fileName)) {
    throw new ImportError('zip', `${opts.fileName} is not a zip archive, as a .npz must be; save the weights with np.savez`);
  }
  return parseWeightsJSON(bytes, opts);
}
