import type { ChatMessage, Conversation, MessagePersona, PageSummary } from '@confide/protocol';
import type { Vault } from '../../privacy/vault.js';
import type { MediaLinks } from '../media/media-links.js';
import { personaOf } from './message-personas.js';
import type { MessageRow } from './store.js';

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
  return links.message({ kind: 'customer', id: customerId }, {
    mid: row.mid,
    conversation_id: row.conversation_id,
    direction: row.direction,
    created_at: row.created_at,
    body: await vault.openMessage({ purpose: 'deliver_to_customer', actor: `customer:${customerId}` }, customerId, row.body),
    persona: personaOf(row, personas),
    tag: row.tag,
  });
}

export function presentConversation(
  row: { id: string; created_at: number; customer_read_wm: number; page_delivered_wm: number; page_read_wm: number },
  page: PageSummary,
  lastMessage: ChatMessage | null,
  unread: number,
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
  };
}
