// The lines between the parts, as a checker over source text (see DESIGN.md "A thin shell around testable parts"):
//  • engine/ is pure TypeScript: no electron, react or react-dom, no Node builtins (fs, node:…, …), no DOM globals,
//    and nothing from electron/ or renderer/. A file may opt out of the Node-builtin rule only, by putting
//    `// node-only: <reason>` in its first 5 lines.
//  • Only electron/main.ts and electron/preload.ts import 'electron', anywhere in the repository.
//  • renderer/ imports no Node builtin, and reaches no node-only engine file through its imports.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

export type Rule =
  | 'engine-forbidden-package'
  | 'engine-node-builtin'
  | 'engine-dom-global'
  | 'engine-imports-app'
  | 'electron-import'
  | 'renderer-node-builtin'
  | 'renderer-reaches-node-only';

export interface Violation {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  rule: Rule;
  message: string;
}

/** A source file: its repository-relative path (forward slashes) and text. */
export interface SourceFile {
  path: string;
  text: string;
}

export interface ImportRef {
  specifier: string;
  /** `import type …` / `export type … from`: erased at build time. */
  typeOnly: boolean;
  line: number;
}

/** Files allowed to import 'electron'. */
export const ELECTRON_IMPORTERS = ['electron/main.ts', 'electron/preload.ts'];
const FORBIDDEN_IN_ENGINE = ['react', 'react-dom'];
const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const NODE_ONLY_MARKER = /^\s*\/\/\s*node-only:\s*\S/;

/** `fs`, `fs/promises`, `node:anything` → true. */
export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]!);
}

const isPackage = (specifier: string, name: string) => specifier === name || specifier.startsWith(name + '/');

/** True when one of the first 5 lines is `// node-only: <reason>` (the reason is required). */
export function isNodeOnly(text: string): boolean {
  return text.split('\n', 5).some((l) => NODE_ONLY_MARKER.test(l));
}

/**
 * Blanks out comments (and, with `strings`, the contents of string and template literals and regex literals),
 * keeping every newline and the length, so positions and line numbers still match the original text.
 */
export function blank(text: string, strings: boolean): string {
  const out = text.split('');
  const wipe = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  let lastSignificant = ''; // last non-space code character, to tell a regex literal from a division
  let lastWord = '';
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      wipe(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      wipe(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && text[j] !== c) {
        if (text[j] === '\\') j++;
        else if (c !== '`' && text[j] === '\n') break; // unterminated: stop at the line end
        j++;
      }
      if (strings) wipe(i + 1, Math.min(j, n));
      i = j + 1;
      lastSignificant = c;
      lastWord = '';
    } else if (c === '/' && (lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant) || ['return', 'typeof', 'case', 'in', 'of', 'void', 'yield', 'await'].includes(lastWord))) {
      // A regex literal: skip to its closing slash (outside any [class]).
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        const d = text[j];
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      if (strings) wipe(i + 1, Math.min(j, n));
      i = j + 1;
      lastSignificant = '/';
      lastWord = '';
    } else {
      if (!/\s/.test(c)) {
        lastSignificant = c;
        if (/[\w$]/.test(c)) {
          let j = i;
          while (j < n && /[\w$]/.test(text[j]!)) j++;
          lastWord = text.slice(i, j);
          lastSignificant = text[j - 1]!;
          i = j;
          continue;
        }
        lastWord = '';
      }
      i++;
    }
  }
  return out.join('');
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/**
 * Every module specifier a file names: static imports and re-exports, side-effect imports, import() and require().
 * The patterns run over the text with comments and string contents blanked (so an import written inside a string
 * or a comment is not one); the specifier is then read from the original text at the same offsets.
 */
export function findImports(text: string): ImportRef[] {
  const code = blank(text, true);
  const refs: ImportRef[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?<type>type\s+)?(?<clause>[\w$*\s{},]*?)\s*\bfrom\s*(['"])(?<spec>[^'"\n]*)\3/dg,
    /\bimport\s*(['"])(?<spec>[^'"\n]*)\1/dg,
    /\b(?:import|require)\s*\(\s*(['"])(?<spec>[^'"\n]*)\1\s*\)/dg,
  ];
  for (const re of patterns) {
    for (let m = re.exec(code); m; m = re.exec(code)) {
      const [from, to] = m.indices!.groups!['spec']!;
      const clause = m.groups?.['clause']?.trim() ?? '';
      // `import { type A, type B } from` is erased like `import type`; a default or any value name is not.
      const braces = /^\{([^}]*)\}$/.exec(clause);
      const inlineTypes = !!braces && braces[1]!.split(',').map((x) => x.trim()).filter(Boolean).every((x) => x.startsWith('type '));
      refs.push({ specifier: text.slice(from, to), typeOnly: !!m.groups?.['type'] || inlineTypes, line: lineAt(code, m.index) });
    }
  }
  return refs.sort((a, b) => a.line - b.line);
}

/** Uses of `document` or `window` as objects (`document.x`, `window[…]`, `globalThis.window`); `typeof window` is allowed. */
export function findDomGlobals(text: string): Array<{ name: string; line: number }> {
  const code = blank(text, true);
  const hits: Array<{ name: string; line: number }> = [];
  const re = /(?<![.\w$])(document|window)\s*(?:\?\.|\.|\[)|\bglobalThis\s*(?:\?\.|\.)\s*(document|window)\b/g;
  for (let m = re.exec(code); m; m = re.exec(code)) hits.push({ name: (m[1] ?? m[2])!, line: lineAt(code, m.index) });
  return hits;
}

/** Resolves a relative specifier to a file among `files` (tries .ts, .tsx, /index.ts, and .js → .ts). */
function resolveRelative(from: string, specifier: string, files: Map<string, SourceFile>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = join(dirname(from), specifier).split(sep).join('/');
  const stem = base.replace(/\.(m|c)?js$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** Applies every rule to a set of files (paths relative to the repository root). */
export function checkBoundaries(sources: SourceFile[]): Violation[] {
  const files = new Map(sources.map((f) => [f.path, f]));
  const violations: Violation[] = [];
  const add = (file: string, line: number, rule: Rule, message: string) => violations.push({ file, line, rule, message });

  for (const f of sources) {
    const inEngine = f.path.startsWith('engine/');
    const inRenderer = f.path.startsWith('renderer/');
    const nodeOnly = isNodeOnly(f.text);
    for (const ref of findImports(f.text)) {
      const s = ref.specifier;
      if (isPackage(s, 'electron') && !ELECTRON_IMPORTERS.includes(f.path)) {
        add(f.path, ref.line, 'electron-import', `imports '${s}'; only ${ELECTRON_IMPORTERS.join(' and ')} may import electron — take what you need as an injected interface`);
      }
      if (inEngine) {
        // electron itself is reported once, as electron-import, above.
        const pkg = FORBIDDEN_IN_ENGINE.find((p) => isPackage(s, p));
        if (pkg) {
          add(f.path, ref.line, 'engine-forbidden-package', `imports '${s}'; the engine is pure TypeScript and must not depend on ${pkg}`);
        } else if (isNodeBuiltin(s) && !nodeOnly) {
          add(f.path, ref.line, 'engine-node-builtin', `imports Node builtin '${s}'; engine files run in the browser too — move it out of engine/ or mark the file with "// node-only: <reason>" in its first 5 lines`);
        }
        const target = resolveRelative(f.path, s, files);
        const resolved = target ?? (s.startsWith('.') ? join(dirname(f.path), s).split(sep).join('/') : '');
        if (resolved.startsWith('electron/') || resolved.startsWith('renderer/')) {
          add(f.path, ref.line, 'engine-imports-app', `imports '${s}' from ${resolved.split('/')[0]}/; the engine imports nothing from electron/ or renderer/`);
        }
      }
      if (inRenderer && isNodeBuiltin(s)) {
        add(f.path, ref.line, 'renderer-node-builtin', `imports Node builtin '${s}'; the renderer runs sandboxed in a browser — ask the host through the bridge instead`);
      }
    }
    if (inEngine) {
      for (const hit of findDomGlobals(f.text)) {
        add(f.path, hit.line, 'engine-dom-global', `uses the DOM global '${hit.name}'; the engine runs in Node and workers too and must not touch the DOM`);
      }
    }
  }

  // renderer/ → (value imports, transitively) → a node-only file would put Node code into the page.
  for (const f of sources.filter((s) => s.path.startsWith('renderer/'))) {
    const seen = new Set<string>([f.path]);
    const queue: Array<{ path: string; via: string[] }> = [{ path: f.path, via: [] }];
    while (queue.length) {
      const { path, via } = queue.shift()!;
      for (const ref of findImports(files.get(path)!.text)) {
        if (ref.typeOnly) continue;
        const target = resolveRelative(path, ref.specifier, files);
        if (!target || seen.has(target)) continue;
        seen.add(target);
        const chain = [...via, target];
        if (isNodeOnly(files.get(target)!.text)) {
          add(f.path, 1, 'renderer-reaches-node-only', `reaches node-only ${target} through ${chain.join(' → ')}; the page cannot run Node code`);
        } else {
          queue.push({ path: target, via: chain });
        }
      }
    }
  }
  return violations;
}

const SCANNED_DIRS = ['engine', 'electron', 'renderer', 'test', 'scripts', 'bin'];
const SCANNED_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;

/** Reads every source file under the scanned top-level folders (test fixtures and build output excluded). */
export function readRepository(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (SCANNED_EXT.test(name)) files.push({ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  for (const d of SCANNED_DIRS) if (existsSync(resolve(root, d))) walk(resolve(root, d));
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
