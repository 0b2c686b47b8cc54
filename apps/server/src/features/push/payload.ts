/**
 * What a push says. A push crosses the browser vendor's push service, so it carries no
 * account data: no amount, merchant, card digits or message text, only who wrote (the
 * business's public name), the kind of update, where to open it and an opaque reference;
 * a question also carries its plain-word buttons and a single-use token (actions.ts).
 * The service worker shows it; the content is fetched over the authenticated API once the
 * customer opens Confide.
 */
import { createHash } from 'node:crypto';

export interface PushPayload {
  /** Payload format version. */
  v: 1;
  title: string;
  body: string;
  /** The conversation to open (an app route). */
  url: string;
  /** Opaque reference of the message (its mid): meaningful only to the authenticated API. */
  ref: string;
  /** Notifications of one case replace each other on the device. */
  tag: string;
  category: string;
  /** A question's buttons as notification actions (actions.ts), with the token that lets them answer it once. */
  actions?: Array<{ action: string; title: string }>;
  token?: string;
}

/** Delivery options per category: fraud alerts go first and are useless late. */
export function deliveryOf(category: string): { urgency: 'high' | 'normal'; ttlSeconds: number } {
  return category === 'fraud_alerts'
    ? { urgency: 'high', ttlSeconds: 15 * 60 }
    : { urgency: 'normal', ttlSeconds: 24 * 3600 };
}

const TITLES: Record<string, (page: string) => string> = {
  fraud_alerts: (page) => `Security alert from ${page}`,
  balances: (page) => `Balance update from ${page}`,
  transactions: (page) => `Account update from ${page}`,
  receipts: (page) => `Receipt from ${page}`,
  shipping: (page) => `Delivery update from ${page}`,
  events: (page) => `Event update from ${page}`,
};

/**
 * The RFC 8030 `Topic` of a case (a conversation's category): a newer push replaces an older
 * one still waiting at the push service. base64url, 32 characters at most.
 */
export function topicOf(conversationId: string, category: string): string {
  return createHash('sha256').update(`${conversationId}\n${category}`).digest('base64url').slice(0, 32);
}

export function pushPayload(input: {
  pageName: string;
  conversationId: string;
  mid: string;
  category: string;
  answer?: { actions: Array<{ action: string; title: string }>; token: string };
}): PushPayload {
  const title = (TITLES[input.category] ?? ((page: string) => `New message from ${page}`))(input.pageName);
  const payload: PushPayload = {
    v: 1,
    title,
    body: input.answer === undefined ? 'Open Confide to read it.' : 'Open Confide to read it, or answer here.',
    url: `/c/${encodeURIComponent(input.conversationId)}`,
    ref: input.mid,
    tag: topicOf(input.conversationId, input.category),
    category: input.category,
  };
  if (input.answer !== undefined) Object.assign(payload, input.answer);
  return payload;
}
