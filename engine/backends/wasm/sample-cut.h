// The first cut of the sample axis, shared by kernels.c and kernels-f32.c (each defines EXPORT and INLINE first).
//
// numpy's pairwise summation sums a row of n > 128 values as pairwise_sum(first h) + pairwise_sum(rest), h = n/2
// rounded down to a multiple of 8. Every sum over samples cuts there: gemm NT (dW) sums each dot product over the
// two sides separately and adds them, and so do the float32 row sums (float64's are numpy's tree, cut there
// already). So a full batch can be trained as two blocks of samples, one per thread (../split.ts): each block's
// sums, added, are the one-thread kernels' bits, and db stays numpy's.

#define SAMPLE_LEAF 128

/** Where the sample axis of length n is cut: 0 (no cut) for n ≤ 128. */
INLINE int sample_cut(int n) {
  if (n <= SAMPLE_LEAF) return 0;
  int h = n / 2;
  return h - h % 8;
}

/** sample_cut for the JS side (../split.ts), so the rule lives here only. */
EXPORT(sample_cut_at) int sample_cut_at(int n) { return sample_cut(n); }
