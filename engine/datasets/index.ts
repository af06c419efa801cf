// Datasets: a DataSpec (engine/config.ts) → samples → train/test split. moons and circles are
// scikit-learn 1.2's, bit for bit; xor, spiral and gaussian follow the TensorFlow Playground;
// csv reads a file's text. Pure TypeScript (the caller reads a CSV file and passes its text).

import type { DataSpec } from '../config';
import { parseCsv } from './csv';
import { makeGaussian, makeSpiral, makeXor } from './playground';
import { makeCircles, makeMoons } from './sklearn';
import { trainTestSplit } from './split';
import { DatasetError, type DataSplit, type Samples } from './types';

export { DatasetError, takeRows, type DataSplit, type Samples } from './types';
export { makeCircles, makeMoons, utilShuffle } from './sklearn';
export { makeGaussian, makeSpiral, makeXor } from './playground';
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
): { samples: Samples; classes: number; featureNames: string[]; classNames: string[] } {
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
    return parseCsv(csvText, { name, labelColumn: spec.csv?.labelColumn });
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
    case 'gaussian': {
      if (spec.noise > 1) fail('noise', spec.noise, `a level from 0 to 1 for ${spec.kind} (1 is the playground's 50%)`);
      const make = spec.kind === 'xor' ? makeXor : spec.kind === 'spiral' ? makeSpiral : makeGaussian;
      samples = make(n, spec.noise, spec.seed);
      break;
    }
    default:
      throw new DatasetError(`data.kind must be one of moons, circles, xor, spiral, gaussian, csv, got ${JSON.stringify((spec as DataSpec).kind)}`);
  }
  return { samples, classes: 2, featureNames: ['x1', 'x2'], classNames: ['0', '1'] };
}

/**
 * makeSamples, then trainTestSplit(testSize, splitSeed): for the default spec this is the seed
 * notebook's make_moons(1000, noise=0.2, random_state=100) + train_test_split(test_size=0.1,
 * random_state=42), identical to ../shared/reference/moons.json.
 */
export function loadData(spec: DataSpec, csvText?: string): DataSplit {
  const { samples, classes, featureNames, classNames } = makeSamples(spec, csvText);
  const { train, test } = trainTestSplit(samples, spec.testSize, spec.splitSeed);
  return { train, test, classes, features: samples.features, featureNames, classNames };
}
