// Exponential moving average for the curves, TensorBoard-style: s_t = w·s_{t−1} + (1−w)·x_t, debiased.
// Incremental: the chart appends smoothed points as raw ones arrive.

export class Ema {
  private acc = 0;
  private n = 0;
  constructor(readonly weight: number) {}
  /** The smoothed value after x (null passes through; NaN/∞ pass through without poisoning the average). */
  push(x: number | null): number | null {
    if (x === null) return null;
    if (!Number.isFinite(x) || this.weight <= 0) return x;
    this.acc = this.weight * this.acc + (1 - this.weight) * x;
    this.n++;
    return this.acc / (1 - Math.pow(this.weight, this.n));
  }
}
