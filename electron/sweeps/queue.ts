// Sweeps over a BullMQ queue on Redis: the sweep machine enqueues trials, `backprop-lab worker` processes train them.
// (Placeholder until the queue path lands: the sweep command refuses --queue with a clear message.)

import type { StartedSweep } from '../contract';
import type { Core } from '../core/index';
import { CliError } from '../cli/db';

export async function startQueuedSweep(_core: Core, _o: { spec: Record<string, unknown>; url: string; csvTexts: Record<string, string>; note(t: string): void }): Promise<StartedSweep> {
  throw new CliError('--queue is not available in this build yet; run the sweep locally (without --queue)', 2);
}
