// What the Design panel edits: the run configuration (engine/config.ts's RunConfig, the object the host takes),
// plus the things that travel with a start: a name, an imported CSV's text, imported starting weights.
import type { CsvInfo, ImportedWeights, LayerSpec, RunConfig } from '../api';

export interface Design {
  config: RunConfig;
  name: string;
  csv: { filename: string; text: string; info: CsvInfo } | null;
  imported: { filename: string; weights: ImportedWeights } | null;
  /** The stored run this design was cloned from: Train records it as the new run's parent. */
  from?: { runId: string } | null;
}

/** The seed list format, one layer per line, as the notebook writes NN_ARCHITECTURE. */
export function architectureJson(arch: readonly LayerSpec[]): string {
  return '[\n' + arch.map((l) => `  {"input_dim": ${l.input_dim}, "output_dim": ${l.output_dim}, "activation": "${l.activation}"}`).join(',\n') + '\n]';
}

/** Sets layer i's width and keeps the next layer's input_dim in step. */
export function setNeurons(arch: readonly LayerSpec[], i: number, n: number): LayerSpec[] {
  return arch.map((l, k) => (k === i ? { ...l, output_dim: n } : k === i + 1 ? { ...l, input_dim: n } : { ...l }));
}

/** Inserts a hidden layer of `width` units just before the output layer. */
export function addLayer(arch: readonly LayerSpec[], width = 8): LayerSpec[] {
  const out = arch.map((l) => ({ ...l }));
  const last = out[out.length - 1]!;
  const layer: LayerSpec = { input_dim: last.input_dim, output_dim: width, activation: 'relu' };
  last.input_dim = width;
  out.splice(out.length - 1, 0, layer);
  return out;
}

/** Removes hidden layer i; the layer after it takes its input. */
export function removeLayer(arch: readonly LayerSpec[], i: number): LayerSpec[] {
  if (arch.length <= 1 || i >= arch.length - 1) return arch.map((l) => ({ ...l }));
  const out = arch.map((l) => ({ ...l }));
  out[i + 1]!.input_dim = out[i]!.input_dim;
  out.splice(i, 1);
  return out;
}

/** The configuration with its input layer fitted to `features` inputs. */
export function fitInputs(arch: readonly LayerSpec[], features: number): LayerSpec[] {
  return arch.map((l, k) => (k === 0 ? { ...l, input_dim: features } : { ...l }));
}
