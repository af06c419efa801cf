// The core's event stream: every subscriber (the IPC wiring, each WebSocket connection, the CLI, tests) gets every
// event; one subscriber's failure never keeps an event from the others.

import type { EventName, EventPayload } from '../contract';
import type { Unsubscribe } from '../preload-api';

export type EventListener = (event: EventName, payload: unknown) => void;

export class EventHub {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of [...this.listeners]) {
      try {
        l(event, payload);
      } catch {
        // a closed window or connection: the others still get the event
      }
    }
  }

  subscribe(listener: EventListener): Unsubscribe {
    const wrapped: EventListener = (e, p) => listener(e, p);
    this.listeners.add(wrapped);
    return () => void this.listeners.delete(wrapped);
  }
}
