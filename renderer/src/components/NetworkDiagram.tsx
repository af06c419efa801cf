// The network as TensorFlow Playground draws it: each input and unit a small heatmap of its output over the input
// plane (the snapshot's neuron maps), edges coloured by sign with width ∝ |w|. A layer taller than the diagram folds
// into pages ("… 58 more"), and at most the STRONGEST_EDGES strongest edges a layer are drawn, so a 2-256-256-256-1
// network draws as fast as a small one. Hovering a neuron enlarges its map and lists its incoming weights and bias;
// a click pins that. The canvas redraws only while on screen, at most four times a second.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LayerSpec, SnapshotParam } from '../api';
import { columnWidths, layoutDiagram, listedWeights, mapTone, strongestEdges, STRONGEST_EDGES, TILE, toneRgb, unitLabel, type DiagramLayout, type NeuronMaps } from '../lib/diagram';
import { useCoalescedDraw } from '../lib/draw-scheduler';
import { fmtInt, fmtVal } from '../lib/format';
import { palette, type Palette } from '../lib/theme';
import '../styles/diagram.css';
import { sizedContext } from '../lib/canvas';

interface Props {
  architecture: LayerSpec[];
  weights: SnapshotParam[] | null;
  neurons?: NeuronMaps | null;
  theme: string;
}

type Sel = { column: number; unit: number };

// memo: the Train page re-renders with every metrics batch; the diagram changes only with a snapshot or the theme
export const NetworkDiagram = memo(function NetworkDiagram(props: Props) {
  // another architecture: a fresh diagram (first page of every column, nothing selected)
  return <Diagram key={columnWidths(props.architecture).join('-')} {...props} />;
});

function Diagram({ architecture, weights, neurons = null, theme }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const draws = useRef(0);
  const [size, setSize] = useState<[number, number]>([0, 0]);
  const [pages, setPages] = useState<number[]>([]);
  const [hover, setHover] = useState<Sel | null>(null);
  const [pinned, setPinned] = useState<Sel | null>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize([el.clientWidth, el.clientHeight]));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const widths = useMemo(() => columnWidths(architecture), [architecture]);
  const layout = useMemo(() => layoutDiagram(widths, size[0], size[1], pages), [widths, size, pages]);
  // a shape mismatch (a stale snapshot of another architecture) draws no weights and no maps
  const Ws = useMemo(() => fittingWeights(architecture, weights), [architecture, weights]);
  const maps = neurons && neurons.columns.length === widths.length ? neurons : null;

  const draw = useCallback(() => {
    const el = canvas.current;
    const [w, h] = size;
    if (!el || w === 0 || h === 0) return;
    const edges = drawDiagram(el, w, h, layout, architecture, Ws, maps);
    draws.current++;
    // what the browser tests read: how often it drew, and how many edges the last picture has
    el.dataset.draws = String(draws.current);
    el.dataset.edges = String(edges);
  }, [size, layout, architecture, Ws, maps]);
  const request = useCoalescedDraw(box, draw);
  useEffect(() => request(), [request, draw, theme]);

  useEffect(() => {
    if (!pinned) return;
    // Escape closes the pinned popover and only that: caught in the capture phase, before the page's Esc (stop the run)
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      setPinned(null);
      setHover(null);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [pinned]);

  const turn = (c: number, by: number) => {
    const f = layout.folds[c]!;
    // a popover of a unit paged away goes with it
    setPinned((p) => (p && p.column === c ? null : p));
    setHover(null);
    setPages((p) => {
      const next = [...p];
      next[c] = (f.page + by + f.pages) % f.pages;
      return next;
    });
  };

  const shown = pinned ?? hover;
  const thinned = Ws !== null && layout.folds.some((f, c) => c > 0 && (layout.folds[c - 1]!.end - layout.folds[c - 1]!.start) * (f.end - f.start) > STRONGEST_EDGES);
  const folded = layout.folds.some((f) => f.hidden > 0);
  // columns closer than "‹ … 44 more ›" is wide: "‹ +44 ›"
  const compact = layout.columnX.length > 1 && layout.columnX[1]! - layout.columnX[0]! < 120;
  return (
    <div className="diagram" ref={box} data-testid="diagram">
      <canvas ref={canvas} className="network" data-testid="network-diagram" data-weighted={Ws ? 'yes' : 'no'} data-maps={maps ? 'yes' : 'no'} role="img" aria-label="network diagram: each neuron's output over the input plane; edge width is |w|, colour its sign" />
      {layout.tiles.map((t) => (
        <button
          key={`${t.column}:${t.unit}`}
          type="button"
          className={`neuron-hit${pinned && pinned.column === t.column && pinned.unit === t.unit ? ' pinned' : ''}`}
          style={{ left: t.x, top: t.y, width: TILE.size, height: TILE.size }}
          data-testid={`neuron-${t.column}-${t.unit}`}
          aria-label={describe(t.column, t.unit, architecture, maps)}
          onMouseEnter={() => setHover({ column: t.column, unit: t.unit })}
          onMouseLeave={() => setHover(null)}
          onFocus={() => setHover({ column: t.column, unit: t.unit })}
          onBlur={() => setHover(null)}
          onClick={() => setPinned((p) => (p && p.column === t.column && p.unit === t.unit ? null : { column: t.column, unit: t.unit }))}
        />
      ))}
      {layout.folds.map((f, c) =>
        f.hidden > 0 ? (
          <div key={c} className="fold" style={{ left: layout.columnX[c]! + TILE.size / 2, top: layout.foldY[c]! }} data-testid={`fold-${c}`} data-start={f.start} data-end={f.end} data-hidden={f.hidden}>
            <button type="button" className="fold-turn" data-testid={`fold-prev-${c}`} aria-label={`previous units of ${columnName(c)}`} onClick={() => turn(c, -1)}>
              ‹
            </button>
            <span className="fold-more" title={`units ${fmtInt(f.start + 1)}–${fmtInt(f.end)} of ${fmtInt(widths[c]!)} shown; ${fmtInt(f.hidden)} more`}>
              {compact ? `+${fmtInt(f.hidden)}` : `… ${fmtInt(f.hidden)} more`}
            </span>
            <button type="button" className="fold-turn" data-testid={`fold-next-${c}`} aria-label={`next units of ${columnName(c)}`} onClick={() => turn(c, 1)}>
              ›
            </button>
          </div>
        ) : null,
      )}
      {shown && <NeuronPopover at={shown} layout={layout} width={size[0]} height={size[1]} architecture={architecture} Ws={Ws} maps={maps} pinned={pinned !== null} theme={theme} onClose={() => setPinned(null)} />}
      <div className="diagram-legend small muted" data-testid="diagram-legend">
        <span>
          neuron: its output over the input plane, <span className="pos">high</span> / <span className="neg">low</span>
        </span>
        <span>
          edge width ∝ |w| · <span className="pos">positive</span> / <span className="neg">negative</span>
        </span>
        {thinned && <span data-testid="edges-thinned">strongest {STRONGEST_EDGES} edges a layer by |w|</span>}
        {folded && <span>‹ › pages a wide layer</span>}
      </div>
    </div>
  );
}

const columnName = (c: number) => (c === 0 ? 'the inputs' : `layer ${c}`);

function describe(column: number, unit: number, arch: readonly LayerSpec[], maps: NeuronMaps | null): string {
  if (column === 0) return `input ${unitLabel(0, unit, maps?.inputs ?? null)}`;
  return `layer ${column}, unit ${unit + 1} (${arch[column - 1]?.activation ?? ''})`;
}

/** The W of each layer when the weights fit the architecture, else null. */
function fittingWeights(arch: readonly LayerSpec[], weights: SnapshotParam[] | null): { W: SnapshotParam[]; b: SnapshotParam[] } | null {
  if (!weights) return null;
  const W = weights.filter((q) => q.name.startsWith('W'));
  const b = weights.filter((q) => q.name.startsWith('b'));
  const fits = W.length === arch.length && b.length === arch.length && arch.every((l, i) => W[i]!.rows === l.output_dim && W[i]!.cols === l.input_dim);
  return fits ? { W, b } : null;
}

function rgbOf(color: string): [number, number, number] {
  const h = color.trim().replace('#', '');
  const n = parseInt(h.length === 3 ? h.split('').map((c) => c + c).join('') : h.slice(0, 6), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A column's activation: null for the inputs. */
const activationOf = (arch: readonly LayerSpec[], column: number) => (column === 0 ? null : (arch[column - 1]?.activation ?? null));

/** Paints unit u's map of column c into a size×size ImageData (row 0 of the map is the bottom of the plane). */
function paintMap(img: ImageData, maps: NeuronMaps, column: number, unit: number, activation: string | null, colors: { bg: number[]; pos: number[]; neg: number[] }): void {
  const s = maps.size;
  const col = maps.columns[column]!;
  const scale = col.scale[unit]!;
  const base = unit * s * s;
  for (let r = 0; r < s; r++) {
    const src = base + (s - 1 - r) * s;
    for (let c = 0; c < s; c++) {
      const [R, G, B] = toneRgb(mapTone(activation, col.q[src + c]!, scale), colors.bg, colors.pos, colors.neg);
      const o = (r * s + c) * 4;
      img.data[o] = R;
      img.data[o + 1] = G;
      img.data[o + 2] = B;
      img.data[o + 3] = 255;
    }
  }
}

/** Draws the edges, the tiles and the labels; returns how many edges it drew. */
function drawDiagram(el: HTMLCanvasElement, w: number, h: number, layout: DiagramLayout, arch: readonly LayerSpec[], Ws: { W: SnapshotParam[] } | null, maps: NeuronMaps | null): number {
  const ctx = sizedContext(el, w, h);
  const p = palette();
  const T = TILE.size;
  const at = new Map<string, { x: number; y: number }>();
  for (const t of layout.tiles) at.set(`${t.column}:${t.unit}`, t);
  const edges = drawEdges(ctx, layout, arch, Ws, at, p);

  const colors = { bg: rgbOf(p.card), pos: rgbOf(p.pos), neg: rgbOf(p.neg) };
  const off = maps ? document.createElement('canvas') : null;
  const img = maps ? new ImageData(maps.size, maps.size) : null;
  if (off) off.width = off.height = maps!.size;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  for (const t of layout.tiles) {
    const hasMap = maps && t.unit < maps.columns[t.column]!.units;
    if (hasMap) {
      paintMap(img!, maps, t.column, t.unit, activationOf(arch, t.column), colors);
      off!.getContext('2d')!.putImageData(img!, 0, 0);
      ctx.drawImage(off!, t.x, t.y, T, T);
    } else {
      ctx.fillStyle = p.card;
      ctx.fillRect(t.x, t.y, T, T);
    }
    ctx.strokeStyle = p.muted;
    ctx.globalAlpha = hasMap ? 0.45 : 0.8;
    ctx.lineWidth = 1;
    ctx.strokeRect(t.x + 0.5, t.y + 0.5, T - 1, T - 1);
    ctx.globalAlpha = 1;
  }

  ctx.fillStyle = p.muted;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of layout.tiles) if (t.column === 0) ctx.fillText(truncate(unitLabel(0, t.unit, maps?.inputs ?? null), 8), t.x - 4, t.y + T / 2);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  const widths = columnWidths(arch);
  layout.columnX.forEach((x, c) => ctx.fillText(c === 0 ? `in ${fmtInt(widths[c]!)}` : `${fmtInt(widths[c]!)} ${arch[c - 1]!.activation}`, x + T / 2, h - 6));
  return edges;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function drawEdges(ctx: CanvasRenderingContext2D, layout: DiagramLayout, arch: readonly LayerSpec[], Ws: { W: SnapshotParam[] } | null, at: Map<string, { x: number; y: number }>, p: Palette): number {
  const T = TILE.size;
  let drawn = 0;
  const curve = (i: number, l: number, j: number) => {
    const a = at.get(`${l}:${i}`)!, b = at.get(`${l + 1}:${j}`)!;
    const x0 = a.x + T, y0 = a.y + T / 2, x1 = b.x, y1 = b.y + T / 2;
    const mx = (x0 + x1) / 2;
    ctx.moveTo(x0, y0);
    ctx.bezierCurveTo(mx, y0, mx, y1, x1, y1);
  };
  for (let l = 0; l < arch.length; l++) {
    const from = layout.folds[l]!, to = layout.folds[l + 1]!;
    if (!Ws) {
      ctx.strokeStyle = p.line;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let j = to.start; j < to.end; j++) for (let i = from.start; i < from.end; i++) curve(i, l, j);
      ctx.stroke();
      drawn += (to.end - to.start) * (from.end - from.start);
      continue;
    }
    const W = Ws.W[l]!;
    // scaled per layer over all its weights (shown or not): a wide layer's small weights would vanish beside a narrow one's
    let maxAbs = 0;
    for (let k = 0; k < W.data.length; k++) maxAbs = Math.max(maxAbs, Math.abs(W.data[k]!));
    if (maxAbs === 0) continue;
    // weakest first, so strong edges lie on top
    const edges = strongestEdges(W.data, W.cols, from, to).reverse();
    for (const e of edges) {
      const s = Math.abs(e.w) / maxAbs;
      ctx.strokeStyle = e.w >= 0 ? p.pos : p.neg;
      ctx.globalAlpha = 0.15 + 0.75 * s;
      ctx.lineWidth = 0.5 + 3.5 * s;
      ctx.beginPath();
      curve(e.i, l, e.j);
      ctx.stroke();
    }
    drawn += edges.length;
    ctx.globalAlpha = 1;
  }
  return drawn;
}

/**
 * Where a popover of popW × popH goes: beside the tile on whichever side has room, centred on it but inside the
 * diagram's height; with room on neither side, under the tile (over it when there is no room below either).
 */
function popoverPlace(tile: { x: number; y: number }, popW: number, popH: number, width: number, height: number): { left: number; top: number; popW: number } {
  const T = TILE.size;
  if (tile.x + T + 10 + popW <= width || tile.x - 10 - popW >= 0) {
    const left = tile.x + T + 10 + popW <= width ? tile.x + T + 10 : tile.x - 10 - popW;
    return { left, top: Math.max(0, Math.min(tile.y + T / 2 - popH / 2, height - popH)), popW };
  }
  const left = Math.max(0, Math.min(tile.x + T / 2 - popW / 2, width - popW));
  const below = tile.y + T + 8;
  return { left, top: below + popH <= height + TILE.bottom ? below : Math.max(0, tile.y - 8 - popH), popW };
}

/** The enlarged map of one neuron, its bias and its incoming weights (the strongest when there are many). */
function NeuronPopover({
  at,
  layout,
  width,
  height,
  architecture,
  Ws,
  maps,
  pinned,
  theme,
  onClose,
}: {
  at: Sel;
  layout: DiagramLayout;
  width: number;
  height: number;
  architecture: LayerSpec[];
  Ws: { W: SnapshotParam[]; b: SnapshotParam[] } | null;
  maps: NeuronMaps | null;
  pinned: boolean;
  theme: string;
  onClose: () => void;
}) {
  const big = useRef<HTMLCanvasElement>(null);
  const tile = layout.tiles.find((t) => t.column === at.column && t.unit === at.unit);
  const activation = activationOf(architecture, at.column);
  const hasMap = maps !== null && at.unit < (maps.columns[at.column]?.units ?? 0);

  useEffect(() => {
    const el = big.current;
    if (!el || !maps || !hasMap) return;
    const p = palette();
    const img = new ImageData(maps.size, maps.size);
    paintMap(img, maps, at.column, at.unit, activation, { bg: rgbOf(p.card), pos: rgbOf(p.pos), neg: rgbOf(p.neg) });
    el.width = el.height = maps.size;
    el.getContext('2d')!.putImageData(img, 0, 0);
  }, [maps, hasMap, at.column, at.unit, activation, theme]);

  if (!tile) return null;
  const nin = at.column > 0 ? architecture[at.column - 1]!.input_dim : 0;
  const W = at.column > 0 && Ws ? Ws.W[at.column - 1]! : null;
  const bias = at.column > 0 && Ws ? Ws.b[at.column - 1]!.data[at.unit]! : null;
  const listed = W ? listedWeights(W.data, nin, at.unit) : [];
  const maxAbs = listed.reduce((m, e) => Math.max(m, Math.abs(e.w)), 0) || 1;
  const title = at.column === 0 ? `Input ${unitLabel(0, at.unit, maps?.inputs ?? null)}` : `Layer ${at.column} · unit ${at.unit + 1}`;
  const { left, top, popW } = popoverPlace(tile, at.column === 0 ? 166 : 330, 44 + Math.max(146, 20 + 16 * listed.length), width, height);
  return (
    <div className={`neuron-pop${pinned ? ' pinned' : ''}`} style={{ left, top, width: popW }} data-testid="neuron-popover" role={pinned ? 'dialog' : 'tooltip'} aria-label={title}>
      <div className="neuron-pop-head">
        <strong>{title}</strong>
        {activation && <span className="muted small">{activation}</span>}
        {pinned && (
          <button type="button" className="neuron-pop-close" data-testid="neuron-popover-close" aria-label="close" onClick={onClose}>
            ×
          </button>
        )}
      </div>
      <div className="neuron-pop-body">
        <div className="neuron-pop-map">
          {hasMap ? (
            <canvas ref={big} className="neuron-map" data-testid="neuron-map" />
          ) : (
            <div className="neuron-map empty muted small">{maps ? `maps come for a layer's first ${maps.columns[at.column]?.units ?? 0} units` : 'maps come with a training run’s snapshots'}</div>
          )}
          {bias !== null && (
            <div className="neuron-bias small">
              bias <span className="tnum" data-testid="neuron-bias">{fmtVal(bias)}</span>
            </div>
          )}
          {at.column === 0 && <div className="muted small">this input over the plane</div>}
        </div>
        {at.column > 0 && (
          <div className="neuron-pop-weights">
            {W ? (
              <>
                <div className="muted small">{listed.length < nin ? `incoming weights: the strongest ${listed.length} of ${fmtInt(nin)} by |w|` : `incoming weights (${nin})`}</div>
                <ul className="neuron-weights" data-testid="neuron-weights">
                  {listed.map((e) => (
                    <li key={e.from} data-testid="neuron-weight" data-from={e.from} data-value={String(e.w)}>
                      <span className="neuron-w-from">{unitLabel(at.column - 1, e.from, maps?.inputs ?? null)}</span>
                      <span className="neuron-w-bar">
                        <i className={e.w >= 0 ? 'pos' : 'neg'} style={{ width: `${(100 * Math.abs(e.w)) / maxAbs}%` }} />
                      </span>
                      <span className="neuron-w-val tnum">{fmtVal(e.w)}</span>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <div className="muted small">Weights appear once the run trains.</div>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
