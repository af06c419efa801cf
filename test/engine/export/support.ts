// Shared by the export tests: a trained reference network, its engine predictions, and temp files for Python.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type DeepPartial, type RunConfig } from '../../../engine/config';
import type { Trainer, TrainResult } from '../../../engine/train';
import { cpuTrainer, fixture, referenceMoons } from '../../helpers/engine';
import { findNumpyPython } from '../../helpers/numpy';

/** Python with numpy (and scikit-learn), or null; the caller warns and skips. */
export const numpyPython = findNumpyPython();

/** The reference moons samples as rows (n × 2), train then test. */
export function moonsRows(): number[][] {
  const m = fixture('reference/moons.json');
  return [...m.X_train, ...m.X_test];
}

/** The seed network (2-25-50-50-25-1) trained `epochs` epochs on the reference moons, on the float64 CPU backend. */
export async function trainedReference(epochs = 300, over: DeepPartial<RunConfig> = {}): Promise<{ config: RunConfig; trainer: Trainer; result: TrainResult }> {
  const config = resolveConfig({ ...over, training: { epochs, ...(over.training ?? {}) } });
  const trainer = await cpuTrainer(config, referenceMoons());
  const result = await trainer.run();
  return { config, trainer, result };
}

/** The engine's output for each row (its forward pass, float64): rows × outputs, row-major. */
export function enginePredictions(trainer: Trainer, rows: number[][]): Float64Array {
  const L = trainer.config.architecture.length;
  const out = trainer.config.architecture[L - 1].output_dim;
  const y = new Float64Array(rows.length * out);
  rows.forEach((x, i) => y.set(trainer.inspect(x)[L - 1].A, i * out));
  return y;
}

/** A temporary folder, removed by the returned cleanup. */
export function tempDir(): { dir: string; write: (name: string, data: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-export-'));
  return {
    dir,
    write: (name, data) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `fn` and returns the ImportError it throws (failing the test when it throws something else or nothing). */
export function importErrorOf(fn: () => unknown): Error & { part: string } {
  try {
    fn();
  } catch (e) {
    if ((e as Error)?.name === 'ImportError') return e as Error & { part: string };
    throw new Error(`expected an ImportError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  throw new Error('expected an ImportError, but the import succeeded');
}
