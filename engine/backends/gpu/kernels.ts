// The gpu.js kernel sources of the gpu backend, one output cell per thread. They are strings, not functions: gpu.js
// parses a kernel's source text, and a bundler or transpiler that rewrites a function body (helper calls, renamed
// locals) would break it. Every tensor is a 2D argument indexed [row][col]; an output [cols, rows] makes
// this.thread.y the row and this.thread.x the column, the row-major layout of the Backend interface.

import type { Activation } from '../../architecture';
import { LEAKY_SLOPE } from '../../activations';

/** Columns summed per thread in the first pass of a row sum; the second pass adds the partial sums. */
export const ROW_SUM_BLOCK = 64;

/** exp's argument is clamped here so float32 never overflows: sigmoid(±88) is already 0 or 1 in float32. */
const EXP_CLAMP = 88;

const flt = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));

/**
 * out = op(a)·op(b) / divisor, op transposing when asked. Constants: K (the inner dimension), div.
 * a is (M×K) or, transposed, (K×M); b is (K×N) or (N×K).
 */
export function gemmSource(transA: boolean, transB: boolean): string {
  const av = transA ? 'a[i][this.thread.y]' : 'a[this.thread.y][i]';
  const bv = transB ? 'b[this.thread.x][i]' : 'b[i][this.thread.x]';
  return `function (a, b) {
  let s = 0.0;
  for (let i = 0; i < this.constants.K; i++) {
    s += ${av} * ${bv};
  }
  return s / this.constants.div;
}`;
}

/** z + bias, bias a (rows×1) column broadcast over the columns. */
export const BIAS_ADD = `function (z, bias) {
  return z[this.thread.y][this.thread.x] + bias[this.thread.y][0];
}`;

/** a = g(z) elementwise, or softmax down each column (constant R: the number of rows). */
export function activationSource(act: Activation): string {
  const z = 'z[this.thread.y][this.thread.x]';
  switch (act) {
    case 'relu':
      return `function (z) {
  const v = ${z};
  if (v > 0.0) { return v; }
  return 0.0;
}`;
    case 'leaky_relu':
      return `function (z) {
  const v = ${z};
  if (v > 0.0) { return v; }
  return ${flt(LEAKY_SLOPE)} * v;
}`;
    case 'linear':
      return `function (z) {
  return ${z};
}`;
    case 'sigmoid':
      return `function (z) {
  const v = Math.min(Math.max(${z}, -${flt(EXP_CLAMP)}), ${flt(EXP_CLAMP)});
  return 1.0 / (1.0 + Math.exp(-v));
}`;
    case 'tanh':
      // (1 − e^(−2|v|)) / (1 + e^(−2|v|)) with v's sign: no overflow, and no tanh needed in GLSL ES 1.0
      return `function (z) {
  const v = ${z};
  const e = Math.exp(-2.0 * Math.min(Math.abs(v), ${flt(EXP_CLAMP / 2)}));
  const t = (1.0 - e) / (1.0 + e);
  if (v < 0.0) { return -t; }
  return t;
}`;
    case 'softmax':
      // shifted by the column max, as the CPU backend
      return `function (z) {
  let mx = z[0][this.thread.x];
  for (let r = 1; r < this.constants.R; r++) {
    mx = Math.max(mx, z[r][this.thread.x]);
  }
  let s = 0.0;
  for (let r = 0; r < this.constants.R; r++) {
    s += Math.exp(z[r][this.thread.x] - mx);
  }
  return Math.exp(z[this.thread.y][this.thread.x] - mx) / s;
}`;
  }
}

/** Which of z and a = g(z) an activation's backward rule reads (its kernel takes dA, then these). */
export function backwardInputs(act: Activation): ('z' | 'a')[] {
  return act === 'relu' || act === 'leaky_relu' ? ['z'] : act === 'linear' ? [] : ['a'];
}

/**
 * dz = dA ⊙ g'(z), from z or from a = g(z) as the CPU backend does; softmax's Jacobian-vector product per column.
 * The kernel's parameters are dA followed by backwardInputs(act): a GL shader drops an unread texture.
 */
export function activationBackwardSource(act: Activation): string {
  const dA = 'dA[this.thread.y][this.thread.x]';
  const zv = 'z[this.thread.y][this.thread.x]';
  const av = 'a[this.thread.y][this.thread.x]';
  switch (act) {
    case 'relu':
      return `function (dA, z) {
  if (${zv} <= 0.0) { return 0.0; }
  return ${dA};
}`;
    case 'leaky_relu':
      return `function (dA, z) {
  if (${zv} > 0.0) { return ${dA}; }
  return ${flt(LEAKY_SLOPE)} * ${dA};
}`;
    case 'linear':
      return `function (dA) {
  return ${dA};
}`;
    case 'sigmoid':
      return `function (dA, a) {
  const s = ${av};
  return ${dA} * s * (1.0 - s);
}`;
    case 'tanh':
      return `function (dA, a) {
  const t = ${av};
  return ${dA} * (1.0 - t * t);
}`;
    case 'softmax':
      // dz_j = a_j · (dA_j − Σ_k dA_k a_k) down each column (constant R: rows)
      return `function (dA, a) {
  let dot = 0.0;
  for (let r = 0; r < this.constants.R; r++) {
    dot += dA[r][this.thread.x] * a[r][this.thread.x];
  }
  return ${av} * (${dA} - dot);
}`;
  }
}

/** First pass of a row sum: output [P, rows], cell p sums columns [p·B, p·B + B) (constants B, C: the columns). */
export const ROW_SUM_PARTIAL = `function (x) {
  let s = 0.0;
  const c0 = this.thread.x * this.constants.B;
  for (let j = 0; j < this.constants.B; j++) {
    if (c0 + j < this.constants.C) {
      s += x[this.thread.y][c0 + j];
    }
  }
  return s;
}`;

/** Row sums divided by div: output [1, rows] (constants C: the columns, div). */
export const ROW_SUM = `function (x) {
  let s = 0.0;
  for (let j = 0; j < this.constants.C; j++) {
    s += x[this.thread.y][j];
  }
  return s / this.constants.div;
}`;

const at = (name: string) => `${name}[this.thread.y][this.thread.x]`;

/** The gradient with its L2 term, as the CPU backend: g + λ·p (l2 is 0 for biases and when unset). */
const gradL2 = `(${at('g')} + l2 * ${at('p')})`;

/** sgd: p − lr·(g + λp). */
export const SGD = `function (p, g, lr, l2) {
  return ${at('p')} - lr * ${gradL2};
}`;

/** momentum's velocity: μv + (g + λp). */
export const MOMENTUM_VELOCITY = `function (p, g, v, mu, l2) {
  return mu * ${at('v')} + ${gradL2};
}`;

/** p − lr·v with the new velocity. */
export const MOMENTUM_STEP = `function (p, v, lr) {
  return ${at('p')} - lr * ${at('v')};
}`;

// 1 − β comes in computed in float64: in float32, 1 − 0.999 is off by 1.3e-5 relative (0.999 is not exact)

/** adam's first moment: β1·m + (1 − β1)·g. */
export const ADAM_M = `function (p, g, m, beta1, oneMinusBeta1, l2) {
  return beta1 * ${at('m')} + oneMinusBeta1 * ${gradL2};
}`;

/** adam's second moment: β2·v + (1 − β2)·g². */
export const ADAM_V = `function (p, g, v, beta2, oneMinusBeta2, l2) {
  const gi = ${gradL2};
  return beta2 * ${at('v')} + oneMinusBeta2 * gi * gi;
}`;

/** p − lr·(m/c1) / (√(v/c2) + ε), with the bias corrections c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ. */
export const ADAM_STEP = `function (p, m, v, lr, c1, c2, eps) {
  return ${at('p')} - (lr * (${at('m')} / c1)) / (Math.sqrt(${at('v')} / c2) + eps);
}`;

/** A copy: puts host data on the device once (a texture on the GL modes). */
export const COPY = `function (x) {
  return ${at('x')};
}`;
