// Changing stored runs: rename, tags, notes, delete. Each write waits out another program's lock without
// blocking the event loop (retryBusy), and every change is announced on the event stream.

import type { RunRecord } from '../store/index';
import { detail, type CoreContext, type Handlers } from './context';
import { retryBusy } from './errors';

export function editHandlers(ctx: CoreContext): Pick<Handlers, 'runs.rename' | 'runs.tag' | 'runs.note' | 'runs.delete'> {
  const { store, trainers, events } = ctx;
  const edited = async (write: () => RunRecord) => {
    const rec = await retryBusy(write);
    events.emit('runs.changed', { runId: rec.id, change: 'updated' });
    return detail(ctx, rec);
  };
  return {
    'runs.rename': (p) => edited(() => store.renameRun(p.runId, p.name)),
    'runs.tag': (p) => edited(() => store.setTags(p.runId, p.tags)),
    'runs.note': (p) => edited(() => store.setNotes(p.runId, p.notes)),
    'runs.delete': async (p) => {
      store.getRun(p.runId); // NOT_FOUND before anything is stopped
      await trainers.release(p.runId);
      await retryBusy(() => store.deleteRun(p.runId));
      events.emit('runs.changed', { runId: p.runId, change: 'deleted' });
      return { deleted: p.runId };
    },
  };
}
