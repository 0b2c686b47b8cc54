import type { BusEvent } from './events.js';

/** Topic of an event: subscribers listen to one topic at a time. */
export function topicOf(event: BusEvent): string {
  switch (event.name) {
    case 'customer.frame':
      return `customer.${event.customerId}`;
    case 'webhook.enqueued':
      return 'webhook.enqueued';
    // What happens in a page's conversations, on one topic per page (the agents of the page follow it).
    case 'message.appended':
    case 'conversation.handed_over':
    case 'inbox.changed':
      return `inbox.${event.pageId}`;
    case 'page.profile':
      return PAGE_PROFILE_TOPIC;
    case 'session.revoked':
      return SESSION_REVOKED_TOPIC;
  }
}

/** One topic for every ended session: rare, and each process keeps its own sockets' owners. */
export const SESSION_REVOKED_TOPIC = 'session.revoked';

/** One topic for every page's profile changes: they are rare and public. */
export const PAGE_PROFILE_TOPIC = 'page.profile';

export type Unsubscribe = () => void;

/**
 * Fan-out between the parts of the hub, in one process (`MemoryBus`) or across
 * processes (the NATS implementation). Delivery is best effort and at most once;
 * durability comes from the database.
 */
export interface Bus {
  publish(event: BusEvent): void;
  subscribe(topic: string, handler: (event: BusEvent) => void): Unsubscribe;
  /**
   * Resolves once every subscription made so far also receives events published by other
   * processes. In-process buses omit it.
   */
  flush?(): Promise<void>;
  /**
   * Calls `handler` each time a cross-process bus (re)connects: events may have been
   * missed while it was down, so subscribers re-read from the database. In-process
   * buses omit it.
   */
  onReconnect?(handler: () => void): Unsubscribe;
  close(): Promise<void>;
}

/** The bus settings of the configuration (config.ts), named here so the bus does not import it. */
export interface BusSettings {
  readonly NATS_URL?: string | undefined;
  readonly NATS_SUBJECT_PREFIX: string;
}
