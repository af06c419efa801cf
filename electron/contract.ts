// The one declaration of the API between the dashboard and the host: every command (renderer → host) with the
// zod schema of its payload and the type of its result, and every event (host → renderer) with its payload.
// The host validates with these schemas; the preload, the WebSocket client and the renderer are typed from them
// (the renderer imports this file type-only, so zod never reaches the page).

import { z } from 'zod';
import { ACTIVATIONS, type LayerSpec } from '../engine/architecture';
import type { BackendInfo } from '../engine/backends/index';
import { BACKEND_CHOICES, DATASET_KINDS, EARLY_STOP_METRICS, INPUT_FEATURES, LOSSES, MAX_EPOCHS, OPTIMIZERS, type BackendChoice, type RunConfig, type Task } from '../engine/config';
import { FORMAT_NAMES, type FormatName } from '../engine/export/format-table';
import { LANDSCAPE_LIMITS as LL } from '../engine/landscape-limits';
import type { LayerDistribution } from '../engine/distribution';
import type { GradCheckResult } from '../engine/gradcheck';
import type { PlanePoint } from '../engine/trajectory';
import type { NumericArray, Plane } from '../engine/datasets/plane';
import type { EpochMetrics, LayerCache } from '../engine/train';
import { MAX_NAME_LENGTH, MAX_NOTES_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, MAX_WATCHED_RUNS, RUN_ID_PATTERN } from './limits';
import type { RunLineage, RunSummary as StoreRunSummary, SweepRecord as StoreSweepRecord } from './store/index';

import type { FinalMetrics } from '../engine/train';
export type { BackendInfo, EpochMetrics, FinalMetrics, GradCheckResult, LayerCache, LayerDistribution, LayerSpec, RunConfig };

// ---------------------------------------------------------------------------------------------------------------
// Limits: what an untrusted payload may hold before anything is allocated for it.

/** Bytes of a CSV text accepted over the bridge (a 1M-row, 2-feature CSV is ~40 MB). */
export const MAX_CSV_TEXT = 64 * 1024 * 1024;
/** Bytes of an imported weights file (base64 is 4/3 of that on the wire). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** Parameters in a params payload (the architecture's own cap is larger; this is what the bridge carries). */
export const MAX_PARAM_VALUES = 10_000_000;
/** Runs in one comparison. */
export const MAX_COMPARE = 10;
const MAX_NAME = MAX_NAME_LENGTH;
const MAX_NOTE = MAX_NOTES_LENGTH;
const MAX_TAG = MAX_TAG_LENGTH;

// ---------------------------------------------------------------------------------------------------------------
// Shared schemas

/** A run's id as the store gives it; opaque to the renderer. */
export const RunIdSchema = z.string().regex(RUN_ID_PATTERN, 'a run id is letters, digits, - and _');
export type RunId = string;

const seed = z.number().int().min(0).max(0xffffffff);

/** One layer in the seed's format; unknown fields are refused, as validateArchitecture does. */
export const LayerSchema = z.strictObject({
  input_dim: z.number().int().positive(),
  output_dim: z.number().int().positive(),
  activation: z.enum(ACTIVATIONS),
});

export const DataSpecSchema = z.strictObject({
  kind: z.enum(DATASET_KINDS),
  samples: z.number().int().min(2),
  noise: z.number().min(0),
  factor: z.number(),
  seed,
  testSize: z.number().min(0).lt(1),
  splitSeed: seed,
  csv: z.strictObject({ path: z.string().max(4096), labelColumn: z.string().max(MAX_NAME).optional() }).optional(),
  standardize: z.boolean().optional(),
  features: z.array(z.enum(INPUT_FEATURES)).max(INPUT_FEATURES.length).optional(),
});

/**
 * A run configuration as the UI edits it: any field may be left out (the seed experiment's value is used).
 * Types are checked here; ranges and cross-field rules are resolveConfig's (engine/config.ts), whose messages
 * name the field.
 */
export const RunConfigInputSchema = z.strictObject({
  architecture: z.array(LayerSchema).min(1).max(100).optional(),
  init: z.strictObject({ seed: seed.optional(), scale: z.number().positive().optional() }).optional(),
  data: DataSpecSchema.partial().optional(),
  training: z
    .strictObject({
      epochs: z.number().int().min(0).max(MAX_EPOCHS),
      learningRate: z.number().positive(),
      batchSize: z.number().int().positive().nullable(),
      optimizer: z.enum(OPTIMIZERS),
      momentum: z.number(),
      beta1: z.number(),
      beta2: z.number(),
      epsilon: z.number(),
      l2: z.number().min(0),
      shuffleSeed: seed,
      loss: z.enum(LOSSES),
      // engine/config.ts's schedule and early stopping; values are checked by resolveConfig, whose messages name the field
      lrSchedule: z.string().max(200),
      warmup: z.number().int().min(0),
      earlyStop: z.number().int().min(0),
      earlyStopMetric: z.enum(EARLY_STOP_METRICS),
      minDelta: z.number().min(0),
    })
    .partial()
    .optional(),
  backend: z.enum(BACKEND_CHOICES).optional(),
});
export type RunConfigInput = z.input<typeof RunConfigInputSchema>;

/** One parameter matrix as plain numbers: W is (rows=out, cols=in), b is (out, 1), row-major. */
export const ParamSchema = z
  .strictObject({
    name: z.string().regex(/^[Wb][1-9]\d{0,3}$/, 'a parameter name is W1, b1, W2, b2, …'),
    rows: z.number().int().positive(),
    cols: z.number().int().positive(),
    data: z.array(z.number()).max(MAX_PARAM_VALUES),
  })
  .refine((p) => p.data.length === p.rows * p.cols, { message: 'data must hold rows·cols values' });
export type ParamJSON = z.output<typeof ParamSchema>;
export const ParamsSchema = z.array(ParamSchema).min(2).max(200);

/** Per-epoch metrics as EpochMetrics names them (elapsedMs: wall time since the run started, for an x axis in time). */
export const METRIC_KEYS = ['trainCost', 'trainAccuracy', 'testCost', 'testAccuracy', 'elapsedMs', 'learningRate'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];
/** Export formats: the one table in engine/export/format-table.ts. */
export const EXPORT_FORMATS = FORMAT_NAMES;
export type ExportFormat = FormatName;
/** 'pruned': a sweep's trial stopped early by ASHA (its reason names the rung). */
export const RUN_STATUSES = ['running', 'paused', 'finished', 'failed', 'stopped', 'interrupted', 'pruned'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Result and error shapes

/** Codes a caller can branch on. */
export const ERROR_CODES = [
  'invalid_payload', // the payload does not match the command's schema
  'invalid_config', // the run configuration or data cannot be used (the message names the field)
  'unknown_command',
  'not_found', // no run with that id (or no live worker where one is needed)
  'conflict', // the command does not apply in the run's state (e.g. pause a finished run)
  'unsupported', // e.g. an export format that is not available in this build
  'import_failed', // an imported file is malformed or does not fit
  'forbidden', // the sender is not the app's own page
  'storage', // the run database refused the write for good: read-only, a full disk, damaged (the message says which)
  'busy', // the run database is locked by another program for longer than the command waits; try again
  'limit', // a limit of this host is reached (e.g. runs training at once); the message names it and the way out
  'internal', // a bug: the message says what failed
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface CommandError {
  code: ErrorCode;
  message: string;
}
/** What every command returns: errors cross the boundary as values, never as thrown exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CommandError };

// ---------------------------------------------------------------------------------------------------------------
// Result types

export interface BackendAvailability {
  name: Exclude<BackendChoice, 'auto'>;
  available: boolean;
  /** The mode it would run in, or why it cannot. */
  detail: string;
}

export interface AppInfo {
  version: string;
  /** 'desktop' through the preload, 'browser' through `backprop-lab serve`, 'cli' for the command line. */
  host: 'desktop' | 'browser' | 'cli';
  backends: BackendAvailability[];
  /** The seed notebook's experiment: what the Design page opens with. */
  defaultConfig: RunConfig;
  limits: { maxCsvText: number; maxImportBytes: number; maxCompare: number; maxLiveRuns: number };
}

/** One row of the runs table (the store's run summary, with the live status and two derived columns). */
/** A run as the dashboard lists it: the store's summary, with the live status and two derived fields. */
export interface RunSummary extends Omit<StoreRunSummary, 'status'> {
  id: RunId;
  /** 'paused' while its worker is paused (the store keeps it as running). */
  status: RunStatus;
  /** Layer widths, "2-25-50-50-25-1". */
  architecture: string;
  /** Wall time: endedAt − startedAt, or until now while it runs (runDurationMs); null before it started. */
  durationMs: number | null;
  /** The epochs it was configured for (runs.list). */
  plannedEpochs?: number | null;
  /** Its whole configuration (runs.list, for the table's setting columns; runs.get). */
  config?: RunConfig;
  /** The sweep it is a trial of, or null (runs.list). */
  sweep?: { id: string; name: string } | null;
}

export interface RunDetail extends RunSummary {
  config: RunConfig;
  /** The run it was continued, cloned or re-run from (the parent's id is null once that run was deleted). */
  lineage: RunLineage | null;
  /** Whether early stopping ended it, and the epoch whose weights it kept; null when early stopping was off. */
  stoppedEarly: boolean | null;
  bestEpoch: number | null;
  /** The epoch of the saved trainer state that runs.start's from: { mode: 'continue' } resumes; null without one. */
  stateEpoch: number | null;
}

/** One curve: values by epoch. Long runs are downsampled on the host, keeping each bucket's min and max point. */
export interface Curve {
  step: number[];
  /** As recorded: NaN and ±Infinity included. */
  value: number[];
  /** Points the run has before downsampling. */
  total: number;
}
export type RunCurves = Partial<Record<MetricKey, Curve>>;

export interface StartedRun {
  runId: RunId;
  /** As the store recorded it: the name sent, or the automatic one ("moons · lr 0.01 · sgd #2") when none was. */
  name: string;
  backend: BackendInfo;
  status: RunStatus;
  /** The configuration the run trains: as sent, with the architecture fitted to the data when asked. */
  config: RunConfig;
}

export interface LiveState {
  runId: RunId;
  status: RunStatus;
  /** Epochs completed. */
  epoch: number;
}

export interface DiffRow {
  /** Config path, e.g. "training.learningRate". */
  path: string;
  values: unknown[];
  differs: boolean;
}
export interface RunDiff {
  runIds: RunId[];
  rows: DiffRow[];
  /** task: 'regression' runs hold R² in their accuracy fields and curves. */
  final: Array<Pick<RunSummary, 'id' | 'name' | 'status' | 'finalCost' | 'trainAccuracy' | 'testCost' | 'testAccuracy' | 'epochsDone'> & { task: Task }>;
  /** L2 distance between final weights, for pairs with the same architecture and init seed. */
  weightDistances: Array<{ a: RunId; b: RunId; distance: number }>;
}

/** runs.interpolate: the cost along θ(α) = (1 − α)·θA + α·θB, on run A's data (engine/interpolate.ts). */
export interface Interpolation {
  /** Evenly spaced from `from` to `to`, with 0 (run A) and 1 (run B) always among them, exactly. */
  alphas: number[];
  /** Run A's loss plus its L2 term at each α; null where the network's output is not finite. */
  trainCost: Array<number | null>;
  /** The same on the test set; nulls without one. */
  testCost: Array<number | null>;
}

/** runs.landscape: the cost on a plane through a run's weights along two filter-normalised directions (engine/landscape.ts). */
export interface Landscape {
  grid: number;
  span: number;
  /** np.random.seed of the two directions. */
  seed: number;
  /** The grid's coordinates along the first (alphas) and second (betas) direction: grid points from −span to span. */
  alphas: number[];
  betas: number[];
  /** cost[j][i] at (alphas[i], betas[j]): rows by β; null where the network's output is not finite. */
  cost: Array<Array<number | null>>;
  /** The same on the test set; absent without one. */
  testCost?: Array<Array<number | null>>;
  /** The run's stored weights (starting weights, periodic checkpoints) projected on the plane (engine/trajectory.ts), by epoch. */
  trajectory?: Array<{ epoch: number } & PlanePoint>;
}

/** runs.distributions: the percentiles of each layer's weights at every stored weight set of a run, by epoch. */
export interface WeightHistory {
  /** DISTRIBUTION_PERCENTILES: what each layer's `weights` holds, in order. */
  percentiles: number[];
  points: Array<{ epoch: number; layers: LayerDistribution[] }>;
}

export interface ExportedFile {
  filename: string;
  mime: string;
  /** The file's bytes, base64. */
  base64: string;
}

export interface ImportedWeights {
  architecture: LayerSpec[];
  params: ParamJSON[];
  /** The run configuration the file carried, if any (a JSON export does). */
  config: RunConfig | null;
  parameterCount: number;
}

export interface ImportedRun {
  run: RunSummary;
  /** How the imported weights were evaluated ("evaluated on moons: cost 0.074…"), or why they were not. */
  evaluated: string;
}

export interface PointSet {
  /** Row-major n × features. */
  X: number[];
  y: number[];
  n: number;
}
export interface DataPreview {
  features: number;
  classes: number;
  featureNames: string[];
  classNames: string[];
  train: PointSet;
  test: PointSet;
  /** Samples in the full sets (the preview holds at most 5,000 points of each). */
  totalTrain: number;
  totalTest: number;
  /** Per feature: [min, max] over all samples. */
  range: Array<[number, number]>;
}

export interface CsvInfo {
  ok: boolean;
  /** The header row. */
  columns: string[];
  labelColumn: string | null;
  rows: number;
  featureNames: string[];
  classNames: string[];
  errors: string[];
}

export interface InspectResult {
  epoch: number;
  layers: LayerCache[];
  /** The latest gradients (dW1, db1, …), from the last update; empty before the first epoch. */
  grads: ParamJSON[];
}

/** A sweep as the store keeps it (electron/store/sweeps.ts). */
/** A sweep as the store keeps it (electron/store/sweeps.ts): one shape for the store, the core and the page. */
export type SweepInfo = StoreSweepRecord;

/** One trial of a sweep: its parameters and, once started, its run. */
export interface SweepTrialInfo {
  trialIndex: number;
  /** null while it waits for a slot (or when the sweep stopped before it started). */
  runId: RunId | null;
  status: RunStatus | 'pending';
  /** The swept values, keyed by train's option name ("lr", "batch-size"). */
  params: Record<string, unknown>;
  /** Epochs trained. */
  epochs: number;
  finalCost: number | null;
  testCost: number | null;
  testAccuracy: number | null;
  /** The queue worker that trained it; null when the sweep's own machine did. */
  worker: string | null;
  /** Why it was pruned, stopped or failed. */
  reason: string | null;
}

export interface SweepDetail {
  sweep: SweepInfo;
  trials: SweepTrialInfo[];
  /** The best finished trial on the sweep's metric, or null while none has finished. */
  best: SweepTrialInfo | null;
  /** The metric trials are ranked by: asha's, else testCost (cost without a test set). */
  metric: string;
}

export interface StartedSweep {
  sweepId: string;
  name: string;
  trials: number;
  /** Trials that train at once. */
  parallel: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

/** Declares a command: its payload schema, and (as a phantom type) its result. */
const command =
  <R>() =>
  <S extends z.ZodType>(payload: S) => ({ payload, result: undefined as unknown as R });

const runRef = z.strictObject({ runId: RunIdSchema });

export const COMMANDS = {
  'app.info': command<AppInfo>()(z.strictObject({})),

  'runs.start': command<StartedRun>()(
    z.strictObject({
      config: RunConfigInputSchema,
      name: z.string().max(MAX_NAME).optional(),
      /** The CSV file's text when config.data.kind is 'csv'. */
      csvText: z.string().max(MAX_CSV_TEXT).optional(),
      /** Start from these parameters (from runs.importWeights) instead of init_layers(seed). */
      initialParams: ParamsSchema.optional(),
      /** Create the run paused at epoch 0, to step through it. */
      startPaused: z.boolean().optional(),
      tags: z.array(z.string().trim().min(1).max(MAX_TAG)).max(MAX_TAGS).optional(),
      notes: z.string().max(MAX_NOTE).optional(),
      /**
       * Fit the architecture's input width to the data's features and its output to its classes (1 sigmoid unit
       * for two, K softmax units for K): the command line's default when no architecture is given.
       */
      fitArchitecture: z.boolean().optional(),
      /**
       * Start from a stored run. 'rerun': its configuration as it was (config must be empty), bit-identical;
       * 'clone': its configuration with `config`'s fields over it; 'continue': from its saved trainer state
       * (weights, optimizer state, epoch, shuffle), `epochs` more epochs (default: as many as it was configured
       * for), with `config`'s fields over its configuration. The new run records the parent and the mode.
       */
      from: z
        .strictObject({
          runId: RunIdSchema,
          mode: z.enum(['continue', 'clone', 'rerun']),
          epochs: z.number().int().min(1).max(MAX_EPOCHS).optional(),
        })
        .optional(),
    }),
  ),
  'runs.pause': command<LiveState>()(runRef),
  'runs.resume': command<LiveState>()(runRef),
  /** One epoch, then paused. */
  'runs.step': command<LiveState>()(runRef),
  'runs.stop': command<LiveState>()(
    z.strictObject({
      runId: RunIdSchema,
      /** Stop it as 'pruned' (a sweep's trial stopped early by ASHA), recorded with this reason ("pruned at rung 2 …"). */
      prune: z.string().trim().min(1).max(2000).optional(),
    }),
  ),
  /**
   * The runs whose running snapshots this connection (a page, the desktop window) receives from now on: null every
   * run's (what a connection gets until it says), [] none. A run nobody watches computes none. Only a connected
   * front end can watch; a caller inside the process (the command line) is refused.
   */
  'runs.watch': command<{ runIds: RunId[] | null }>()(z.strictObject({ runIds: z.array(RunIdSchema).max(MAX_WATCHED_RUNS).nullable() })),

  'runs.list': command<RunSummary[]>()(
    z.strictObject({
      filter: z
        .strictObject({
          name: z.string().max(MAX_NAME),
          tag: z.string().max(MAX_NAME),
          status: z.enum(RUN_STATUSES),
          dataset: z.string().max(MAX_NAME),
        })
        .partial()
        .optional(),
      /** Default: newest first; finalCost lowest first; testAccuracy highest first. Runs without the value come last. */
      sort: z.strictObject({ by: z.enum(['date', 'finalCost', 'testAccuracy']), dir: z.enum(['asc', 'desc']).optional() }).optional(),
      /** Default 500. */
      limit: z.number().int().positive().max(10_000).optional(),
      offset: z.number().int().min(0).optional(),
    }),
  ),
  /** The run with its curves (every metric key, at most maxPoints each; default 2000). */
  'runs.get': command<{ run: RunDetail; curves: RunCurves }>()(
    z.strictObject({ runId: RunIdSchema, maxPoints: z.number().int().min(4).max(1_000_000).optional() }),
  ),
  'runs.curves': command<Record<RunId, RunCurves>>()(
    z.strictObject({
      runIds: z.array(RunIdSchema).min(1).max(MAX_COMPARE),
      /** Default: train and test cost. */
      keys: z.array(z.enum(METRIC_KEYS)).min(1).optional(),
      /** Default 2000. */
      maxPoints: z.number().int().min(4).max(1_000_000).optional(),
    }),
  ),
  'runs.diff': command<RunDiff>()(
    z.strictObject({ runIds: z.array(RunIdSchema).min(2).max(MAX_COMPARE), onlyDifferences: z.boolean().optional() }),
  ),
  /** The train and test cost between two stored runs of one architecture (Goodfellow, Vinyals & Saxe, 2015). */
  'runs.interpolate': command<Interpolation>()(
    z
      .strictObject({
        a: RunIdSchema,
        b: RunIdSchema,
        /** Evenly spaced points from `from` to `to` (default 41: Δα 0.05 over −0.5..1.5); 0 and 1 are added when not among them. */
        steps: z.number().int({ error: (i) => `must be a whole number from 2 to 1001, got ${String(i.input)}` }).min(2, { error: (i) => `must be from 2 to 1001, got ${String(i.input)}` }).max(1001, { error: (i) => `must be from 2 to 1001, got ${String(i.input)}` }).optional(),
        /** Default −0.5 and 1.5. */
        from: z.number().min(-100, { error: (i) => `must be from -100 to 100, got ${String(i.input)}` }).max(100, { error: (i) => `must be from -100 to 100, got ${String(i.input)}` }).optional(),
        to: z.number().min(-100, { error: (i) => `must be from -100 to 100, got ${String(i.input)}` }).max(100, { error: (i) => `must be from -100 to 100, got ${String(i.input)}` }).optional(),
      })
      .refine((p) => (p.from ?? -0.5) < (p.to ?? 1.5), { error: (i) => `from must be less than to, got from ${String((i.input as { from?: number }).from ?? -0.5)} and to ${String((i.input as { to?: number }).to ?? 1.5)}`, path: ['to'] }),
  ),
  /** The cost on a grid × grid plane through a stored run's weights (Li et al., 2018: filter-normalised directions). */
  'runs.landscape': command<Landscape>()(
    z.strictObject({
      runId: RunIdSchema,
      /** Points per axis (default 21). */
      grid: z.number().int({ error: (i) => `must be a whole number from ${LL.gridMin} to ${LL.gridMax}, got ${String(i.input)}` }).min(LL.gridMin, { error: (i) => `must be from ${LL.gridMin} to ${LL.gridMax}, got ${String(i.input)}` }).max(LL.gridMax, { error: (i) => `must be from ${LL.gridMin} to ${LL.gridMax}, got ${String(i.input)}` }).optional(),
      /** Half-width of the plane in direction units (default 1: ±1, the run's own scale per neuron). */
      span: z.number().gt(0, { error: (i) => `must be a number above 0 and at most ${LL.spanMax}, got ${String(i.input)}` }).max(LL.spanMax, { error: (i) => `must be a number above 0 and at most ${LL.spanMax}, got ${String(i.input)}` }).optional(),
      /** np.random.seed of the two directions (default 0). */
      seed: seed.optional(),
    }),
  ),
  /** The percentiles of each layer's weights at a stored run's starting weights, periodic checkpoints and final weights. */
  'runs.distributions': command<WeightHistory>()(runRef),
  'runs.rename': command<RunSummary>()(z.strictObject({ runId: RunIdSchema, name: z.string().trim().min(1).max(MAX_NAME) })),
  'runs.tag': command<RunSummary>()(
    z.strictObject({ runId: RunIdSchema, tags: z.array(z.string().trim().min(1).max(MAX_TAG)).max(MAX_TAGS) }),
  ),
  'runs.note': command<RunSummary>()(z.strictObject({ runId: RunIdSchema, notes: z.string().max(MAX_NOTE) })),
  'runs.delete': command<{ deleted: RunId }>()(runRef),
  'runs.export': command<ExportedFile>()(z.strictObject({ runId: RunIdSchema, format: z.enum(EXPORT_FORMATS) })),
  'runs.importWeights': command<ImportedWeights>()(
    z.strictObject({
      filename: z.string().min(1).max(4096),
      base64: z.string().max(Math.ceil(MAX_IMPORT_BYTES / 3) * 4 + 4),
      /** Check the weights against this architecture (the Design page's) instead of the file's own. */
      architecture: z.array(LayerSchema).min(1).max(100).optional(),
    }),
  ),

  /** Stores a weights file (from runs.export or --export) as a new finished run, evaluated on its data when generated. */
  'runs.import': command<ImportedRun>()(
    z.strictObject({
      filename: z.string().min(1).max(4096),
      base64: z.string().max(Math.ceil(MAX_IMPORT_BYTES / 3) * 4 + 4),
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      tags: z.array(z.string().trim().min(1).max(MAX_TAG)).max(MAX_TAGS).optional(),
    }),
  ),

  'data.preview': command<DataPreview>()(
    z.strictObject({ data: DataSpecSchema.partial(), csvText: z.string().max(MAX_CSV_TEXT).optional() }),
  ),
  'data.parseCsv': command<CsvInfo>()(
    z.strictObject({ text: z.string().max(MAX_CSV_TEXT), labelColumn: z.string().max(MAX_NAME).optional() }),
  ),

  /**
   * Starts a sweep (electron/sweeps: a spec → trials, ASHA) and answers at once; its trials are ordinary runs started
   * through runs.start, at most `parallel` at once, and 'sweep.progress' reports how it goes.
   */
  'sweeps.start': command<StartedSweep>()(
    z.strictObject({
      /** The spec: JSON text or the parsed object (see electron/sweeps/spec.ts). */
      spec: z.union([z.string().max(1_000_000), z.record(z.string(), z.unknown())]),
      /** Trials that train at once; default: the number of cores (and at most the host's live-run limit). */
      parallel: z.number().int().min(1).max(256).optional(),
      /** The text of each CSV file a trial's dataset names ("csv:PATH" → text), read by the front end. */
      csvTexts: z.record(z.string().max(4096), z.string().max(MAX_CSV_TEXT)).optional(),
      /** Hand the trials to `backprop-lab worker` processes through BullMQ on this Redis (redis://HOST:PORT). */
      queue: z.string().max(2000).optional(),
    }),
  ),
  'sweeps.get': command<SweepDetail>()(z.strictObject({ sweepId: RunIdSchema })),
  'sweeps.list': command<SweepInfo[]>()(z.strictObject({ limit: z.number().int().positive().max(10_000).optional() })),
  /** Stops every trial of a live sweep (recorded as stopped) and starts no more. */
  'sweeps.stop': command<SweepProgressEvent>()(z.strictObject({ sweepId: RunIdSchema })),
  /** Deletes a sweep that is not running; its runs too with deleteRuns, else they stay as ordinary runs. */
  'sweeps.delete': command<{ deleted: string; deletedRuns: RunId[] }>()(z.strictObject({ sweepId: RunIdSchema, deleteRuns: z.boolean() })),

  'net.inspect': command<InspectResult>()(
    z.strictObject({ runId: RunIdSchema, point: z.array(z.number()).min(1).max(100_000) }),
  ),
  'net.gradCheck': command<GradCheckResult>()(
    z.strictObject({
      runId: RunIdSchema,
      /** Entries checked per parameter (spread evenly); default 20. */
      maxPerParam: z.number().int().positive().max(100_000).optional(),
      /** Training samples used; default 256. */
      samples: z.number().int().positive().max(100_000).optional(),
    }),
  ),
} as const;

export type Commands = typeof COMMANDS;
export type CommandName = keyof Commands;
/** What a caller sends (defaults not yet applied). */
export type CommandInput<C extends CommandName> = z.input<Commands[C]['payload']>;
/** What a handler receives, after validation. */
export type CommandPayload<C extends CommandName> = z.output<Commands[C]['payload']>;
export type CommandResult<C extends CommandName> = Commands[C]['result'];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(COMMANDS, name);
}

// ---------------------------------------------------------------------------------------------------------------
// Events (host → renderer). Only the host produces them, so they are declared as types.

/** A batch of consecutive epochs of one run (every 50–100 ms while it trains; never one message per epoch). */
export interface RunMetricsEvent {
  runId: RunId;
  metrics: EpochMetrics[];
}

export interface RunStatusEvent {
  runId: RunId;
  status: RunStatus;
  /** Epochs completed. */
  epoch: number;
  /** Why it failed or stopped ("diverged at epoch 812: cost is NaN"). */
  reason?: string;
  backend?: BackendInfo;
  /** The final metrics, once finished or stopped. */
  final?: FinalMetrics;
  /** Set on a failed run that diverged (its reason says where and why), as opposed to one that crashed. */
  diverged?: boolean;
  /** On the end event only: why the run's record in the store is incomplete (the database refused writes), if so. */
  recordingLost?: string;
}

/** A long numeric array in an event: a number[] where the host builds it, a typed array once it crossed to the page. */
export type { NumericArray } from '../engine/datasets/plane';

/** A parameter matrix in a snapshot: ParamJSON with its values as a NumericArray (a Float64Array from the trainer on). */
export type SnapshotParam = Omit<ParamJSON, 'data'> & { data: NumericArray };

/** The decision boundary: the network's output over a size×size grid spanning the data (row-major, y outer). */
export interface BoundaryGrid {
  size: number;
  x: [number, number];
  y: [number, number];
  /** 'probability': P(class 1) per cell (one sigmoid/linear output); 'class': the argmax class per cell. */
  kind: 'probability' | 'class';
  values: NumericArray;
  /** For 'class': the winning probability per cell. */
  confidence?: NumericArray;
  /**
   * Data with more than two features: the plane the grid spans (engine/datasets/plane.ts): 'pca' (the train set's
   * first two principal components, with the share of variance each explains) or 'features' (two features, the
   * others at their train means); a point's (x, y) in it is ((row − origin)·u, (row − origin)·v). Absent for 2-D data.
   */
  plane?: Plane;
}

export interface LayerHealth {
  layer: number;
  /** ‖dW‖₂ and ‖db‖₂ of the latest update. */
  gradNormW: number;
  gradNormB: number;
  /** Share of units that output 0 for every training sample (relu layers only; null otherwise). */
  deadShare: number | null;
}

/** What the Train and Inspect pages draw, a few times a second while a run trains. */
export interface RunSnapshotEvent {
  runId: RunId;
  epoch: number;
  /** null unless the input has 2 features. */
  boundary: BoundaryGrid | null;
  /**
   * The weights. Absent from a running wide network's snapshots between the ones that carry them: a network of more
   * than SNAPSHOT_WEIGHTS_LIGHT_PARAMS parameters (limits.ts) sends them at most every SNAPSHOT_WEIGHTS_INTERVAL_MS while it runs
   * as float32 (every pause, step and end sends them exact); a client keeps the last it had (transport.ts
   * withLastWeights).
   */
  weights?: SnapshotParam[];
  layers: LayerHealth[];
  /** Classification runs: the confusion matrix on the test set (train without one); null for regression. Absent in older hosts. */
  confusion?: RunConfusion | null;
  /** Per layer: percentiles of W and of its latest gradient (engine/distribution.ts). Absent in older hosts. */
  distributions?: LayerDistribution[];
  /** Per-neuron heatmaps over the boundary's plane (null without a boundary grid). Absent in older hosts. */
  neurons?: NeuronMaps | null;
}

/**
 * What each input and each unit outputs over the boundary's plane (engine/neuron-maps.ts, from the snapshot's grid): a
 * size×size subsample of the boundary grid (row-major, y outer), for every input and the first `units` units of each
 * layer. Each map is quantized to integers −127…127 of its own scale: value ≈ q / 127 · scale.
 */
export interface NeuronMaps {
  size: number;
  /** The inputs' names (x1, x2, x1^2, …; a data set's feature names). */
  inputs: string[];
  /** Column 0: the inputs; column l: layer l's units. Maps of unit u at u·size² … (u+1)·size² − 1 of q. */
  columns: Array<{ units: number; scale: number[]; q: NumericArray }>;
}

/**
 * A confusion matrix (engine/confusion.ts) and the set it was measured on: matrix[true][predicted], per-class
 * accuracy, the first 100 misclassified samples (index in that set, true and predicted class) and how many in all.
 */
export interface RunConfusion {
  set: 'test' | 'train';
  /** Samples measured (the first 10,000 of the set at most). */
  samples: number;
  classes: number;
  matrix: number[][];
  perClass: Array<number | null>;
  misclassified: Array<{ index: number; actual: number; predicted: number }>;
  wrong: number;
}

/** A run was created, changed (renamed, tagged, its status) or deleted: the runs table refreshes. */
export interface RunsChangedEvent {
  runId: RunId;
  change: 'created' | 'updated' | 'deleted';
}

/** How a sweep goes: at each trial's start and end, and at most twice a second while trials train. */
export interface SweepProgressEvent {
  sweepId: string;
  status: 'running' | 'finished' | 'failed' | 'stopped' | 'interrupted';
  total: number;
  /** Trials that ended (finished, pruned, stopped or failed). */
  done: number;
  running: number;
  pruned: number;
  failed: number;
  /** The best finished trial so far on the sweep's metric. */
  best: { runId: RunId; trialIndex: number; metric: string; value: number } | null;
  /** Time left at the pace so far, if every remaining trial trained to the end; null before any epoch. */
  etaMs: number | null;
  epochsSaved: number;
  /** Why the sweep failed. */
  error?: string;
}

export interface Events {
  'run.metrics': RunMetricsEvent;
  'run.status': RunStatusEvent;
  'run.snapshot': RunSnapshotEvent;
  'runs.changed': RunsChangedEvent;
  'sweep.progress': SweepProgressEvent;
}
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E];
export const EVENT_NAMES = ['run.metrics', 'run.status', 'run.snapshot', 'runs.changed', 'sweep.progress'] as const satisfies readonly EventName[];
