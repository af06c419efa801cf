// The core's event stream: each subscriber (the IPC wiring, each WebSocket connection, the CLI, tests) gets every
// event it listens to (by default all of them); one subscriber's failure never keeps an event from the others.
// The hub also says whether anyone listens to an event at all: the trainers compute no snapshots nobody receives.

import { EVENT_NAMES, type EventName, type EventPayload } from '../contract';
import type { Unsubscribe } from '../preload-api';

export type EventListener = (event: EventName, payload: unknown) => void;

export class EventHub {
  private readonly listeners = new Map<EventName, Set<EventListener>>(EVENT_NAMES.map((e) => [e, new Set()]));
  private readonly watchers = new Map<EventName, Set<(listened: boolean) => void>>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of [...this.listeners.get(event)!]) {
      try {
        l(event, payload);
      } catch {
        // a closed window or connection: the others still get the event
      }
    }
  }

  /** Listens to `events` (default: every event); returns the unsubscribe. */
  subscribe(listener: EventListener, events: readonly EventName[] = EVENT_NAMES): Unsubscribe {
    const wrapped: EventListener = (e, p) => listener(e, p);
    for (const e of new Set(events)) this.add(e, wrapped);
    return () => {
      for (const e of new Set(events)) this.remove(e, wrapped);
    };
  }

  /** Whether some subscriber listens to `event` now. */
  listened(event: EventName): boolean {
    return this.listeners.get(event)!.size > 0;
  }

  /** Calls `onChange` whenever `event` gains its first listener (true) or loses its last (false). */
  watch(event: EventName, onChange: (listened: boolean) => void): Unsubscribe {
    let set = this.watchers.get(event);
    if (!set) this.watchers.set(event, (set = new Set()));
    set.add(onChange);
    return () => void set.delete(onChange);
  }

  private add(event: EventName, l: EventListener): void {
    const set = this.listeners.get(event)!;
    set.add(l);
    if (set.size === 1) this.changed(event, true);
  }

  private remove(event: EventName, l: EventListener): void {
    const set = this.listeners.get(event)!;
    if (set.delete(l) && set.size === 0) this.changed(event, false);
  }

  private changed(event: EventName, listened: boolean): void {
    for (const w of [...(this.watchers.get(event) ?? [])]) w(listened);
  }
}
