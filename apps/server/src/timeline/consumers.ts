/**
 * Consumers subscribe to the timeline; the kernel imports none of them. A durable consumer
 * (push and SMS scheduling, the inbox's live signal) registers with `onAppended` at hub
 * assembly (hub.ts) and runs inside the append's transaction, so what it writes commits or
 * rolls back with the message (a schedule row is never lost, never left behind). What it
 * announces goes on the bus after commit (`tx.afterCommit`), named after the fact.
 *
 * The registry is a storage service (storage/services.ts): every write job reaches it as
 * `tx.timeline`, one per hub, without a hidden module-level list.
 */
import type { ChatMessage } from '@confide/protocol';
import type { Bus } from '../bus/bus.js';
import type { ServiceOpener } from '../storage/services.js';
import type { WriteTx } from '../storage/write-queue.js';
import type { MessageEntry } from './entries.js';

declare module '../storage/services.js' {
  interface StorageServices {
    /** The timeline's consumers (timeline/consumers.ts). */
    readonly timeline: TimelineConsumers;
  }
}

/** A message appended to a conversation: what was asked (the entry) and what was written. */
export interface MessageAppended {
  entry: Omit<MessageEntry, 'kind'>;
  message: ChatMessage;
}

/** Runs inside the append's transaction; may write (same transaction) and announce after commit. */
export type TimelineConsumer = (tx: WriteTx, bus: Bus, fact: MessageAppended) => Promise<void> | void;

export class TimelineConsumers {
  readonly #consumers: TimelineConsumer[] = [];

  /** Subscribes `consumer` to every message appended from now on (business and customer messages). */
  onAppended(consumer: TimelineConsumer): void {
    this.#consumers.push(consumer);
  }

  /**
   * Hands the facts to every consumer, in registration order, each after the one before has
   * finished; a promise only when a consumer returned one (most messages concern none).
   */
  deliver(tx: WriteTx, bus: Bus, facts: readonly MessageAppended[]): Promise<void> | undefined {
    const consumers = this.#consumers;
    for (let f = 0; f < facts.length; f++) {
      for (let c = 0; c < consumers.length; c++) {
        const pending = (consumers[c] as TimelineConsumer)(tx, bus, facts[f] as MessageAppended);
        if (pending !== undefined) return pending.then(() => this.#deliverFrom(tx, bus, facts, f, c + 1));
      }
    }
    return undefined;
  }

  /** The rest of `deliver`, from fact `f`'s consumer `c`, once an earlier consumer has finished. */
  async #deliverFrom(tx: WriteTx, bus: Bus, facts: readonly MessageAppended[], f: number, c: number): Promise<void> {
    const consumers = this.#consumers;
    for (let i = f; i < facts.length; i++)
      for (let j = i === f ? c : 0; j < consumers.length; j++)
        await (consumers[j] as TimelineConsumer)(tx, bus, facts[i] as MessageAppended);
  }
}

/** The storage service opener hub.ts combines with the vault's, with the consumers it subscribes. */
export function timelineServices(consumers: readonly TimelineConsumer[]): ServiceOpener {
  return () => ({
    services: { timeline: subscribed(consumers) },
    ready: async () => undefined,
    close: async () => undefined,
  });
}

function subscribed(consumers: readonly TimelineConsumer[]): TimelineConsumers {
  const timeline = new TimelineConsumers();
  for (const consumer of consumers) timeline.onAppended(consumer);
  return timeline;
}
