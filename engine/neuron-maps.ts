// Per-neuron maps (TensorFlow Playground's node heatmaps): what each input and unit outputs over a square grid of
// the input plane, sampled at every stride-th cell of the grid and quantized to small integers. The trainer's
// snapshot (electron/trainer/snapshot.ts) and the page's picture of a stored run (renderer/src/lib/forward.ts) both
// make them here, from their own forward pass over the grid.

/** Maps are about this many cells a side. */
export const NEURON_MAP_CELLS = 20;
/** Maps are made for the first NEURON_MAP_UNITS units of a layer (or inputs) only: 64 × 20² values a layer at most. */
export const NEURON_MAP_UNITS = 64;

/**
 * The grid cells a map samples along each axis: every stride-th from offset, so a 40-cell grid gives 20 (cells 1,
 * 3, …, 39); a grid of NEURON_MAP_CELLS or fewer, all of them.
 */
export function mapCells(gridSize: number): { stride: number; offset: number; size: number } {
  const stride = Math.max(1, Math.round(gridSize / NEURON_MAP_CELLS));
  const offset = Math.floor(stride / 2);
  return { stride, offset, size: Math.floor((gridSize - 1 - offset) / stride) + 1 };
}

/** One column's maps: unit u's cell (r, c) (row-major, y outer) is q[u·size² + r·size + c] / 127 · scale[u]. */
export interface MapColumn {
  units: number;
  scale: number[];
  /** Int8 values: a quarter-megabyte snapshot of a wide network's maps, not two (frames.ts sends them as bytes). */
  q: Int8Array;
}

/**
 * The maps of each column from its outputs over a gridSize × gridSize grid, (units × gridSize²) with cell (r, c)
 * at column r·gridSize + c: the cells mapCells picks, quantized (quantizeMaps).
 */
export function sampleMaps(columns: readonly ArrayLike<number>[], gridSize: number): { size: number; columns: MapColumn[] } {
  const m = gridSize * gridSize;
  const { stride, offset, size: s } = mapCells(gridSize);
  const picked = columns.map((A) => {
    const units = Math.min(A.length / m, NEURON_MAP_UNITS);
    const out = new Float64Array(units * s * s);
    for (let u = 0; u < units; u++) for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) out[u * s * s + r * s + c] = A[u * m + (offset + r * stride) * gridSize + offset + c * stride]!;
    return out;
  });
  return { size: s, columns: quantizeMaps(picked, s * s) };
}

/**
 * Columns of outputs at a map's cells, (units × cells), as maps: the first NEURON_MAP_UNITS units, each quantized to
 * −127…127 of its largest |value| (a picture: a fifth of the JSON of float64 text). Non-finite values map to 0.
 */
export function quantizeMaps(columns: readonly ArrayLike<number>[], cells: number): MapColumn[] {
  return columns.map((A) => {
    const units = Math.min(A.length / cells, NEURON_MAP_UNITS);
    const scale: number[] = new Array(units);
    const q = new Int8Array(units * cells);
    for (let u = 0; u < units; u++) {
      let top = 0;
      for (let i = 0; i < cells; i++) {
        const v = Math.abs(A[u * cells + i]!);
        if (v > top) top = v; // NaN never wins
      }
      scale[u] = top;
      for (let i = 0; i < cells; i++) {
        const v = A[u * cells + i]!;
        q[u * cells + i] = top > 0 && Number.isFinite(v) ? Math.round((127 * v) / top) : 0;
      }
    }
    return { units, scale, q };
  });
}
