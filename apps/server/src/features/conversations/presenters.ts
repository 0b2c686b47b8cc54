import type { ChatMessage, Conversation, MessagePersona, PageSummary } from '@confide/protocol';
import type { Vault } from '../../privacy/vault.js';
import type { MediaLinks } from '../media/media-links.js';
import { answeredPostback } from './answers.js';
import { personaOf } from '../../timeline/personas.js';
import type { MessageRow } from './store.js';
import { SYSTEM_LINE_TYPE } from '../../timeline/index.js';

/**
 * Opens the body for the customer it belongs to (purpose `deliver_to_customer`); `personas`
 * holds the persona a page message was sent under (`personasOfRows`). External image URLs
 * become links to the hub's image proxy minted for this customer (`links`).
 */
export async function presentMessage(
  vault: Vault,
  customerId: string,
  row: MessageRow,
  personas: Map<string, MessagePersona>,
  links: MediaLinks,
): Promise<ChatMessage> {
  const body = await vault.openMessage(
    { purpose: 'deliver_to_customer', actor: `customer:${customerId}` },
    customerId,
    row.body,
  );
  const message: ChatMessage = {
    mid: row.mid,
    conversation_id: row.conversation_id,
    direction: row.direction,
    created_at: row.created_at,
    body,
    persona: personaOf(row, personas),
    tag: row.tag,
  };
  if (row.notification_category !== null) message.notification_category = row.notification_category;
  if (row.messaging_type === SYSTEM_LINE_TYPE) message.system = true;
  if (row.awaits_answer === 1) {
    const answered = answeredPostback(row, body);
    message.awaits_answer = answered === null && row.closed_at === null;
    message.answered_postback = answered;
  }
  return links.message({ kind: 'customer', id: customerId }, message);
}

export function presentConversation(
  row: { id: string; created_at: number; customer_read_wm: number; page_delivered_wm: number; page_read_wm: number },
  page: PageSummary,
  lastMessage: ChatMessage | null,
  unread: number,
  awaiting = 0,
): Conversation {
  return {
    id: row.id,
    page,
    created_at: row.created_at,
    last_message: lastMessage,
    unread_count: unread,
    page_delivered_watermark: row.page_delivered_wm,
    page_read_watermark: row.page_read_wm,
    customer_read_watermark: row.customer_read_wm,
    awaiting_answers: awaiting,
  };
}
