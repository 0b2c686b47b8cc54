/**
 * The hub's audit entries about a customer, turned into what a person reads: grouped by day
 * and business, identical accesses counted once ("Your messages were opened for you to
 * read · 14 times · 09:12–10:40"), each purpose said in words.
 */

import type { AccessLogEntry } from '@confide/protocol';

/** One line of `GET /api/privacy/access-log` (the hub's schema, @confide/protocol). */
export type { AccessLogEntry } from '@confide/protocol';

export interface AccessLine {
  /** A sentence, e.g. "Your messages were sent on to Acme Bank". */
  text: string;
  count: number;
  first: number;
  last: number;
}

export interface AccessGroup {
  /** Local calendar day, YYYY-MM-DD. */
  day: string;
  /** The business the conversation is with, or "Confide" for accesses outside a conversation. */
  business: string;
  lines: AccessLine[];
}

const localDay = (t: number) => {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** One sentence for an entry; the business's name fills in where it matters. */
export function describeAccess(entry: Pick<AccessLogEntry, 'actor' | 'action' | 'purpose'>, business: string): string {
  if (entry.action === 'content.access') {
    switch (entry.purpose) {
      case 'deliver_to_customer':
        return entry.actor.startsWith('customer:')
          ? 'Your messages were opened for you to read'
          : 'Your messages were prepared for you to read';
      case 'deliver_to_business':
        return `Your messages were sent on to ${business}`;
      case 'agent_support':
        return `An agent of ${business} read the conversation to help you`;
      case 'customer_export':
        return 'Your messages were copied into your own data download';
      case 'assistant_relay':
        return `Your assistant read your messages with ${business}, as you allowed it`;
      default:
        return 'Your messages were opened';
    }
  }
  if (entry.action === 'consent.granted') return `You allowed ${business} to send you updates`;
  if (entry.action === 'consent.changed') return `You changed what ${business} may send you`;
  if (entry.action === 'consent.renewed') return `Your permission for ${business} was renewed`;
  if (entry.action === 'consent.revoked') return `${business} may no longer send you updates`;
  if (entry.action === 'consent.expired') return `Your permission for ${business} expired`;
  if (entry.action === 'content.denied')
    return 'Someone tried to open your messages without a valid reason, and was refused';
  if (entry.action === 'agent.view') return `An agent of ${business} opened your conversation`;
  if (entry.action === 'customer.export') return 'You downloaded your data';
  if (entry.action === 'conversation.history_erased') return `Your conversation with ${business} was erased`;
  if (entry.action === 'customer.erased') return 'Your account was deleted';
  if (entry.action.startsWith('assistant.')) return describeAssistant(entry.action, business);
  return `${entry.action.replaceAll('.', ' ').replaceAll('_', ' ')}`;
}

/**
 * Groups entries (newest first, as the hub returns them) by day and business, newest
 * group first; `businessOf` names the business of a conversation or page.
 */
export function groupAccessLog(
  entries: readonly AccessLogEntry[],
  businessOf: (target: { kind: 'conversation' | 'page'; id: string }) => string | undefined,
): AccessGroup[] {
  const groups = new Map<string, AccessGroup>();
  for (const entry of entries) {
    const [kind, id] = (entry.target ?? '').split(':', 2);
    const about =
      (kind === 'conversation' || kind === 'page') && id !== undefined && id !== ''
        ? { kind: kind as 'conversation' | 'page', id }
        : undefined;
    const business = about === undefined ? 'Confide' : (businessOf(about) ?? 'A business you no longer talk to');
    const day = localDay(entry.at);
    const key = `${day}\u0000${business}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { day, business, lines: [] };
      groups.set(key, group);
    }
    const text = describeAccess(entry, business);
    const line = group.lines.find((l) => l.text === text);
    if (line === undefined) group.lines.push({ text, count: 1, first: entry.at, last: entry.at });
    else {
      line.count += 1;
      line.first = Math.min(line.first, entry.at);
      line.last = Math.max(line.last, entry.at);
    }
  }
  return [...groups.values()].sort((a, b) =>
    a.day === b.day ? a.business.localeCompare(b.business) : a.day < b.day ? 1 : -1,
  );
}

/** The customer's own assistants (features/assistant): what they were allowed and what they did. */
function describeAssistant(action: string, business: string): string {
  switch (action) {
    case 'assistant.granted':
      return 'You connected an assistant';
    case 'assistant.changed':
      return 'You changed what your assistant may do';
    case 'assistant.revoked':
      return 'You disconnected an assistant';
    case 'assistant.read':
      return `Your assistant read updates from ${business}`;
    case 'assistant.action':
      return `Your assistant acted for you with ${business}`;
    case 'assistant.denied':
      return 'Your assistant asked for something you did not allow, and was refused';
    default:
      return 'Your assistant used your account';
  }
}
