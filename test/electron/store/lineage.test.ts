// Migration 3 in use: a run records its parent and how it came from it (continue, clone, rerun), how early stopping
// ended it, and the trainer state it can be continued from — kept with the final weights, gone with the run.

import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config';
import { openStore, type Store } from '../../../electron/store/index';
import { tempDir } from './helpers';

const dir = tempDir();
let n = 0;
let store: Store;
beforeEach(() => {
  store = openStore({ path: join(dir, `lineage-${n++}.db`) });
  return () => store.close();
});

const outcome = { status: 'finished' as const, epochs: 30, finalCost: 0.2, trainAccuracy: 0.9, testCost: 0.25, testAccuracy: 0.85 };

describe('lineage, early stopping and trainer states', () => {
  it('records the parent and the origin, and keeps the origin once the parent is deleted', () => {
    const parent = store.createRun(resolveConfig({ training: { epochs: 5 } }));
    expect(parent.lineage).toBeNull();
    const child = store.createRun(resolveConfig({ training: { epochs: 9 } }), { parent: { id: parent.id, origin: 'continue' } });
    expect(store.getRun(child.id).lineage).toEqual({ parent: parent.id, origin: 'continue' });
    store.deleteRun(parent.id, { force: true });
    expect(store.getRun(child.id).lineage).toEqual({ parent: null, origin: 'continue' });
  });

  it('refuses a parent that does not exist', () => {
    expect(() => store.createRun(resolveConfig({}), { parent: { id: 'nope', origin: 'clone' } })).toThrow('createRun: there is no parent run with id "nope"');
  });

  it('records stoppedEarly and bestEpoch with the end, and null when early stopping was off', () => {
    const a = store.createRun(resolveConfig({ training: { earlyStop: 5 } }));
    expect(store.finishRun(a.id, { ...outcome, stoppedEarly: true, bestEpoch: 24 })).toMatchObject({ stoppedEarly: true, bestEpoch: 24 });
    const b = store.createRun(resolveConfig({}));
    expect(store.finishRun(b.id, outcome)).toMatchObject({ stoppedEarly: null, bestEpoch: null });
  });

  it('keeps one trainer state per run, replaced by a newer one and deleted with the run', () => {
    const r = store.createRun(resolveConfig({}));
    expect(store.trainerState(r.id)).toBeNull();
    store.saveTrainerState(r.id, 10, '{"version":1,"epoch":10}');
    store.saveTrainerState(r.id, 12, '{"version":1,"epoch":12}');
    expect(store.trainerState(r.id)).toEqual({ epoch: 12, state: '{"version":1,"epoch":12}' });
    expect(store.getRun(r.id).stateEpoch).toBe(12);
    store.deleteRun(r.id, { force: true });
    expect(store.db.prepare('SELECT count(*) FROM trainer_states').pluck().get()).toBe(0);
  });
});
