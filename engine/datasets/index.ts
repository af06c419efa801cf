// Datasets: a DataSpec (engine/config.ts) → samples → train/test split → (StandardScaler fitted on the train
// split) → (input features). moons and circles are scikit-learn 1.2's, bit for bit, and so are the built-in iris,
// wine, breast_cancer, digits and diabetes (its loaders' values); xor, spiral, gaussian, plane and multi-gaussian
// follow the TensorFlow Playground; csv reads a file's text. Pure TypeScript (the caller reads a CSV file and
// passes its text).

import { taskOf, type DataSpec, type Task } from '../config';
import { isBuiltin, loadBuiltin } from './builtin/index';
import { parseCsv } from './csv';
import { applyFeatures } from './features';
import { makeGaussian, makeMultiGaussian, makePlane, makeSpiral, makeXor } from './playground';
import { makeCircles, makeMoons } from './sklearn';
import { trainTestSplit } from './split';
import { applyScaler, fitScaler } from './standardize';
import { DatasetError, type DataSplit, type Samples } from './types';

export { DatasetError, takeRows, type DataSplit, type Samples } from './types';
export { makeCircles, makeMoons, utilShuffle } from './sklearn';
export { makeGaussian, makeMultiGaussian, makePlane, makeSpiral, makeXor, MULTI_GAUSSIAN_BUMPS } from './playground';
export { BUILTIN_DATASETS, isBuiltin, loadBuiltin, type BuiltinName, type BuiltinData } from './builtin/index';
export { fitScaler, applyScaler, type Scaler } from './standardize';
export { applyFeatures, featureValue } from './features';
export { featurePlane, pcaPlane, toPlane, fromPlane, type Plane } from './plane';

/**
 * Points of the input plane (x1, x2 as the run's columns: standardized if it standardizes) → the network's inputs:
 * the run's features of them (data.features), or the points themselves. For views drawn over the plane.
 */
export function planeToInputs(points: Samples, data: Pick<DataSplit, 'inputFeatures'>): Samples {
  return data.inputFeatures ? applyFeatures(points, data.inputFeatures) : points;
}
export { parseCsv, MAX_CLASSES, MAX_CSV_COLUMNS, MAX_CSV_ROWS, type CsvData, type CsvOptions } from './csv';
export { trainTestSplit } from './split';
export { linspace, npCos, npSin } from './npmath';

/** Generated datasets larger than this are refused (memory, and the UI's plots). */
export const MAX_SAMPLES = 1_000_000;

function fail(field: string, value: unknown, want: string): never {
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new DatasetError(`data.${field} must be ${want}, got ${shown}`);
}

function checkSeed(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) fail(field, v, 'an integer from 0 to 4294967295 (numpy seeds are 32-bit)');
}

/** The last path segment, for messages ("data.csv" rather than a long absolute path). */
function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/**
 * The samples a DataSpec describes, before any split. csvText is the file's content for
 * kind 'csv' (engine code reads no files). Throws DatasetError naming the bad value.
 */
export function makeSamples(
  spec: DataSpec,
  csvText?: string,
): { samples: Samples; classes: number; featureNames: string[]; classNames: string[]; task: Task } {
  checkSeed('splitSeed', spec.splitSeed);
  if (!(typeof spec.testSize === 'number' && spec.testSize >= 0 && spec.testSize < 1)) {
    fail('testSize', spec.testSize, 'a fraction from 0 up to (not including) 1');
  }
  if (spec.kind === 'csv') {
    if (csvText === undefined) {
      throw new DatasetError(
        `data.kind is csv but no CSV text was given; read the file${spec.csv?.path ? ` ${JSON.stringify(spec.csv.path)}` : ''} and pass its text`,
      );
    }
    const name = spec.csv?.path ? baseName(spec.csv.path) : 'the CSV file';
    return { ...parseCsv(csvText, { name, labelColumn: spec.csv?.labelColumn }), task: 'classification' };
  }
  if (isBuiltin(spec.kind)) {
    const { samples, data } = loadBuiltin(spec.kind);
    const regression = data.task === 'regression';
    return { samples, classes: regression ? 0 : data.classNames.length, featureNames: [...data.featureNames], classNames: [...data.classNames], task: data.task };
  }
  const n = spec.samples;
  if (!Number.isInteger(n) || n < 2) fail('samples', n, 'an integer ≥ 2');
  if (n > MAX_SAMPLES) fail('samples', n, `at most ${MAX_SAMPLES}`);
  if (!(typeof spec.noise === 'number' && Number.isFinite(spec.noise) && spec.noise >= 0)) fail('noise', spec.noise, 'a number ≥ 0');
  checkSeed('seed', spec.seed);
  let samples: Samples;
  switch (spec.kind) {
    case 'moons':
      samples = makeMoons(n, spec.noise, spec.seed);
      break;
    case 'circles':
      if (!(typeof spec.factor === 'number' && spec.factor >= 0 && spec.factor < 1)) {
        fail('factor', spec.factor, 'a number from 0 up to (not including) 1: the inner circle’s radius relative to the outer one');
      }
      samples = makeCircles(n, spec.noise, spec.factor, spec.seed);
      break;
    case 'xor':
    case 'spiral':
    case 'gaussian':
    case 'plane':
    case 'multi-gaussian': {
      if (spec.noise > 1) fail('noise', spec.noise, `a level from 0 to 1 for ${spec.kind} (1 is the playground's 50%)`);
      const make = { xor: makeXor, spiral: makeSpiral, gaussian: makeGaussian, plane: makePlane, 'multi-gaussian': makeMultiGaussian }[spec.kind];
      samples = make(n, spec.noise, spec.seed);
      break;
    }
    default:
      throw new DatasetError(`data.kind must be one of moons, circles, xor, spiral, gaussian, plane, multi-gaussian, iris, wine, breast_cancer, digits, diabetes, csv, got ${JSON.stringify((spec as DataSpec).kind)}`);
  }
  if (taskOf(spec.kind) === 'regression') return { samples, classes: 0, featureNames: ['x1', 'x2'], classNames: [], task: 'regression' };
  return { samples, classes: 2, featureNames: ['x1', 'x2'], classNames: ['0', '1'], task: 'classification' };
}

/**
 * makeSamples, then trainTestSplit(testSize, splitSeed): for the default spec this is the seed
 * notebook's make_moons(1000, noise=0.2, random_state=100) + train_test_split(test_size=0.1,
 * random_state=42), identical to ../shared/reference/moons.json. Then, if asked, StandardScaler().fit(train)
 * applied to train and test (spec.standardize), then the input features of the two columns (spec.features).
 */
export function loadData(spec: DataSpec, csvText?: string): DataSplit {
  const { samples, classes, featureNames, classNames, task } = makeSamples(spec, csvText);
  let { train, test } = trainTestSplit(samples, spec.testSize, spec.splitSeed);
  const out: DataSplit = { train, test, classes, features: samples.features, featureNames, classNames };
  if (task === 'regression') out.task = 'regression';
  if (spec.standardize) {
    const scaler = fitScaler(train);
    train = applyScaler(train, scaler);
    test = applyScaler(test, scaler);
    out.scaler = scaler;
  }
  if (spec.features) {
    out.columns = { train, test };
    train = applyFeatures(train, spec.features);
    test = applyFeatures(test, spec.features);
    out.inputFeatures = [...spec.features];
    out.featureNames = [...spec.features];
    out.features = spec.features.length;
  }
  out.train = train;
  out.test = test;
  return out;
}
