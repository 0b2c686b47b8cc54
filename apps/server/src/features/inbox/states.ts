/**
 * Conversation states of the agent inbox: open (waiting) → assigned → resolved, snoozed, and
 * reopened when the customer writes again soon after a resolve. `inbox_threads` follows thread
 * control (`track`, inside the handover's transaction) and keeps the row once resolved.
 */
import { PAGE_INBOX_APP_ID, PlatformError, type InboxMessage } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { findConversationByPsid, type ConversationRow } from '../conversations/store.js';
import type { Handover, ThreadTransfer } from '../handover/handover.js';
import { HUMAN_AGENT_WINDOW_MS } from '../send-api/index.js';
import type { Agent } from './agents.js';
import { findInboxConversation, type InboxConversationRow } from './inbox-store.js';
import { publishInboxChange } from './publish.js';
import { postJoinedLine, postLeftLine } from './system-lines.js';
import { assignWaiting, findTeamByName, parseHandoverMetadata, tellIfClosed } from './routing.js';
import { meetSlaTimers, moveSlaTimers, startSlaTimers } from './sla.js';
import { appendFrame } from '../../timeline/index.js';
import { askCsat } from './csat.js';
import { writeNote } from './notes.js';

/** Sends text to the customer as the agent (Inbox's reply path). */
export type SendAsAgent = (agent: Agent, conversationId: string, text: string) => Promise<InboxMessage>;

const MINUTE = 60_000;

export class InboxStates {
  private readonly ctx: HubContext;
  private readonly handover: Handover;
  private readonly sendAsAgent: SendAsAgent;

  constructor(ctx: HubContext, handover: Handover, sendAsAgent: SendAsAgent) {
    this.ctx = ctx;
    this.handover = handover;
    this.sendAsAgent = sendAsAgent;
  }

  /**
   * Resolve: the assigned agent closes the conversation. The customer gets the closing message
   * (INBOX_CLOSING_MESSAGE, under the agent's persona, while the 7-day window allows), then the
   * thread goes back to the page's primary app, which receives `pass_thread_control` with the
   * agent's note as its `metadata`. The conversation moves to the closed view.
   * @throws PlatformError `CONVERSATION_NOT_ASSIGNED` when nobody took it, `CONVERSATION_TAKEN`
   * when another agent has it, `CONVERSATION_RESOLVED` when already resolved, `NOT_FOUND`.
   */
  async resolve(agent: Agent, conversationId: string, note?: string): Promise<void> {
    const conv = await this.held(this.ctx.storage.db, agent, conversationId);
    const closing = this.ctx.config.INBOX_CLOSING_MESSAGE.trim();
    const now = this.ctx.now();
    const windowOpen =
      conv.last_customer_message_at !== null && now <= conv.last_customer_message_at + HUMAN_AGENT_WINDOW_MS;
    if (closing !== '' && windowOpen) await this.sendAsAgent(agent, conv.id, closing);
    await this.ctx.storage.writes.run(async (tx) => {
      // Checked again in the transaction: another agent may have changed it meanwhile.
      const current = await this.held(tx.db, agent, conversationId);
      const row = await findConversationByPsid(tx.db, current.page_id, current.psid);
      if (row === undefined) throw new PlatformError('NOT_FOUND');
      await postLeftLine(tx, this.ctx, current, agent);
      await this.handover.passBackIn(tx, row, note);
      await tx.db
        .updateTable('inbox_threads')
        .set({ resolved_by: agent.id })
        .where('conversation_id', '=', current.id)
        .execute();
      // Asked after the closing message and the "left" line, so it is the customer's last message
      // (its quick replies show only there): `now` was read before the closing message was sent.
      if (this.ctx.config.INBOX_CSAT) {
        const askedAt = this.ctx.now();
        await askCsat(tx, this.ctx, { conversation: row, agentId: agent.id, teamId: current.team_id, now: askedAt });
      }
      // The agent has room for the next waiting conversation of their team.
      await assignWaiting(tx, this.ctx, current.page_id);
    });
  }

  /**
   * Assign or transfer: to another agent of the page (who is told in the customer's chat as
   * joining), or back to a team's queue (routed again). Allowed while the conversation waits or
   * by its assigned agent; a supervisor may move anyone's. The history stays with the conversation.
   * A `note` is stored as an internal note of the conversation, in the same transaction (never sent
   * to the customer); a transfer to the current assignee changes nothing and stores no note.
   * @throws PlatformError `NOT_FOUND` for a conversation, agent or team of another page (or unknown),
   * `CONVERSATION_TAKEN` when another agent has it, `CONVERSATION_RESOLVED`.
   */
  async assign(
    agent: Agent,
    conversationId: string,
    target: { agent_id?: string | undefined; team_id?: string | undefined; note?: string | undefined },
  ): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findInboxConversation(tx.db, agent.page_id, conversationId);
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      if (conv.status === 'resolved') throw new PlatformError('CONVERSATION_RESOLVED');
      if (conv.agent_id !== null && conv.agent_id !== agent.id && agent.role !== 'supervisor')
        throw new PlatformError('CONVERSATION_TAKEN');
      const now = this.ctx.now();
      if (target.agent_id !== undefined) {
        const to = await tx.db
          .selectFrom('agents as a')
          .leftJoin('inbox_teams as tm', 'tm.id', 'a.team_id')
          .select(['a.id', 'a.display_name', 'tm.name as team_name'])
          .where('a.id', '=', target.agent_id)
          .where('a.page_id', '=', agent.page_id)
          .executeTakeFirst();
        if (to === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such agent on this page.' });
        if (to.id === conv.agent_id) return;
        await tx.db
          .updateTable('inbox_threads')
          .set({ agent_id: to.id, assigned_at: now, status: 'assigned', snoozed_until: null })
          .where('conversation_id', '=', conv.id)
          .execute();
        await postJoinedLine(tx, this.ctx, conv, to);
      } else {
        const team = await tx.db
          .selectFrom('inbox_teams')
          .select('id')
          .where('id', '=', target.team_id ?? '')
          .where('page_id', '=', agent.page_id)
          .executeTakeFirst();
        if (team === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such team on this page.' });
        await tx.db
          .updateTable('inbox_threads')
          .set({
            agent_id: null,
            assigned_at: null,
            status: 'open',
            snoozed_until: null,
            team_id: team.id,
            queued_at: now,
          })
          .where('conversation_id', '=', conv.id)
          .execute();
        await moveSlaTimers(tx, { conversationId: conv.id, pageId: conv.page_id, teamId: team.id, at: now });
        await assignWaiting(tx, this.ctx, agent.page_id);
      }
      if (target.note !== undefined) await writeNote(tx, this.ctx, agent, conv, target.note);
      publishInboxChange(tx, this.ctx.bus, conv.page_id, conv.id, 'taken');
    });
  }

  /**
   * Snooze: the assigned agent sets the conversation aside for `minutes`; it is back when the
   * time is up or the customer writes.
   */
  async snooze(agent: Agent, conversationId: string, minutes: number): Promise<{ snoozed_until: number }> {
    const until = this.ctx.now() + minutes * MINUTE;
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await this.held(tx.db, agent, conversationId);
      await tx.db
        .updateTable('inbox_threads')
        .set({ status: 'snoozed', snoozed_until: until })
        .where('conversation_id', '=', conv.id)
        .execute();
      publishInboxChange(tx, this.ctx.bus, conv.page_id, conv.id, 'snoozed');
    });
    return { snoozed_until: until };
  }

  /**
   * Before a customer's message is recorded: a snoozed conversation wakes up; one resolved less
   * than INBOX_REOPEN_MINUTES ago, now back with the primary app, reopens in the inbox with the
   * agent who resolved it (the app receives `take_thread_control` with metadata `reopened`).
   */
  async beforeCustomerMessage(tx: WriteTx, conv: ConversationRow): Promise<ConversationRow> {
    if (conv.thread_owner_app_id === PAGE_INBOX_APP_ID) {
      await tx.db
        .updateTable('inbox_threads')
        .set((eb) => ({
          status: eb.case().when('agent_id', 'is', null).then('open').else('assigned').end(),
          snoozed_until: null,
        }))
        .where('conversation_id', '=', conv.id)
        .where('status', '=', 'snoozed')
        .execute();
      return conv;
    }
    const windowMs = this.ctx.config.INBOX_REOPEN_MINUTES * MINUTE;
    if (windowMs === 0 || conv.thread_owner_app_id !== null) return conv;
    const now = this.ctx.now();
    const resolved = await tx.db
      .selectFrom('inbox_threads')
      .select(['resolved_by'])
      .where('conversation_id', '=', conv.id)
      .where('status', '=', 'resolved')
      .where('resolved_at', '>=', now - windowMs)
      .executeTakeFirst();
    if (resolved === undefined) return conv;
    await this.handover.passToInboxIn(tx, conv, 'reopened');
    if (resolved.resolved_by !== null) {
      await tx.db
        .updateTable('inbox_threads')
        .set({ agent_id: resolved.resolved_by, assigned_at: now, status: 'assigned' })
        .where('conversation_id', '=', conv.id)
        .execute();
    }
    publishInboxChange(tx, this.ctx.bus, conv.page_id, conv.id, 'reopened');
    return { ...conv, thread_owner_app_id: PAGE_INBOX_APP_ID };
  }

  /** Keeps `inbox_threads` in step with thread control, inside the handover's transaction. */
  async track(tx: WriteTx, transfer: ThreadTransfer): Promise<void> {
    if (transfer.newOwner === PAGE_INBOX_APP_ID) {
      const named = parseHandoverMetadata(transfer.metadata);
      const team = named.team === null ? undefined : await findTeamByName(tx.db, transfer.pageId, named.team);
      const teamId = team?.id ?? null;
      const fresh = {
        team_id: teamId,
        queued_at: transfer.at,
        agent_id: null,
        assigned_at: null,
        status: 'open',
        snoozed_until: null,
        resolved_at: null,
        resolved_by: null,
        handover_reason: named.reason,
        case_ref: named.caseRef,
      };
      await tx.db
        .insertInto('inbox_threads')
        .values({ conversation_id: transfer.conversationId, page_id: transfer.pageId, ...fresh })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet(fresh))
        .execute();
      const { conversationId, pageId, at } = transfer;
      await startSlaTimers(tx, { conversationId, pageId, teamId, at });
      publishInboxChange(tx, this.ctx.bus, transfer.pageId, transfer.conversationId, 'queued');
      await this.#tellCustomer(tx, transfer);
      if (team !== undefined) {
        const conv = await tx.db
          .selectFrom('conversations')
          .select(['id', 'customer_id', 'page_id'])
          .where('id', '=', transfer.conversationId)
          .executeTakeFirstOrThrow();
        await tellIfClosed(tx, this.ctx, conv, team);
      }
      await assignWaiting(tx, this.ctx, transfer.pageId);
    } else if (transfer.previousOwner === PAGE_INBOX_APP_ID) {
      // Resolved by an agent (who is recorded by `resolve`) or taken back by the page's app.
      await tx.db
        .updateTable('inbox_threads')
        .set({ status: 'resolved', resolved_at: transfer.at, resolved_by: null, snoozed_until: null })
        .where('conversation_id', '=', transfer.conversationId)
        .execute();
      await meetSlaTimers(tx.db, transfer.conversationId, ['first_reply', 'resolution'], transfer.at);
      publishInboxChange(tx, this.ctx.bus, transfer.pageId, transfer.conversationId, 'left');
      await this.#tellCustomer(tx, transfer);
    }
  }

  /** The customer's app re-reads the conversation's hand-over state (queue position) on this event. */
  async #tellCustomer(tx: WriteTx, transfer: ThreadTransfer): Promise<void> {
    const conv = await tx.db
      .selectFrom('conversations')
      .select('customer_id')
      .where('id', '=', transfer.conversationId)
      .executeTakeFirstOrThrow();
    await appendFrame(
      tx,
      this.ctx.bus,
      conv.customer_id,
      { type: 'conversation', conversation_id: transfer.conversationId, change: 'handover' },
      transfer.at,
    );
  }

  /**
   * The conversation, held by the inbox and assigned to `agent`, or the matching refusal:
   * `NOT_FOUND`, `CONVERSATION_RESOLVED`, `CONVERSATION_NOT_ASSIGNED`, `CONVERSATION_TAKEN`.
   */
  async held(db: Kysely<Database>, agent: Agent, conversationId: string): Promise<InboxConversationRow> {
    const conv = await findInboxConversation(db, agent.page_id, conversationId);
    if (conv === undefined) throw new PlatformError('NOT_FOUND');
    if (conv.status === 'resolved') throw new PlatformError('CONVERSATION_RESOLVED');
    if (conv.agent_id === null) throw new PlatformError('CONVERSATION_NOT_ASSIGNED');
    if (conv.agent_id !== agent.id) throw new PlatformError('CONVERSATION_TAKEN');
    return conv;
  }
}
