// Data for the Design page: a preview of a dataset's points (at most PREVIEW_POINTS of each set) and a CSV's
// columns and errors before it is used.

import { resolveConfig } from '../../engine/config';
import { DatasetError, loadData, parseCsv, type Samples } from '../../engine/datasets/index';
import type { PointSet } from '../contract';
import type { Handlers } from './context';
import { CoreError } from './errors';

const PREVIEW_POINTS = 5000;

/** At most PREVIEW_POINTS points, evenly strided, as plain arrays. */
function points(s: Samples): PointSet {
  const stride = Math.max(1, Math.ceil(s.n / PREVIEW_POINTS));
  const X: number[] = [], y: number[] = [];
  for (let i = 0; i < s.n; i += stride) {
    for (let f = 0; f < s.features; f++) X.push(s.X[i * s.features + f]!);
    y.push(s.y[i]!);
  }
  return { X, y, n: y.length };
}

/** The header row's names (RFC 4180 quotes), for the CSV dialog even when the file has errors further down. */
function csvHeader(text: string): string[] {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /[\r\n]/.test(text[i]!)) i++;
  const out: string[] = [];
  let field = '', quoted = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') (quoted = true), (field = '');
    else if (c === ',') out.push(field.trim()), (field = '');
    else if (c === '\n' || c === '\r') break;
    else field += c;
    if (out.length > 10_000) break;
  }
  out.push(field.trim());
  return out.length === 1 && out[0] === '' ? [] : out;
}

export function dataHandlers(): Pick<Handlers, 'data.preview' | 'data.parseCsv'> {
  return {
    'data.preview': (p) => {
      const data = { ...p.data };
      if (data.kind === 'csv' && !data.csv?.path) data.csv = { path: 'data.csv', ...(data.csv ?? {}) };
      const spec = resolveConfig({ data } as Parameters<typeof resolveConfig>[0]).data;
      if (spec.kind === 'csv' && p.csvText === undefined) throw new CoreError('invalid_config', 'data.kind is csv but no csvText was sent; load the CSV file first');
      const loaded = loadData(spec, p.csvText);
      // a run with input features is previewed in its input plane: the two columns the features are computed from
      const split = loaded.columns ? { ...loaded, ...loaded.columns, features: 2, featureNames: ['x1', 'x2'] } : loaded;
      const range: Array<[number, number]> = [];
      for (let f = 0; f < split.features; f++) {
        let lo = Infinity, hi = -Infinity;
        for (const s of [split.train, split.test]) for (let i = 0; i < s.n; i++) {
          const v = s.X[i * s.features + f]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        range.push(lo <= hi ? [lo, hi] : [0, 0]);
      }
      return {
        features: split.features,
        classes: split.classes,
        featureNames: split.featureNames,
        classNames: split.classNames,
        train: points(split.train),
        test: points(split.test),
        totalTrain: split.train.n,
        totalTest: split.test.n,
        range,
      };
    },
    'data.parseCsv': (p) => {
      const columns = csvHeader(p.text);
      try {
        const d = parseCsv(p.text, { ...(p.labelColumn ? { labelColumn: p.labelColumn } : {}) });
        return {
          ok: true,
          columns,
          labelColumn: p.labelColumn ?? columns[columns.length - 1] ?? null,
          rows: d.samples.n,
          featureNames: d.featureNames,
          classNames: d.classNames,
          errors: [],
        };
      } catch (e) {
        if (!(e instanceof DatasetError)) throw e;
        return { ok: false, columns, labelColumn: null, rows: 0, featureNames: [], classNames: [], errors: [e.message] };
      }
    },
  };
}
