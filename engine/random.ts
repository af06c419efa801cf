// numpy's legacy RandomState (np.random.seed / randn / random_sample / shuffle …), bit for bit.
// MT19937 with numpy's integer seeding, the 53-bit double, the polar Box–Muller `legacy_gauss`
// with its cached second value, and the mask-rejection `random_interval` behind shuffle and
// permutation. Pure TypeScript: runs in Node, a worker or a browser.

const N = 624;

/** A NumpyRandom's state, JSON-safe: MT19937's 624 words, the position in them, and the cached Gaussian. */
export interface RandomState {
  key: number[];
  pos: number;
  hasGauss: boolean;
  gauss: number;
}
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * numpy.random.RandomState (the legacy generator behind np.random.seed/randn), reproduced so
 * that the same seed gives the same doubles as numpy 1.24 — see test/engine/random.test.ts.
 */
export class NumpyRandom {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;
  private hasGauss = false;
  private gauss = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  /**
   * np.random.seed(n) for an integer 0 ≤ n < 2³²: numpy's `_legacy_seeding` calls
   * `mt19937_seed` (Matsumoto–Nishimura `init_genrand`) for an integer seed and forgets any
   * cached Gaussian.
   */
  seed(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new RangeError(`seed must be an integer from 0 to 4294967295 (numpy seeds are 32-bit), got ${n}`);
    }
    const mt = this.mt;
    mt[0] = n >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2³², without losing bits to float rounding
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The generator's whole state (numpy's get_state(): key, pos, has_gauss, cached_gaussian), to carry a run on. */
  getState(): RandomState {
    return { key: Array.from(this.mt), pos: this.mti, hasGauss: this.hasGauss, gauss: this.gauss };
  }

  /** Puts back a state from getState: the draws that follow are the ones the saved generator would have made. */
  setState(s: RandomState): void {
    if (!Array.isArray(s.key) || s.key.length !== N || !Number.isInteger(s.pos) || s.pos < 0 || s.pos > N + 1) {
      throw new RangeError(`a random state needs ${N} key words and a position from 0 to ${N + 1}`);
    }
    this.mt.set(s.key);
    this.mti = s.pos;
    this.hasGauss = s.hasGauss;
    this.gauss = s.gauss;
  }

  /** The next raw 32-bit output of MT19937 (numpy's next_uint32), as an unsigned number. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      let y: number;
      for (; kk < N - M; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** np.random.random_sample(): a double in [0, 1) from two 32-bit draws (27 + 26 bits). */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /**
   * One standard normal draw: numpy's `legacy_gauss`, the polar Box–Muller method. Each
   * accepted pair yields two values; the second is cached and returned by the next call.
   * log is the platform's (numpy calls C's log; V8's Math.log agreed with glibc on every
   * draw we checked — see the test).
   */
  standardNormal(): number {
    if (this.hasGauss) {
      const g = this.gauss;
      this.hasGauss = false;
      this.gauss = 0;
      return g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2.0 * this.randomSample() - 1.0;
      x2 = 2.0 * this.randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * glibcLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** Alias of standardNormal: one np.random.randn() value. */
  randn(): number {
    return this.standardNormal();
  }

  /** np.random.randn(n) (or randn(a, b, …) flattened row-major: pass a·b·…). */
  randnArray(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.standardNormal();
    return out;
  }

  /** np.random.normal(loc, scale): `loc + scale * gauss`, as numpy's legacy_normal. */
  normal(loc = 0, scale = 1): number {
    return loc + scale * this.standardNormal();
  }

  /** np.random.normal(loc, scale, size=n), drawn in order (row-major for a shape). */
  normalArray(n: number, loc = 0, scale = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = loc + scale * this.standardNormal();
    return out;
  }

  /** np.random.uniform(low, high): `low + (high - low) * random_sample()`. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.randomSample();
  }

  /**
   * numpy's `random_interval(max)`: a uniform integer in [0, max] by rejection against the
   * smallest all-ones bit mask ≥ max, using 32-bit draws (max ≤ 2³² − 1) or 64-bit draws
   * (two 32-bit draws, high word first, up to 2⁵³ here).
   */
  randomInterval(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`randomInterval max must be an integer from 0 to 2^53-1, got ${max}`);
    }
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      let mask = max;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      mask >>>= 0;
      let value: number;
      while ((value = (this.nextUint32() & mask) >>> 0) > max);
      return value;
    }
    // 64-bit path: next_uint64 = (hi << 32) | lo; the mask covers max's bits (≤ 53 here).
    const hiMax = Math.floor(max / 4294967296);
    let hiMask = hiMax;
    hiMask |= hiMask >>> 1;
    hiMask |= hiMask >>> 2;
    hiMask |= hiMask >>> 4;
    hiMask |= hiMask >>> 8;
    hiMask |= hiMask >>> 16;
    hiMask >>>= 0;
    for (;;) {
      const hi = (this.nextUint32() & hiMask) >>> 0;
      const lo = this.nextUint32();
      const value = hi * 4294967296 + lo;
      if (value <= max) return value;
    }
  }

  /** np.random.randint(low, high) (default int64 dtype): `low + random_interval(high - 1 - low)`. */
  randint(low: number, high: number): number {
    if (!(high > low)) throw new RangeError(`randint needs low < high, got low=${low}, high=${high}`);
    return low + this.randomInterval(high - 1 - low);
  }

  /**
   * np.random.shuffle(x) for a 1-D array, in place: for i from n−1 down to 1,
   * j = random_interval(i), swap x[i] and x[j].
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(x: T): T {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randomInterval(i);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
    return x;
  }

  /** np.random.permutation(n): arange(n), shuffled in place by shuffle. */
  permutation(n: number): number[] {
    const a = new Array<number>(n);
    for (let i = 0; i < n; i++) a[i] = i;
    return this.shuffle(a);
  }
}

// ---------------------------------------------------------------------------------------------
// Exact fused multiply-add and glibc's log, so that Box–Muller matches numpy bit for bit.
// V8's Math.log (an fdlibm port) differs from glibc's log by 1 ulp on about 3% of the r² values
// that randn feeds it; numpy calls glibc, which on an FMA-capable x86-64 CPU resolves to
// `__log_fma` (glibc ≥ 2.28, ARM optimized-routines algorithm). glibcLog below is that code,
// operation for operation as the Debian 12 libm (glibc 2.36) executes it, with each hardware
// FMA done by the exact fma below.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/** The next double after s in the direction of dir's sign (s finite, non-zero). */
function nextToward(s: number, dir: number): number {
  f64[0] = s;
  // For s > 0 moving up (or s < 0 moving down) the magnitude grows: add one to the 64-bit pattern.
  const grow = (s > 0) === (dir > 0);
  if (grow) {
    if (u32[LO] === 0xffffffff) {
      u32[LO] = 0;
      u32[HI] = u32[HI] + 1;
    } else u32[LO] = u32[LO] + 1;
  } else if (u32[LO] === 0) {
    u32[LO] = 0xffffffff;
    u32[HI] = u32[HI] - 1;
  } else u32[LO] = u32[LO] - 1;
  return f64[0];
}

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/**
 * fma(a, b, c) = a·b + c rounded once to nearest-even, as the x86 FMA instructions compute it.
 * Boldo & Melquiond's emulation (IEEE TC 2008): exact product (Dekker), 2Sum with c, the two
 * small parts added with rounding to odd, then one rounding to nearest. Exact for finite
 * operands whose product neither overflows nor underflows (|a·b| in about 2^-968 … 2^996);
 * checked against BigInt arithmetic in the tests.
 */
export function fma(a: number, b: number, c: number): number {
  const uh = a * b;
  if (!Number.isFinite(uh) || !Number.isFinite(c) || uh === 0) return uh + c;
  // Dekker's exact product: uh + ul = a·b
  let t = SPLITTER * a;
  const ahi = t - (t - a);
  const alo = a - ahi;
  t = SPLITTER * b;
  const bhi = t - (t - b);
  const blo = b - bhi;
  const ul = ahi * bhi - uh + ahi * blo + alo * bhi + alo * blo;
  // 2Sum: th + tl = c + uh
  const th = c + uh;
  let bb = th - c;
  const tl = c - (th - bb) + (uh - bb);
  // v = RO(tl + ul): round to odd
  let v = tl + ul;
  bb = v - tl;
  const err = tl - (v - bb) + (ul - bb);
  if (err !== 0) {
    // inexact (so v ≠ 0): keep v if its last significand bit is odd, else step towards the error
    f64[0] = v;
    if ((u32[LO] & 1) === 0) v = nextToward(v, err);
  }
  return th + v;
}

// glibc's __log_data (sysdeps/ieee754/dbl-64/e_log_data.c, LOG_TABLE_BITS = 7), as in libm.so.6.
const LN2HI = 0.6931471805598903;
const LN2LO = 5.497923018708371e-14;
const A0 = -0.5000000000000001;
const A1 = 0.33333333331825593;
const A2 = -0.2499999999622955;
const A3 = 0.20000304511814496;
const A4 = -0.16667054827627667;
const B0 = -0.5;
const B1 = 0.3333333333333352;
const B2 = -0.24999999999998432;
const B3 = 0.19999999999320328;
const B4 = -0.16666666669929706;
const B5 = 0.14285715076560868;
const B6 = -0.12499997863982555;
const B7 = 0.11110712032936046;
const B8 = -0.10000486757818193;
const B9 = 0.09181994006195467;
const B10 = -0.08328363062289341;
/** {invc, logc} for each of the 128 subintervals of [0x1.6p-1, 0x1.6p0). */
const LOG_TAB = new Float64Array([
  1.4504249240398293, -0.3718565645633589, 1.442253508327276, -0.36620682668944937,
  1.4341736174350004, -0.3605888069791945, 1.426183816329995, -0.3550022171419869,
  1.4182825527052965, -0.34944666968829097, 1.4104682921759335, -0.3439217713603284,
  1.4027396147468003, -0.3384271921261188, 1.3950954438932313, -0.332962831494342,
  1.3875338232485754, -0.32752794345742586, 1.3800539211058593, -0.32212257167088865,
  1.3726542695419708, -0.3167462884799761, 1.3653332798446802, -0.3113985598928366,
  1.358090204587874, -0.3060794515165526, 1.3509234892132138, -0.300788424667644,
  1.3438320840699889, -0.2955252968476998, 1.3368146974742003, -0.29028969275850613,
  1.329870114677736, -0.2850812793277555, 1.322997339161106, -0.27989987391470095,
  1.316195352741367, -0.27474526621870154, 1.3094628125672239, -0.2696169863701243,
  1.3027990455471041, -0.26451506180308115, 1.2962024229438942, -0.2594387762767383,
  1.2896726275815547, -0.2543884090981692, 1.2832080305745537, -0.24936321635129843,
  1.276807885983376, -0.24436312405975968, 1.2704714060687552, -0.23938801747897287,
  1.2641976054949482, -0.23443761696705678, 1.257985357514882, -0.22951151871518505,
  1.2518337750655457, -0.2246094963439873, 1.2457421919097305, -0.21973149037705753,
  1.2397094966625508, -0.2148770752847895, 1.2337348463589233, -0.210046029103637,
  1.2278176973028803, -0.20523836373934046, 1.2219570190618474, -0.20045368751368642,
  1.2161519732977757, -0.1956917537758045, 1.2104018095009725, -0.19095237845203883,
  1.204705805718973, -0.18623539250290833, 1.1990631185441964, -0.18154051731551135,
  1.1934733004462308, -0.1768677957431919, 1.1879350812847385, -0.17221657406412305,
  1.1824481322833125, -0.16758697765942543, 1.1770114976921955, -0.16297859687290384,
  1.1716248121809465, -0.15839151377804228, 1.1662869231674715, -0.15382513241456763,
  1.1609977486762766, -0.14927976358922024, 1.1557563220795803, -0.14475495398119165,
  1.1505619105480347, -0.14025044090817573, 1.1454138888505974, -0.1357660466685502,
  1.140311877374656, -0.1313018016355727, 1.1352550225747513, -0.12685731518763532,
  1.1302429094831266, -0.1224325737671279, 1.1252747693068048, -0.11802724521862729,
  1.1203501571039876, -0.11364127671663482, 1.1154683327680124, -0.10927434611278386,
  1.1106291463292157, -0.10492665324943573, 1.1058315813301596, -0.10059761422644442,
  1.1010752177696026, -0.09628717309055901, 1.0963597137952512, -0.09199534069557558,
  1.0916844827550398, -0.08772190036688698, 1.0870487291277784, -0.08346643613867855,
  1.082452357388312, -0.07922916827544668, 1.0778948225025884, -0.0750099004750382,
  1.0733751731601076, -0.07080805133352897, 1.068893585073351, -0.06662408085151128,
  1.0644491706655506, -0.06245745471915143, 1.0600414846328305, -0.0583080438042316,
  1.0556701316181605, -0.05417576112313327, 1.051334750556926, -0.050060547896805474,
  1.0470347288442157, -0.045962101199052086, 1.0427699229652954, -0.04188056008865715,
  1.0385395013738175, -0.03781540056183985, 1.034343418940345, -0.03376684757915882,
  1.0301811073173315, -0.029734619131772888, 1.026052043621297, -0.025718470239212365,
  1.0219561082336197, -0.021718543925430822, 1.0178926505784922, -0.01773446126981071,
  1.0138614436244586, -0.013766252464051831, 1.0098620186501341, -0.009813706322574944,
  1.0058938559734134, -0.005876555150052809, 1.00195696235014, -0.0019550499938532084,
  0.9961089923088509, 0.0038985973556009412, 0.9884170338185201, 0.011650571286395461,
  0.9808429191005297, 0.019342955478919066, 0.9733840169987446, 0.0269766014846482,
  0.9660377568876556, 0.034552359728422744, 0.9588014945307369, 0.04207121767183253,
  0.9516728569073111, 0.049533940950141186, 0.9446494635965822, 0.056941358295944156,
  0.9377288993026223, 0.06429439168346107, 0.9309091073790681, 0.0715936354946507,
  0.924187681612722, 0.07884010933776153, 0.9175626765599192, 0.08603438905970506,
  0.9110320403624034, 0.09317721180013905, 0.9045935839762024, 0.10026951462748457,
  0.8982456375922825, 0.10731170956330516, 0.8919860966782501, 0.11430473320717738,
  0.8858131121185129, 0.12124928503033061, 0.879725075760676, 0.12814583422959913,
  0.8737201372634685, 0.1349951636851756, 0.8677966405782273, 0.1417978768189414,
  0.8619528050060739, 0.14855476039031146, 0.8561872354420692, 0.1552661937658968,
  0.8504983927816893, 0.16193275688146969, 0.8448844572790304, 0.16855539792220497,
  0.8393442741575965, 0.1751343179947753, 0.8338762249349438, 0.1816702989864325,
  0.8284789320557778, 0.18816387146023317, 0.8231510800065832, 0.1946155228479256,
  0.8178913903778707, 0.20102572579389744, 0.8126984007245374, 0.2073952090795501,
  0.8075710029460227, 0.21372429840596396, 0.8025078881160415, 0.2200135945981856,
  0.7975077379364331, 0.22626374162859975, 0.792569604966373, 0.23247494747693054,
  0.7876923641254114, 0.23864766620658884, 0.7828746724940998, 0.24478265647405806,
  0.7781155388790811, 0.25088025827324145, 0.7734139557869777, 0.2569408552510595,
  0.7687687179914933, 0.26296511155101143, 0.7641790698041854, 0.2689531327189343,
  0.7596438763692399, 0.27490553924610595, 0.7551621951078668, 0.2808227248478943,
  0.7507331780216866, 0.286704979267256, 0.7463557196361751, 0.29255295645509705,
  0.7420289364869653, 0.2983670386142876, 0.7377521537065876, 0.30414734587282055,
  0.7335242966002608, 0.30989455774829366, 0.729344777457841, 0.31560871301871884,
]);

/**
 * Natural logarithm exactly as glibc 2.28+ `__log_fma` computes it (≤ 0.52 ulp; numpy's
 * random module calls it). Special values follow C: log(0) = -Infinity, log(x<0) = NaN.
 */
export function glibcLog(x: number): number {
  f64[0] = x;
  let hi32 = u32[HI];
  let lo32 = u32[LO];
  // close to 1: ix - asuint64(1 - 0x1p-4) < asuint64(1 + 0x1.09p-4) - asuint64(1 - 0x1p-4)
  if (x >= 0.9375 && x < 1.0646972656250000) {
    if (x === 1) return 0;
    const r = x - 1.0;
    const r2 = r * r;
    const r3 = r * r2;
    const p1 = fma(r2, B3, fma(r, B2, B1));
    const p2 = fma(r2, B6, fma(r, B5, B4));
    const p3 = fma(r3, B10, fma(r2, B9, fma(r, B8, B7)));
    const poly = fma(fma(p3, r3, p2), r3, p1);
    const rhi = fma(-134217728, r, fma(r, 134217728, r)); // (r + r·2^27) − r·2^27
    const rlo = r - rhi;
    const rhi2 = rhi * rhi;
    const hi = fma(rhi2, B0, r);
    const lo = fma(rhi2, B0, r - hi);
    const lo2 = fma(B0 * rlo, r + rhi, lo);
    return hi + fma(poly, r3, lo2);
  }
  const top = hi32 >>> 16;
  if (top - 0x0010 >= 0x7ff0 - 0x0010 || top < 0x0010) {
    // x < 0x1p-1022, negative, inf or nan
    if (x === 0) return -Infinity;
    if (x === Infinity) return Infinity;
    if (!(x > 0)) return NaN;
    // subnormal: scale up by 2^52, then subtract 52 from the exponent
    f64[0] = x * 4503599627370496;
    hi32 = u32[HI] - (52 << 20);
    lo32 = u32[LO];
  }
  // tmp = ix − 0x3fe6000000000000: only the high word changes (low word of OFF is 0)
  const tmpHi = (hi32 - 0x3fe60000) | 0; // as a signed 32-bit high word
  const i = (tmpHi >>> 13) & 0x7f; // (tmp >> 45) % 128
  const k = tmpHi >> 20; // arithmetic shift: (int64) tmp >> 52
  u32[HI] = (hi32 - (tmpHi & 0xfff00000)) >>> 0; // iz = ix − (tmp & 0xfff << 52)
  u32[LO] = lo32;
  const z = f64[0];
  const invc = LOG_TAB[2 * i];
  const logc = LOG_TAB[2 * i + 1];
  const kd = k;
  const w = fma(kd, LN2HI, logc);
  const r = fma(z, invc, -1.0);
  const a21 = fma(r, A2, A1);
  const hi = r + w;
  const r2 = r * r;
  const lo = fma(kd, LN2LO, w - hi + r);
  const r3 = r * r2;
  const a43 = fma(r, A4, A3);
  const lo2 = fma(r2, A0, lo);
  const q = fma(a43, r2, a21);
  return fma(r3, q, lo2) + hi;
}
