// Gradient check: backprop's gradients against centred finite differences of the cost, in float64.
// A feature users can run on demand to trust what the network computes.

import type { LayerSpec } from './architecture';
import { CpuBackend } from './backends/cpu';
import type { Params } from './init';
import { cost, outputGradient, type Loss } from './losses';
import { Network } from './network';

export interface GradCheckEntry {
  /** Parameter name, e.g. W2 or b3. */
  name: string;
  /** Relative error ‖num − ana‖ / (‖num‖ + ‖ana‖) over the checked entries of this parameter. */
  relativeError: number;
  checked: number;
}

export interface GradCheckResult {
  /** The same relative error over every checked entry of every parameter. */
  relativeError: number;
  perParam: GradCheckEntry[];
  epsilon: number;
}

export interface GradCheckInput {
  architecture: readonly LayerSpec[];
  params: Params;
  /** Inputs (features × m) and targets (outputs × m), as the network sees them. */
  X: Float64Array;
  Y: Float64Array;
  m: number;
  loss: Loss;
  l2?: number;
  epsilon?: number;
  /** Check at most this many entries per parameter (spread evenly); default all. */
  maxPerParam?: number;
}

/** Compares dW, db from backprop with (J(θ+ε) − J(θ−ε)) / 2ε for each checked entry. */
export function gradientCheck(input: GradCheckInput): GradCheckResult {
  const { architecture, X, Y, m, loss } = input;
  const outputs = architecture[architecture.length - 1].output_dim;
  const net = new Network(new CpuBackend(), architecture, input.params);
  const ws = net.workspace(m);
  net.backend.write(ws.A[0], X);
  net.forward(ws);
  const g = new Float64Array(outputs * m);
  net.backward(ws, g, outputGradient(loss, net.output(ws), Y, outputs, m, g));
  return compareWithFiniteDifferences(input, net.grads());
}

/**
 * The finite-difference half of the check, against given analytical gradients (dW1, db1, … in parameter
 * order, without the L2 term, which is added here as the optimizer adds it).
 */
export function compareWithFiniteDifferences(input: GradCheckInput, grads: Params): GradCheckResult {
  const { architecture, X, Y, m, loss } = input;
  const l2 = input.l2 ?? 0;
  const eps = input.epsilon ?? 1e-6;
  const outputs = architecture[architecture.length - 1].output_dim;
  const params = input.params.map((p) => ({ ...p, data: p.data.slice() }));
  const net = new Network(new CpuBackend(), architecture, params);
  const ws = net.workspace(m);
  net.backend.write(ws.A[0], X);
  const J = (): number => {
    net.setParams(params);
    net.forward(ws);
    let c = cost(loss, net.output(ws), Y, outputs, m);
    if (l2 > 0) c += l2 * net.weightSquares();
    return c;
  };

  let sd = 0, sn = 0, sa = 0;
  const perParam: GradCheckEntry[] = [];
  params.forEach((p, pi) => {
    const ana = grads[pi].data;
    const n = p.data.length;
    const limit = input.maxPerParam ?? n;
    const stride = Math.max(1, Math.floor(n / limit));
    let d = 0, nn = 0, aa = 0, checked = 0;
    for (let k = 0; k < n && checked < limit; k += stride) {
      const keep = p.data[k];
      p.data[k] = keep + eps;
      const plus = J();
      p.data[k] = keep - eps;
      const minus = J();
      p.data[k] = keep;
      const num = (plus - minus) / (2 * eps);
      const a = ana[k] + (l2 > 0 && p.name.startsWith('W') ? l2 * keep : 0);
      d += (num - a) ** 2;
      nn += num * num;
      aa += a * a;
      checked++;
    }
    perParam.push({ name: p.name, relativeError: ratio(d, nn, aa), checked });
    sd += d;
    sn += nn;
    sa += aa;
  });
  return { relativeError: ratio(sd, sn, sa), perParam, epsilon: eps };
}

function ratio(d: number, n: number, a: number): number {
  const den = Math.sqrt(n) + Math.sqrt(a);
  return den === 0 ? 0 : Math.sqrt(d) / den;
}
