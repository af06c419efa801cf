// A trainer's whole state — parameters, optimizer state (momentum velocities, Adam's moments and step count), the
// epoch counter and the mini-batch shuffle's generator — so that N epochs, saved, then M more from the saved state
// give the N+M epochs of one run bit for bit. JSON-safe with its float64 values as base64 (exact, compact).

import type { OptimizerName } from './config';
import { base64Of } from './export/notebook';
import type { Param, Params } from './init';
import type { RandomState } from './random';

export const TRAINER_STATE_VERSION = 1;

export interface TrainerState {
  version: typeof TRAINER_STATE_VERSION;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken (Adam's t). */
  steps: number;
  optimizer: OptimizerName;
  params: Params;
  /** Network.optimizerState(): empty for sgd. */
  optimizerState: Params;
  /** The mini-batch shuffle's generator after the last epoch's permutation. */
  shuffle: RandomState;
}

interface ParamText {
  name: string;
  rows: number;
  cols: number;
  /** Little-endian float64, base64. */
  f64: string;
}

interface TrainerStateText extends Omit<TrainerState, 'params' | 'optimizerState'> {
  params: ParamText[];
  optimizerState: ParamText[];
}

function toText(p: Param): ParamText {
  const bytes = new Uint8Array(p.data.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < p.data.length; i++) view.setFloat64(8 * i, p.data[i], true);
  return { name: p.name, rows: p.rows, cols: p.cols, f64: base64Of(bytes) };
}

function fromText(t: ParamText): Param {
  const bytes = base64ToBytes(t.f64);
  if (bytes.length !== t.rows * t.cols * 8) throw new Error(`trainer state: ${t.name} holds ${bytes.length / 8} values, expected ${t.rows}×${t.cols}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float64Array(t.rows * t.cols);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(8 * i, true);
  return { name: t.name, rows: t.rows, cols: t.cols, data };
}

/** The state as JSON text (every double exact). */
export function serializeTrainerState(s: TrainerState): string {
  const text: TrainerStateText = { ...s, params: s.params.map(toText), optimizerState: s.optimizerState.map(toText) };
  return JSON.stringify(text);
}

/** Reads serializeTrainerState's text back; throws Error naming what does not fit. */
export function parseTrainerState(json: string): TrainerState {
  const t = JSON.parse(json) as TrainerStateText;
  if (t.version !== TRAINER_STATE_VERSION) throw new Error(`trainer state version ${String(t.version)} is not ${TRAINER_STATE_VERSION}; this build cannot continue it`);
  return { ...t, params: t.params.map(fromText), optimizerState: t.optimizerState.map(fromText) };
}

/** Standard base64 back to bytes (atob: Node, workers and browsers). */
function base64ToBytes(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
