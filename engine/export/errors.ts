// The one error every importer throws, and the size limits it enforces on untrusted files.

/**
 * An imported file that cannot be used. `part` names where the problem is ("zip", "W2.npy",
 * "architecture", "params.b3", …) so a caller can point at it; the message says what is wrong and how
 * to fix it. Importers throw only this (never a half-built result).
 */
export class ImportError extends Error {
  constructor(
    /** The file part at fault, e.g. "W2.npy" or "params.W2". */
    readonly part: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Caps applied before and while an imported file is read. */
export interface ImportLimits {
  /** The file itself (bytes or, for JSON given as text, UTF-16 code units). */
  maxFileBytes: number;
  /** One zip entry, inflated. */
  maxEntryBytes: number;
  /** All zip entries together, inflated. */
  maxTotalBytes: number;
  /** Entries in a zip's central directory. */
  maxEntries: number;
  /** The architecture (and config) entries, inflated: they are small JSON texts. */
  maxTextEntryBytes: number;
  /** Nesting depth of an imported JSON document. */
  maxJsonDepth: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxFileBytes: 256 * MiB,
  maxEntryBytes: 256 * MiB,
  maxTotalBytes: 512 * MiB,
  maxEntries: 1024,
  maxTextEntryBytes: 4 * MiB,
  maxJsonDepth: 32,
});

/** Sizes for messages: "300 MiB", "12 KiB", "17 bytes". */
export function formatBytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/** Why an export cannot be made; a front end maps the code to its own error (an exit status, a reply code). */
export type ExportErrorCode =
  | 'unknown_format' // not one of FORMAT_NAMES
  | 'no_weights' // a weights format (json, npz, onnx) of a run with no stored weights
  | 'bad_weights' // the weights (or starting weights) do not fit the architecture
  | 'not_representable'; // a value the format cannot hold (e.g. beyond float32 for ONNX, a non-finite start)

/** An export that cannot be made: `code` to branch on, a one-line message that names the way out. */
export class ExportError extends Error {
  constructor(
    readonly code: ExportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}
