// Reading a file the user names on the command line (--dataset csv:PATH, --init-from, runs import, --arch FILE):
// only a regular file (a FIFO would hang, /dev/zero would never end), its size checked before a byte is read.

import { readFileSync, statSync } from 'node:fs';
import { CliError } from './db';

/** "53 MB" */
const mb = (n: number) => `${Math.round(n / 1e5) / 10} MB`;

/** The bytes of `path` (absolute), at most `maxBytes`; CliError (exit 2) naming `option` and the problem otherwise. */
export function readUserFile(path: string, option: string, maxBytes: number, hint = ''): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${option}: file not found: ${path}${hint ? ` (${hint})` : ''}` : `${option}: cannot read ${path} (${code ?? (e as Error).message})`);
  }
  if (!st.isFile()) {
    const kind = st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a named pipe' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
    throw new CliError(`${option}: ${path} is ${kind}; give a regular file`);
  }
  if (st.size > maxBytes) throw new CliError(`${option}: ${path} is ${mb(st.size)}, over the ${mb(maxBytes)} limit`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`${option}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
