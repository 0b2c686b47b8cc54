/**
 * Messages the hub itself writes into a conversation (expiry reminders and the
 * customer's answers to them). They appear in the customer's chat like any message but
 * are never sent to the business as webhooks, and an answer does not open the
 * business's 24-hour window (the kernel's hub messages, src/timeline/).
 */
import type { ChatMessage, MessageBody } from '@confide/protocol';
import type { Bus } from '../../bus/bus.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendHubMessage } from '../../timeline/index.js';

/** Prefix of quick-reply and postback payloads that belong to the hub, not the business. */
export const RESERVED_PAYLOAD_PREFIX = 'CONFIDE_CONSENT_';
/** Prefix of the inbox's satisfaction answers (features/inbox/csat.ts): the hub's too. */
export const CSAT_PAYLOAD_PREFIX = 'CONFIDE_CSAT_';

export function postHubMessage(
  tx: WriteTx,
  bus: Bus,
  input: {
    conversation: { id: string; customer_id: string };
    direction: 'in' | 'out';
    body: MessageBody;
    now: number;
    system?: boolean;
  },
): Promise<ChatMessage> {
  return appendHubMessage(tx, bus, input);
}
