// Drawing a loss landscape (runs.landscape's grid of costs): a colour scale over the cost (log when it spans more
// than a decade), evenly spaced contour levels on that scale, and the contour segments by marching squares.

export type Rgb = [number, number, number];

/** viridis at 9 stops: dark (low cost) to bright (high), readable on light and dark pages alike. */
const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The colour of t ∈ [0, 1] (clamped). */
export function costColor(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = VIRIDIS[i]!, b = VIRIDIS[i + 1]!, u = x - i;
  return [Math.round(a[0] + (b[0] - a[0]) * u), Math.round(a[1] + (b[1] - a[1]) * u), Math.round(a[2] + (b[2] - a[2]) * u)];
}

export interface CostLevels {
  /** The scale the colours and contours are even on: log(cost) or cost. */
  f: (v: number) => number;
  /** Where a cost falls on the colour scale, 0 (lowest on the grid) to 1 (highest). */
  t: (v: number) => number;
  log: boolean;
  /** Contour levels, on the f scale. */
  lines: number[];
  /** Legend labels: position 0..1 from the bottom and the cost there. */
  ticks: Array<{ at: number; value: number }>;
}

/** The scale of a grid of costs; null when none is finite. `count` contour levels strictly between its ends. */
export function costLevels(cost: ReadonlyArray<ReadonlyArray<number | null>>, count = 12): CostLevels | null {
  let lo = Infinity, hi = -Infinity;
  for (const row of cost) for (const v of row) if (v !== null && Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (!(lo <= hi)) return null;
  const log = lo > 0 && hi / lo > 10;
  const f = log ? Math.log : (v: number) => v;
  const inv = log ? Math.exp : (v: number) => v;
  const a = f(lo), b = f(hi), w = b - a || 1;
  const t = (v: number) => (f(v) - a) / w;
  const lines = b > a ? Array.from({ length: count }, (_, k) => a + (w * (k + 1)) / (count + 1)) : [];
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((at) => ({ at, value: inv(a + w * at) }));
  return { f, t, log, lines, ticks };
}

/**
 * The segments where f(cost) crosses `level`, in grid coordinates (i along α, j along β; a grid point is an integer
 * pair), by marching squares; cells with a non-finite corner are skipped. A saddle cell is split by its centre's value.
 */
export function contourSegments(cost: ReadonlyArray<ReadonlyArray<number | null>>, level: number, f: (v: number) => number): Array<[[number, number], [number, number]]> {
  const out: Array<[[number, number], [number, number]]> = [];
  const rows = cost.length, cols = cost[0]?.length ?? 0;
  const val = (i: number, j: number) => {
    const v = cost[j]![i];
    return v === null || v === undefined || !Number.isFinite(v) ? NaN : f(v);
  };
  for (let j = 0; j + 1 < rows; j++) {
    for (let i = 0; i + 1 < cols; i++) {
      // corners counter-clockwise from (i, j): a b c d
      const a = val(i, j), b = val(i + 1, j), c = val(i + 1, j + 1), d = val(i, j + 1);
      if ([a, b, c, d].some(Number.isNaN)) continue;
      const cross = (p: [number, number], vp: number, q: [number, number], vq: number): [number, number] => {
        const s = (level - vp) / (vq - vp);
        return [p[0] + (q[0] - p[0]) * s, p[1] + (q[1] - p[1]) * s];
      };
      const edges: Array<[number, number]> = [];
      const corners: Array<[[number, number], number]> = [
        [[i, j], a],
        [[i + 1, j], b],
        [[i + 1, j + 1], c],
        [[i, j + 1], d],
      ];
      for (let k = 0; k < 4; k++) {
        const [p, vp] = corners[k]!, [q, vq] = corners[(k + 1) % 4]!;
        if (vp < level !== vq < level) edges.push(cross(p, vp, q, vq));
      }
      if (edges.length === 2) out.push([edges[0]!, edges[1]!]);
      else if (edges.length === 4) {
        // a saddle (a and c on one side, b and d on the other): the centre's side stays connected, so the segments
        // cut off the two corners on the other side — b's (edges 0, 1) and d's (2, 3), or a's (3, 0) and c's (1, 2)
        const centreAbove = (a + b + c + d) / 4 >= level;
        if (centreAbove === a >= level) out.push([edges[0]!, edges[1]!], [edges[2]!, edges[3]!]);
        else out.push([edges[3]!, edges[0]!], [edges[1]!, edges[2]!]);
      }
    }
  }
  return out;
}
