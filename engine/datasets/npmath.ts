// numpy's float64 arithmetic where scikit-learn's generators depend on it: np.linspace, and
// np.sin/np.cos as numpy 1.24 computes them on arrays on an x86-64 CPU with AVX-512
// (Skylake-X and later), which is Intel's SVML `__svml_sin8` / `__svml_cos8`. The reference
// data (../shared/reference/moons.json) was made that way; glibc's sin/cos (and V8's
// Math.sin/Math.cos) differ from SVML by 1 ulp on more than half of the inputs, so the SVML
// kernels are reproduced here operation for operation, each hardware FMA done exactly.
//
// Caveat: numpy on a CPU without AVX-512 (or with NPY_DISABLE_CPU_FEATURES set) uses libm's
// sin/cos instead; its make_moons then differs from ours in the last bit of some points.

import { fma } from '../random';

// Constants of __svml_sin8 (numpy 1.24, Debian 12), read from the library's data section.
const INV_PI = 0.3183098861837907; // 0x3fd45f306dc9c883
const PI1 = 3.141592653589793; // 0x400921fb54442d18
const PI2 = 1.224646799147353e-16; // 0x3ca1a62633145c06
const PI3 = 2.165713347843828e-32; // 0x395c1cd129024e09
const SIN_SHIFTER = 6755399441055744; // 0x1.8p52
const SIN_FAST_MAX = 16777216; // |x| above 2^24 takes SVML's slow path
const S7 = -7.373344533110665e-13;
const S6 = 1.6048095404959637e-10;
const S5 = -2.505188027386288e-8;
const S4 = 2.7557316600552628e-6;
const S3 = -0.00019841269825056256;
const S2 = 0.008333333333285542;
const S1 = -0.16666666666666186;

// Constants of __svml_cos8.
const COS_SHIFTER = 4503599627370496; // 2^52
const COS_HALF_SHIFTER = 4503599627370495.5; // 2^52 − 0.5
const COS_FAST_MAX_Y = 4503599635759102; // 0x43300000007ffffe: y above it takes the slow path
const COS_TINY = 7.450580596923828e-9; // 2^-27: cos(x) = 1 below it
const C7 = -7.37280909726507e-13;
const C6 = 1.6048055576979365e-10;
const C5 = -2.505187912674299e-8;
const C4 = 2.755731658449074e-6;
const C3 = -0.00019841269824944275;
const C2 = 0.00833333333328519;
const C1 = -0.16666666666666183;

/**
 * np.sin(x) for one element of a float64 array, as numpy's AVX-512 loop (SVML) computes it.
 * Bit-exact for |x| ≤ 2^24; larger arguments fall back to Math.sin (not guaranteed exact).
 */
export function npSin(x: number): number {
  if (!(Math.abs(x) <= SIN_FAST_MAX)) return Math.sin(x);
  const y = fma(x, INV_PI, SIN_SHIFTER); // 1.5·2^52 + round(x/π): the low bit is N's parity
  let negate = y % 2 !== 0;
  const n = y - SIN_SHIFTER;
  if (Object.is(x, -0)) negate = !negate;
  let r = fma(-n, PI1, x); // Cody–Waite: r = x − N·π in three parts
  r = fma(-PI2, n, r);
  const r2 = r * r;
  const rr = fma(-PI3, n, r);
  let p = fma(S7, r2, S6);
  p = fma(r2, p, S5);
  p = fma(r2, p, S4);
  p = fma(r2, p, S3);
  p = fma(r2, p, S2);
  p = fma(r2, p, S1);
  const res = fma(rr * r2, p, rr);
  return negate ? -res : res;
}

/**
 * np.cos(x) for one element of a float64 array, as numpy's AVX-512 loop (SVML) computes it.
 * Bit-exact for |x| up to about 2.6·10^7; larger arguments fall back to Math.cos.
 */
export function npCos(x: number): number {
  const ax = Math.abs(x);
  if (ax < COS_TINY) return 1.0;
  if (!(ax < 2.6e7)) return Math.cos(x);
  // y = 2^52 + ax/π rounded toward zero (the kernel's {rz-sae} FMA): 2^52 + floor(ax·(1/π))
  const p = ax * INV_PI;
  let k = Math.floor(p);
  if (k === p && fma(ax, INV_PI, -p) < 0) k -= 1; // the exact product lies just below p
  const y = COS_SHIFTER + k;
  if (y > COS_FAST_MAX_Y) return Math.cos(x);
  const negate = y % 2 !== 0;
  const n = y - COS_HALF_SHIFTER; // k + 0.5: cos(a) = (−1)^k · sin((k + ½)π − a)
  let t = fma(n, PI1, -ax);
  t = fma(PI2, n, t);
  const r2 = t * t;
  const u = fma(PI3, n, t);
  let q = fma(C7, r2, C6);
  q = fma(r2, q, C5);
  q = fma(r2, q, C4);
  q = fma(r2, q, C3);
  const s = negate ? -u : u;
  q = fma(r2, q, C2);
  const m = s * r2;
  q = fma(r2, q, C1);
  return fma(m, q, s);
}

/**
 * np.linspace(start, stop, num, endpoint): `arange(num) * step + start` with
 * step = (stop − start)/div (div = num − 1, or num without the endpoint), and the last
 * element set to stop when endpoint is true — numpy 1.24's arithmetic exactly.
 */
export function linspace(start: number, stop: number, num: number, endpoint = true): Float64Array {
  const out = new Float64Array(num);
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    if (step === 0) {
      for (let i = 0; i < num; i++) out[i] = (i / div) * delta + start;
    } else {
      for (let i = 0; i < num; i++) out[i] = i * step + start;
    }
  } else {
    for (let i = 0; i < num; i++) out[i] = i * delta + start;
  }
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}
