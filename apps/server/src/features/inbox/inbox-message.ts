/** One message of a conversation of the agent's page, as the agent sees it (the inbox stream's message frames). */
import type { InboxMessage } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { personasOfRows } from '../../timeline/personas.js';
import { mediaLinksFor } from '../media/media-links.js';
import type { Agent } from './agents.js';
import { presentInboxMessage } from './presenters.js';

export async function inboxMessage(
  ctx: HubContext,
  agent: Agent,
  conversationId: string,
  mid: string,
): Promise<InboxMessage | undefined> {
  const db = ctx.storage.db;
  const row = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('m')
    .select('c.customer_id')
    .where('m.conversation_id', '=', conversationId)
    .where('c.page_id', '=', agent.page_id)
    .where('m.mid', '=', mid)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { customer_id: customerId, ...message } = row;
  return presentInboxMessage(
    ctx.storage.vault,
    agent.id,
    customerId,
    message,
    await personasOfRows(db, [message]),
    mediaLinksFor(ctx.config),
  );
}
