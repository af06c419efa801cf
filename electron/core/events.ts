// The core's event stream: each subscriber (the IPC wiring, each WebSocket connection, the CLI, tests) gets every
// event it listens to (by default all of them); one subscriber's failure never keeps an event from the others.
// A subscriber may narrow the run-scoped pictures (run.snapshot) to the runs it shows: a page asks for its own run,
// not every trial of a sweep. The hub says, per run, whether anyone listens: the trainers compute no snapshot
// nobody receives.

import { EVENT_NAMES, type EventName, type EventPayload } from '../contract';
import type { Unsubscribe } from '../preload-api';

export type EventListener = (event: EventName, payload: unknown) => void;

/** Events narrowed by run: their payload's runId picks the subscribers that get them. */
const BY_RUN: ReadonlySet<EventName> = new Set<EventName>(['run.snapshot']);

/** A subscription: call it to unsubscribe. */
export interface Subscription extends Unsubscribe {
  /** Only these runs' run.snapshot events from now on (null: every run's, the default). */
  narrow(runIds: readonly string[] | null): void;
}

interface Entry {
  listener: EventListener;
  /** The runs whose run-scoped events it gets; null: all. */
  runs: ReadonlySet<string> | null;
}

export class EventHub {
  private readonly listeners = new Map<EventName, Set<Entry>>(EVENT_NAMES.map((e) => [e, new Set()]));
  private readonly watchers = new Map<EventName, Set<() => void>>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const runId = BY_RUN.has(event) ? (payload as { runId?: string }).runId : undefined;
    for (const entry of [...this.listeners.get(event)!]) {
      if (runId !== undefined && entry.runs && !entry.runs.has(runId)) continue;
      try {
        entry.listener(event, payload);
      } catch {
        // a closed window or connection: the others still get the event
      }
    }
  }

  /** Listens to `events` (default: every event); returns the subscription (call it to unsubscribe). */
  subscribe(listener: EventListener, events: readonly EventName[] = EVENT_NAMES): Subscription {
    const entry: Entry = { listener, runs: null };
    const names = [...new Set(events)];
    for (const e of names) this.listeners.get(e)!.add(entry);
    this.changed(names);
    let open = true;
    const unsubscribe = () => {
      if (!open) return;
      open = false;
      for (const e of names) this.listeners.get(e)!.delete(entry);
      this.changed(names);
    };
    return Object.assign(unsubscribe, {
      narrow: (runIds: readonly string[] | null) => {
        if (!open) return;
        entry.runs = runIds === null ? null : new Set(runIds);
        this.changed(names.filter((e) => BY_RUN.has(e)));
      },
    });
  }

  /** Whether some subscriber listens to `event` now (for a run-scoped event, with `runId`: to that run's). */
  listened(event: EventName, runId?: string): boolean {
    for (const entry of this.listeners.get(event)!) if (runId === undefined || !entry.runs || entry.runs.has(runId)) return true;
    return false;
  }

  /** Whether some subscriber listens to every run's `event` (one that has not narrowed it). */
  listenedToAll(event: EventName): boolean {
    for (const entry of this.listeners.get(event)!) if (!entry.runs) return true;
    return false;
  }

  /** Calls `onChange` whenever who listens to `event` (or to which runs' of it) may have changed. */
  watch(event: EventName, onChange: () => void): Unsubscribe {
    let set = this.watchers.get(event);
    if (!set) this.watchers.set(event, (set = new Set()));
    set.add(onChange);
    return () => void set.delete(onChange);
  }

  private changed(events: readonly EventName[]): void {
    for (const e of events) for (const w of [...(this.watchers.get(e) ?? [])]) w();
  }
}
