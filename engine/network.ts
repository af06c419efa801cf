// The network on a backend: parameters with their gradients side by side, the forward pass that keeps
// the notebook's memory cache (A_prev and Z of every layer), backprop per layer, and the update.

import type { LayerSpec } from './architecture';
import type { Backend, Tensor, UpdateRule } from './backends/backend';
import type { OptimizerName } from './config';
import type { Params } from './init';

/** Tensors for one batch width m; reused every epoch so the loop allocates nothing. */
export interface Workspace {
  m: number;
  /** X, then the activation of every layer: A[0] = X (in, m), A[l] = g(Z[l]) (out_l, m). */
  A: Tensor[];
  /** Z[l] for l = 1..L (index 0 unused). */
  Z: Tensor[];
  /** dA[l] and dZ[l] for l = 1..L (index 0 unused). */
  dA: Tensor[];
  dZ: Tensor[];
}

/** Where a forward pass first produced NaN or ±Infinity. */
export interface NonFinite {
  layer: number;
  value: number;
}

export class Network {
  readonly W: Tensor[] = [];
  readonly b: Tensor[] = [];
  readonly dW: Tensor[] = [];
  readonly db: Tensor[] = [];
  private readonly stateW: Tensor[][] = [];
  private readonly stateB: Tensor[][] = [];
  private readonly workspaces = new Map<string, Workspace>();

  constructor(readonly backend: Backend, readonly layers: readonly LayerSpec[], params: Params, readonly optimizer: OptimizerName = 'sgd') {
    const slots = optimizer === 'sgd' ? 0 : optimizer === 'momentum' ? 1 : 2;
    layers.forEach((l, i) => {
      const W = params[2 * i], b = params[2 * i + 1];
      if (!W || !b || W.rows !== l.output_dim || W.cols !== l.input_dim || b.rows !== l.output_dim) {
        throw new Error(`parameters do not fit layer ${i + 1}: expected W${i + 1} ${l.output_dim}×${l.input_dim} and b${i + 1} ${l.output_dim}×1`);
      }
      this.W.push(backend.tensor(W.rows, W.cols, W.data));
      this.b.push(backend.tensor(b.rows, 1, b.data));
      this.dW.push(backend.tensor(W.rows, W.cols));
      this.db.push(backend.tensor(b.rows, 1));
      this.stateW.push(Array.from({ length: slots }, () => backend.tensor(W.rows, W.cols)));
      this.stateB.push(Array.from({ length: slots }, () => backend.tensor(b.rows, 1)));
    });
  }

  /** The workspace for a batch of m samples; `key` keeps separate ones for train and test data. */
  workspace(m: number, key = 'train'): Workspace {
    const id = `${key}:${m}`;
    let ws = this.workspaces.get(id);
    if (!ws) {
      const B = this.backend;
      const A = [B.tensor(this.layers[0].input_dim, m)];
      const Z: Tensor[] = [A[0]];
      const dA: Tensor[] = [A[0]];
      const dZ: Tensor[] = [A[0]];
      for (const l of this.layers) {
        Z.push(B.tensor(l.output_dim, m));
        A.push(B.tensor(l.output_dim, m));
        dA.push(B.tensor(l.output_dim, m));
        dZ.push(B.tensor(l.output_dim, m));
      }
      ws = { m, A, Z, dA, dZ };
      this.workspaces.set(id, ws);
    }
    return ws;
  }

  /**
   * Z[l] = W[l]·A[l−1] + b[l], A[l] = g(Z[l]) for every layer, with ws.A[0] already holding X.
   * Returns where a NaN or Infinity first appeared, or null.
   */
  forward(ws: Workspace): NonFinite | null {
    const B = this.backend;
    let bad: NonFinite | null = null;
    this.layers.forEach((l, i) => {
      // W:(out,in) · A_prev:(in,m) → Z:(out,m)
      B.gemm(this.W[i], ws.A[i], ws.Z[i + 1], false, false, 1);
      const finite = B.biasActivation(ws.Z[i + 1], this.b[i], l.activation, ws.A[i + 1]);
      if (!finite && !bad) bad = firstNonFinite(B.read(ws.A[i + 1]), i + 1);
    });
    return bad;
  }

  /** The output Ŷ = A[L] of the last forward pass, as (outputs × m) float64. */
  output(ws: Workspace): Float64Array {
    return this.backend.read(ws.A[this.layers.length]);
  }

  /**
   * Backprop from the output gradient: `kind` says whether `grad` is dZ of the output layer or dA.
   * dW = dZ·A_prevᵀ/m, db = ΣdZ/m, dA_prev = Wᵀ·dZ, as the notebook.
   */
  backward(ws: Workspace, grad: Float64Array, kind: 'dZ' | 'dA'): void {
    const B = this.backend;
    const L = this.layers.length;
    B.write(kind === 'dZ' ? ws.dZ[L] : ws.dA[L], grad);
    for (let l = L; l >= 1; l--) {
      if (l < L || kind === 'dA') B.activationBackward(ws.dA[l], ws.Z[l], ws.A[l], this.layers[l - 1].activation, ws.dZ[l]);
      // dZ:(out,m) · A_prevᵀ:(m,in) → dW:(out,in)
      B.gemm(ws.dZ[l], ws.A[l - 1], this.dW[l - 1], false, true, ws.m);
      B.rowSums(ws.dZ[l], this.db[l - 1], ws.m);
      // Wᵀ:(in,out) · dZ:(out,m) → dA_prev:(in,m); the input layer's is never needed
      if (l > 1) B.gemm(this.W[l - 1], ws.dZ[l], ws.dA[l - 1], true, false, 1);
    }
  }

  /** One optimizer step over every parameter; biases are not decayed by L2. */
  update(rule: UpdateRule): void {
    const noDecay = rule.l2 === 0 ? rule : { ...rule, l2: 0 };
    for (let i = 0; i < this.layers.length; i++) {
      this.backend.update(this.W[i], this.dW[i], this.stateW[i], rule);
      this.backend.update(this.b[i], this.db[i], this.stateB[i], noDecay);
    }
  }

  /** ½·Σ‖W‖², the L2 penalty before its λ. */
  weightSquares(): number {
    let s = 0;
    for (const W of this.W) for (const v of this.backend.read(W)) s += v * v;
    return s / 2;
  }

  /** A float64 copy of the parameters (W1, b1, W2, b2, …). */
  params(): Params {
    return this.collect(this.W, this.b, 'W', 'b');
  }

  /** A float64 copy of the latest gradients, named dW1, db1, … */
  grads(): Params {
    return this.collect(this.dW, this.db, 'dW', 'db');
  }

  private collect(W: Tensor[], b: Tensor[], wn: string, bn: string): Params {
    const out: Params = [];
    this.layers.forEach((l, i) => {
      out.push({ name: `${wn}${i + 1}`, rows: l.output_dim, cols: l.input_dim, data: this.backend.read(W[i]) });
      out.push({ name: `${bn}${i + 1}`, rows: l.output_dim, cols: 1, data: this.backend.read(b[i]) });
    });
    return out;
  }

  /** Replaces the parameters (same shapes), e.g. for the gradient check. */
  setParams(params: Params): void {
    this.layers.forEach((_, i) => {
      this.backend.write(this.W[i], params[2 * i].data);
      this.backend.write(this.b[i], params[2 * i + 1].data);
    });
  }

  /**
   * A float64 copy of the optimizer's state: per layer, W's then b's slots (momentum: the velocity; adam: m then
   * v), named vW1, vb1 (momentum) or mW1, vW1, mb1, vb1 (adam). Empty for sgd.
   */
  optimizerState(): Params {
    const names = this.optimizer === 'adam' ? ['m', 'v'] : ['v'];
    const out: Params = [];
    this.layers.forEach((l, i) => {
      this.stateW[i].forEach((t, k) => out.push({ name: `${names[k]}W${i + 1}`, rows: l.output_dim, cols: l.input_dim, data: this.backend.read(t) }));
      this.stateB[i].forEach((t, k) => out.push({ name: `${names[k]}b${i + 1}`, rows: l.output_dim, cols: 1, data: this.backend.read(t) }));
    });
    return out;
  }

  /** Puts back a state from optimizerState (same optimizer, same shapes). */
  setOptimizerState(state: Params): void {
    const slots = this.stateW.reduce((a, s, i) => a + s.length + this.stateB[i].length, 0);
    if (state.length !== slots) throw new Error(`the optimizer state has ${state.length} matrices but ${this.optimizer} on this network needs ${slots}`);
    let k = 0;
    this.layers.forEach((_, i) => {
      for (const t of [...this.stateW[i], ...this.stateB[i]]) {
        const s = state[k++];
        if (s.rows !== t.rows || s.cols !== t.cols) throw new Error(`optimizer state ${s.name} is ${s.rows}×${s.cols}, expected ${t.rows}×${t.cols}`);
        this.backend.write(t, s.data);
      }
    });
  }

  /** The same network, parameters and optimizer state on another backend (e.g. the CPU after a gpu failure). */
  transferTo(backend: Backend): Network {
    const next = new Network(backend, this.layers, this.params(), this.optimizer);
    const copy = (from: Tensor[][], to: Tensor[][]) =>
      from.forEach((slots, i) => slots.forEach((t, k) => backend.write(to[i][k], this.backend.read(t))));
    copy(this.stateW, next.stateW);
    copy(this.stateB, next.stateB);
    return next;
  }

  free(): void {
    const all = [...this.W, ...this.b, ...this.dW, ...this.db, ...this.stateW.flat(), ...this.stateB.flat()];
    for (const ws of this.workspaces.values()) all.push(...ws.A, ...ws.Z.slice(1), ...ws.dA.slice(1), ...ws.dZ.slice(1));
    for (const t of all) this.backend.free(t);
    this.workspaces.clear();
  }
}

/** The first NaN or ±Infinity among a layer's outputs, or null. */
export function firstNonFinite(a: Float64Array, layer: number): NonFinite | null {
  for (const v of a) if (!Number.isFinite(v)) return { layer, value: v };
  return null; // a large but finite sum overflowed the cheap check: nothing is wrong
}
