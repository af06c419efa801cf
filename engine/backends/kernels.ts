// Dense float64 kernels over row-major typed arrays: the CPU backend's plain-JS inner loops (its 'js-f64' mode,
// and the reference the WebAssembly kernels in wasm/kernels.c are tested against).
// Each gemm output element is summed in index order (k = 0, 1, …), with no allocation.

/** C(M×N) = A(M×K) · B(K×N). Rows of B are streamed as axpy's; zeros of A (dead ReLUs) are skipped. */
export function gemmNN(a: Float64Array, b: Float64Array, c: Float64Array, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    c.fill(0, ci, ci + N);
    const ai = i * K;
    let k = 0;
    // four rows of B per pass: c = c + a0·b0 + a1·b1 + … keeps the k order of a plain loop
    for (; k + 3 < K; k += 4) {
      const a0 = a[ai + k], a1 = a[ai + k + 1], a2 = a[ai + k + 2], a3 = a[ai + k + 3];
      const b0 = k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
      for (let j = 0; j < N; j++) {
        c[ci + j] = c[ci + j] + a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
      }
    }
    for (; k < K; k++) {
      const a0 = a[ai + k];
      if (a0 === 0) continue;
      const b0 = k * N;
      for (let j = 0; j < N; j++) c[ci + j] += a0 * b[b0 + j];
    }
  }
}

/** C(M×N) = A(M×K) · B(N×K)ᵀ: every element is a dot product of two contiguous rows. */
export function gemmNT(a: Float64Array, b: Float64Array, c: Float64Array, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const ai = i * K;
    for (let j = 0; j < N; j++) {
      const bj = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ai + k] * b[bj + k];
      c[i * N + j] = s;
    }
  }
}

/** C(M×N) = A(K×M)ᵀ · B(K×N): rows of B scaled by A's columns, accumulated in k order. */
export function gemmTN(a: Float64Array, b: Float64Array, c: Float64Array, M: number, K: number, N: number): void {
  c.fill(0, 0, M * N);
  for (let k = 0; k < K; k++) {
    const bk = k * N;
    for (let i = 0; i < M; i++) {
      const aki = a[k * M + i];
      if (aki === 0) continue;
      const ci = i * N;
      for (let j = 0; j < N; j++) c[ci + j] += aki * b[bk + j];
    }
  }
}

/** C(M×N) = A(K×M)ᵀ · B(N×K)ᵀ (rarely needed; kept simple). */
export function gemmTT(a: Float64Array, b: Float64Array, c: Float64Array, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[k * M + i] * b[j * K + k];
      c[i * N + j] = s;
    }
  }
}

/**
 * numpy's pairwise_sum of a[offset … offset+n) (numpy/core/src/umath/loops_utils.h.src): under 8 values a
 * plain loop; up to 128, eight running sums r[0..7] combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) and the
 * tail added one by one; above, split at n/2 rounded down to a multiple of 8 and recurse.
 */
export function pairwiseSum(a: Float64Array, offset: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[offset + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[offset], r1 = a[offset + 1], r2 = a[offset + 2], r3 = a[offset + 3];
    let r4 = a[offset + 4], r5 = a[offset + 5], r6 = a[offset + 6], r7 = a[offset + 7];
    const end = offset + n - (n % 8);
    let i = offset + 8;
    for (; i < end; i += 8) {
      r0 += a[i];
      r1 += a[i + 1];
      r2 += a[i + 2];
      r3 += a[i + 3];
      r4 += a[i + 4];
      r5 += a[i + 5];
      r6 += a[i + 6];
      r7 += a[i + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < offset + n; i++) res += a[i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, offset, n2) + pairwiseSum(a, offset + n2, n - n2);
}

/** out[r] = np.sum(x[r, :]) / divisor for a rows×cols array: numpy's add.reduce (from 0, then pairwise). */
export function rowSumsPairwise(x: Float64Array, out: Float64Array, rows: number, cols: number, divisor: number): void {
  for (let r = 0; r < rows; r++) out[r] = (0 + pairwiseSum(x, r * cols, cols)) / divisor;
}
