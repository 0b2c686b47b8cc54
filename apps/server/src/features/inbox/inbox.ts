/**
 * The agent inbox use cases: the queue of conversations the page handed to the page inbox
 * (263902037430900), taking one, reading it (every view is recorded), replying as the page
 * under the agent's persona with the HUMAN_AGENT tag through the Send API pipeline, and the
 * conversation states (states.ts): resolve, snooze, reopen; the closed view (closed-view.ts).
 */
import {
  PAGE_INBOX_APP_ID,
  PlatformError,
  type AgentStatus,
  type InboxClosedList,
  type InboxClosedQuery,
  type InboxConversation,
  type InboxConversationState,
  type InboxMessage,
  type InboxQueue,
} from '@confide/protocol';
import { handleCsatPayload } from './csat.js';
import type { HubContext } from '../../context.js';
import { personasOfRows } from '../../timeline/personas.js';
import { lastMessages, pageOfMessages, type Conversations } from '../conversations/index.js';
import type { Handover } from '../handover/handover.js';
import {
  HUMAN_AGENT_WINDOW_MS,
  humanAgentText,
  typingAction,
  type SendApi,
  type SendRequest,
} from '../send-api/index.js';
import type { Agent } from './agents.js';
import { searchClosed } from './closed-view.js';
import { findInboxConversation, listInboxConversations, type InboxConversationRow } from './inbox-store.js';
import { presentInboxMessage, presentQueueItem, presentSentMessage } from './presenters.js';
import { publishInboxChange } from './publish.js';
import { InboxStates } from './states.js';
import { assignWaiting } from './routing.js';
import { createTeam, type CreateTeamInput, type Team } from './teams.js';
import { postJoinedLine } from './system-lines.js';
import { mediaLinksFor } from '../media/media-links.js';
import { findConsentState } from '../consent/ledger.js';
import { presentConsent } from '../consent/privacy-overview.js';
import { inboxMessage } from './inbox-message.js';
import { meetSlaTimers, slaStates } from './sla.js';

/** Messages an agent sees when opening a conversation (newest). */
const HISTORY_LIMIT = 200;

export class Inbox {
  private readonly ctx: HubContext;
  private readonly sendApi: SendApi;
  readonly #states: InboxStates;

  constructor(ctx: HubContext, handover: Handover, sendApi: SendApi, conversations: Conversations) {
    this.ctx = ctx;
    this.sendApi = sendApi;
    this.#states = new InboxStates(ctx, handover, (agent, id, text) => this.#send(agent, id, text));
    handover.onTransfer((tx, transfer) => this.#states.track(tx, transfer));
    conversations.onCustomerMessage((tx, conv) => this.#states.beforeCustomerMessage(tx, conv));
    conversations.onReservedAnswer((tx, conv, body, now) =>
      handleCsatPayload(tx, ctx, { conversation: conv, body, now }),
    );
  }

  /** The conversations the page inbox holds (snoozed ones too, with their status), longest waiting first. */
  async queue(agent: Agent): Promise<InboxQueue> {
    const db = this.ctx.storage.db;
    const now = this.ctx.now();
    const rows = await listInboxConversations(db, agent.page_id);
    const last = await lastMessages(
      db,
      rows.map((r) => r.id),
    );
    const personas = await personasOfRows(db, last);
    const byConversation = new Map(last.map((m) => [m.conversation_id, m]));
    const sla = await slaStates(
      db,
      rows.map((r) => r.id),
    );
    const data = await Promise.all(
      rows.map(async (row) => {
        const message = byConversation.get(row.id);
        return presentQueueItem(
          row,
          message === undefined
            ? null
            : await presentInboxMessage(
                this.ctx.storage.vault,
                agent.id,
                row.customer_id,
                message,
                personas,
                mediaLinksFor(this.ctx.config),
              ),
          now,
          sla.get(row.id) ?? null,
        );
      }),
    );
    data.sort((a, b) => a.queued_at - b.queued_at || a.conversation_id.localeCompare(b.conversation_id));
    return { data, now };
  }

  /**
   * Assigns the conversation to the agent (idempotent for its own assignee; wakes it from a snooze).
   * @throws PlatformError `NOT_FOUND` outside the agent's inbox, `CONVERSATION_TAKEN` when another
   * agent has it, `CONVERSATION_RESOLVED` once resolved.
   */
  async take(agent: Agent, conversationId: string): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      const conv = await findInboxConversation(tx.db, agent.page_id, conversationId);
      if (conv === undefined) throw new PlatformError('NOT_FOUND');
      if (conv.status === 'resolved') throw new PlatformError('CONVERSATION_RESOLVED');
      if (conv.agent_id === agent.id && conv.status === 'assigned') return;
      const now = this.ctx.now();
      await tx.db
        .insertInto('inbox_threads')
        .values({ conversation_id: conv.id, page_id: conv.page_id, queued_at: now, agent_id: null, assigned_at: null })
        .onConflict((oc) => oc.column('conversation_id').doNothing())
        .execute();
      // Conditional on "still free", so two agents racing across processes cannot both win.
      const taken = await tx.db
        .updateTable('inbox_threads')
        .set({ agent_id: agent.id, assigned_at: now, status: 'assigned', snoozed_until: null })
        .where('conversation_id', '=', conv.id)
        .where((eb) => eb.or([eb('agent_id', 'is', null), eb('agent_id', '=', agent.id)]))
        .executeTakeFirst();
      if (taken.numUpdatedRows === 0n) throw new PlatformError('CONVERSATION_TAKEN');
      // The customer is told a person joined (not again when the agent wakes a snoozed one).
      if (conv.agent_id !== agent.id) await postJoinedLine(tx, this.ctx, conv, agent);
      publishInboxChange(tx, this.ctx.bus, conv.page_id, conv.id, 'taken');
    });
  }

  /**
   * Opening a conversation: its history as the customer sees it, the customer's allowed profile
   * fields, why it was handed over and the customer's consent for this page (resolved ones too).
   * Records the view for the audit log: once per opening; the open pane then follows message
   * frames and `state`, which neither opens content nor records a view.
   */
  async view(agent: Agent, conversationId: string): Promise<InboxConversation> {
    await this.ctx.storage.writes.run(async (tx) => {
      const row = await findInboxConversation(tx.db, agent.page_id, conversationId);
      if (row === undefined) throw new PlatformError('NOT_FOUND');
      await tx.db
        .insertInto('agent_views')
        .values({ agent_id: agent.id, conversation_id: row.id, viewed_at: this.ctx.now() })
        .execute();
    });
    const state = await this.state(agent, conversationId);
    const db = this.ctx.storage.db;
    const customerId = await this.#customerOf(conversationId);
    const rows = (await pageOfMessages(db, conversationId, undefined, HISTORY_LIMIT)).reverse();
    const personas = await personasOfRows(db, rows);
    const links = mediaLinksFor(this.ctx.config);
    return {
      ...state,
      messages: await Promise.all(
        rows.map((m) => presentInboxMessage(this.ctx.storage.vault, agent.id, customerId, m, personas, links)),
      ),
    };
  }

  /** The conversation's state without its messages: no content is opened and no view recorded. */
  async state(agent: Agent, conversationId: string): Promise<InboxConversationState> {
    const conv = await this.#find(agent, conversationId);
    const now = this.ctx.now();
    const sla = (await slaStates(this.ctx.storage.db, [conv.id])).get(conv.id) ?? null;
    const { last_message: _last, ...item } = presentQueueItem(conv, null, now, sla);
    const consent = presentConsent(await findConsentState(this.ctx.storage.db, conv.customer_id, conv.page_id), now);
    return {
      ...item,
      reply_until:
        conv.last_customer_message_at === null ? null : conv.last_customer_message_at + HUMAN_AGENT_WINDOW_MS,
      resolved_at: conv.status === 'resolved' ? conv.resolved_at : null,
      consent: { status: consent.status, categories: consent.categories, expires_at: consent.expires_at },
      now,
    };
  }

  /** One message of a conversation of the agent's page, as the agent sees it (the stream's message frames). */
  message(agent: Agent, conversationId: string, mid: string): Promise<InboxMessage | undefined> {
    return inboxMessage(this.ctx, agent, conversationId, mid);
  }

  /**
   * Sends `text` as the page under the agent's persona, tagged HUMAN_AGENT, through the
   * Send API pipeline as the page inbox app: thread owner, the 7-day window, rate limits,
   * the customer's stream and the echo to the page's apps all apply. Takes the
   * conversation first when nobody has.
   */
  async reply(agent: Agent, conversationId: string, text: string): Promise<InboxMessage> {
    await this.take(agent, conversationId);
    const sent = await this.#send(agent, conversationId, text);
    await this.ctx.storage.writes.run((tx) => meetSlaTimers(tx.db, conversationId, ['first_reply'], sent.created_at));
    return sent;
  }

  /** Creates a team of a page (`confide team create`). */
  createTeam(input: CreateTeamInput): Promise<Team> {
    return createTeam(this.ctx, input);
  }

  /** Sets the agent's status; going online takes waiting conversations of their team, up to capacity. */
  async setStatus(agent: Agent, status: AgentStatus): Promise<void> {
    await this.ctx.storage.writes.run(async (tx) => {
      await tx.db.updateTable('agents').set({ status }).where('id', '=', agent.id).execute();
      if (status === 'online') await assignWaiting(tx, this.ctx, agent.page_id);
    });
  }

  /** Resolve: see `InboxStates.resolve`. */
  resolve(agent: Agent, conversationId: string, note?: string): Promise<void> {
    return this.#states.resolve(agent, conversationId, note);
  }

  /** Assign or transfer: see `InboxStates.assign`. */
  assign(
    agent: Agent,
    conversationId: string,
    target: { agent_id?: string | undefined; team_id?: string | undefined; note?: string | undefined },
  ): Promise<void> {
    return this.#states.assign(agent, conversationId, target);
  }

  /** Snooze: see `InboxStates.snooze`. */
  snooze(agent: Agent, conversationId: string, minutes: number): Promise<{ snoozed_until: number }> {
    return this.#states.snooze(agent, conversationId, minutes);
  }

  /**
   * The agent is typing (or stopped): a typing frame on the customer's stream, as a sender
   * action of the page inbox app (thread owner, window and rate limit apply).
   */
  async typing(agent: Agent, conversationId: string, on: boolean): Promise<void> {
    const conv = await this.#states.held(this.ctx.storage.db, agent, conversationId);
    await this.sendApi.sendCommand(asPageInbox(agent), typingAction(conv.psid, agent.persona_id, on));
  }

  /** The closed view: resolved conversations of the agent's page, searched through the vault. */
  closed(agent: Agent, query: InboxClosedQuery): Promise<InboxClosedList> {
    return searchClosed(this.ctx, agent, query);
  }

  /** The reply as the agent sees it: the message the kernel appended, as the customer's stream shows it. */
  async #send(agent: Agent, conversationId: string, text: string): Promise<InboxMessage> {
    const conv = await this.#find(agent, conversationId);
    const sent = await this.sendApi.sendCommand(asPageInbox(agent), humanAgentText(conv.psid, agent.persona_id, text));
    if (sent.message === undefined) throw new Error('the Send API appended no message for a text');
    return presentSentMessage(agent.id, sent.message, mediaLinksFor(this.ctx.config));
  }

  async #customerOf(conversationId: string): Promise<string> {
    const row = await this.ctx.storage.db
      .selectFrom('conversations')
      .select('customer_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    return row.customer_id;
  }

  async #find(agent: Agent, conversationId: string): Promise<InboxConversationRow> {
    const conv = await findInboxConversation(this.ctx.storage.db, agent.page_id, conversationId);
    if (conv === undefined) throw new PlatformError('NOT_FOUND');
    return conv;
  }
}

/** The agent's sends go out as the page inbox app of the agent's page. */
function asPageInbox(agent: Agent): SendRequest {
  return { principal: { pageId: agent.page_id, appId: PAGE_INBOX_APP_ID, tokenId: 'page-inbox' }, file: undefined };
}
