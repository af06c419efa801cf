// A training trajectory on the loss landscape's plane (engine/landscape.ts): each stored weight set θ_k as the point
// (α, β) of the plane θ* + α·δ + β·η nearest to it — the least-squares coordinates of θ_k − θ* over δ and η — and how
// far from the plane it lies, relative to its distance from θ*. Random directions in a space of many weights are
// nearly orthogonal to the path, so that share is often close to 1: the drawing says so (Li et al., 2018, §7).

import type { Params } from './init';

export interface PlanePoint {
  alpha: number;
  beta: number;
  /** ‖(θ − θ*) − (α·δ + β·η)‖ / ‖θ − θ*‖: 0 on the plane, 1 when orthogonal to it (0 when θ is θ*). */
  offPlane: number;
}

/** The coordinates of `theta` on the plane through `center` along d1 and d2 (shapes as `center`'s). */
export function projectOnPlane(center: Params, d1: Params, d2: Params, theta: Params): PlanePoint {
  // Gram matrix of the directions and their dot products with Δ = θ − θ*, over every entry (biases' directions are 0)
  let aa = 0, ab = 0, bb = 0, ad = 0, bd = 0, dd = 0;
  center.forEach((c, i) => {
    const x = d1[i]!.data, y = d2[i]!.data, t = theta[i]!.data;
    for (let k = 0; k < c.data.length; k++) {
      const d = t[k]! - c.data[k]!;
      aa += x[k]! * x[k]!;
      ab += x[k]! * y[k]!;
      bb += y[k]! * y[k]!;
      ad += x[k]! * d;
      bd += y[k]! * d;
      dd += d * d;
    }
  });
  const det = aa * bb - ab * ab;
  if (!(det > 0) || dd === 0) return { alpha: 0, beta: 0, offPlane: 0 };
  const alpha = (bb * ad - ab * bd) / det;
  const beta = (aa * bd - ab * ad) / det;
  // ‖Δ − p‖² = ‖Δ‖² − p·Δ for the orthogonal projection p = α·δ + β·η
  const rest = Math.max(0, dd - (alpha * ad + beta * bd));
  return { alpha, beta, offPlane: Math.sqrt(rest / dd) };
}
