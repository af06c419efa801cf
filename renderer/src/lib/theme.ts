// Colours the canvases and charts use, read from the CSS variables of the current theme.

export interface Palette {
  fg: string;
  muted: string;
  line: string;
  card: string;
  train: string;
  test: string;
  class0: [number, number, number];
  class1: [number, number, number];
  pos: string;
  neg: string;
  /** Distinct colours for overlaid runs. */
  series: string[];
}

function rgb(hex: string): [number, number, number] {
  const h = hex.trim().replace('#', '');
  const n = parseInt(h.length === 3 ? h.split('').map((c) => c + c).join('') : h, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function palette(): Palette {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--fg', '#1d2330'),
    muted: v('--muted', '#5d6677'),
    line: v('--line', '#dde1ea'),
    card: v('--card', '#ffffff'),
    train: v('--c-train', '#3a63d8'),
    test: v('--c-test', '#e0762b'),
    class0: rgb(v('--c-class0', '#e0762b')),
    class1: rgb(v('--c-class1', '#3a63d8')),
    pos: v('--c-pos', '#3a63d8'),
    neg: v('--c-neg', '#d6453d'),
    series: ['#3a63d8', '#e0762b', '#2a9d6f', '#b8458f', '#8a6d1f', '#4fa3c7', '#7a4fd0', '#c7503a', '#5b7f2a', '#888888'],
  };
}

export type ThemeChoice = 'auto' | 'light' | 'dark';
