// The network diagram's pure parts (renderer/src/lib/diagram.ts): folding a wide layer into pages, the strongest-k
// edges checked against every edge left out, the layout of tiles, the weights a popover lists and the map colours.
import { describe, expect, it } from 'vitest';
import { columnWidths, foldColumn, layoutDiagram, listedWeights, mapTone, strongestEdges, TILE, toneRgb, unitLabel } from '../../renderer/src/lib/diagram';
import { NumpyRandom } from '../../engine/random';

describe('foldColumn', () => {
  it('shows a column that fits whole', () => {
    expect(foldColumn(5, 7, 0)).toEqual({ start: 0, end: 5, hidden: 0, page: 0, pages: 1 });
    expect(foldColumn(7, 7, 3)).toEqual({ start: 0, end: 7, hidden: 0, page: 0, pages: 1 });
  });

  it('folds a wider one into pages of fit − 1 units (the last slot holds "… n more"), clamping the page', () => {
    expect(foldColumn(64, 7, 0)).toEqual({ start: 0, end: 6, hidden: 58, page: 0, pages: 11 });
    expect(foldColumn(64, 7, 1)).toEqual({ start: 6, end: 12, hidden: 58, page: 1, pages: 11 });
    expect(foldColumn(64, 7, 10)).toEqual({ start: 60, end: 64, hidden: 60, page: 10, pages: 11 });
    expect(foldColumn(64, 7, 99).page).toBe(10);
    expect(foldColumn(64, 7, -1).page).toBe(0);
    // the pages cover every unit once
    const seen: number[] = [];
    for (let p = 0; p < 43; p++) {
      const f = foldColumn(256, 7, p);
      for (let u = f.start; u < f.end; u++) seen.push(u);
    }
    expect(seen).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});

describe('strongestEdges', () => {
  const rng = new NumpyRandom(7);
  const nin = 64, nout = 64;
  const W = Float64Array.from({ length: nin * nout }, () => rng.normal());

  it('keeps the k largest |w| among the units shown, and every edge left out is no stronger than any kept', () => {
    const from = { start: 6, end: 12 }, to = { start: 60, end: 64 };
    const kept = strongestEdges(W, nin, from, to, 10);
    expect(kept).toHaveLength(10);
    for (const e of kept) {
      expect(e.w).toBe(W[e.j * nin + e.i]);
      expect(e.i >= 6 && e.i < 12 && e.j >= 60 && e.j < 64).toBe(true);
    }
    const weakestKept = Math.min(...kept.map((e) => Math.abs(e.w)));
    const key = new Set(kept.map((e) => `${e.i}:${e.j}`));
    let left = 0;
    for (let j = 60; j < 64; j++) {
      for (let i = 6; i < 12; i++) {
        if (key.has(`${i}:${j}`)) continue;
        left++;
        expect(Math.abs(W[j * nin + i]!)).toBeLessThanOrEqual(weakestKept);
      }
    }
    expect(left).toBe(6 * 4 - 10);
    // strongest first
    for (let k = 1; k < kept.length; k++) expect(Math.abs(kept[k - 1]!.w)).toBeGreaterThanOrEqual(Math.abs(kept[k]!.w));
  });

  it('draws every edge when there are at most k', () => {
    expect(strongestEdges(W, nin, { start: 0, end: 2 }, { start: 0, end: 6 }, 24)).toHaveLength(12);
    // a 2-256-256-256-1 network's widest layer, all of it, stays bounded
    const wide = Float64Array.from({ length: 256 * 256 }, () => rng.normal());
    expect(strongestEdges(wide, 256, { start: 0, end: 256 }, { start: 0, end: 256 }, 24)).toHaveLength(24);
  });
});

describe('layoutDiagram', () => {
  it('places every shown unit once, inside the canvas, without overlaps, with a fold control for a wide column', () => {
    const widths = columnWidths([
      { input_dim: 2, output_dim: 64, activation: 'tanh' },
      { input_dim: 64, output_dim: 3, activation: 'relu' },
      { input_dim: 3, output_dim: 1, activation: 'sigmoid' },
    ]);
    expect(widths).toEqual([2, 64, 3, 1]);
    const w = 584, h = 272;
    const L = layoutDiagram(widths, w, h, [0, 2]);
    expect(L.fit).toBe(7);
    expect(L.folds.map((f) => [f.start, f.end])).toEqual([[0, 2], [12, 18], [0, 3], [0, 1]]);
    expect(L.foldY.map((y) => y !== null)).toEqual([false, true, false, false]);
    expect(L.tiles).toHaveLength(2 + 6 + 3 + 1);
    for (const t of L.tiles) {
      expect(t.x).toBeGreaterThanOrEqual(0);
      expect(t.x + TILE.size).toBeLessThanOrEqual(w);
      expect(t.y).toBeGreaterThanOrEqual(0);
      expect(t.y + TILE.size).toBeLessThanOrEqual(h - TILE.bottom);
    }
    const col1 = L.tiles.filter((t) => t.column === 1).map((t) => t.y);
    for (let k = 1; k < col1.length; k++) expect(col1[k]! - col1[k - 1]!).toBe(TILE.size + TILE.gap);
    // the fold control takes the slot after the last tile
    expect(L.foldY[1]).toBe(col1[col1.length - 1]! + TILE.size + TILE.gap);
    expect(L.foldY[1]! + TILE.size).toBeLessThanOrEqual(h - TILE.bottom);
    // columns left to right
    for (let c = 1; c < L.columnX.length; c++) expect(L.columnX[c]!).toBeGreaterThan(L.columnX[c - 1]! + TILE.size);
    // before the canvas has a size: nothing to place
    expect(layoutDiagram(widths, 0, 0, []).tiles).toEqual([]);
  });
});

describe('listedWeights and labels', () => {
  it('lists a narrow neuron’s weights in order and a wide one’s strongest 12 by |w|', () => {
    const W = [0.1, -0.5, 0.3, /* unit 1: */ 2, -3, 1];
    expect(listedWeights(W, 3, 1)).toEqual([
      { from: 0, w: 2 },
      { from: 1, w: -3 },
      { from: 2, w: 1 },
    ]);
    const wide = Array.from({ length: 40 }, (_, i) => (i % 2 ? -1 : 1) * i);
    const l = listedWeights(wide, 40, 0);
    expect(l.map((e) => e.from)).toEqual([39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28]);
    expect(l[0]!.w).toBe(-39);
  });

  it('names inputs by feature and units by layer', () => {
    expect(unitLabel(0, 2, ['x1', 'x2', 'x1^2'])).toBe('x1^2');
    expect(unitLabel(0, 1, null)).toBe('x2');
    expect(unitLabel(2, 4, null)).toBe('L2·5');
  });
});

describe('map colours', () => {
  it('puts bounded outputs on their range and the rest on the map’s largest |value|', () => {
    // q is 127·v/scale
    expect(mapTone('tanh', 127, 0.5)).toBeCloseTo(0.5, 12); // tanh 0.5: half way, however small its map's range
    expect(mapTone('sigmoid', 127, 0.5)).toBeCloseTo(0, 12); // sigmoid ½ is neutral
    expect(mapTone('sigmoid', 127, 1)).toBeCloseTo(1, 12);
    expect(mapTone('softmax', 0, 1)).toBe(-1);
    expect(mapTone('relu', 127, 0.01)).toBe(1); // relu, linear and inputs: the map's own scale
    expect(mapTone(null, -64, 3)).toBeCloseTo(-64 / 127, 12);
    expect(mapTone('linear', 0, 0)).toBe(0);
  });

  it('blends the background towards the positive or negative colour', () => {
    const bg = [255, 255, 255], pos = [0, 0, 255], neg = [255, 0, 0];
    expect(toneRgb(0, bg, pos, neg)).toEqual([255, 255, 255]);
    expect(toneRgb(1, bg, pos, neg)).toEqual([26, 26, 255]); // 90% of the way;
    expect(toneRgb(-1, bg, pos, neg)).toEqual([255, 26, 26]);
  });
});
