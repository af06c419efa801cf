// Costs, their gradient at the output layer, and accuracy. Ŷ and Y are (outputs × m), row-major.

import type { Activation } from './architecture';
import type { LossName } from './config';

export type Loss = Exclude<LossName, 'auto'>;

/** log(x), but finite at x = 0: the log of the smallest positive double (≈ −744.4) instead of −Infinity. */
const LOG_TINY = Math.log(Number.MIN_VALUE);
function safeLog(x: number): number {
  return x > 0 ? Math.log(x) : LOG_TINY;
}

/** The loss that goes with an output activation when the configuration says 'auto'. */
export function defaultLoss(output: Activation): Loss {
  if (output === 'sigmoid') return 'binary_cross_entropy';
  if (output === 'softmax') return 'softmax_cross_entropy';
  return 'mse';
}

/** Why a loss cannot be used with an output activation, or null when it can. */
export function lossMismatch(loss: Loss, output: Activation): string | null {
  if (loss === 'binary_cross_entropy' && output !== 'sigmoid') {
    return `binary_cross_entropy needs a sigmoid output layer (outputs in 0..1), but the output layer uses ${output}; set its activation to sigmoid or use loss mse`;
  }
  if (loss === 'softmax_cross_entropy' && output !== 'softmax') {
    return `softmax_cross_entropy needs a softmax output layer, but the output layer uses ${output}; set its activation to softmax`;
  }
  return null;
}

/**
 * The cost over m samples. Binary cross-entropy is the notebook's
 * −1/m · (Y·log(Ŷ)ᵀ + (1−Y)·log(1−Ŷ)ᵀ), finite even where Ŷ is exactly 0 or 1.
 */
export function cost(loss: Loss, yhat: Float64Array, y: Float64Array, rows: number, m: number): number {
  const n = rows * m;
  if (loss === 'binary_cross_entropy') {
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const t = y[i];
      const p = yhat[i];
      // 0 · log(0) is taken as 0, as the limit, instead of numpy's NaN
      if (t !== 0) s1 += t * safeLog(p);
      if (t !== 1) s2 += (1 - t) * safeLog(1 - p);
    }
    return (-1 / m) * (s1 + s2) + 0; // + 0 turns a perfect fit's −0 into 0
  }
  if (loss === 'softmax_cross_entropy') {
    let s = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) s += y[i] * safeLog(yhat[i]);
    return -s / m;
  }
  // mse: the mean over samples of the mean squared error over the outputs
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = yhat[i] - y[i];
    s += d * d;
  }
  return s / (m * rows);
}

/**
 * How many samples a cross-entropy output got infinitely wrong: Ŷ exactly 0 (or 1) where the label says
 * the other class. The cost stays finite by design, but such a network has diverged.
 */
export function saturatedWrong(loss: Loss, yhat: Float64Array, y: Float64Array, n: number): number {
  if (loss === 'mse') return 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const p = yhat[i], t = y[i];
    if ((p === 0 && t > 0) || (p === 1 && t < 1 && loss === 'binary_cross_entropy')) bad++;
  }
  return bad;
}

/**
 * The gradient that starts backprop. For cross-entropies it returns dZ of the output layer directly
 * (`kind: 'dZ'`); for mse it returns dA, which the output activation's backward rule turns into dZ.
 */
export function outputGradient(loss: Loss, yhat: Float64Array, y: Float64Array, rows: number, m: number, out: Float64Array): 'dZ' | 'dA' {
  const n = rows * m;
  if (loss === 'binary_cross_entropy') {
    for (let i = 0; i < n; i++) {
      const p = yhat[i];
      const t = y[i];
      if (p > 0 && p < 1) {
        // the notebook: dA = −(Y/Ŷ − (1−Y)/(1−Ŷ)), then dZ = dA · σ · (1 − σ)
        const dA = -1 * (t / p - (1 - t) / (1 - p));
        out[i] = dA * p * (1 - p);
      } else {
        // σ saturated at exactly 0 or 1: dA is infinite there but dZ tends to Ŷ − Y
        out[i] = p - t;
      }
    }
    return 'dZ';
  }
  if (loss === 'softmax_cross_entropy') {
    for (let i = 0; i < n; i++) out[i] = yhat[i] - y[i];
    return 'dZ';
  }
  const k = 2 / rows;
  for (let i = 0; i < n; i++) out[i] = k * (yhat[i] - y[i]);
  return 'dA';
}

/**
 * Share of samples classified right. One output: class 1 iff Ŷ > 0.5 (the notebook's threshold of 0
 * was a bug). Several outputs: the arg-max of each column against the arg-max of Y's column.
 */
export function accuracy(yhat: Float64Array, y: Float64Array, rows: number, m: number): number {
  if (m === 0) return NaN;
  let right = 0;
  if (rows === 1) {
    for (let j = 0; j < m; j++) if ((yhat[j] > 0.5 ? 1 : 0) === y[j]) right++;
  } else {
    for (let j = 0; j < m; j++) {
      let best = 0;
      let want = 0;
      for (let r = 1; r < rows; r++) {
        if (yhat[r * m + j] > yhat[best * m + j]) best = r;
        if (y[r * m + j] > y[want * m + j]) want = r;
      }
      if (best === want) right++;
    }
  }
  return right / m;
}

/** Σ(y − ȳ)²/n of a regression target (rows = 1, or all rows pooled): the variance R² is measured against. */
export function targetVariance(y: Float64Array): number {
  const n = y.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += y[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] - mean) * (y[i] - mean);
  return ss / n;
}

/**
 * A regression's score in accuracy's place: R² = 1 − Σ(ŷ − y)²/Σ(y − ȳ)² (scikit-learn's r2_score for one output;
 * several outputs are pooled, its variance_weighted), with `variance` the whole set's targetVariance, so that the
 * size-weighted mean of the batches' scores is the epoch's R² over the set.
 */
export function r2Score(yhat: Float64Array, y: Float64Array, rows: number, m: number, variance: number): number {
  if (m === 0) return NaN;
  let sse = 0;
  for (let i = 0; i < rows * m; i++) {
    const d = yhat[i] - y[i];
    sse += d * d;
  }
  return 1 - sse / (rows * m * variance);
}
