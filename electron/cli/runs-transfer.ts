// `runs export` and `runs import`: thin front ends over the core's one export and import. A stored run out as
// weights (JSON, .npz), an ONNX network, a numpy script or its metrics; an exported weights file in as a new run.

import { resolve } from 'node:path';
import { FORMAT_NAMES, formatInfo, formatOfFile, isFormatName, type FormatName } from '../../engine/export/format-table';
import { MAX_IMPORT_BYTES } from '../contract';
import { listValues, UsageError, type OptionSpec } from './args';
import { CliError, resolveId, shortId } from './db';
import { checkOutputFolder, writeExport } from './export';
import { readUserFile } from './files';
import type { RunsContext } from './runs';

export const EXPORT_OPTIONS: readonly OptionSpec[] = [
  { flag: '--format', metavar: 'F', help: FORMAT_NAMES.join('|'), default: 'from the --out extension' },
  { flag: '--out', short: '-o', metavar: 'FILE', help: 'write to FILE', default: 'stdout, for the text formats' },
];

export const IMPORT_OPTIONS: readonly OptionSpec[] = [
  { flag: '--name', metavar: 'N', help: 'the new run’s name', default: '"imported FILE"' },
  { flag: '--tag', metavar: 'T', help: 'a tag for the new run (repeat it, or give a comma list)', repeatable: true },
];

export async function runExport(ctx: RunsContext): Promise<number> {
  const p = ctx.args.positionals;
  if (p.length !== 1) {
    throw new UsageError(p.length === 0 ? 'runs export needs a run id: backprop-lab runs export ID --format F [--out FILE]' : `runs export takes one run id, got also ${JSON.stringify(p[1])}`);
  }
  const formatArg = ctx.args.options.get('--format');
  const outArg = ctx.args.options.get('--out');
  const out = typeof outArg === 'string' ? resolve(ctx.io.cwd ?? process.cwd(), outArg) : null;
  let format: FormatName;
  if (typeof formatArg === 'string') {
    if (!isFormatName(formatArg)) throw new UsageError(`--format must be one of ${FORMAT_NAMES.join(', ')}, got ${JSON.stringify(formatArg)}`);
    format = formatArg;
  } else if (out) {
    const f = formatOfFile(out);
    if (!f) throw new UsageError(`--out ${outArg}: the extension does not say which format to write; add --format ${FORMAT_NAMES.join('|')}`);
    format = f;
  } else {
    throw new UsageError(`runs export needs the format: --format ${FORMAT_NAMES.join('|')} (or --out FILE with a .json, .npz, .onnx, .py or .csv name)`);
  }
  const info = formatInfo(format)!;
  if (!out && info.binary) throw new UsageError(`${format} is binary and is not written to the terminal; give the file: --out FILE${info.ext}`);
  if (out) checkOutputFolder(out, '--out');

  const store = ctx.open();
  if (!store) throw new CliError(`no run matches ${JSON.stringify(p[0])}: there is no run database at ${ctx.dbPath} yet`);
  const id = resolveId(store, p[0]!);
  const r = await ctx.core().invoke('runs.export', { runId: id, format });
  if (!r.ok) throw new CliError(r.error.message, r.error.code === 'internal' ? 4 : 2);
  const bytes = Buffer.from(r.value.base64, 'base64');
  if (!out) {
    ctx.io.stdout(bytes.toString('utf8')); // text: binary formats need --out (checked above)
    return 0;
  }
  writeExport(out, bytes, '--out');
  if (ctx.json) ctx.io.stdout(JSON.stringify({ id, format, out, bytes: bytes.length }) + '\n');
  else ctx.io.stderr(`backprop-lab: wrote run ${shortId(id)} as ${format} to ${out} (${bytes.length} bytes)\n`);
  return 0;
}

export async function runImport(ctx: RunsContext): Promise<number> {
  const p = ctx.args.positionals;
  if (p.length !== 1) {
    throw new UsageError(p.length === 0 ? 'runs import needs a file: backprop-lab runs import FILE.json|FILE.npz|FILE.onnx [--name N]' : `runs import takes one file, got also ${JSON.stringify(p[1])}`);
  }
  const path = resolve(ctx.io.cwd ?? process.cwd(), p[0]!);
  const bytes = readUserFile(path, 'runs import', MAX_IMPORT_BYTES, 'give a .json, .npz or .onnx file written by an export');
  const nameArg = ctx.args.options.get('--name');
  const tags = listValues(ctx.args, '--tag');
  ctx.open({ create: true });
  const r = await ctx.core().invoke('runs.import', {
    filename: path,
    base64: bytes.toString('base64'),
    ...(typeof nameArg === 'string' ? { name: nameArg } : {}),
    ...(tags.length ? { tags } : {}),
  });
  if (!r.ok) throw new CliError(`runs import: ${r.error.message}`);
  const { run, evaluated } = r.value;
  if (ctx.json) ctx.io.stdout(JSON.stringify({ id: run.id, name: run.name, status: run.status, db: ctx.dbPath, finalCost: run.finalCost, testAccuracy: run.testAccuracy, evaluated }) + '\n');
  else ctx.io.stdout(`imported ${path} as run ${shortId(run.id)} (${JSON.stringify(run.name)}) in ${ctx.dbPath}; ${evaluated}\n`);
  return 0;
}
