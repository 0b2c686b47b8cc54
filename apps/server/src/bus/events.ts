/**
 * Events that travel on the bus, named `<resource>.<verb>`. They are notifications of
 * what has already been committed; the database stays the source of truth, so a lost
 * bus message is recovered by cursor resume.
 */
import type { ServerFrame } from '@confide/protocol';

export type BusEvent =
  /** A frame for every open stream of one customer (`cursor` set when persisted). */
  | { name: 'customer.frame'; customerId: string; frame: ServerFrame }
  /** New webhook work is ready for an app. */
  | { name: 'webhook.enqueued'; appId: string }
  /** A message was appended to a conversation of a page that its agents follow (the page inbox holds it). */
  | { name: 'message.appended'; pageId: string; conversationId: string; mid: string }
  /** A conversation's thread moved from one app to another (handover). */
  | { name: 'conversation.handed_over'; pageId: string; conversationId: string }
  /** The inbox's own state of a conversation changed (queued, taken, snoozed, …): agents re-read it. */
  | { name: 'inbox.changed'; pageId: string; conversationId: string; change: string; mid?: string }
  /** A page changed its Messenger Profile (public): open customer streams pass it on. */
  | { name: 'page.profile'; pageId: string }
  /**
   * Sessions of a customer or an agent ended (logout, password change, erasure): every process
   * re-checks the open sockets of that owner against the database and closes the dead ones.
   * It names the owner only, never a session.
   */
  | { name: 'session.revoked'; kind: SessionKind; ownerId: string };

/** Who a session belongs to: a customer (`/api`) or a page's agent (`/inbox/api`). */
export type SessionKind = 'customer' | 'agent';

export type BusEventName = BusEvent['name'];
