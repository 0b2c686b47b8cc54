/**
 * Internal notes: what agents of the page write about a conversation for each other. Sealed
 * under the customer's key like messages (erased with them), opened for agents with purpose
 * `agent_support` (every opening is in the audit log), never streamed or sent to the customer
 * or the business.
 */
import { PlatformError, type InboxNote } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId } from '../../crypto/tokens.js';
import { ContentErasedError } from '../../privacy/purposes.js';
import { maskDeep } from '../../privacy/masking.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { Agent } from './agents.js';
import { findInboxConversation, type InboxConversationRow } from './inbox-store.js';
import { publishInboxChange } from './publish.js';

/**
 * Adds a note to a conversation the agent's page inbox has or had.
 * @throws PlatformError `NOT_FOUND` for another page's conversation or an unknown one (nothing written).
 */
export async function addNote(
  ctx: HubContext,
  agent: Agent,
  conversationId: string,
  input: string,
): Promise<InboxNote> {
  let note: InboxNote | undefined;
  await ctx.storage.writes.run(async (tx) => {
    const conv = await findInboxConversation(tx.db, agent.page_id, conversationId);
    if (conv === undefined) throw new PlatformError('NOT_FOUND');
    note = await writeNote(tx, ctx, agent, conv, input);
  });
  if (note === undefined) throw new Error('note not written');
  return note;
}

/**
 * Writes a note inside the caller's transaction (a plain note, or the note of a transfer): masked,
 * sealed under the customer's key, announced to the page's agents with a `note` frame.
 */
export async function writeNote(
  tx: WriteTx,
  ctx: HubContext,
  agent: Agent,
  conv: InboxConversationRow,
  input: string,
): Promise<InboxNote> {
  // Card numbers are masked before anything is stored, as in messages.
  const { text } = maskDeep({ text: input });
  const note = { id: newId('nt'), created_at: ctx.now() };
  const body = await tx.vault.sealMessage(conv.customer_id, conv.id, { text });
  await tx.db
    .insertInto('inbox_notes')
    .values({ id: note.id, conversation_id: conv.id, agent_id: agent.id, body, created_at: note.created_at })
    .execute();
  publishInboxChange(tx, ctx.bus, conv.page_id, conv.id, 'note');
  return { ...note, text, author: { id: agent.id, display_name: agent.display_name } };
}

/** The conversation's notes, oldest first, opened for this agent. */
export async function listNotes(ctx: HubContext, agent: Agent, conversationId: string): Promise<InboxNote[]> {
  const db = ctx.storage.db;
  const conv = await findInboxConversation(db, agent.page_id, conversationId);
  if (conv === undefined) throw new PlatformError('NOT_FOUND');
  const rows = await db
    .selectFrom('inbox_notes as n')
    .leftJoin('agents as a', 'a.id', 'n.agent_id')
    .select(['n.id', 'n.agent_id', 'n.body', 'n.created_at', 'a.display_name'])
    .where('n.conversation_id', '=', conv.id)
    .orderBy('n.created_at')
    .orderBy('n.id')
    .execute();
  const notes: InboxNote[] = [];
  for (const row of rows) {
    let text: string;
    try {
      text =
        (
          await ctx.storage.vault.openMessage(
            { purpose: 'agent_support', actor: `agent:${agent.id}` },
            conv.customer_id,
            row.body,
          )
        ).text ?? '';
    } catch (err) {
      if (err instanceof ContentErasedError) continue;
      throw err;
    }
    notes.push({
      id: row.id,
      text,
      created_at: row.created_at,
      author: { id: row.agent_id, display_name: row.display_name ?? 'A former agent' },
    });
  }
  return notes;
}
