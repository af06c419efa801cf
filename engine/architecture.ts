// The network's architecture in the seed notebook's own format, and its validation.

/** Activations a layer can use. `softmax` is for a multi-class output layer only. */
export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'leaky_relu', 'linear', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** One layer as the seed's NN_ARCHITECTURE writes it. */
export interface LayerSpec {
  input_dim: number;
  output_dim: number;
  activation: Activation;
}

/** The seed notebook's NN_ARCHITECTURE: 2-25-50-50-25-1, relu…sigmoid. */
export const SEED_ARCHITECTURE: readonly LayerSpec[] = Object.freeze([
  { input_dim: 2, output_dim: 25, activation: 'relu' },
  { input_dim: 25, output_dim: 50, activation: 'relu' },
  { input_dim: 50, output_dim: 50, activation: 'relu' },
  { input_dim: 50, output_dim: 25, activation: 'relu' },
  { input_dim: 25, output_dim: 1, activation: 'sigmoid' },
] as LayerSpec[]);

/** Networks larger than this are refused before anything is allocated. */
export const MAX_PARAMETERS = 50_000_000;

/** Thrown for an architecture that cannot be built; the message names the layer and the fix. */
export class ArchitectureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchitectureError';
  }
}

/** Weights plus biases of one layer. */
export function layerParameterCount(layer: LayerSpec): number {
  return layer.output_dim * layer.input_dim + layer.output_dim;
}

export function parameterCount(arch: readonly LayerSpec[]): number {
  return arch.reduce((n, l) => n + layerParameterCount(l), 0);
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/**
 * Checks an architecture given as parsed JSON (or a JSON string) and returns a clean copy.
 * Layers are numbered from 1 in messages, as the notebook names W1, b1, ….
 */
export function validateArchitecture(input: unknown): LayerSpec[] {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new ArchitectureError(`architecture is not valid JSON (${(e as Error).message}); expected a list like [{"input_dim": 2, "output_dim": 25, "activation": "relu"}, …]`);
    }
  }
  if (!Array.isArray(value)) {
    throw new ArchitectureError(`architecture must be a list of layers like [{"input_dim": 2, "output_dim": 25, "activation": "relu"}, …], got ${describe(value)}`);
  }
  if (value.length === 0) throw new ArchitectureError('architecture has no layers; add at least one layer');
  const layers: LayerSpec[] = [];
  value.forEach((raw, i) => {
    const n = i + 1;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ArchitectureError(`layer ${n} must be an object with input_dim, output_dim and activation, got ${describe(raw)}`);
    }
    const l = raw as Record<string, unknown>;
    for (const key of Object.keys(l)) {
      if (key !== 'input_dim' && key !== 'output_dim' && key !== 'activation') {
        throw new ArchitectureError(`layer ${n} has an unknown field "${key}"; a layer has only input_dim, output_dim and activation`);
      }
    }
    for (const key of ['input_dim', 'output_dim'] as const) {
      if (!isPositiveInteger(l[key])) {
        throw new ArchitectureError(`layer ${n} ${key} must be a positive integer, got ${describe(l[key])}`);
      }
    }
    if (typeof l.activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(l.activation)) {
      throw new ArchitectureError(`layer ${n} has unknown activation ${describe(l.activation)}; use one of ${ACTIVATIONS.join(', ')}`);
    }
    const layer: LayerSpec = { input_dim: l.input_dim as number, output_dim: l.output_dim as number, activation: l.activation as Activation };
    if (i > 0 && layer.input_dim !== layers[i - 1].output_dim) {
      throw new ArchitectureError(`layer ${n} expects input_dim ${layer.input_dim} but layer ${i} outputs ${layers[i - 1].output_dim}; set layer ${n} input_dim to ${layers[i - 1].output_dim}`);
    }
    layers.push(layer);
  });
  layers.forEach((l, i) => {
    if (l.activation === 'softmax' && i !== layers.length - 1) {
      throw new ArchitectureError(`layer ${i + 1} uses softmax, which is only allowed on the output layer; use relu, tanh or another activation there`);
    }
    if (l.activation === 'softmax' && l.output_dim < 2) {
      throw new ArchitectureError(`layer ${i + 1} uses softmax with output_dim ${l.output_dim}; softmax needs at least 2 classes (use sigmoid for one output)`);
    }
  });
  // Summed in floating point so absurd sizes cannot overflow integer arithmetic.
  const total = parameterCount(layers);
  if (total > MAX_PARAMETERS) {
    throw new ArchitectureError(`network has ${total.toLocaleString('en-US')} parameters, over the limit of ${MAX_PARAMETERS.toLocaleString('en-US')}; use fewer or smaller layers`);
  }
  return layers;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '…' : s;
  } catch {
    return String(v);
  }
}

/**
 * The architecture fitted to the data: layer 1 takes its features; the output is 1 sigmoid unit for two classes,
 * K softmax units for K, or 1 linear unit for regression (classes 0, as DataSplit.classes says). Returns null when
 * it already fits. (The command line's default when no --arch is given.)
 */
export function adaptArchitecture(arch: readonly LayerSpec[], features: number, classes: number): LayerSpec[] | null {
  const out = arch.map((l) => ({ ...l }));
  out[0]!.input_dim = features;
  const last = out[out.length - 1]!;
  if (classes === 0) {
    last.output_dim = 1;
    last.activation = 'linear';
  } else if (classes > 2) {
    last.output_dim = classes;
    last.activation = 'softmax';
  } else {
    last.output_dim = 1;
    last.activation = 'sigmoid';
  }
  const same = out.every((l, i) => l.input_dim === arch[i]!.input_dim && l.output_dim === arch[i]!.output_dim && l.activation === arch[i]!.activation);
  return same ? null : out;
}

/** "2-25-50-50-25-1": the layer widths from the input to the output ('' for no layers). */
export function layerWidths(arch: ReadonlyArray<Pick<LayerSpec, 'input_dim' | 'output_dim'>>): string {
  return arch.length ? [arch[0]!.input_dim, ...arch.map((l) => l.output_dim)].join('-') : '';
}

/** "2-25-1 (relu, sigmoid)": widths and activations, for a message that compares two architectures. */
export function describeLayers(arch: readonly LayerSpec[]): string {
  return `${layerWidths(arch)} (${arch.map((l) => l.activation).join(', ')})`;
}

/** Same layers (widths and activations)? */
export function sameLayers(a: readonly LayerSpec[], b: readonly LayerSpec[]): boolean {
  return a.length === b.length && a.every((l, i) => l.input_dim === b[i]!.input_dim && l.output_dim === b[i]!.output_dim && l.activation === b[i]!.activation);
}
