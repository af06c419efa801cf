// The decision boundary as a heatmap of the host's snapshot grid, with the train (filled) and test (ringed)
// points over it. Without a grid it is the dataset's scatter preview. A click picks an input point.
// Regression data (classes 0): the heatmap of the prediction, points coloured by their target on the same scale.
// Data with more than two features: drawn in a plane (the grid's, else the `plane` given), points projected on it.
import { useCallback, useEffect, useRef } from 'react';
import type { Plane } from '../../../engine/datasets/plane';
import type { BoundaryGrid, DataPreview } from '../api';
import { planeRange, projectPoints, targetRange } from '../lib/data-views';
import { palette, type Palette } from '../lib/theme';
import { sizedContext, useWidth } from '../lib/canvas';
import { useCoalescedDraw } from '../lib/draw-scheduler';

export interface Bounds {
  x: [number, number];
  y: [number, number];
}

/** The area to draw: the grid's, else the data's range (in the plane, when drawn in one) with a margin. */
export function boundsOf(grid: BoundaryGrid | null, data: DataPreview | null, plane: Plane | null = null): Bounds {
  if (grid) return { x: grid.x, y: grid.y };
  const r = data && plane && data.features > 2 ? planeRange(data, plane) : data?.range;
  if (r && r.length >= 2) {
    const pad = (a: [number, number]): [number, number] => {
      const m = (a[1] - a[0]) * 0.08 || 1;
      return [a[0] - m, a[1] + m];
    };
    return { x: pad(r[0]!), y: pad(r[1]!) };
  }
  return { x: [-1.5, 2.5], y: [-1, 1.5] };
}

/** Class k's colour: the theme's two class colours, then the distinct series colours after the first two (which are alike). */
export function classColor(p: Palette, k: number): [number, number, number] {
  if (k === 0) return p.class0;
  if (k === 1) return p.class1;
  const hex = p.series[2 + ((k - 2) % (p.series.length - 2))]!;
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A regression value's colour: class 0's colour at the low end through the background to class 1's at the high end. */
export function valueColor(p: Palette, t: number, strength = 1): [number, number, number] {
  const bg = hexRgb(p.card);
  const u = Math.min(1, Math.max(0, t));
  const col = u >= 0.5 ? p.class1 : p.class0;
  const a = Math.abs(u - 0.5) * 2 * strength;
  return [bg[0] + (col[0] - bg[0]) * a, bg[1] + (col[1] - bg[1]) * a, bg[2] + (col[2] - bg[2]) * a];
}

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.replace('#', '').slice(0, 6), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function drawGrid(ctx: CanvasRenderingContext2D, grid: BoundaryGrid, w: number, h: number, p: Palette, scale: [number, number] | null): void {
  const { size, values } = grid;
  const img = new ImageData(size, size);
  const bg = hexRgb(p.card);
  for (let r = 0; r < size; r++) {
    const src = (size - 1 - r) * size; // values are y-major from y[0] (bottom); canvas rows go top-down
    for (let c = 0; c < size; c++) {
      const v = values[src + c] ?? NaN;
      let col: [number, number, number], strength: number;
      if (scale) {
        // regression: the prediction on the targets' scale
        const t = (v - scale[0]) / (scale[1] - scale[0]);
        col = t >= 0.5 ? p.class1 : p.class0;
        strength = Number.isFinite(v) ? Math.min(1, Math.abs(t - 0.5) * 2) : 0;
      } else if (grid.kind === 'probability') {
        col = v >= 0.5 ? p.class1 : p.class0;
        strength = Number.isFinite(v) ? Math.min(1, Math.abs(v - 0.5) * 2) : 0;
      } else {
        col = classColor(p, v);
        strength = grid.confidence?.[src + c] ?? 1;
      }
      const a = scale ? 0.9 * strength : 0.1 + 0.4 * strength;
      const o = (r * size + c) * 4;
      img.data[o] = bg[0] + (col[0] - bg[0]) * a;
      img.data[o + 1] = bg[1] + (col[1] - bg[1]) * a;
      img.data[o + 2] = bg[2] + (col[2] - bg[2]) * a;
      img.data[o + 3] = 255;
    }
  }
  const off = document.createElement('canvas');
  off.width = size;
  off.height = size;
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(off, 0, 0, w, h);
  // the 0.5 contour by marching squares over the cell centres, with linear interpolation along each edge
  if (grid.kind === 'probability' && !scale) {
    const cw = w / size, ch = h / size;
    const v = (r: number, c: number) => values[r * size + c] ?? 0; // r from the bottom
    const X = (c: number) => (c + 0.5) * cw;
    const Y = (r: number) => h - (r + 0.5) * ch;
    const t = (a: number, b: number) => (a === b ? 0.5 : (0.5 - a) / (b - a));
    ctx.strokeStyle = p.fg;
    ctx.globalAlpha = 0.6;
    ctx.lineWidth = 1.4;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    for (let r = 0; r + 1 < size; r++) {
      for (let c = 0; c + 1 < size; c++) {
        const a = v(r, c), b = v(r, c + 1), d = v(r + 1, c + 1), e = v(r + 1, c);
        const pts: Array<[number, number]> = [];
        if (a >= 0.5 !== b >= 0.5) pts.push([X(c) + t(a, b) * cw, Y(r)]);
        if (b >= 0.5 !== d >= 0.5) pts.push([X(c + 1), Y(r) - t(b, d) * ch]);
        if (e >= 0.5 !== d >= 0.5) pts.push([X(c) + t(e, d) * cw, Y(r + 1)]);
        if (a >= 0.5 !== e >= 0.5) pts.push([X(c), Y(r) - t(a, e) * ch]);
        for (let k = 0; k + 1 < pts.length; k += 2) {
          ctx.moveTo(pts[k]![0], pts[k]![1]);
          ctx.lineTo(pts[k + 1]![0], pts[k + 1]![1]);
        }
      }
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
}

/** The train (filled) and test (ringed) points, at (sx, sy) of their coordinates, in the plane when drawn in one. */
function drawPoints(ctx: CanvasRenderingContext2D, data: DataPreview, plane: Plane | null, scale: [number, number] | null, p: Palette, sx: (x: number) => number, sy: (y: number) => number, showTest: boolean): void {
  const dot = (set: DataPreview['train'], test: boolean) => {
    const r = test ? 3.2 : 2.4;
    // (x, y) of each point: its first two columns, or its coordinates in the plane
    const xy = data.features > 2 && plane ? projectPoints(set, data.features, plane) : null;
    const f = xy ? 2 : data.features;
    const X = xy ?? set.X;
    for (let i = 0; i < set.n; i++) {
      const x = sx(X[i * f]!), y = sy(X[i * f + 1]!);
      const c = scale ? valueColor(p, (set.y[i]! - scale[0]) / (scale[1] - scale[0])) : classColor(p, set.y[i]!);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      if (scale) {
        // regression: every point filled with its target's colour (a mid value is the background's), outlined
        ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
        ctx.fill();
        ctx.lineWidth = test ? 1.4 : 0.5;
        ctx.strokeStyle = p.fg;
        ctx.globalAlpha = test ? 0.9 : 0.3;
        ctx.stroke();
        ctx.globalAlpha = 1;
      } else if (test) {
        ctx.fillStyle = p.card;
        ctx.fill();
        ctx.lineWidth = 1.6;
        ctx.strokeStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
        ctx.stroke();
      } else {
        ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
        ctx.fill();
        ctx.lineWidth = 0.6;
        ctx.strokeStyle = p.card;
        ctx.stroke();
      }
    }
  };
  dot(data.train, false);
  if (showTest) dot(data.test, true);
}

export function Boundary({
  grid,
  data,
  picked,
  onPick,
  testId = 'boundary',
  theme,
  showTest = true,
  plane: planeProp = null,
}: {
  grid: BoundaryGrid | null;
  data: DataPreview | null;
  picked?: [number, number] | null;
  onPick?: (x: number, y: number) => void;
  testId?: string;
  theme: string;
  showTest?: boolean;
  /** Data with more than two features, without a grid: the plane to show the points in. */
  plane?: Plane | null;
}) {
  const plane = grid?.plane ?? planeProp;
  const regression = data?.classes === 0;
  const canvas = useRef<HTMLCanvasElement>(null);
  const px = useWidth(canvas);

  // the points change only with the data, the plane, the size or the theme, not with each snapshot's grid: drawn
  // once into a layer that every draw lays over the grid (a live run redraws a few times a second)
  const points = useRef<{ key: unknown[]; layer: HTMLCanvasElement } | null>(null);

  const draw = useCallback(() => {
    const el = canvas.current;
    if (!el || px === 0) return;
    const w = px, h = el.clientHeight || px;
    const ctx = sizedContext(el, w, h);
    const p = palette();
    ctx.fillStyle = p.card;
    ctx.fillRect(0, 0, w, h);
    const b = boundsOf(grid, data, plane);
    const scale = regression && data ? targetRange(data) : null;
    if (grid) drawGrid(ctx, grid, w, h, p, scale);
    const sx = (x: number) => ((x - b.x[0]) / (b.x[1] - b.x[0])) * w;
    const sy = (y: number) => h - ((y - b.y[0]) / (b.y[1] - b.y[0])) * h;
    if (data && data.features >= 2 && (data.features === 2 || plane)) {
      const key = [data, plane, w, h, el.width, theme, showTest, b.x[0], b.x[1], b.y[0], b.y[1]];
      if (!points.current || key.some((k, i) => k !== points.current!.key[i])) {
        const layer = document.createElement('canvas');
        const lctx = sizedContext(layer, w, h);
        drawPoints(lctx, data, plane, scale, p, sx, sy, showTest);
        points.current = { key, layer };
      }
      ctx.drawImage(points.current.layer, 0, 0, w, h);
    }
    if (picked) {
      const x = sx(picked[0]), y = sy(picked[1]);
      ctx.strokeStyle = p.fg;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x - 9, y);
      ctx.lineTo(x + 9, y);
      ctx.moveTo(x, y - 9);
      ctx.lineTo(x, y + 9);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x, y, 5, 0, Math.PI * 2);
      ctx.stroke();
    }
  }, [grid, data, picked, px, theme, showTest, plane, regression]);
  // drawn in an animation frame of its own, at most four times a second and only on screen (draw-scheduler.ts):
  // not inside the React commit of every snapshot
  const request = useCoalescedDraw(canvas, draw);
  useEffect(() => request(), [request, draw]);

  const click = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!onPick) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const b = boundsOf(grid, data, plane);
    const x = b.x[0] + ((e.clientX - rect.left) / rect.width) * (b.x[1] - b.x[0]);
    const y = b.y[1] - ((e.clientY - rect.top) / rect.height) * (b.y[1] - b.y[0]);
    onPick(Number(x.toFixed(3)), Number(y.toFixed(3)));
  };

  return (
    <canvas
      ref={canvas}
      className={`boundary${onPick ? ' pickable' : ''}`}
      data-testid={testId}
      data-has-grid={grid ? 'yes' : 'no'}
      data-epoch={grid ? 'grid' : ''}
      data-plane={plane ? plane.kind : ''}
      data-regression={regression ? 'yes' : 'no'}
      onClick={click}
      role="img"
      aria-label={grid ? (regression ? 'the prediction over the data' : 'decision boundary over the data') : 'scatter of the train and test points'}
    />
  );
}
