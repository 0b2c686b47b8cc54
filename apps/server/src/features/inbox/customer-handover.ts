/**
 * The customer's view of a hand-over: with the assistant, waiting (and their place in the
 * page's queue: open conversations handed over before theirs), or with an agent by name.
 * Only the customer's own conversation; another's answers NOT_FOUND.
 */
import { PAGE_INBOX_APP_ID, PlatformError, type CustomerHandover } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { findConversationOfCustomer } from '../conversations/store.js';

export async function customerHandover(
  ctx: HubContext,
  customerId: string,
  conversationId: string,
): Promise<CustomerHandover> {
  const db = ctx.storage.db;
  const conv = await findConversationOfCustomer(db, customerId, conversationId);
  if (conv === undefined) throw new PlatformError('NOT_FOUND');
  if (conv.thread_owner_app_id !== PAGE_INBOX_APP_ID) return { state: 'assistant', position: null, agent: null };
  const thread = await db
    .selectFrom('inbox_threads as t')
    .leftJoin('agents as a', 'a.id', 't.agent_id')
    .select(['t.queued_at', 't.agent_id', 'a.display_name'])
    .where('t.conversation_id', '=', conv.id)
    .executeTakeFirst();
  if (thread === undefined) return { state: 'waiting', position: null, agent: null };
  if (thread.agent_id !== null)
    return { state: 'with_agent', position: null, agent: { name: thread.display_name ?? '' } };
  const ahead = await db
    .selectFrom('inbox_threads as t')
    .innerJoin('conversations as c', 'c.id', 't.conversation_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('t.page_id', '=', conv.page_id)
    .where('c.thread_owner_app_id', '=', PAGE_INBOX_APP_ID)
    .where('t.agent_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb('t.queued_at', '<', thread.queued_at),
        eb.and([eb('t.queued_at', '=', thread.queued_at), eb('t.conversation_id', '<', conv.id)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return { state: 'waiting', position: Number(ahead.n) + 1, agent: null };
}
