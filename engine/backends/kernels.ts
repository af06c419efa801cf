// Dense float64 kernels over row-major typed arrays: the CPU backend's inner loops.
// Each output element is summed in index order (k = 0, 1, …), with no allocation.

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
