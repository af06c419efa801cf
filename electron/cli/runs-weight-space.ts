// `runs interpolate` and `runs landscape`: thin front ends over the core's runs.interpolate and runs.landscape. The
// flags become the command's payload (the core checks the ranges); the answer is printed as JSON or a small table.

import type { Interpolation, Landscape } from '../contract';
import { numberOrText, UsageError, type OptionSpec } from './args';
import { CliError, resolveId, shortId } from './db';
import type { RunsContext } from './runs';
import { formatNumber, sparkline, table } from './table';

export const INTERPOLATE_OPTIONS: readonly OptionSpec[] = [
  { flag: '--steps', metavar: 'N', help: 'evenly spaced points of α (0 and 1 are always among them)', default: '41' },
  { flag: '--from', metavar: 'A0', help: 'the first α', default: '-0.5' },
  { flag: '--to', metavar: 'A1', help: 'the last α', default: '1.5' },
];

export const LANDSCAPE_OPTIONS: readonly OptionSpec[] = [
  { flag: '--grid', metavar: 'N', help: 'points per axis', default: '21' },
  { flag: '--span', metavar: 'S', help: 'the plane reaches ±S along each direction', default: '1' },
  { flag: '--seed', metavar: 'K', help: 'np.random.seed of the two directions', default: '0' },
];

/** The number a flag gives, or undefined when absent; a usage error naming the flag when it is not a number. */
function num(ctx: RunsContext, flag: string): number | undefined {
  const v = ctx.args.options.get(flag);
  if (typeof v !== 'string') return undefined;
  const n = numberOrText(v);
  if (typeof n !== 'number') throw new UsageError(`${flag} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** The core's answer, or its message as a CliError (exit 2; 4 for a bug). */
function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new CliError(r.error.message, r.error.code === 'internal' ? 4 : 2);
  return r.value;
}

function runIds(ctx: RunsContext, name: string, count: number, synopsis: string): string[] {
  const p = ctx.args.positionals;
  if (p.length !== count) throw new UsageError(`runs ${name} takes ${count === 1 ? 'one run id' : `${count} run ids`}, got ${p.length}: backprop-lab runs ${name} ${synopsis}`);
  const store = ctx.open();
  if (!store) throw new CliError(`no run matches ${JSON.stringify(p[0])}: there is no run database at ${ctx.dbPath} yet`);
  return p.map((t) => resolveId(store, t));
}

const cell = (v: number | null): string => (v === null ? '–' : formatNumber(v));

export async function runInterpolate(ctx: RunsContext): Promise<number> {
  const [a, b] = runIds(ctx, 'interpolate', 2, 'A B [--steps N] [--from A0 --to A1]');
  const steps = num(ctx, '--steps'), from = num(ctx, '--from'), to = num(ctx, '--to');
  const r: Interpolation = value(
    await ctx.core().invoke('runs.interpolate', {
      a: a!,
      b: b!,
      ...(steps !== undefined ? { steps } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    }),
  );
  if (ctx.json) {
    ctx.io.stdout(JSON.stringify(r) + '\n');
    return 0;
  }
  const hasTest = r.testCost.some((v) => v !== null);
  const line = (vs: Array<number | null>) => sparkline(vs.map((v) => (v === null ? NaN : v)), 60);
  const out = [
    `θ(α) = (1 − α)·θA + α·θB, A = ${shortId(a!)} (α = 0), B = ${shortId(b!)} (α = 1), on A's data`,
    `train ${line(r.trainCost)}`,
    ...(hasTest ? [`test  ${line(r.testCost)}`] : []),
    '',
    table(['ALPHA', 'TRAIN COST', ...(hasTest ? ['TEST COST'] : [])], r.alphas.map((al, i) => [String(Number(al.toPrecision(6))), cell(r.trainCost[i]!), ...(hasTest ? [cell(r.testCost[i]!)] : [])]), { right: [0, 1, 2] }),
  ];
  ctx.io.stdout(out.join('\n') + '\n');
  return 0;
}

const SHADES = ' ·:-=+*#%@';

export async function runLandscape(ctx: RunsContext): Promise<number> {
  const [id] = runIds(ctx, 'landscape', 1, 'ID [--grid N] [--span S] [--seed K]');
  const grid = num(ctx, '--grid'), span = num(ctx, '--span'), seed = num(ctx, '--seed');
  const r: Landscape = value(
    await ctx.core().invoke('runs.landscape', {
      runId: id!,
      ...(grid !== undefined ? { grid } : {}),
      ...(span !== undefined ? { span } : {}),
      ...(seed !== undefined ? { seed } : {}),
    }),
  );
  if (ctx.json) {
    ctx.io.stdout(JSON.stringify(r) + '\n');
    return 0;
  }
  // a shaded map of log cost, β up the page: light is low, dense is high; × where the output is not finite
  const finite = r.cost.flat().filter((v): v is number => v !== null && v > 0);
  const lo = Math.log(Math.min(...finite)), hi = Math.log(Math.max(...finite));
  const shade = (v: number | null) => {
    if (v === null) return '×';
    if (!(v > 0) || hi === lo) return SHADES[0]!;
    return SHADES[Math.min(SHADES.length - 1, Math.floor(((Math.log(v) - lo) / (hi - lo)) * SHADES.length))]!;
  };
  const centre = (r.grid - 1) / 2;
  const rows = [...r.cost.keys()].reverse().map((j) => r.cost[j]!.map((v, i) => (i === centre && j === centre ? 'O' : shade(v))).join(' '));
  const all = r.cost.flat();
  const min = Math.min(...finite), max = Math.max(...finite);
  const out = [
    `run ${shortId(id!)}: train cost on the plane θ + α·δ + β·η, α and β from ${-r.span} to ${r.span} (${r.grid}×${r.grid}), directions seed ${r.seed}, filter-normalised`,
    `min ${formatNumber(min)}, max ${formatNumber(max)}${all.includes(null) ? `, ${all.filter((v) => v === null).length} points not finite (×)` : ''}${r.grid % 2 === 1 ? `, at the run (O) ${cell(r.cost[centre]![centre]!)}` : ''}; shades ${JSON.stringify(SHADES)} low → high (log scale), β upwards`,
    '',
    ...rows,
  ];
  ctx.io.stdout(out.join('\n') + '\n');
  return 0;
}
