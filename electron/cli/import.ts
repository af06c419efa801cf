// Reading an exported weights file (JSON or .npz) for `train --init-from` and `runs import`: the size is checked
// before the file is read, and engine/export validates everything in it (shapes, names, values, config).

import { existsSync, readFileSync, statSync } from 'node:fs';
import type { LayerSpec } from '../../engine/architecture';
import { DEFAULT_IMPORT_LIMITS, ImportError, importWeights, type ImportedWeights } from '../../engine/export/index';
import { CliError } from './db';

/** The weights in `path` (absolute), fully validated; CliError (exit 2) naming `option` and the problem otherwise. */
export function readWeightsFile(path: string, option: string): ImportedWeights {
  if (!existsSync(path)) throw new CliError(`${option}: file not found: ${path} (give a .json or .npz file written by --export)`);
  const st = statSync(path);
  if (!st.isFile()) throw new CliError(`${option}: ${path} is not a file`);
  const max = DEFAULT_IMPORT_LIMITS.maxFileBytes;
  if (st.size > max) throw new CliError(`${option}: ${path} is ${st.size} bytes, over the import limit of ${max}; a weights file that large is not supported`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CliError(`${option}: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return importWeights(bytes, { fileName: path });
  } catch (e) {
    if (e instanceof ImportError) throw new CliError(`${option}: ${e.message}`);
    throw e;
  }
}

/** "2-25-50-50-25-1": the layer widths from the input to the output. */
export function architectureSummary(arch: readonly LayerSpec[]): string {
  return arch.length === 0 ? '' : [arch[0]!.input_dim, ...arch.map((l) => l.output_dim)].join('-');
}

/** Same layers (widths and activations)? */
export function sameArchitecture(a: readonly LayerSpec[], b: readonly LayerSpec[]): boolean {
  return a.length === b.length && a.every((l, i) => l.input_dim === b[i]!.input_dim && l.output_dim === b[i]!.output_dim && l.activation === b[i]!.activation);
}

/** "2-25-1 (relu, sigmoid)": widths and activations, for a message that compares two architectures. */
export function describeArchitecture(arch: readonly LayerSpec[]): string {
  return `${architectureSummary(arch)} (${arch.map((l) => l.activation).join(', ')})`;
}
