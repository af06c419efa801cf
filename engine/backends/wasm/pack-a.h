// op(A)'s packing for the gemms NN and TN, shared by kernels.c and kernels-f32.c. Each defines first, for its
// element type: EXPORT and INLINE, PACK_REAL (the type), NN_R (rows a block packs), PACK_KS and PACK_T (a transpose
// of NN_R rows × PACK_KS consecutive k of A into PACK_KS k-major vectors of NN_R) and pack_row4 (NN_R values side by
// side).

/**
 * One block of NN_R rows of op(A) (its first at a; `rows` of them left, a short block padded with zeros), over
 * the live k ks[0 … nk), k-major at dst. Where op(A)'s rows are A's columns (ars 1), each k's NN_R values lie
 * side by side; where they are A's rows, each run of PACK_KS consecutive live k is one transpose.
 */
INLINE void pack_a(PACK_REAL *dst, const PACK_REAL *a, int ars, int aks, const int *ks, int nk, int rows) {
  int full = NN_R == 4 && rows >= NN_R;  // the vector paths take whole blocks of 4 rows
  if (full && ars == 1) {
    for (int t = 0; t < nk; t++) pack_row4(dst + t * NN_R, a + ks[t] * aks);
    return;
  }
  for (int t = 0; t < nk;) {
    if (full && t + PACK_KS <= nk && ks[t + PACK_KS - 1] == ks[t] + PACK_KS - 1) {
      PACK_T(dst + t * NN_R, a + ks[t], ars);
      t += PACK_KS;
      continue;
    }
    const PACK_REAL *ak = a + ks[t] * aks;
    for (int r = 0; r < NN_R; r++) dst[t * NN_R + r] = r < rows ? ak[r * ars] : (PACK_REAL)0;
    t++;
  }
}
