// The network diagram's pure parts: which units a column shows (folding a wide layer into pages), where each tile
// sits, which edges are drawn (the strongest k by |w|), how a neuron map's value becomes a colour, and which
// incoming weights a neuron's popover lists.
import type { LayerSpec, RunSnapshotEvent } from '../api';

export type NeuronMaps = NonNullable<RunSnapshotEvent['neurons']>;

/** At most this many edges a layer are drawn: the strongest by |w| among the units shown. */
export const STRONGEST_EDGES = 24;
/** A neuron's popover lists all its incoming weights up to this many, else the strongest this many by |w|. */
export const LISTED_WEIGHTS = 12;

/** The units of one column on screen: [start, end) of its units, and how many are folded away. */
export interface Fold {
  start: number;
  end: number;
  /** Units not shown (0: the whole column fits). */
  hidden: number;
  page: number;
  pages: number;
}

/**
 * A column of `units` in `fit` slots: all of them when they fit, else pages of fit − 1 units (the last slot is the
 * "… n more" control), page clamped to the pages there are.
 */
export function foldColumn(units: number, fit: number, page: number): Fold {
  const slots = Math.max(1, fit);
  if (units <= slots) return { start: 0, end: units, hidden: 0, page: 0, pages: 1 };
  const per = Math.max(1, slots - 1);
  const pages = Math.ceil(units / per);
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const start = p * per, end = Math.min(units, start + per);
  return { start, end, hidden: units - (end - start), page: p, pages };
}

export interface Edge {
  /** Source unit (column l) and target unit (column l + 1). */
  i: number;
  j: number;
  w: number;
}

/**
 * The edges to draw between the units shown of two columns: W is (nout × nin) row-major; all of them when there
 * are at most k, else the k largest by |w| (ties: the earlier unit first), strongest first.
 */
export function strongestEdges(W: ArrayLike<number>, nin: number, from: Pick<Fold, 'start' | 'end'>, to: Pick<Fold, 'start' | 'end'>, k = STRONGEST_EDGES): Edge[] {
  const all: Edge[] = [];
  for (let j = to.start; j < to.end; j++) for (let i = from.start; i < from.end; i++) all.push({ i, j, w: W[j * nin + i]! });
  all.sort((a, b) => Math.abs(b.w) - Math.abs(a.w) || a.j - b.j || a.i - b.i);
  return all.length > k ? all.slice(0, k) : all;
}

/** Tile geometry: side, gap and the margins the labels take. */
export const TILE = { size: 24, gap: 8, top: 14, bottom: 22, left: 46, right: 18 } as const;

export interface Tile {
  column: number;
  unit: number;
  x: number;
  y: number;
}

export interface DiagramLayout {
  /** How many tiles a column holds (with the fold control when it folds). */
  fit: number;
  folds: Fold[];
  tiles: Tile[];
  /** Per column: the tiles' left x, and the fold control's top y (null when the column fits). */
  columnX: number[];
  foldY: Array<number | null>;
}

/** The units of each column: the inputs, then each layer's outputs. */
export const columnWidths = (arch: readonly LayerSpec[]): number[] => (arch.length ? [arch[0]!.input_dim, ...arch.map((l) => l.output_dim)] : []);

/** Where every shown tile goes in a w × h diagram, each column folded at the page asked for. */
export function layoutDiagram(widths: readonly number[], w: number, h: number, pages: readonly number[]): DiagramLayout {
  if (w <= 0 || h <= 0) return { fit: 0, folds: [], tiles: [], columnX: [], foldY: [] }; // not laid out yet
  const { size, gap, top, bottom, left, right } = TILE;
  const fit = Math.max(2, Math.floor((h - top - bottom + gap) / (size + gap)));
  const n = widths.length;
  const span = Math.max(0, w - left - right - size);
  const columnX = widths.map((_, c) => left + (n > 1 ? (c * span) / (n - 1) : span / 2));
  const folds = widths.map((units, c) => foldColumn(units, fit, pages[c] ?? 0));
  const tiles: Tile[] = [];
  const foldY: Array<number | null> = [];
  folds.forEach((f, c) => {
    const slots = (f.end - f.start) + (f.hidden ? 1 : 0);
    const height = slots * size + (slots - 1) * gap;
    const y0 = top + Math.max(0, (h - top - bottom - height) / 2);
    for (let u = f.start; u < f.end; u++) tiles.push({ column: c, unit: u, x: columnX[c]!, y: y0 + (u - f.start) * (size + gap) });
    foldY.push(f.hidden ? y0 + (f.end - f.start) * (size + gap) : null);
  });
  return { fit, folds, tiles, columnX, foldY };
}

/**
 * A map cell's tone in −1…1 (−1 the most negative colour, 0 the background, 1 the most positive): bounded outputs on
 * their own range (tanh −1…1; sigmoid and softmax 0…1 around ½), the rest (relu, linear, the inputs) on the map's
 * largest |value|, so each shows its shape.
 */
export function mapTone(activation: string | null, q: number, scale: number): number {
  const v = (q / 127) * scale;
  if (activation === 'tanh') return clamp(v);
  if (activation === 'sigmoid' || activation === 'softmax') return clamp(2 * v - 1);
  return clamp(q / 127);
}

const clamp = (t: number) => (Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0);

/** The background blended towards pos (t > 0) or neg (t < 0) by |t|. */
export function toneRgb(t: number, bg: readonly number[], pos: readonly number[], neg: readonly number[]): [number, number, number] {
  const c = t >= 0 ? pos : neg;
  const a = Math.min(1, Math.abs(t)) * 0.9;
  return [Math.round(bg[0]! + (c[0]! - bg[0]!) * a), Math.round(bg[1]! + (c[1]! - bg[1]!) * a), Math.round(bg[2]! + (c[2]! - bg[2]!) * a)];
}

/** A unit's name: an input's feature name, else "L2·5" (layer 2, unit 5; 1-based). */
export function unitLabel(column: number, unit: number, inputs: readonly string[] | null): string {
  if (column === 0) return inputs?.[unit] ?? `x${unit + 1}`;
  return `L${column}·${unit + 1}`;
}

/** The incoming weights a popover lists: all of them in order when few, else the strongest LISTED_WEIGHTS by |w|. */
export function listedWeights(W: ArrayLike<number>, nin: number, unit: number, max = LISTED_WEIGHTS): Array<{ from: number; w: number }> {
  const row: Array<{ from: number; w: number }> = [];
  for (let i = 0; i < nin; i++) row.push({ from: i, w: W[unit * nin + i]! });
  if (row.length <= max) return row;
  return row.sort((a, b) => Math.abs(b.w) - Math.abs(a.w) || a.from - b.from).slice(0, max);
}
