// The lines between the parts (DESIGN.md "A thin shell around testable parts"), as an ESLint plugin that
// eslint.config.js turns on for the whole repository:
//  • engine/ is pure TypeScript: no electron, react or react-dom, no Node builtins (fs, node:…, …) or Node globals
//    (process, Buffer, …), no DOM globals, and nothing from electron/ or renderer/. A file may opt out of the Node
//    rules only, by putting `// node-only: <reason>` in its first 5 lines.
//  • Only electron/main.ts and electron/preload.ts import 'electron', anywhere in the repository.
//  • The page's code — renderer/ and the host modules it shares (PAGE_SHARED) — imports no Node builtin, and from
//    electron/ only types, except the shared modules themselves.
//  • Nothing the page loads reaches a node-only file: the page's code and every engine file not marked node-only
//    import no node-only file except for its types (so node-only-ness spreads to importers, and a browser bundle
//    never pulls in Node code).
// Every form of import counts: static imports and re-exports, side-effect imports, import(), require(),
// `import x = require()` and `import('…')` types. `no-restricted-imports` cannot read the node-only marker, resolve
// a path or see import()/require(), so these rules are written here, over ESLint's AST.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is lint/boundaries.js): paths below are relative to it. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Files allowed to import 'electron'. */
export const ELECTRON_IMPORTERS = ['electron/main.ts', 'electron/preload.ts'];
/** Host modules the renderer bundles (browser mode's client): held to the page's rules. */
export const PAGE_SHARED = ['electron/transport.ts', 'electron/preload-api.ts', 'electron/frames.ts', 'electron/limits.ts'];
const FORBIDDEN_IN_ENGINE = ['react', 'react-dom'];
const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const NODE_ONLY_MARKER = /^\s*\/\/\s*node-only:\s*\S/;
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/** `fs`, `fs/promises`, `node:anything` → true. */
export function isNodeBuiltin(specifier) {
  if (specifier.startsWith('node:')) return true;
  return NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]);
}

const isPackage = (specifier, name) => specifier === name || specifier.startsWith(name + '/');

/** True when one of the first 5 lines is `// node-only: <reason>` (the reason is required). */
export function isNodeOnly(text) {
  return text.split('\n', 5).some((l) => NODE_ONLY_MARKER.test(l));
}

/** Repository-relative path with forward slashes. */
const repoPath = (root, file) => relative(root, file).split(sep).join('/');

/** The file a relative specifier names (tries the path, then .ts/.tsx/…, then index files; `.js` → `.ts`). */
function resolveFile(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(m|c)?jsx?$/, '');
  const candidates = [base, ...SOURCE_EXTENSIONS.map((e) => stem + e), ...SOURCE_EXTENSIONS.map((e) => join(base, 'index' + e))];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * Every source file under `dirs` (repository-relative) that carries the node-only marker, for the config's
 * settings (`settings.boundaries.nodeOnly`). Whether an import is allowed depends on the file it imports, which
 * ESLint's cache does not see; the list is part of the config, so the cache is dropped whenever it changes.
 */
export function nodeOnlyFiles(dirs = ['engine', 'electron', 'renderer']) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (SOURCE_EXTENSIONS.some((e) => entry.name.endsWith(e)) && isNodeOnly(readFileSync(full, 'utf8'))) found.push(repoPath(ROOT, full));
    }
  };
  for (const d of dirs) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  return found.sort();
}

const stringValue = (node) => {
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return undefined;
};

/**
 * Calls `visit(specifier, typeOnly, node)` for every module a file names. `import { type A } from` is erased like
 * `import type`; a default or any value name is not.
 */
function moduleReferences(visit) {
  const allTypes = (specifiers, kind) => specifiers.length > 0 && specifiers.every((s) => s[kind] === 'type');
  return {
    ImportDeclaration(node) {
      visit(node.source.value, node.importKind === 'type' || allTypes(node.specifiers, 'importKind'), node);
    },
    ExportNamedDeclaration(node) {
      if (node.source) visit(node.source.value, node.exportKind === 'type' || allTypes(node.specifiers, 'exportKind'), node);
    },
    ExportAllDeclaration(node) {
      visit(node.source.value, node.exportKind === 'type', node);
    },
    ImportExpression(node) {
      const s = stringValue(node.source);
      if (s !== undefined) visit(s, false, node);
    },
    CallExpression(node) {
      if (node.callee.type !== 'Identifier' || node.callee.name !== 'require') return;
      const s = stringValue(node.arguments[0]);
      if (s !== undefined) visit(s, false, node);
    },
    TSImportEqualsDeclaration(node) {
      if (node.moduleReference.type === 'TSExternalModuleReference') {
        visit(node.moduleReference.expression.value, node.importKind === 'type', node);
      }
    },
    TSImportType(node) {
      const arg = node.source ?? node.argument ?? node.parameter;
      const s = stringValue(arg?.type === 'TSLiteralType' ? arg.literal : arg);
      if (s !== undefined) visit(s, true, node);
    },
  };
}

/** nodeOnlyFiles(), for a config without the setting. */
let scanned;

/** @type {import('eslint').Rule.RuleModule} */
const imports = {
  meta: {
    type: 'problem',
    docs: { description: 'Holds the import lines between engine/, electron/ and renderer/ (DESIGN.md)' },
    schema: [],
    messages: {
      electron: "imports '{{spec}}'; only {{importers}} may import electron — take what you need as an injected interface",
      enginePackage: "imports '{{spec}}'; the engine is pure TypeScript and must not depend on {{pkg}}",
      engineNodeBuiltin:
        "imports Node builtin '{{spec}}'; engine files run in the browser too — move it out of engine/ or mark the file with \"// node-only: <reason>\" in its first 5 lines",
      engineImportsApp: "imports '{{spec}}' from {{part}}/; the engine imports nothing from electron/ or renderer/",
      pageNodeBuiltin: "imports Node builtin '{{spec}}'; the renderer runs sandboxed in a browser — ask the host through the bridge instead",
      pageValueImportsHost:
        "imports values from '{{spec}}' (electron/); the page takes only types from the host (`import type`), or values from {{shared}}",
      reachesNodeOnly:
        "imports node-only {{target}}; {{why}} — import only its types, have a Node host inject it, or mark this file \"// node-only: <reason>\" too",
    },
  },
  create(context) {
    const root = ROOT;
    const file = repoPath(root, context.filename);
    const inEngine = file.startsWith('engine/');
    const inPage = file.startsWith('renderer/') || PAGE_SHARED.includes(file);
    const nodeOnly = isNodeOnly(context.sourceCode.text);
    /** @type {string[]} */
    const listed = context.settings.boundaries?.nodeOnly ?? (scanned ??= nodeOnlyFiles());
    return moduleReferences((spec, typeOnly, node) => {
      const report = (messageId, data = {}) => context.report({ node, messageId, data: { spec, ...data } });
      if (isPackage(spec, 'electron') && !ELECTRON_IMPORTERS.includes(file)) {
        report('electron', { importers: ELECTRON_IMPORTERS.join(' and ') });
        return;
      }
      const pkg = inEngine && FORBIDDEN_IN_ENGINE.find((p) => isPackage(spec, p));
      if (pkg) report('enginePackage', { pkg });
      if (isNodeBuiltin(spec)) {
        if (inEngine && !nodeOnly) report('engineNodeBuiltin');
        if (inPage) report('pageNodeBuiltin');
      }
      if (!spec.startsWith('.')) return;
      const target = resolveFile(context.filename, spec);
      const targetPath = repoPath(root, target ?? resolve(dirname(context.filename), spec));
      const part = targetPath.split('/')[0];
      if (inEngine && (part === 'electron' || part === 'renderer')) report('engineImportsApp', { part });
      if (typeOnly) return;
      if (inPage && part === 'electron' && !PAGE_SHARED.includes(targetPath)) {
        report('pageValueImportsHost', { shared: PAGE_SHARED.join(' and ') });
      }
      if (target && (inPage || (inEngine && !nodeOnly)) && listed.includes(targetPath)) {
        const why = inPage ? 'the page cannot run Node code' : 'an engine file that is not node-only may be loaded by the page';
        report('reachesNodeOnly', { target: targetPath, why });
      }
    });
  },
};

/** @type {import('eslint').Rule.RuleModule} */
const engineGlobals = {
  meta: {
    type: 'problem',
    docs: {
      description: 'The engine runs in browsers, Node and workers: no DOM globals, and no Node globals outside node-only files (typeof checks allowed)',
    },
    schema: [],
    messages: {
      domGlobal: "uses the DOM global '{{name}}'; the engine runs in Node and workers too and must not touch the DOM",
      nodeGlobal:
        "uses the Node global '{{name}}'; engine files run in the browser too — take the value as an argument, or mark the file with \"// node-only: <reason>\" in its first 5 lines",
    },
  },
  create(context) {
    const DOM = new Set(['window', 'document']);
    const NODE = isNodeOnly(context.sourceCode.text) ? new Set() : new Set(['process', 'Buffer', 'global', '__dirname', '__filename']);
    const GLOBAL_OBJECTS = new Set(['globalThis', 'self', 'window']);
    const propertyName = (m) => (m.computed ? stringValue(m.property) : m.property.name);
    return {
      'Program:exit'(program) {
        const scope = context.sourceCode.getScope(program);
        // References that resolve to no declaration in the file, i.e. to globals (a local `window` is not one).
        const globalRefs = [...scope.through, ...scope.variables.filter((v) => v.defs.length === 0).flatMap((v) => v.references)];
        for (const ref of globalRefs) {
          const id = ref.identifier;
          const parent = id.parent;
          if (parent.type === 'UnaryExpression' && parent.operator === 'typeof') continue;
          if (parent.type.startsWith('TS') && parent.type !== 'TSNonNullExpression' && parent.type !== 'TSAsExpression') continue;
          if (DOM.has(id.name)) {
            context.report({ node: id, messageId: 'domGlobal', data: { name: id.name } });
          } else if (NODE.has(id.name)) {
            context.report({ node: id, messageId: 'nodeGlobal', data: { name: id.name } });
          } else if (GLOBAL_OBJECTS.has(id.name) && parent.type === 'MemberExpression' && parent.object === id) {
            const name = propertyName(parent);
            if (DOM.has(name)) context.report({ node: parent, messageId: 'domGlobal', data: { name } });
            else if (NODE.has(name)) context.report({ node: parent, messageId: 'nodeGlobal', data: { name } });
          }
        }
      },
    };
  },
};

export default {
  // The version is this file's hash: ESLint's cache keys on plugin names and versions, so an edited rule re-lints.
  meta: { name: 'backprop-lab-boundaries', version: createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 12) },
  rules: { imports, 'engine-globals': engineGlobals },
};
