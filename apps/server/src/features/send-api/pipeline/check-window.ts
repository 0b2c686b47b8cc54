/**
 * Step 4 — the messaging window (reference §8). RESPONSE and UPDATE only within 24 hours
 * of the customer's last message; HUMAN_AGENT up to 7 days and only from a persona;
 * ACCOUNT_UPDATE, POST_PURCHASE_UPDATE and CONFIRMED_EVENT_UPDATE at any time but only
 * with the customer's consent, checked in the send's transaction so a revocation applies
 * to the very next send. Sender actions need the 24-hour (persona: 7-day) window.
 */
import { CONSENT_TAGS, PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../../storage/schema.js';
import type { ConversationRow } from '../../conversations/store.js';
import { assertProactiveSendAllowed } from '../../consent/assert-consent.js';
import type { SendCommand } from './parse-send.js';

export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * STANDARD_WINDOW_MS;

export async function assertWithinPolicy(
  db: Kysely<Database>,
  conv: ConversationRow,
  cmd: Exclude<SendCommand, { kind: 'utility' }>,
  now: number,
): Promise<void> {
  if (cmd.kind === 'action')
    return assertWindow(conv, cmd.personaId === undefined ? STANDARD_WINDOW_MS : HUMAN_AGENT_WINDOW_MS, now);
  if (cmd.messagingType !== 'MESSAGE_TAG') return assertWindow(conv, STANDARD_WINDOW_MS, now);
  const tag = cmd.tag as NonNullable<typeof cmd.tag>;
  if (tag === 'HUMAN_AGENT') {
    if (cmd.personaId === undefined) {
      throw new PlatformError('INVALID_PARAMETER', {
        message: 'param persona_id is required with the HUMAN_AGENT tag: only human agents may use it',
        detail: { param: 'persona_id' },
      });
    }
    return assertWindow(conv, HUMAN_AGENT_WINDOW_MS, now);
  }
  if (CONSENT_TAGS.includes(tag)) {
    await assertProactiveSendAllowed(db, {
      customerId: conv.customer_id,
      pageId: conv.page_id,
      conversationId: conv.id,
      tag,
      category: cmd.category,
      now,
    });
  }
}

function assertWindow(conv: ConversationRow, windowMs: number, now: number): void {
  const last = conv.last_customer_message_at;
  if (last === null || now - last > windowMs) throw new PlatformError('OUTSIDE_WINDOW');
}
