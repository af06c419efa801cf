// The float32 CPU path's inner loops as WebAssembly SIMD (f32x4: twice the lanes of the float64 kernels), working
// in place on tensors in the module's (imported) linear memory. Rebuilt by scripts/build-wasm.sh into
// kernels-f32-wasm.ts (one thread) and kernels-f32-mt-wasm.ts (shared memory, for ../parallel.ts), and their fused
// twins kernels-f32-fma-wasm.ts and kernels-f32-fma-mt-wasm.ts.
//
// Numerics: IEEE float32 products and sums, no -ffast-math. Built with KERNELS_FMA (and -mrelaxed-simd), every gemm
// term is added with f32x4.relaxed_madd: fused (one rounding) where the processor has FMA, as every x86-64 since 2013
// and every ARM64 does, separate elsewhere; the engine loads that build where the WebAssembly engine has relaxed SIMD
// and the plain one (a product rounded, then the sum) elsewhere. Unlike the float64 kernels these do not
// reproduce numpy's summation order (numpy's float32 sgemm doesn't promise one either): gemm NN/TN sum each
// element in k order; gemm NT sums each dot product in 4 lanes (k mod 4) added at the end, and row sums use 16
// lanes, both on each side of the sample axis's first cut (sample-cut.h), then add the two sides (the _block
// kernels sum one block of samples uncut: ../split.ts adds the blocks' sums and gets these bits).
//
// Every kernel takes (part, nparts) last and does only its share of the output (columns for NN/TN, rows or
// columns for NT, rows or elements for the rest), so nparts threads sharing the memory can each call it with
// their own part; one thread calls it with (0, 1). No part writes what another reads in the same call.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t vec;

INLINE vec vadd(vec a, vec b) { return wasm_f32x4_add(a, b); }
INLINE vec vmul(vec a, vec b) { return wasm_f32x4_mul(a, b); }
INLINE vec vld(const float *p) { return wasm_v128_load(p); }
INLINE void vst(float *p, vec x) { wasm_v128_store(p, x); }
INLINE vec vsplat(float x) { return wasm_f32x4_splat(x); }
/**
 * acc + a·b: fused in the KERNELS_FMA build (see Numerics above). smadd is the same for one value, through lane 0 of
 * the same instruction: a gemm's output column goes through the vector or the scalar tail depending on where a
 * part's columns end, and must get the same bits either way.
 */
#ifdef KERNELS_FMA
INLINE vec madd(vec a, vec b, vec acc) { return wasm_f32x4_relaxed_madd(a, b, acc); }
INLINE float smadd(float a, float b, float acc) {
  return wasm_f32x4_extract_lane(wasm_f32x4_relaxed_madd(vsplat(a), vsplat(b), vsplat(acc)), 0);
}
#else
INLINE vec madd(vec a, vec b, vec acc) { return vadd(acc, vmul(a, b)); }
INLINE float smadd(float a, float b, float acc) { return acc + a * b; }
#endif

#define LANE0(v) wasm_f32x4_extract_lane(v, 0)
#include "madd-peak.h"

INLINE int imin(int a, int b) { return a < b ? a : b; }

/** Part `part` of nparts of [0, n), cut on multiples of `align`, as [*b, *e). */
#include "sample-cut.h"

INLINE void share(int n, int part, int nparts, int align, int *b, int *e) {
  int chunks = (n + align - 1) / align;
  int per = chunks / nparts, rem = chunks % nparts;
  int c0 = part * per + (part < rem ? part : rem);
  int c1 = c0 + per + (part < rem ? 1 : 0);
  *b = imin(c0 * align, n);
  *e = imin(c1 * align, n);
}

// Dead ReLUs give all-zero rows of A and dZ; the gemms skip them (a term a·0 adds nothing to a finite sum).

/** Indices of the rows of X (rows×cols) holding a nonzero in columns [j0, j1) (NaN counts); returns how many. */
static int live_rows(const float *X, int rows, int cols, int j0, int j1, int *out) {
  int n = 0;
  for (int r = 0; r < rows; r++) {
    const float *x = X + r * cols;
    int j = j0;
    while (j < j1 && x[j] == 0.0f) j++;
    if (j < j1) out[n++] = r;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// C(M×N) = op(A)·B / divisor; op(A)[i][k] = A[i*ars + k*aks] (NN: ars = K, aks = 1; TN: ars = 1, aks = M).
// Both operands are packed first (over the live k only): op(A) as blocks of NN_R rows, k-major
// (Ap[blk][t][r]), and each panel of NB columns of B as micro-panels of the micro-kernel's 4·NN_V columns (then 4,
// then the last 1–3), each k-major: the one at column c at Bp + c·nk, its row t at + t·width. Packing matters more
// than anything else here: a panel read in place walks rows N floats apart, which land in the same few L1 sets and
// evict each other; and each micro-kernel reads one contiguous run of B (a panel packed row by row, Bp[t][c], put
// each k's 8 columns 256 bytes apart: the wide full batch's step was 5 % slower).
// The micro-kernel keeps R rows × V vectors (4·V columns) of C in registers and walks the live k in order.

#ifndef NB
#define NB 64
#endif
#ifndef NN_R
#define NN_R 4
#endif
#ifndef MC
#define MC 256  // rows of op(A) packed at a time (a multiple of NN_R)
#endif
#ifndef NN_V
#define NN_V 2
#endif

INLINE int round_up(int n, int to) { return (n + to - 1) / to * to; }

/**
 * Bytes of scratch one part of a gemm needs: the live lists and, for NN and TN (nt = 0), both packed operands
 * (NT packs nothing: its K, the samples, may be long). A multiple of 64, so that every part's block is aligned.
 */
EXPORT(gemm_scratch_bytes) int gemm_scratch_bytes(int M, int K, int N, int nt) {
  return round_up(4 * round_up(K + M + N, 16) + (nt ? 0 : 4 * round_up(imin(M, MC), NN_R) * K + 4 * K * NB), 64);
}

INLINE void micro(const float *ap, const float *bp, const int *kx, int ldb, float *C, int N, int nk, int R, int V,
                  int div, vec d) {
  vec acc[NN_R][NN_V];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = wasm_f32x4_const(0, 0, 0, 0);
  // pointers stepped, not indexed: built with -disable-lsr (build-wasm.sh), each load then takes its offset as a constant
  const float *ak = ap, *bn = bp;
  for (int t = 0; t < nk; t++, ak += NN_R, bn += ldb) {
    const float *bk = kx ? bp + kx[t] * ldb : bn;
    vec bv[NN_V];
    for (int v = 0; v < V; v++) bv[v] = vld(bk + 4 * v);
    for (int r = 0; r < R; r++) {
      vec x = wasm_v128_load32_splat(ak + r);
      for (int v = 0; v < V; v++) acc[r][v] = madd(x, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) vst(C + r * N + 4 * v, div ? wasm_f32x4_div(acc[r][v], d) : acc[r][v]);
}

// R rows × the last 1–3 columns, scalar
INLINE void micro_tail(const float *ap, const float *bp, const int *kx, int ldb, float *C, int N, int nk, int w, int R,
                       int div, float d) {
  for (int c = 0; c < w; c++) {
    float acc[NN_R];
    for (int r = 0; r < R; r++) acc[r] = 0.0f;
    for (int t = 0; t < nk; t++) {
      float y = bp[(kx ? kx[t] : t) * ldb + c];
      for (int r = 0; r < R; r++) acc[r] = smadd(ap[t * NN_R + r], y, acc[r]);
    }
    for (int r = 0; r < R; r++) C[r * N + c] = div ? acc[r] / d : acc[r];
  }
}

// B's columns from c, `width` of them: in place (kx set) at bp + c, rows ldb apart; packed, the micro-panel at
// bp + c·nk, rows `width` apart
INLINE const float *bcols(const float *bp, const int *kx, int nk, int c) { return kx ? bp + c : bp + c * nk; }
INLINE int brows(const int *kx, int ldb, int width) { return kx ? ldb : width; }

INLINE void rows_block(const float *ap, const float *bp, const int *kx, int ldb, float *C, int N, int nk, int w, int R,
                       int div, float d) {
  vec dv = vsplat(d);
  int c = 0;
  for (; c + 4 * NN_V <= w; c += 4 * NN_V)
    micro(ap, bcols(bp, kx, nk, c), kx, brows(kx, ldb, 4 * NN_V), C + c, N, nk, R, NN_V, div, dv);
  for (; c + 4 <= w; c += 4) micro(ap, bcols(bp, kx, nk, c), kx, brows(kx, ldb, 4), C + c, N, nk, R, 1, div, dv);
  if (c < w) micro_tail(ap, bcols(bp, kx, nk, c), kx, brows(kx, ldb, w - c), C + c, N, nk, w - c, R, div, d);
}

/**
 * Rows [g0, g1) of C's columns [j0, j0 + w): op(A)'s rows packed at Ap; B's panel packed at bp (kx = 0: see
 * bcols), or read in place, row t (of the live k) at bp + kx[t]·ldb.
 */
INLINE void rows_group(const float *Ap, const float *bp, const int *kx, int ldb, float *C, int N, int nk, int w, int g0, int g1,
                       int j0, int div, float d) {
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
static __attribute__((noinline)) void rows_in_place(const float *Ap, const float *B, const int *ks, float *C, int N, int nk,
                                                    int w, int g0, int g1, int j0, int div, float d) {
  rows_group(Ap, B, ks, N, C, N, nk, w, g0, g1, j0, div, d);
}

// NN_R (4) rows of A, k … k+3, as the four k-major 4-vectors of the packed block (a 4 × 4 transpose)
INLINE void pack4x4(float *dst, const float *a, int ars) {
  vec a0 = vld(a), a1 = vld(a + ars), a2 = vld(a + 2 * ars), a3 = vld(a + 3 * ars);
  vec t0 = wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5);
  vec t2 = wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7);
  vst(dst, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
  vst(dst + 4, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
  vst(dst + 8, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
  vst(dst + 12, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
}
#define PACK_KS 4  // k a transpose takes
#define PACK_T pack4x4
INLINE void pack_row4(float *dst, const float *a) { vst(dst, vld(a)); }

#define PACK_REAL float
#include "pack-a.h"

/**
 * Rows [r0, r1) × columns [c0, c1) of C, skipping the rows of B that are zero over columns [l0, l1); scratch:
 * gemm_scratch_bytes.
 */
static void gemm_cols(const float *A, int ars, int aks, const float *B, float *C, int M, int K, int N, float divisor,
                      char *scratch, int r0, int r1, int c0, int c1, int l0, int l1) {
  int div = divisor != 1.0f;
  int *ks = (int *)scratch;
  float *Ap = (float *)(scratch + 4 * round_up(K + M + N, 16));
  float *Bp = Ap + round_up(imin(M, MC), NN_R) * K;
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
      // the panel as micro-panels (see bcols): 4·NN_V columns, then 4, then the last 1–3
      for (int t = 0; t < nk; t++) {
        const float *b = B + ks[t] * N + j0;
        int c = 0;
        for (; c + 4 * NN_V <= w; c += 4 * NN_V)
          for (int v = 0; v < NN_V; v++) vst(Bp + c * nk + 4 * NN_V * t + 4 * v, vld(b + c + 4 * v));
        for (; c + 4 <= w; c += 4) vst(Bp + c * nk + 4 * t, vld(b + c));
        for (int e = c; e < w; e++) Bp[c * nk + (w - c) * t + e - c] = b[e];
      }
      rows_group(Ap, Bp, 0, 0, C, N, nk, w, g0, g1, j0, div, divisor);
    }
  }
}

static void gemm_xn(const float *A, int ars, int aks, const float *B, float *C, int M, int K, int N, float divisor,
                    char *scratch, int part, int nparts) {
  // parts take whole rows where C is at least as tall as wide (every part packs all of B, the smaller operand
  // there), else columns (every part packs all of op(A)); an element's sum is the same either way
  int r0 = 0, r1 = M, c0 = 0, c1 = N;
  if (M >= N) share(M, part, nparts, NN_R, &r0, &r1);
  else share(N, part, nparts, 4 * NN_V, &c0, &c1);
  gemm_cols(A, ars, aks, B, C, M, K, N, divisor, scratch + part * gemm_scratch_bytes(M, K, N, 0), r0, r1, c0, c1, 0, N);
}

/** C(M×N) = A(M×K) · B(K×N) / divisor, this part's rows or columns (gemm_xn); scratch: gemm_scratch_bytes per part. */
EXPORT(gemm_nn_mt) void gemm_nn_mt(const float *A, const float *B, float *C, int M, int K, int N, float divisor,
                                   char *scratch, int part, int nparts) {
  gemm_xn(A, K, 1, B, C, M, K, N, divisor, scratch, part, nparts);
}

/** C(M×N) = A(K×M)ᵀ · B(K×N) / divisor, this part's rows or columns (gemm_xn); scratch: gemm_scratch_bytes per part. */
EXPORT(gemm_tn_mt) void gemm_tn_mt(const float *A, const float *B, float *C, int M, int K, int N, float divisor,
                                   char *scratch, int part, int nparts) {
  gemm_xn(A, 1, M, B, C, M, K, N, divisor, scratch, part, nparts);
}

// Columns [c0, c1) of one block of samples (split.ts), rows of B skipped when zero over those columns alone:
// a term a·0 adds nothing to a finite sum, so the bits are those of the whole gemm. scratch: gemm_scratch_bytes.

/** Columns [c0, c1) of C(M×N) = A(M×K) · B(K×N). */
EXPORT(gemm_nn_cols) void gemm_nn_cols(const float *A, const float *B, float *C, int M, int K, int N, char *scratch,
                                       int c0, int c1) {
  gemm_cols(A, K, 1, B, C, M, K, N, 1.0f, scratch, 0, M, c0, c1, c0, c1);
}

/** Columns [c0, c1) of C(M×N) = A(K×M)ᵀ · B(K×N). */
EXPORT(gemm_tn_cols) void gemm_tn_cols(const float *A, const float *B, float *C, int M, int K, int N, char *scratch,
                                       int c0, int c1) {
  gemm_cols(A, 1, M, B, C, M, K, N, 1.0f, scratch, 0, M, c0, c1, c0, c1);
}

// ---------------------------------------------------------------------------------------------------------
// C(M×N) = A(M×K) · B(N×K)ᵀ / divisor: dot products of contiguous rows of length K (K = the batch, long).
// R live rows of A × S live rows of B per block, one f32x4 accumulator per dot over each side of sample_cut(K).
// (Cutting K into more chunks, packed or not, measured slower: the rows stream well from L3 and the loop stays in
// registers.)

#ifndef NT_R
#define NT_R 2
#endif
#ifndef NT_S
#define NT_S 4
#endif

INLINE float hsum(vec v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/**
 * One R×S tile of dots over len values of rows ld apart (4 lanes added pairwise at the end, then the tail). With
 * `add` the sum is added to what C holds (the first side of a cut, undivided) before the division.
 */
INLINE void dots(const float *A, const float *B, float *C, const int *is, const int *js, int len, int ld, int N, int R,
                 int S, int add, int div, float d) {
  vec acc[NT_R][NT_S];
  const float *a[NT_R], *b[NT_S];
  for (int r = 0; r < R; r++) a[r] = A + is[r] * ld;
  for (int s = 0; s < S; s++) b[s] = B + js[s] * ld;
  for (int r = 0; r < R; r++)
    for (int s = 0; s < S; s++) acc[r][s] = wasm_f32x4_const(0, 0, 0, 0);
  int k = 0;
  for (; k + 4 <= len; k += 4) {
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
      float x = hsum(acc[r][s]);
      for (int q = k; q < len; q++) x = smadd(a[r][q], b[s][q], x);
      if (add) x = C[is[r] * N + js[s]] + x;
      C[is[r] * N + js[s]] = div ? x / d : x;
    }
}

INLINE void dots_rows(const float *A, const float *B, float *C, const int *is, const int *js, int nj, int len, int ld,
                      int N, int R, int add, int div, float d) {
  int t = 0;
  for (; t + NT_S <= nj; t += NT_S) dots(A, B, C, is, js + t, len, ld, N, R, NT_S, add, div, d);
  for (; t < nj; t++) dots(A, B, C, is, js + t, len, ld, N, R, 1, add, div, d);
}

/**
 * Every tile of the live rows is × js (`add`, `div`: see dots). Not inlined: gemm NT calls it once, or twice for
 * the two sides of a cut, and one copy of the tile loops compiles best.
 */
static __attribute__((noinline)) void nt_tiles(const float *A, const float *B, float *C, const int *is, int ni,
                                               const int *js, int nj, int len, int ld, int N, int add, int div,
                                               float divisor) {
  int t = 0;
  for (; t + NT_R <= ni; t += NT_R) dots_rows(A, B, C, is + t, js, nj, len, ld, N, NT_R, add, div, divisor);
  for (; t < ni; t++) dots_rows(A, B, C, is + t, js, nj, len, ld, N, 1, add, div, divisor);
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

INLINE void gemm_nt_part(const float *A, const float *B, float *C, int M, int K, int N, float divisor, char *scratch,
                         int cut, int part, int nparts) {
  int div = divisor != 1.0f;
  int r0 = 0, r1 = M, c0 = 0, c1 = N;
  if (M >= 4 * nparts || M >= N) share(M, part, nparts, NT_R, &r0, &r1);
  else share(N, part, nparts, NT_S, &c0, &c1);
  scratch += part * gemm_scratch_bytes(M, K, N, 1);
  float z = div ? 0.0f / divisor : 0.0f;
  for (int i = r0; i < r1; i++)
    for (int j = c0; j < c1; j++) C[i * N + j] = z;  // dead rows and columns stay zero
  int *isAll = (int *)scratch, *jsAll = isAll + M;
  int niAll = live_rows(A, M, K, 0, K, isAll), njAll = live_rows(B, N, K, 0, K, jsAll);
  int ni, nj;
  const int *is = live_in(isAll, niAll, r0, r1, &ni), *js = live_in(jsAll, njAll, c0, c1, &nj);
  if (cut) {
    // the two sides of the cut summed apart: the first into C undivided, then the second added to it
    nt_tiles(A, B, C, is, ni, js, nj, cut, K, N, 0, 0, 1.0f);
    nt_tiles(A + cut, B + cut, C, is, ni, js, nj, K - cut, K, N, 1, div, divisor);
  } else {
    nt_tiles(A, B, C, is, ni, js, nj, K, K, N, 0, div, divisor);
  }
}

/**
 * C(M×N) = A(M×K) · B(N×K)ᵀ / divisor for this part's rows (or columns, when M is too small to share), each dot
 * summed over the two sides of sample_cut(K); scratch: gemm_scratch_bytes per part.
 */
EXPORT(gemm_nt_mt) void gemm_nt_mt(const float *A, const float *B, float *C, int M, int K, int N, float divisor,
                                   char *scratch, int part, int nparts) {
  gemm_nt_part(A, B, C, M, K, N, divisor, scratch, sample_cut(K), part, nparts);
}

/** One block of samples' share of gemm_nt_mt: C = A · Bᵀ over this block's K samples, not cut, not divided. */
EXPORT(gemm_nt_block) void gemm_nt_block(const float *A, const float *B, float *C, int M, int K, int N,
                                         char *scratch) {
  gemm_nt_part(A, B, C, M, K, N, 1.0f, scratch, 0, 0, 1);
}

// ---------------------------------------------------------------------------------------------------------
// Row sums: 16 lanes (4 vectors) over the row, combined pairwise, then the tail.

static float row_sum(const float *a, int n) {
  vec s0 = wasm_f32x4_const(0, 0, 0, 0), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = vadd(s0, vld(a + i));
    s1 = vadd(s1, vld(a + i + 4));
    s2 = vadd(s2, vld(a + i + 8));
    s3 = vadd(s3, vld(a + i + 12));
  }
  float s = hsum(vadd(vadd(s0, s1), vadd(s2, s3)));
  for (; i < n; i++) s = s + a[i];
  return s;
}

/** out[r] = Σ X[r, :] / divisor for this part's rows, summed over the two sides of sample_cut(cols) and added. */
EXPORT(row_sums_mt) void row_sums_mt(const float *X, float *out, int rows, int cols, float divisor, int part,
                                     int nparts) {
  int r0, r1;
  share(rows, part, nparts, 1, &r0, &r1);
  int cut = sample_cut(cols);
  for (int r = r0; r < r1; r++) {
    const float *x = X + r * cols;
    float s = cut ? row_sum(x, cut) + row_sum(x + cut, cols - cut) : row_sum(x, cols);
    out[r] = s / divisor;
  }
}

/** One block of samples' share of row_sums_mt: not cut, not divided. */
EXPORT(row_sums_block) void row_sums_block(const float *X, float *out, int rows, int cols) {
  for (int r = 0; r < rows; r++) out[r] = row_sum(X + r * cols, cols);
}

/** o = (p + q) / m element by element: a split batch's two blocks' sums added, then divided (../split.ts). */
EXPORT(add_div) void add_div(float *o, const float *p, const float *q, int n, float m) {
  vec mv = vsplat(m);
  int i = 0;
  for (; i + 4 <= n; i += 4) vst(o + i, wasm_f32x4_div(vadd(vld(p + i), vld(q + i)), mv));
  for (; i < n; i++) o[i] = (p[i] + q[i]) / m;
}

// ---------------------------------------------------------------------------------------------------------
// Elementwise: bias + activation, activation backward, the sgd step.

enum { ACT_RELU = 0, ACT_LEAKY = 1, ACT_LINEAR = 2, ACT_SIGMOID = 3, ACT_TANH = 4 };

/**
 * For this part's rows: Z += bias (per row), then A = g(Z) for relu, leaky_relu (slope) or linear; other
 * activations only get the bias added (their g runs in JS). Returns 1 when every output (or Z) is finite.
 */
static int bias_act_range(float *Z, const float *bias, float *A, int cols, int r0, int r1, int j0, int j1, int act,
                          float slope) {
  vec zero = wasm_f32x4_const(0, 0, 0, 0);
  vec sl = vsplat(slope);
  vec chk = zero;  // Σ out·0: NaN iff some output is NaN or ±Infinity
  float chks = 0.0f;
  for (int r = r0; r < r1; r++) {
    float b = bias[r];
    vec bv = vsplat(b);
    float *z = Z + r * cols, *a = A + r * cols;
    int j = j0;
    for (; j + 4 <= j1; j += 4) {
      vec v = vadd(vld(z + j), bv);
      vst(z + j, v);
      vec o;
      if (act == ACT_RELU) o = wasm_v128_and(v, wasm_v128_or(wasm_f32x4_gt(v, zero), wasm_f32x4_ne(v, v)));
      else if (act == ACT_LEAKY) o = wasm_v128_bitselect(v, vmul(sl, v), wasm_f32x4_gt(v, zero));
      else o = v;
      if (act <= ACT_LINEAR) vst(a + j, o);
      chk = vadd(chk, vmul(o, zero));
    }
    for (; j < j1; j++) {
      float v = z[j] + b;
      z[j] = v;
      float o;
      if (act == ACT_RELU) o = v > 0 ? v : v != v ? v : 0.0f;
      else if (act == ACT_LEAKY) o = v > 0 ? v : slope * v;
      else o = v;
      if (act <= ACT_LINEAR) a[j] = o;
      chks = chks + o * 0.0f;
    }
  }
  return hsum(chk) + chks == 0.0f;
}

EXPORT(bias_act_mt) int bias_act_mt(float *Z, const float *bias, float *A, int rows, int cols, int act, float slope,
                                    int part, int nparts) {
  int r0, r1;
  share(rows, part, nparts, 1, &r0, &r1);
  return bias_act_range(Z, bias, A, cols, r0, r1, 0, cols, act, slope);
}

/** bias_act over columns [c0, c1) of every row (one block's chunk of samples, split.ts). */
EXPORT(bias_act_cols) int bias_act_cols(float *Z, const float *bias, float *A, int rows, int cols, int act, float slope,
                                        int c0, int c1) {
  return bias_act_range(Z, bias, A, cols, 0, rows, c0, c1, act, slope);
}

/** dZ = dA ⊙ g'(Z) over this part of n values (softmax is not handled here). */
static void act_backward_span(const float *dA, const float *Z, const float *A, float *dZ, int i0, int i1, int act,
                              float slope) {
  vec zero = wasm_f32x4_const(0, 0, 0, 0);
  vec one = wasm_f32x4_const(1, 1, 1, 1);
  vec sl = vsplat(slope);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    vec g = vld(dA + i), o;
    if (act == ACT_RELU) o = wasm_v128_andnot(g, wasm_f32x4_le(vld(Z + i), zero));
    else if (act == ACT_LEAKY) o = wasm_v128_bitselect(g, vmul(sl, g), wasm_f32x4_gt(vld(Z + i), zero));
    else if (act == ACT_SIGMOID) {
      vec s = vld(A + i);
      o = vmul(vmul(g, s), wasm_f32x4_sub(one, s));
    } else if (act == ACT_TANH) {
      vec t = vld(A + i);
      o = vmul(g, wasm_f32x4_sub(one, vmul(t, t)));
    } else o = g;
    vst(dZ + i, o);
  }
  for (; i < i1; i++) {
    float g = dA[i], o;
    if (act == ACT_RELU) o = Z[i] <= 0 ? 0.0f : g;
    else if (act == ACT_LEAKY) o = Z[i] > 0 ? g : slope * g;
    else if (act == ACT_SIGMOID) o = g * A[i] * (1 - A[i]);
    else if (act == ACT_TANH) o = g * (1 - A[i] * A[i]);
    else o = g;
    dZ[i] = o;
  }
}

EXPORT(act_backward_mt) void act_backward_mt(const float *dA, const float *Z, const float *A, float *dZ, int n,
                                             int act, float slope, int part, int nparts) {
  int i0, i1;
  share(n, part, nparts, 16, &i0, &i1);
  act_backward_span(dA, Z, A, dZ, i0, i1, act, slope);
}

/** act_backward over columns [c0, c1) of every row of rows×cols matrices (one block's chunk of samples). */
EXPORT(act_backward_cols) void act_backward_cols(const float *dA, const float *Z, const float *A, float *dZ, int rows,
                                                 int cols, int act, float slope, int c0, int c1) {
  for (int r = 0; r < rows; r++) act_backward_span(dA, Z, A, dZ, r * cols + c0, r * cols + c1, act, slope);
}

/** p -= lr · g (l2 = 0), or p -= lr · (g + l2 · p), over this part of n values. */
EXPORT(sgd_mt) void sgd_mt(float *p, const float *g, int n, float lr, float l2, int part, int nparts) {
  int i0, i1;
  share(n, part, nparts, 16, &i0, &i1);
  vec lv = vsplat(lr), l2v = vsplat(l2);
  int i = i0;
  if (l2 == 0.0f) {
    for (; i + 4 <= i1; i += 4) vst(p + i, wasm_f32x4_sub(vld(p + i), vmul(lv, vld(g + i))));
    for (; i < i1; i++) p[i] = p[i] - lr * g[i];
  } else {
    for (; i + 4 <= i1; i += 4) {
      vec pv = vld(p + i);
      vst(p + i, wasm_f32x4_sub(pv, vmul(lv, vadd(vld(g + i), vmul(l2v, pv)))));
    }
    for (; i < i1; i++) p[i] = p[i] - lr * (g[i] + l2 * p[i]);
  }
}

/**
 * Momentum over this part of n values, in float32 as numpy's float32 arrays do it (the hyperparameters rounded to
 * float32): g' = g (l2 = 0) or g + l2·p; v = mu·v + g'; p -= lr·v.
 */
EXPORT(momentum_mt) void momentum_mt(float *p, const float *g, float *v, int n, float lr, float l2, float mu,
                                     int part, int nparts) {
  int i0, i1;
  share(n, part, nparts, 16, &i0, &i1);
  vec lv = vsplat(lr), l2v = vsplat(l2), muv = vsplat(mu);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    vec pv = vld(p + i), gi = vld(g + i);
    if (l2 != 0.0f) gi = vadd(gi, vmul(l2v, pv));
    vec vv = vadd(vmul(muv, vld(v + i)), gi);
    vst(v + i, vv);
    vst(p + i, wasm_f32x4_sub(pv, vmul(lv, vv)));
  }
  for (; i < i1; i++) {
    float gi = l2 == 0.0f ? g[i] : g[i] + l2 * p[i];
    v[i] = mu * v[i] + gi;
    p[i] = p[i] - lr * v[i];
  }
}

/**
 * Adam over this part of n values in float32: m = b1·m + (1−b1)·g'; v = b2·v + (1−b2)·g'·g';
 * p -= (lr·(m/c1)) / (√(v/c2) + eps); c1 = 1 − b1^t, c2 = 1 − b2^t (from the caller, rounded to float32).
 */
EXPORT(adam_mt) void adam_mt(float *p, const float *g, float *m, float *v, int n, float lr, float l2, float b1,
                             float omb1, float b2, float omb2, float c1, float c2, float eps, int part, int nparts) {
  int i0, i1;
  share(n, part, nparts, 16, &i0, &i1);
  vec lv = vsplat(lr), l2v = vsplat(l2), b1v = vsplat(b1), o1v = vsplat(omb1), b2v = vsplat(b2), o2v = vsplat(omb2);
  vec c1v = vsplat(c1), c2v = vsplat(c2), ev = vsplat(eps);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    vec pv = vld(p + i), gi = vld(g + i);
    if (l2 != 0.0f) gi = vadd(gi, vmul(l2v, pv));
    vec mv = vadd(vmul(b1v, vld(m + i)), vmul(o1v, gi));
    vec vv = vadd(vmul(b2v, vld(v + i)), vmul(vmul(o2v, gi), gi));
    vst(m + i, mv);
    vst(v + i, vv);
    vec step = wasm_f32x4_div(vmul(lv, wasm_f32x4_div(mv, c1v)), vadd(wasm_f32x4_sqrt(wasm_f32x4_div(vv, c2v)), ev));
    vst(p + i, wasm_f32x4_sub(pv, step));
  }
  for (; i < i1; i++) {
    float gi = l2 == 0.0f ? g[i] : g[i] + l2 * p[i];
    m[i] = b1 * m[i] + omb1 * gi;
    v[i] = b2 * v[i] + omb2 * gi * gi;
    p[i] = p[i] - (lr * (m[i] / c1)) / (__builtin_sqrtf(v[i] / c2) + eps);
  }
}
