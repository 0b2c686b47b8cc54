/**
 * Step "window and tag" — the messaging window (reference §8). RESPONSE and UPDATE only
 * within 24 hours of the customer's last message; HUMAN_AGENT up to 7 days and only from a
 * persona; the consent tags (ACCOUNT_UPDATE, POST_PURCHASE_UPDATE, CONFIRMED_EVENT_UPDATE)
 * and utility template sends at any time, their consent being the next step's
 * (check-consent.ts). Sender actions need the 24-hour (persona: 7-day) window. Reads nothing
 * but the recipient row.
 */
import { PlatformError } from '@confide/protocol';
import type { ConversationRow } from '../../conversations/index.js';
import type { SendTerms } from './terms.js';

export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * STANDARD_WINDOW_MS;

/** @throws PlatformError `OUTSIDE_WINDOW` (10/2018278); 100 for HUMAN_AGENT without a persona. */
export function assertWindowAndTag(
  conv: Pick<ConversationRow, 'last_customer_message_at'>,
  terms: SendTerms,
  now: number,
): void {
  if (terms.kind === 'action')
    return assertWindow(conv, terms.personaId === undefined ? STANDARD_WINDOW_MS : HUMAN_AGENT_WINDOW_MS, now);
  if (terms.messagingType === 'UTILITY') return;
  if (terms.messagingType !== 'MESSAGE_TAG') return assertWindow(conv, STANDARD_WINDOW_MS, now);
  if (terms.tag !== 'HUMAN_AGENT') return;
  if (terms.personaId === undefined) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: 'param persona_id is required with the HUMAN_AGENT tag: only human agents may use it',
      detail: { param: 'persona_id' },
    });
  }
  assertWindow(conv, HUMAN_AGENT_WINDOW_MS, now);
}

function assertWindow(conv: Pick<ConversationRow, 'last_customer_message_at'>, windowMs: number, now: number): void {
  const last = conv.last_customer_message_at;
  if (last === null || now - last > windowMs) throw new PlatformError('OUTSIDE_WINDOW');
}
