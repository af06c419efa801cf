// The one table of export formats: name, file extension, MIME type, binary or text, whether it needs the
// run's weights, whether `train --export FILE` may write it, and whether "Import weights" reads it. The core,
// the command line and the dashboard all read it. No imports at all, so the renderer may import it (formats.ts
// adds exportRun, which pulls in the exporters).

/** Every export format, in menu order. */
export const FORMAT_NAMES = ['json', 'npz', 'onnx', 'py', 'metrics-csv', 'metrics-json'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface FormatInfo {
  name: FormatName;
  /** For menus: "JSON", "Notebook script", … */
  label: string;
  /** The file extension, with its dot: ".json". */
  ext: string;
  mime: string;
  /** Bytes (never written to a terminal) rather than UTF-8 text. */
  binary: boolean;
  /** Made from the run's weights, so a run without stored weights cannot give it. */
  needsWeights: boolean;
  /** `train --export FILE` may write it (chosen by FILE's extension). */
  trainExport: boolean;
  /** "Import weights" and `runs import` read this kind of file. */
  importsWeights: boolean;
}

/** The table itself, one row per format, in FORMAT_NAMES' order. */
export const FORMATS: readonly Readonly<FormatInfo>[] = Object.freeze([
  { name: 'json', label: 'JSON', ext: '.json', mime: 'application/json', binary: false, needsWeights: true, trainExport: true, importsWeights: true },
  { name: 'npz', label: '.npz', ext: '.npz', mime: 'application/zip', binary: true, needsWeights: true, trainExport: true, importsWeights: true },
  { name: 'onnx', label: 'ONNX', ext: '.onnx', mime: 'application/octet-stream', binary: true, needsWeights: true, trainExport: true, importsWeights: true },
  { name: 'py', label: 'Notebook script', ext: '.py', mime: 'text/x-python', binary: false, needsWeights: false, trainExport: true, importsWeights: false },
  { name: 'metrics-csv', label: 'Metrics CSV', ext: '.csv', mime: 'text/csv', binary: false, needsWeights: false, trainExport: false, importsWeights: false },
  // .json too: a file name ending in .json means the weights (json); this one is chosen by name only
  { name: 'metrics-json', label: 'Metrics JSON', ext: '.json', mime: 'application/json', binary: false, needsWeights: false, trainExport: false, importsWeights: false },
].map((f) => Object.freeze(f as FormatInfo)));

/** The row of a format name; undefined for a string that is none. */
export function formatInfo(name: string): Readonly<FormatInfo> | undefined {
  return FORMATS.find((f) => f.name === name);
}

/** Is `name` one of FORMAT_NAMES? */
export function isFormatName(name: unknown): name is FormatName {
  return typeof name === 'string' && (FORMAT_NAMES as readonly string[]).includes(name);
}

/** The formats `train --export FILE` may write: json, npz, onnx, py. */
export const TRAIN_EXPORT_FORMATS: readonly FormatName[] = FORMATS.filter((f) => f.trainExport).map((f) => f.name);

/** The extensions "Import weights" reads (".json", ".npz", ".onnx"). */
export const WEIGHTS_IMPORT_EXTENSIONS: readonly string[] = FORMATS.filter((f) => f.importsWeights).map((f) => f.ext);

/** For an `<input type="file" accept=…>`: ".json,.npz,.onnx". */
export const WEIGHTS_IMPORT_ACCEPT = WEIGHTS_IMPORT_EXTENSIONS.join(',');

/** A file name's extension, lower case with its dot (".onnx"), or "" when it has none. */
export function extensionOf(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/**
 * The format a file name asks for, by its extension (case-insensitive), or null: .json → json (the weights;
 * metrics-json is only ever asked for by name), .npz, .onnx, .py, .csv → metrics-csv. With
 * `{ trainExport: true }`, only what `train --export` may write (so .csv → null).
 */
export function formatOfFile(fileName: string, opts: { trainExport?: boolean } = {}): FormatName | null {
  const ext = extensionOf(fileName);
  if (!ext) return null;
  const f = FORMATS.find((g) => g.ext === ext && (!opts.trainExport || g.trainExport));
  return f ? f.name : null;
}

/** Is this file name one that "Import weights" reads (.json, .npz, .onnx)? */
export function isWeightsFile(fileName: string): boolean {
  return WEIGHTS_IMPORT_EXTENSIONS.includes(extensionOf(fileName));
}
