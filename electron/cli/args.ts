// Command-line option parsing shared by the subcommands: `--name value`, `--name=value` and flags, checked
// against a table so an unknown option or a missing value is a one-line usage error.

/** A mistake on the command line (exit code 2); the message names the option and the way out. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One option as the usage text shows it and the parser reads it. */
export interface OptionSpec {
  /** With the dashes: '--lr'. */
  flag: string;
  /** The value's placeholder ('X', 'FILE'); absent for a flag that takes no value. */
  metavar?: string;
  help: string;
  /** The default as shown in the usage text. */
  default?: string;
  /** A one-letter alias such as '-h'. */
  short?: string;
  /** May be given several times; every value is kept (ParsedArgs.lists). */
  repeatable?: boolean;
}

/** Options as given: flag → value (true for a flag without a value). The last occurrence wins. */
export type ParsedOptions = Map<string, string | true>;

/** Options, every value of the repeatable ones, and the arguments that are not options, in order. */
export interface ParsedArgs {
  options: ParsedOptions;
  /** Every value of each repeatable option, in the order given. */
  lists: Map<string, string[]>;
  positionals: string[];
}

/**
 * Reads argv against the option table. `command` names the subcommand in messages ("see backprop-lab train --help").
 * Without `positionals`, an argument that is not an option is a usage error; with it, such arguments (and every
 * argument after `--`) are collected. Throws UsageError for an unknown option, a missing value or a value given to
 * a flag.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string, opts: { positionals?: boolean } = {}): ParsedArgs {
  const byFlag = new Map<string, OptionSpec>();
  for (const s of specs) {
    byFlag.set(s.flag, s);
    if (s.short) byFlag.set(s.short, s);
  }
  const out: ParsedOptions = new Map();
  const lists = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (opts.positionals && arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      if (opts.positionals) {
        positionals.push(arg);
        continue;
      }
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; options start with --, see backprop-lab ${command} --help`);
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byFlag.get(name);
    if (!spec) {
      const near = closest(name, specs.map((s) => s.flag));
      throw new UsageError(`unknown option ${name}${near ? ` (did you mean ${near}?)` : ''}; see backprop-lab ${command} --help`);
    }
    if (!spec.metavar) {
      if (eq > 0) throw new UsageError(`${spec.flag} takes no value, got ${JSON.stringify(arg.slice(eq + 1))}`);
      out.set(spec.flag, true);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      // a negative number is a value (--lr -1 is reported as "must be positive"); another option is not
      if (next !== undefined && !(next.startsWith('--') && next.length > 2)) {
        value = next;
        i++;
      }
    }
    if (value === undefined) throw new UsageError(`${spec.flag} needs a value (${spec.flag} ${spec.metavar}); see backprop-lab ${command} --help`);
    out.set(spec.flag, value);
    if (spec.repeatable) (lists.get(spec.flag) ?? lists.set(spec.flag, []).get(spec.flag)!).push(value);
  }
  return { options: out, lists, positionals };
}

/** parseArgs without positionals: the options only (the last occurrence of each wins). */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedOptions {
  return parseArgs(argv, specs, command).options;
}

/** Values of a repeatable option, each split at commas, trimmed, empty ones dropped: --tag a --tag b,c → [a, b, c]. */
export function listValues(parsed: ParsedArgs, flag: string): string[] {
  return (parsed.lists.get(flag) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** A decimal number as written ("0.01", "1e-3", "-1"), or the text itself when it is not one. */
export function numberOrText(text: string): number | string {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : text;
}

/** The usage lines of an option table, aligned: `  --lr X            learning rate (default: 0.01)`. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const left = specs.map((s) => `${s.short ? `${s.short}, ` : ''}${s.flag}${s.metavar ? ` ${s.metavar}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs
    .map((s, i) => `  ${left[i]!.padEnd(width)}${s.help}${s.default !== undefined ? ` (default: ${s.default})` : ''}`)
    .join('\n');
}

/** The name nearest to a mistyped one (edit distance ≤ 2, case-insensitive), for "did you mean" (flags, sweep keys). */
export function closest(name: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
