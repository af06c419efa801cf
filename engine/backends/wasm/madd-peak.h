// The rate of this build's multiply-add (madd: one fused instruction, or a multiply then an add) on one thread: the
// ceiling of any gemm written with it, which the benchmark measures beside its workloads (scripts/bench/ceiling.ts).
// `rounds` rounds of 12 independent chains, enough to keep two multiply-add units of 4-cycle latency busy, in 14
// registers (x86-64 has 16 of them); nothing else, no memory. Returns lane 0 of the chains' sum, so that none of
// them is optimised away. The including file defines vec, vsplat, vadd, madd and LANE0.
EXPORT(madd_peak) double madd_peak(int rounds) {
  vec m = vsplat(0.999999), c = vsplat(1e-7);
  vec a0 = vsplat(0.1), a1 = vsplat(0.2), a2 = vsplat(0.3), a3 = vsplat(0.4), a4 = vsplat(0.5), a5 = vsplat(0.6);
  vec a6 = vsplat(0.7), a7 = vsplat(0.8), a8 = vsplat(0.9), a9 = vsplat(1.0), a10 = vsplat(1.1), a11 = vsplat(1.2);
  for (int i = 0; i < rounds; i++) {
    a0 = madd(a0, m, c), a1 = madd(a1, m, c), a2 = madd(a2, m, c), a3 = madd(a3, m, c);
    a4 = madd(a4, m, c), a5 = madd(a5, m, c), a6 = madd(a6, m, c), a7 = madd(a7, m, c);
    a8 = madd(a8, m, c), a9 = madd(a9, m, c), a10 = madd(a10, m, c), a11 = madd(a11, m, c);
  }
  vec s = vadd(vadd(vadd(a0, a1), vadd(a2, a3)), vadd(vadd(a4, a5), vadd(a6, a7)));
  return LANE0(vadd(s, vadd(vadd(a8, a9), vadd(a10, a11))));
}
