// What the Design panel edits: the run configuration (engine/config.ts's RunConfig, the object the host takes),
// plus the things that travel with a start: a name, an imported CSV's text, imported starting weights.
import { BUILTIN_KINDS, DATASET_KINDS, GENERATED_KINDS, INPUT_FEATURES, taskOf, type DatasetKind, type InputFeature } from '../../../engine/config';
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

const isRegression = (k: DatasetKind) => taskOf(k) === 'regression';

/** The dataset picker's groups: every DATASET_KINDS entry once, generated 2-D data first. */
export const DATASET_GROUPS: ReadonlyArray<{ label: string; kinds: readonly DatasetKind[] }> = [
  { label: '2-D classification', kinds: GENERATED_KINDS.filter((k) => !isRegression(k)) },
  { label: '2-D regression', kinds: GENERATED_KINDS.filter(isRegression) },
  { label: 'Real data: classification', kinds: BUILTIN_KINDS.filter((k) => !isRegression(k)) },
  { label: 'Real data: regression', kinds: BUILTIN_KINDS.filter(isRegression) },
  { label: 'Your data', kinds: DATASET_KINDS.filter((k) => !(GENERATED_KINDS as readonly string[]).includes(k) && !(BUILTIN_KINDS as readonly string[]).includes(k)) },
];

/** Generated data: samples, noise and seed apply. */
export function isGenerated(k: DatasetKind): boolean {
  return (GENERATED_KINDS as readonly string[]).includes(k);
}

/** Whether input features (x1², sin(x1), …) can be computed: 2-D data, generated or a 2-column CSV. */
export function takesFeatures(k: DatasetKind, columns: number): boolean {
  return isGenerated(k) || (k === 'csv' && columns === 2);
}

/** The inputs layer 1 takes: the chosen input features, else the data's columns. */
export function inputCount(data: RunConfig['data'], columns: number): number {
  return data.features?.length ?? columns;
}

/** The plain inputs (x1, x2): what no `features` means. */
const PLAIN: readonly InputFeature[] = ['x1', 'x2'];

/** The input features chosen (in INPUT_FEATURES' order); the plain (x1, x2) is stored as none, like the CLI's default. */
export function setFeatures(c: RunConfig, chosen: readonly InputFeature[]): RunConfig {
  const features = INPUT_FEATURES.filter((f) => chosen.includes(f));
  const plain = features.length === PLAIN.length && features.every((f, i) => f === PLAIN[i]);
  const data = { ...c.data };
  if (plain || features.length === 0) delete data.features;
  else data.features = features;
  return { ...c, data, architecture: fitInputs(c.architecture, data.features?.length ?? 2) };
}

/** Another dataset; input features are dropped for data that is not 2-D (the engine refuses them there). */
export function setKind(c: RunConfig, kind: DatasetKind): RunConfig {
  const data = { ...c.data, kind };
  if (data.features && !takesFeatures(kind, 2)) {
    delete data.features;
    return { ...c, data, architecture: fitInputs(c.architecture, 2) };
  }
  return { ...c, data };
}
