// The CPU backend's float64 inner loops as WebAssembly SIMD (f64x2), working in place on tensors that live in
// the module's (imported) linear memory. Rebuilt by scripts/build-wasm.sh into kernels-wasm.ts and kernels-mt-wasm.ts
// (one thread, and shared memory for ../parallel.ts) and their fused twins, kernels-fma-wasm.ts and kernels-fma-mt-wasm.ts.
//
// Numerics: IEEE float64 only, no reassociation (clang keeps FP order without -ffast-math). Built with KERNELS_FMA
// (and -mrelaxed-simd), every gemm term is added with f64x2.relaxed_madd: fused (one rounding) where the processor
// has FMA, as every x86-64 since 2013 and every ARM64 does, and as numpy's OpenBLAS does; the engine loads that build
// where the WebAssembly engine has relaxed SIMD and the plain one (a product rounded, then the sum) elsewhere.
// - gemm NN / TN sum every output element in k order from 0: the plain build exactly as the JS kernels in
//   ../kernels.ts do, so both paths give the same bits; the fused build as a k-order loop of fused multiply-adds,
//   which is what numpy's matmul computed here (OpenBLAS, AVX-512: bit for bit on the seed's layer shapes).
// - gemm NT (dW) sums each dot product in two lanes (even and odd k), added at the end, on each side of the sample
//   axis's first cut (sample-cut.h), then adds the two sides; gemm_nt_block sums one block of samples uncut
//   (../split.ts adds the blocks' sums), so a batch trained as two blocks gives these bits.
// - rowsums are numpy's pairwise_sum, bit for bit (its 8 accumulators are 4 f64x2 vectors, lane by lane).
// - elementwise kernels do the same operations, in the same order, as engine/activations.ts.
//
// Pointers are byte offsets into linear memory; no alignment is assumed (v128 loads may be unaligned).
//
// Built with -DKERNELS_MT (the shared-memory build), each kernel `x` also has an `x_mt` export taking (part, nparts) last, which does only that share of the output
// (columns for NN/TN, rows or columns for NT, rows or elements for the rest) so that threads sharing the memory
// (../parallel.ts) split the work. Every output element is still computed by one thread in the same order, so the
// threaded result is bit for bit the one-thread result.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t vec;

INLINE int imin(int a, int b) { return a < b ? a : b; }

#include "sample-cut.h"

/** Part `part` of nparts of [0, n), cut on multiples of `align`, as [*b, *e). */
INLINE void share(int n, int part, int nparts, int align, int *b, int *e) {
  int chunks = (n + align - 1) / align;
  int per = chunks / nparts, rem = chunks % nparts;
  int c0 = part * per + (part < rem ? part : rem);
  int c1 = c0 + per + (part < rem ? 1 : 0);
  *b = imin(c0 * align, n);
  *e = imin(c1 * align, n);
}

INLINE vec vadd(vec a, vec b) { return wasm_f64x2_add(a, b); }
INLINE vec vmul(vec a, vec b) { return wasm_f64x2_mul(a, b); }
INLINE vec vld(const double *p) { return wasm_v128_load(p); }
INLINE void vst(double *p, vec x) { wasm_v128_store(p, x); }
INLINE vec vsplat(double x) { return wasm_f64x2_splat(x); }
/**
 * acc + a·b: fused in the KERNELS_FMA build (see Numerics above). smadd is the same for one value, through lane 0 of
 * the same instruction: a gemm's output column goes through the vector or the scalar tail depending on where a
 * part's columns end, and must get the same bits either way.
 */
#ifdef KERNELS_FMA
INLINE vec madd(vec a, vec b, vec acc) { return wasm_f64x2_relaxed_madd(a, b, acc); }
INLINE double smadd(double a, double b, double acc) {
  return wasm_f64x2_extract_lane(wasm_f64x2_relaxed_madd(vsplat(a), vsplat(b), vsplat(acc)), 0);
}
#else
INLINE vec madd(vec a, vec b, vec acc) { return vadd(acc, vmul(a, b)); }
INLINE double smadd(double a, double b, double acc) { return acc + a * b; }
#endif

#define LANE0(v) wasm_f64x2_extract_lane(v, 0)
#include "madd-peak.h"

// Dead ReLUs: a unit whose Z ≤ 0 for every sample gives an all-zero row of A (forward) and of dZ (backward).
// The gemms list the rows of their operands that hold anything but zeros and skip the rest: a term a·0 adds
// nothing (x + a·0 = x for finite a), so the result is the same sum in the same order, minus its zero terms.
// (With an infinite weight the skipped a·0 would have been NaN; a network there has diverged already.)

/** Indices of the rows of X (rows×cols) holding a nonzero in columns [j0, j1) (NaN counts); returns how many. */
static int live_rows(const double *X, int rows, int cols, int j0, int j1, int *out) {
  int n = 0;
  for (int r = 0; r < rows; r++) {
    const double *x = X + r * cols;
    int j = j0;
    while (j < j1 && x[j] == 0.0) j++;
    if (j < j1) out[n++] = r;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// C(M×N) = op(A)·B / divisor; op(A)[i][k] = A[i*ars + k*aks] (NN: ars = K, aks = 1; TN: ars = 1, aks = M).
// Both operands are packed first (over the live k only), as in kernels-f32.c: op(A) as blocks of NN_R rows,
// k-major (Ap[blk][t][r]), and each panel of NB columns of B as micro-panels of the micro-kernel's 4 columns (then
// 2, then 1 at the panel's end), each k-major: the one at column c at Bp + c·nk, its row t at + t·width. Read in
// place, a wide panel walks rows N doubles apart — a new page every k (256 of them for a 256-wide layer: more than
// the TLB holds) and a few L1 sets that evict each other; packed, both stream, and each micro-kernel reads one
// contiguous run of B (a panel packed row by row, Bp[t][c], put each k's 4 columns 512 bytes apart: gemm NN and
// TN on 256 × 256 × 900 were 5–8 % slower).
// The micro-kernel keeps R rows × V vectors (2·V columns) of C in registers and walks the live k in increasing
// order. 4 rows × 2 vectors (8 accumulators) measured fastest under V8 (16 xmm registers): V8 loads every row's
// splat of a k before its multiply-adds, so 5 or 6 rows spill (1.5× slower), as does unrolling k by 2 (1.4×);
// 3 rows × 3 vectors (9 accumulators, 6 loads a k) ran the same as 4 × 2.

#ifndef NB
#define NB 64
#endif
#ifndef NN_R
#define NN_R 4
#endif
#ifndef MC
#define MC 256  // rows of op(A) packed at a time (a multiple of NN_R)
#endif

INLINE int round_up(int n, int to) { return (n + to - 1) / to * to; }

/**
 * Bytes of scratch one part of a gemm needs (part p's block at p times this): the live-row lists and, for NN and TN
 * (nt = 0), both packed operands (NT packs nothing: its K, the samples, may be long). A multiple of 64, so that every
 * part's block, and the packed doubles after the int lists, stay aligned.
 */
EXPORT(gemm_scratch_bytes) int gemm_scratch_bytes(int M, int K, int N, int nt) {
  return round_up(4 * round_up(K + M + N, 16) + (nt ? 0 : 8 * round_up(imin(M, MC), NN_R) * K + 8 * K * NB), 64);
}

// R rows (R ≤ NN_R) × V vectors (V ≤ 2) of C at C (row stride N)
INLINE void micro(const double *ap, const double *bp, const int *kx, int ldb, double *C, int N, int nk, int R, int V,
                  int div, vec d) {
  vec acc[NN_R][2];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = wasm_f64x2_const(0.0, 0.0);
  // pointers stepped, not indexed: built with -disable-lsr (build-wasm.sh), each load then takes its offset as a constant
  const double *ak = ap, *bn = bp;
  for (int t = 0; t < nk; t++, ak += NN_R, bn += ldb) {
    const double *bk = kx ? bp + kx[t] * ldb : bn;
    vec bv[2];
    for (int v = 0; v < V; v++) bv[v] = vld(bk + 2 * v);
    for (int r = 0; r < R; r++) {
      vec x = wasm_v128_load64_splat(ak + r);
      for (int v = 0; v < V; v++) acc[r][v] = madd(x, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) vst(C + r * N + 2 * v, div ? wasm_f64x2_div(acc[r][v], d) : acc[r][v]);
}

// R rows × the odd last column, scalar
INLINE void micro1(const double *ap, const double *bp, const int *kx, int ldb, double *C, int N, int nk, int R, int div,
                   double d) {
  double acc[NN_R];
  for (int r = 0; r < R; r++) acc[r] = 0.0;
  for (int t = 0; t < nk; t++) {
    double y = bp[(kx ? kx[t] : t) * ldb];
    for (int r = 0; r < R; r++) acc[r] = smadd(ap[t * NN_R + r], y, acc[r]);
  }
  for (int r = 0; r < R; r++) C[r * N] = div ? acc[r] / d : acc[r];
}

// B's columns from c, `width` of them: in place (kx set) at bp + c, rows ldb apart; packed, the micro-panel at
// bp + c·nk, rows `width` apart
INLINE const double *bcols(const double *bp, const int *kx, int nk, int c) { return kx ? bp + c : bp + c * nk; }
INLINE int brows(const int *kx, int ldb, int width) { return kx ? ldb : width; }

INLINE void rows_block(const double *ap, const double *bp, const int *kx, int ldb, double *C, int N, int nk, int w, int R,
                       int div, double d) {
  vec dv = vsplat(d);
  int c = 0;
  for (; c + 4 <= w; c += 4) micro(ap, bcols(bp, kx, nk, c), kx, brows(kx, ldb, 4), C + c, N, nk, R, 2, div, dv);
  if (c + 2 <= w) {
    micro(ap, bcols(bp, kx, nk, c), kx, brows(kx, ldb, 2), C + c, N, nk, R, 1, div, dv);
    c += 2;
  }
  if (c < w) micro1(ap, bcols(bp, kx, nk, c), kx, brows(kx, ldb, 1), C + c, N, nk, R, div, d);
}

/**
 * Rows [g0, g1) of C's columns [j0, j0 + w): op(A)'s rows packed at Ap; B's panel packed at bp (kx = 0: see
 * bcols), or read in place, row t (of the live k) at bp + kx[t]·ldb.
 */
INLINE void rows_group(const double *Ap, const double *bp, const int *kx, int ldb, double *C, int N, int nk, int w, int g0, int g1,
                       int j0, int div, double d) {
  int i = g0;
  for (; i + NN_R <= g1; i += NN_R) rows_block(Ap + (i - g0) * nk, bp, kx, ldb, C + i * N + j0, N, nk, w, NN_R, div, d);
  switch (g1 - i) {
    case 3: rows_block(Ap + (i - g0) * nk, bp, kx, ldb, C + i * N + j0, N, nk, w, 3, div, d); break;
    case 2: rows_block(Ap + (i - g0) * nk, bp, kx, ldb, C + i * N + j0, N, nk, w, 2, div, d); break;
    case 1: rows_block(Ap + (i - g0) * nk, bp, kx, ldb, C + i * N + j0, N, nk, w, 1, div, d); break;
  }
}

// rows_group on B read in place (live row ks[t] at B + ks[t]·N), compiled apart: inlined beside the packed call,
// the compiler merges the two into one loop that picks the row per k at run time, a quarter slower
static __attribute__((noinline)) void rows_in_place(const double *Ap, const double *B, const int *ks, double *C, int N, int nk,
                                                    int w, int g0, int g1, int j0, int div, double d) {
  rows_group(Ap, B, ks, N, C, N, nk, w, g0, g1, j0, div, d);
}

// NN_R (4) rows of A, k … k+1, as the two k-major 4-vectors of the packed block (2 × 2 transposes)
INLINE void pack4x2(double *dst, const double *a, int ars) {
  vec a0 = vld(a), a1 = vld(a + ars), a2 = vld(a + 2 * ars), a3 = vld(a + 3 * ars);
  vst(dst, wasm_i64x2_shuffle(a0, a1, 0, 2));
  vst(dst + 2, wasm_i64x2_shuffle(a2, a3, 0, 2));
  vst(dst + 4, wasm_i64x2_shuffle(a0, a1, 1, 3));
  vst(dst + 6, wasm_i64x2_shuffle(a2, a3, 1, 3));
}
#define PACK_KS 2  // k a transpose takes
#define PACK_T pack4x2
INLINE void pack_row4(double *dst, const double *a) {
  vst(dst, vld(a));
  vst(dst + 2, vld(a + 2));
}

#define PACK_REAL double
#include "pack-a.h"

/**
 * Rows [r0, r1) × columns [c0, c1) of C, skipping the rows of B that are zero over columns [l0, l1); scratch:
 * gemm_scratch_bytes.
 */
static void gemm_cols(const double *A, int ars, int aks, const double *B, double *C, int M, int K, int N,
                      double divisor, char *scratch, int r0, int r1, int c0, int c1, int l0, int l1) {
  int div = divisor != 1.0;
  int *ks = (int *)scratch;
  double *Ap = (double *)(scratch + 4 * round_up(K + M + N, 16));
  double *Bp = Ap + round_up(imin(M, MC), NN_R) * K;
  if (c0 >= c1 || r0 >= r1) return;
  int nk = live_rows(B, K, N, l0, l1, ks);
  // at most MC rows of op(A) packed at a time (the scratch stays MC × K however many rows the layer has); each
  // group of rows packs the panels of B again
  for (int g0 = r0; g0 < r1; g0 += MC) {
    int g1 = imin(r1, g0 + MC);
    // op(A)'s rows [g0, g1), live k only, in blocks of NN_R rows (a short last block is padded with zeros)
    for (int i = g0; i < g1; i += NN_R) pack_a(Ap + (i - g0) * nk, A + i * ars, ars, aks, ks, nk, g1 - i);
    for (int j0 = c0; j0 < c1; j0 += NB) {
      int w = imin(NB, c1 - j0);
      // one block of NN_R rows reads each panel of B once: in place, as packing it would cost what it saves
      if (g1 - g0 <= NN_R) {
        rows_in_place(Ap, B + j0, ks, C, N, nk, w, g0, g1, j0, div, divisor);
        continue;
      }
      // the panel as micro-panels (see bcols): 4 columns, then 2, then 1
      for (int t = 0; t < nk; t++) {
        const double *b = B + ks[t] * N + j0;
        int c = 0;
        for (; c + 4 <= w; c += 4) {
          vst(Bp + c * nk + 4 * t, vld(b + c));
          vst(Bp + c * nk + 4 * t + 2, vld(b + c + 2));
        }
        if (c + 2 <= w) {
          vst(Bp + c * nk + 2 * t, vld(b + c));
          c += 2;
        }
        if (c < w) Bp[c * nk + t] = b[c];
      }
      rows_group(Ap, Bp, 0, 0, C, N, nk, w, g0, g1, j0, div, divisor);
    }
  }
}

INLINE void gemm_xn(const double *A, int ars, int aks, const double *B, double *C, int M, int K, int N,
                    double divisor, char *scratch, int part, int nparts) {
  // parts take whole rows where C is at least as tall as wide (every part packs all of B, the smaller operand
  // there), else columns (every part packs all of op(A)); an element's sum is the same either way
  int r0 = 0, r1 = M, c0 = 0, c1 = N;
  if (M >= N) share(M, part, nparts, NN_R, &r0, &r1);
  else share(N, part, nparts, 4, &c0, &c1);
  gemm_cols(A, ars, aks, B, C, M, K, N, divisor, scratch + part * gemm_scratch_bytes(M, K, N, 0), r0, r1, c0, c1, 0, N);
}

/** C(M×N) = A(M×K) · B(K×N) / divisor; scratch: gemm_scratch_bytes(M, K, N). */
EXPORT(gemm_nn) void gemm_nn(const double *A, const double *B, double *C, int M, int K, int N, double divisor,
                             char *scratch) {
  gemm_xn(A, K, 1, B, C, M, K, N, divisor, scratch, 0, 1);
}

/** C(M×N) = A(K×M)ᵀ · B(K×N) / divisor; scratch: gemm_scratch_bytes(M, K, N). */
EXPORT(gemm_tn) void gemm_tn(const double *A, const double *B, double *C, int M, int K, int N, double divisor,
                             char *scratch) {
  gemm_xn(A, 1, M, B, C, M, K, N, divisor, scratch, 0, 1);
}

#ifdef KERNELS_MT
/** gemm_nn for this part's rows or columns (gemm_xn); scratch: gemm_scratch_bytes(M, K, N) per part. */
EXPORT(gemm_nn_mt) void gemm_nn_mt(const double *A, const double *B, double *C, int M, int K, int N, double divisor,
                                   char *scratch, int part, int nparts) {
  gemm_xn(A, K, 1, B, C, M, K, N, divisor, scratch, part, nparts);
}

/** gemm_tn for this part's rows or columns (gemm_xn); scratch: gemm_scratch_bytes(M, K, N) per part. */
EXPORT(gemm_tn_mt) void gemm_tn_mt(const double *A, const double *B, double *C, int M, int K, int N, double divisor,
                                   char *scratch, int part, int nparts) {
  gemm_xn(A, 1, M, B, C, M, K, N, divisor, scratch, part, nparts);
}

// Columns [c0, c1) of one block of samples (split.ts), rows of B skipped when zero over those columns alone:
// a term a·0 adds nothing to a finite sum, so the bits are those of the whole gemm. scratch: gemm_scratch_bytes.

/** Columns [c0, c1) of C(M×N) = A(M×K) · B(K×N). */
EXPORT(gemm_nn_cols) void gemm_nn_cols(const double *A, const double *B, double *C, int M, int K, int N, char *scratch,
                                       int c0, int c1) {
  gemm_cols(A, K, 1, B, C, M, K, N, 1.0, scratch, 0, M, c0, c1, c0, c1);
}

/** Columns [c0, c1) of C(M×N) = A(K×M)ᵀ · B(K×N). */
EXPORT(gemm_tn_cols) void gemm_tn_cols(const double *A, const double *B, double *C, int M, int K, int N, char *scratch,
                                       int c0, int c1) {
  gemm_cols(A, 1, M, B, C, M, K, N, 1.0, scratch, 0, M, c0, c1, c0, c1);
}
#endif

// ---------------------------------------------------------------------------------------------------------
// C(M×N) = A(M×K) · B(N×K)ᵀ / divisor: every element is a dot product of two contiguous rows of length K.
// R live rows of A × S live rows of B per block (4 × 2 measured fastest); each dot keeps one f64x2
// accumulator (even k, odd k) whose lanes are added at the end, per side of sample_cut(K). Dead rows give zeros.

#ifndef NT_R
#define NT_R 4
#endif
#ifndef NT_S
#define NT_S 2
#endif

/**
 * One R×S tile of dots over len values of rows ld apart (even and odd k in two lanes, added at the end, then the odd tail).
 * With `add` the sum is added to what C holds (the first side of a cut, undivided) before the division.
 */
INLINE void dots(const double *A, const double *B, double *C, const int *is, const int *js, int len, int ld, int N, int R,
                 int S, int add, int div, double d) {
  vec acc[NT_R][NT_S];
  const double *a[NT_R], *b[NT_S];
  for (int r = 0; r < R; r++) a[r] = A + is[r] * ld;
  for (int s = 0; s < S; s++) b[s] = B + js[s] * ld;
  for (int r = 0; r < R; r++)
    for (int s = 0; s < S; s++) acc[r][s] = wasm_f64x2_const(0.0, 0.0);
  int k = 0;
  for (; k + 2 <= len; k += 2) {
    vec av[NT_R], bv[NT_S];
    for (int r = 0; r < R; r++) av[r] = vld(a[r] + k);
    for (int s = 0; s < S; s++) bv[s] = vld(b[s] + k);
    for (int r = 0; r < R; r++)
      for (int s = 0; s < S; s++) acc[r][s] = madd(av[r], bv[s], acc[r][s]);
  }
  // unrolled in full (R and S are constants here), so acc stays in registers: clang 19 left this nest rolled and
  // the arrays on the C stack, which the threads share
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
    for (int s = 0; s < S; s++) {
      double x = wasm_f64x2_extract_lane(acc[r][s], 0) + wasm_f64x2_extract_lane(acc[r][s], 1);
      if (k < len) x = smadd(a[r][k], b[s][k], x);
      if (add) x = C[is[r] * N + js[s]] + x;
      C[is[r] * N + js[s]] = div ? x / d : x;
    }
}

INLINE void dots_rows(const double *A, const double *B, double *C, const int *is, const int *js, int nj, int len, int ld,
                      int N, int R, int add, int div, double d) {
  int t = 0;
  for (; t + NT_S <= nj; t += NT_S) dots(A, B, C, is, js + t, len, ld, N, R, NT_S, add, div, d);
  for (; t < nj; t++) dots(A, B, C, is, js + t, len, ld, N, R, 1, add, div, d);
}

/** The live indices of `live` (n of them) that fall in [lo, hi): returns the first, sets *cnt. */
INLINE const int *live_in(const int *live, int n, int lo, int hi, int *cnt) {
  int a = 0;
  while (a < n && live[a] < lo) a++;
  int b = a;
  while (b < n && live[b] < hi) b++;
  *cnt = b - a;
  return live + a;
}

/**
 * Every tile of the live rows is × js (`add`, `div`: see dots). Not inlined: gemm NT calls it once, or twice for
 * the two sides of a cut, and one copy of the tile loops compiles best.
 */
static __attribute__((noinline)) void nt_tiles(const double *A, const double *B, double *C, const int *is, int ni,
                                               const int *js, int nj, int len, int ld, int N, int add, int div,
                                               double divisor) {
  int t = 0;
  for (; t + NT_R <= ni; t += NT_R) dots_rows(A, B, C, is + t, js, nj, len, ld, N, NT_R, add, div, divisor);
  switch (ni - t) {
    case 3: dots_rows(A, B, C, is + t, js, nj, len, ld, N, 3, add, div, divisor); break;
    case 2: dots_rows(A, B, C, is + t, js, nj, len, ld, N, 2, add, div, divisor); break;
    case 1: dots_rows(A, B, C, is + t, js, nj, len, ld, N, 1, add, div, divisor); break;
  }
}

INLINE void gemm_nt_part(const double *A, const double *B, double *C, int M, int K, int N, double divisor,
                         int *scratch, int cut, int part, int nparts) {
  int div = divisor != 1.0;
  int r0 = 0, r1 = M, c0 = 0, c1 = N;
  if (M >= 4 * nparts || M >= N) share(M, part, nparts, NT_R, &r0, &r1);
  else share(N, part, nparts, NT_S, &c0, &c1);
  scratch += part * (gemm_scratch_bytes(M, K, N, 1) / 4);
  int *isAll = scratch, *jsAll = scratch + M;
  int niAll = live_rows(A, M, K, 0, K, isAll), njAll = live_rows(B, N, K, 0, K, jsAll);
  if (niAll < M || njAll < N) {
    double z = div ? 0.0 / divisor : 0.0;  // what a dot of zeros would have given (np.dot gives +0 there)
    for (int i = r0; i < r1; i++)
      for (int j = c0; j < c1; j++) C[i * N + j] = z;
  }
  int ni, nj;
  const int *is = live_in(isAll, niAll, r0, r1, &ni), *js = live_in(jsAll, njAll, c0, c1, &nj);
  if (cut) {
    // the two sides of the cut summed apart: the first into C undivided, then the second added to it
    nt_tiles(A, B, C, is, ni, js, nj, cut, K, N, 0, 0, 1.0);
    nt_tiles(A + cut, B + cut, C, is, ni, js, nj, K - cut, K, N, 1, div, divisor);
  } else {
    nt_tiles(A, B, C, is, ni, js, nj, K, K, N, 0, div, divisor);
  }
}

/** C(M×N) = A(M×K) · B(N×K)ᵀ / divisor; scratch: gemm_scratch_bytes(M, K, N) (its first M + N ints). */
EXPORT(gemm_nt) void gemm_nt(const double *A, const double *B, double *C, int M, int K, int N, double divisor,
                             int *scratch) {
  gemm_nt_part(A, B, C, M, K, N, divisor, scratch, sample_cut(K), 0, 1);
}

#ifdef KERNELS_MT
/** gemm_nt for this part's rows (or columns, when M is too small to share); scratch: gemm_scratch_bytes per part. */
EXPORT(gemm_nt_mt) void gemm_nt_mt(const double *A, const double *B, double *C, int M, int K, int N, double divisor,
                                   int *scratch, int part, int nparts) {
  gemm_nt_part(A, B, C, M, K, N, divisor, scratch, sample_cut(K), part, nparts);
}

/** One block of samples' share of gemm_nt: C = A · Bᵀ over this block's K samples, not cut, not divided. */
EXPORT(gemm_nt_block) void gemm_nt_block(const double *A, const double *B, double *C, int M, int K, int N,
                                         int *scratch) {
  gemm_nt_part(A, B, C, M, K, N, 1.0, scratch, 0, 0, 1);
}

#endif

// ---------------------------------------------------------------------------------------------------------
// numpy's pairwise_sum (numpy/core/src/umath/loops_utils.h.src), for a contiguous float64 row.

static double pairwise_sum(const double *a, int n) {
  if (n < 8) {
    double res = 0.0;
    for (int i = 0; i < n; i++) res = res + a[i];
    return res;
  } else if (n <= 128) {
    // r[0..7] = a[0..7]; r[j] += a[i + j] for every full block of 8; lanes of r01 are r[0], r[1], …
    vec r01 = vld(a), r23 = vld(a + 2), r45 = vld(a + 4), r67 = vld(a + 6);
    int i;
    int end = n - (n % 8);
    for (i = 8; i < end; i += 8) {
      r01 = vadd(r01, vld(a + i));
      r23 = vadd(r23, vld(a + i + 2));
      r45 = vadd(r45, vld(a + i + 4));
      r67 = vadd(r67, vld(a + i + 6));
    }
    double r0 = wasm_f64x2_extract_lane(r01, 0), r1 = wasm_f64x2_extract_lane(r01, 1);
    double r2 = wasm_f64x2_extract_lane(r23, 0), r3 = wasm_f64x2_extract_lane(r23, 1);
    double r4 = wasm_f64x2_extract_lane(r45, 0), r5 = wasm_f64x2_extract_lane(r45, 1);
    double r6 = wasm_f64x2_extract_lane(r67, 0), r7 = wasm_f64x2_extract_lane(r67, 1);
    double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res = res + a[i];
    return res;
  } else {
    int n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
  }
}

/** out[r] = (0 + pairwise_sum(X[r, :])) / divisor for every row: np.sum(X, axis=1) / divisor. */
INLINE void row_sums_part(const double *X, double *out, int rows, int cols, double divisor, int part, int nparts) {
  int r0, r1;
  share(rows, part, nparts, 1, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    // numpy's add.reduce starts from its identity 0 (which turns a -0 sum into +0)
    double s = 0.0 + pairwise_sum(X + r * cols, cols);
    out[r] = s / divisor;
  }
}

EXPORT(row_sums) void row_sums(const double *X, double *out, int rows, int cols, double divisor) {
  row_sums_part(X, out, rows, cols, divisor, 0, 1);
}

#ifdef KERNELS_MT
EXPORT(row_sums_mt) void row_sums_mt(const double *X, double *out, int rows, int cols, double divisor, int part,
                                     int nparts) {
  row_sums_part(X, out, rows, cols, divisor, part, nparts);
}

/** One block of samples' share of the row sums (numpy's tree is cut at sample_cut already): not divided. */
EXPORT(row_sums_block) void row_sums_block(const double *X, double *out, int rows, int cols) {
  row_sums_part(X, out, rows, cols, 1.0, 0, 1);
}

/** o = (p + q) / m element by element: a split batch's two blocks' sums added, then divided (../split.ts). */
EXPORT(add_div) void add_div(double *o, const double *p, const double *q, int n, double m) {
  vec mv = vsplat(m);
  int i = 0;
  for (; i + 2 <= n; i += 2) vst(o + i, wasm_f64x2_div(vadd(vld(p + i), vld(q + i)), mv));
  for (; i < n; i++) o[i] = (p[i] + q[i]) / m;
}
#endif

// ---------------------------------------------------------------------------------------------------------
// Elementwise: bias + activation, activation backward, the sgd step.

enum { ACT_RELU = 0, ACT_LEAKY = 1, ACT_LINEAR = 2, ACT_SIGMOID = 3, ACT_TANH = 4 };

/**
 * Z += bias (per row), then A = g(Z) for relu, leaky_relu (slope) or linear; other activations only get the
 * bias added (their g runs in JS). Returns 1 when every output (or every Z, for the others) is finite.
 */
INLINE int bias_act_range(double *Z, const double *bias, double *A, int cols, int r0, int r1, int j0, int j1, int act,
                          double slope) {
  vec zero = wasm_f64x2_const(0.0, 0.0);
  vec sl = vsplat(slope);
  vec chk = zero;  // Σ out·0: NaN iff some output is NaN or ±Infinity (never overflows)
  double chks = 0.0;
  for (int r = r0; r < r1; r++) {
    double b = bias[r];
    vec bv = vsplat(b);
    double *z = Z + r * cols, *a = A + r * cols;
    int j = j0;
    for (; j + 2 <= j1; j += 2) {
      vec v = vadd(vld(z + j), bv);
      vst(z + j, v);
      vec o;
      if (act == ACT_RELU) {
        // np.maximum(0, Z): v where v > 0 or v is NaN, else +0
        vec keep = wasm_v128_or(wasm_f64x2_gt(v, zero), wasm_f64x2_ne(v, v));
        o = wasm_v128_and(v, keep);
      } else if (act == ACT_LEAKY) {
        o = wasm_v128_bitselect(v, vmul(sl, v), wasm_f64x2_gt(v, zero));
      } else {
        o = v;
      }
      if (act <= ACT_LINEAR) vst(a + j, o);
      chk = vadd(chk, vmul(o, zero));
    }
    for (; j < j1; j++) {
      double v = z[j] + b;
      z[j] = v;
      double o;
      if (act == ACT_RELU) o = v > 0 ? v : v != v ? v : 0.0;
      else if (act == ACT_LEAKY) o = v > 0 ? v : slope * v;
      else o = v;
      if (act <= ACT_LINEAR) a[j] = o;
      chks = chks + o * 0.0;
    }
  }
  double c = wasm_f64x2_extract_lane(chk, 0) + wasm_f64x2_extract_lane(chk, 1) + chks;
  return c == 0.0;
}

INLINE int bias_act_part(double *Z, const double *bias, double *A, int rows, int cols, int act, double slope,
                         int part, int nparts) {
  int r0, r1;
  share(rows, part, nparts, 1, &r0, &r1);
  return bias_act_range(Z, bias, A, cols, r0, r1, 0, cols, act, slope);
}

EXPORT(bias_act) int bias_act(double *Z, const double *bias, double *A, int rows, int cols, int act, double slope) {
  return bias_act_part(Z, bias, A, rows, cols, act, slope, 0, 1);
}

#ifdef KERNELS_MT
EXPORT(bias_act_mt) int bias_act_mt(double *Z, const double *bias, double *A, int rows, int cols, int act, double slope,
                                    int part, int nparts) {
  return bias_act_part(Z, bias, A, rows, cols, act, slope, part, nparts);
}

/** bias_act over columns [c0, c1) of every row (one block's chunk of samples, split.ts). */
EXPORT(bias_act_cols) int bias_act_cols(double *Z, const double *bias, double *A, int rows, int cols, int act,
                                        double slope, int c0, int c1) {
  return bias_act_range(Z, bias, A, cols, 0, rows, c0, c1, act, slope);
}
#endif

/** dZ = dA ⊙ g'(Z) over n values, as engine/activations.ts (softmax is not handled here). */
INLINE void act_backward_all(const double *dA, const double *Z, const double *A, double *dZ, int n, int act,
                             double slope) {
  vec zero = wasm_f64x2_const(0.0, 0.0);
  vec one = wasm_f64x2_const(1.0, 1.0);
  vec sl = vsplat(slope);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    vec g = vld(dA + i), o;
    if (act == ACT_RELU) {
      o = wasm_v128_andnot(g, wasm_f64x2_le(vld(Z + i), zero));  // dZ[Z <= 0] = 0
    } else if (act == ACT_LEAKY) {
      o = wasm_v128_bitselect(g, vmul(sl, g), wasm_f64x2_gt(vld(Z + i), zero));
    } else if (act == ACT_SIGMOID) {
      vec s = vld(A + i);
      o = vmul(vmul(g, s), wasm_f64x2_sub(one, s));  // dA * s * (1 - s)
    } else if (act == ACT_TANH) {
      vec t = vld(A + i);
      o = vmul(g, wasm_f64x2_sub(one, vmul(t, t)));
    } else {
      o = g;
    }
    vst(dZ + i, o);
  }
  for (; i < n; i++) {
    double g = dA[i], o;
    if (act == ACT_RELU) o = Z[i] <= 0 ? 0.0 : g;
    else if (act == ACT_LEAKY) o = Z[i] > 0 ? g : slope * g;
    else if (act == ACT_SIGMOID) o = g * A[i] * (1 - A[i]);
    else if (act == ACT_TANH) o = g * (1 - A[i] * A[i]);
    else o = g;
    dZ[i] = o;
  }
}

EXPORT(act_backward) void act_backward(const double *dA, const double *Z, const double *A, double *dZ, int n, int act,
                                       double slope) {
  act_backward_all(dA, Z, A, dZ, n, act, slope);
}

#ifdef KERNELS_MT
EXPORT(act_backward_mt) void act_backward_mt(const double *dA, const double *Z, const double *A, double *dZ, int n,
                                             int act, double slope, int part, int nparts) {
  int i0, i1;
  share(n, part, nparts, 8, &i0, &i1);
  act_backward_all(dA + i0, Z + i0, A + i0, dZ + i0, i1 - i0, act, slope);
}

/** act_backward over columns [c0, c1) of every row of rows×cols matrices (one block's chunk of samples). */
EXPORT(act_backward_cols) void act_backward_cols(const double *dA, const double *Z, const double *A, double *dZ, int rows,
                                                 int cols, int act, double slope, int c0, int c1) {
  for (int r = 0; r < rows; r++) {
    int o = r * cols + c0;
    act_backward_all(dA + o, Z + o, A + o, dZ + o, c1 - c0, act, slope);
  }
}
#endif

/** p -= lr · g (l2 = 0), or p -= lr · (g + l2 · p). */
INLINE void sgd_all(double *p, const double *g, int n, double lr, double l2) {
  vec lv = vsplat(lr), l2v = vsplat(l2);
  int i = 0;
  if (l2 == 0.0) {
    for (; i + 2 <= n; i += 2) vst(p + i, wasm_f64x2_sub(vld(p + i), vmul(lv, vld(g + i))));
    for (; i < n; i++) p[i] = p[i] - lr * g[i];
  } else {
    for (; i + 2 <= n; i += 2) {
      vec pv = vld(p + i);
      vst(p + i, wasm_f64x2_sub(pv, vmul(lv, vadd(vld(g + i), vmul(l2v, pv)))));
    }
    for (; i < n; i++) p[i] = p[i] - lr * (g[i] + l2 * p[i]);
  }
}

EXPORT(sgd) void sgd(double *p, const double *g, int n, double lr, double l2) { sgd_all(p, g, n, lr, l2); }

#ifdef KERNELS_MT
EXPORT(sgd_mt) void sgd_mt(double *p, const double *g, int n, double lr, double l2, int part, int nparts) {
  int i0, i1;
  share(n, part, nparts, 8, &i0, &i1);
  sgd_all(p + i0, g + i0, i1 - i0, lr, l2);
}
#endif

/**
 * Momentum: g' = g (l2 = 0) or g + l2·p; v = mu·v + g'; p -= lr·v — engine/backends/cpu.ts's cpuUpdate and
 * make_training_fixtures.update, operation for operation.
 */
INLINE void momentum_all(double *p, const double *g, double *v, int n, double lr, double l2, double mu) {
  vec lv = vsplat(lr), l2v = vsplat(l2), muv = vsplat(mu);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    vec pv = vld(p + i), gi = vld(g + i);
    if (l2 != 0.0) gi = vadd(gi, vmul(l2v, pv));
    vec vv = vadd(vmul(muv, vld(v + i)), gi);
    vst(v + i, vv);
    vst(p + i, wasm_f64x2_sub(pv, vmul(lv, vv)));
  }
  for (; i < n; i++) {
    double gi = l2 == 0.0 ? g[i] : g[i] + l2 * p[i];
    v[i] = mu * v[i] + gi;
    p[i] = p[i] - lr * v[i];
  }
}

/**
 * Adam: m = b1·m + (1−b1)·g'; v = b2·v + (1−b2)·g'·g'; p -= (lr·(m/c1)) / (√(v/c2) + eps), with c1 = 1 − b1^t and
 * c2 = 1 − b2^t computed by the caller (as cpuUpdate and numpy do, in that order; omb1 = 1 − b1, omb2 = 1 − b2).
 */
INLINE void adam_all(double *p, const double *g, double *m, double *v, int n, double lr, double l2, double b1,
                     double omb1, double b2, double omb2, double c1, double c2, double eps) {
  vec lv = vsplat(lr), l2v = vsplat(l2), b1v = vsplat(b1), o1v = vsplat(omb1), b2v = vsplat(b2), o2v = vsplat(omb2);
  vec c1v = vsplat(c1), c2v = vsplat(c2), ev = vsplat(eps);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    vec pv = vld(p + i), gi = vld(g + i);
    if (l2 != 0.0) gi = vadd(gi, vmul(l2v, pv));
    vec mv = vadd(vmul(b1v, vld(m + i)), vmul(o1v, gi));
    vec vv = vadd(vmul(b2v, vld(v + i)), vmul(vmul(o2v, gi), gi));
    vst(m + i, mv);
    vst(v + i, vv);
    vec step = wasm_f64x2_div(vmul(lv, wasm_f64x2_div(mv, c1v)), vadd(wasm_f64x2_sqrt(wasm_f64x2_div(vv, c2v)), ev));
    vst(p + i, wasm_f64x2_sub(pv, step));
  }
  for (; i < n; i++) {
    double gi = l2 == 0.0 ? g[i] : g[i] + l2 * p[i];
    m[i] = b1 * m[i] + omb1 * gi;
    v[i] = b2 * v[i] + omb2 * gi * gi;
    p[i] = p[i] - (lr * (m[i] / c1)) / (__builtin_sqrt(v[i] / c2) + eps);
  }
}

EXPORT(momentum) void momentum(double *p, const double *g, double *v, int n, double lr, double l2, double mu) {
  momentum_all(p, g, v, n, lr, l2, mu);
}

EXPORT(adam) void adam(double *p, const double *g, double *m, double *v, int n, double lr, double l2, double b1,
                       double omb1, double b2, double omb2, double c1, double c2, double eps) {
  adam_all(p, g, m, v, n, lr, l2, b1, omb1, b2, omb2, c1, c2, eps);
}

#ifdef KERNELS_MT
EXPORT(momentum_mt) void momentum_mt(double *p, const double *g, double *v, int n, double lr, double l2, double mu,
                                     int part, int nparts) {
  int i0, i1;
  share(n, part, nparts, 8, &i0, &i1);
  momentum_all(p + i0, g + i0, v + i0, i1 - i0, lr, l2, mu);
}

EXPORT(adam_mt) void adam_mt(double *p, const double *g, double *m, double *v, int n, double lr, double l2, double b1,
                             double omb1, double b2, double omb2, double c1, double c2, double eps, int part,
                             int nparts) {
  int i0, i1;
  share(n, part, nparts, 8, &i0, &i1);
  adam_all(p + i0, g + i0, m + i0, v + i0, i1 - i0, lr, l2, b1, omb1, b2, omb2, c1, c2, eps);
}
#endif
