// Writing an export the core made (train --export FILE, runs export --out FILE): the folder is checked before a
// run starts, and a failed write is one line naming the file.

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from './db';

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
    throw new CliError(`${option}: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 1);
  }
}
