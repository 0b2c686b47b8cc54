import { topicOf, type Bus, type Unsubscribe } from './bus.js';
import type { BusEvent } from './events.js';

/** The embedded default: synchronous in-process fan-out. */
export class MemoryBus implements Bus {
  readonly #topics = new Map<string, Set<(event: BusEvent) => void>>();

  publish(event: BusEvent): void {
    const handlers = this.#topics.get(topicOf(event));
    if (handlers === undefined) return;
    for (const handler of handlers) {
      try {
        handler(event);
      } catch {
        // One faulty subscriber must not stop the others.
      }
    }
  }

  subscribe(topic: string, handler: (event: BusEvent) => void): Unsubscribe {
    let set = this.#topics.get(topic);
    if (set === undefined) {
      set = new Set();
      this.#topics.set(topic, set);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) this.#topics.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.#topics.clear();
  }
}
