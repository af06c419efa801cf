// The landscape drawing's pure parts (renderer/src/lib/landscape.ts): the colour scale and the contour lines.
import { describe, expect, it } from 'vitest';
import { contourSegments, costColor, costLevels } from '../../renderer/src/lib/landscape';

const bowl = (n: number) => Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => 0.3 + ((i - 7) / 7) ** 2 + 3 * ((j - 5) / 7) ** 2 + Math.exp(i / 4 - 2)));

describe('costLevels', () => {
  it('spans the grid’s finite costs, on a log scale when they span more than a decade', () => {
    const L = costLevels([[0.1, 5, null], [2, Infinity, 1]])!;
    expect(L.log).toBe(true);
    expect(L.t(0.1)).toBe(0);
    expect(L.t(5)).toBeCloseTo(1, 12);
    expect(L.ticks[0]!.value).toBeCloseTo(0.1, 12);
    expect(L.ticks[4]!.value).toBeCloseTo(5, 12);
    expect(L.lines).toHaveLength(12);
    expect(costLevels([[1, 2]])!.log).toBe(false);
    expect(costLevels([[null, NaN]])).toBeNull();
  });

  it('colours from dark (low) to bright (high)', () => {
    const lum = (t: number) => costColor(t).reduce((a, b) => a + b, 0);
    expect(lum(0)).toBeLessThan(lum(0.5));
    expect(lum(0.5)).toBeLessThan(lum(1));
    expect(costColor(-1)).toEqual(costColor(0));
    expect(costColor(2)).toEqual(costColor(1));
  });
});

describe('contourSegments', () => {
  it('draws every level as connected lines: inside the grid each end point is shared by exactly two segments', () => {
    const cost = bowl(15);
    const L = costLevels(cost)!;
    let points = 0;
    for (const level of L.lines) {
      const deg = new Map<string, number>();
      for (const seg of contourSegments(cost, level, L.f)) {
        for (const p of seg) {
          const k = p.map((x) => x.toFixed(9)).join(',');
          deg.set(k, (deg.get(k) ?? 0) + 1);
        }
      }
      for (const [k, d] of deg) {
        const [x, y] = k.split(',').map(Number) as [number, number];
        if (x > 0 && x < 14 && y > 0 && y < 14) expect(d, `level ${level} at ${k}`).toBe(2);
        points++;
      }
    }
    expect(points).toBeGreaterThan(100);
  });

  it('places the crossing by linear interpolation and skips cells with a non-finite corner', () => {
    const f = (v: number) => v;
    expect(contourSegments([[0, 2], [0, 2]], 1, f)).toEqual([[[0.5, 0], [0.5, 1]]]);
    expect(contourSegments([[0, 2], [null, 2]], 1, f)).toEqual([]);
  });
});
