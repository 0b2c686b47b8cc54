/**
 * What the customer's assistant can do for them, each step checked against the grant the
 * customer gave it: list the granted businesses, read granted categories of update, ask
 * a business a question (an ordinary customer message marked `surface: 'assistant'`),
 * answer a fraud alert and use a business's declared actions (postbacks) with `act`.
 * Content is opened through the vault for `assistant_relay` (so every read is in the
 * audit log and the customer's access log); nothing is stored beyond the conversation.
 */
import type { MessageBody } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { Privacy } from '../../privacy/privacy.js';
import type { Access } from '../../privacy/purposes.js';
import { findConversationByPair, readPageProfile, templateButtons } from '../conversations/index.js';
import type { ConversationRow, Conversations } from '../conversations/index.js';
import type { AssistantPrincipal } from '../oauth/tokens.js';

/** Why a call was refused: the tool names the business, category or scope it lacks. */
export class AssistantRefusal extends Error {
  override readonly name = 'AssistantRefusal';
  readonly reason: 'business_not_granted' | 'category_not_granted' | 'act_not_granted' | 'not_found' | 'invalid';
  constructor(reason: AssistantRefusal['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface Update {
  business: string;
  business_id: string;
  category: string;
  mid: string;
  at: string;
  text: string;
  /** For a question still open: the answers it accepts (answer_fraud_alert's `answer`). */
  open_question?: { answers: string[] };
  answered?: string;
}

export interface Reply {
  status: 'answered' | 'pending';
  /** The business's replies, oldest first (empty while pending). */
  replies: string[];
}

/** Longest the tools wait for a business's reply. */
export const MAX_WAIT_MS = 20_000;

export class AssistantRelay {
  readonly #ctx: HubContext;
  readonly #conversations: Conversations;
  readonly #privacy: Privacy;
  constructor(ctx: HubContext, conversations: Conversations, privacy: Privacy) {
    this.#ctx = ctx;
    this.#conversations = conversations;
    this.#privacy = privacy;
  }

  #access(p: AssistantPrincipal): Access {
    return { purpose: 'assistant_relay', actor: `assistant:${p.clientId}` };
  }

  async listBusinesses(p: AssistantPrincipal) {
    const db = this.#ctx.storage.db;
    if (p.grant.pageIds.length === 0) return [];
    const rows = await db
      .selectFrom('conversations as c')
      .innerJoin('pages as pg', 'pg.id', 'c.page_id')
      .leftJoin('account_links as l', 'l.conversation_id', 'c.id')
      .select([
        'pg.id as id',
        'pg.name as name',
        'pg.category as kind',
        'l.linked_at as linked_at',
        'c.id as conversation_id',
      ])
      .where('c.customer_id', '=', p.customerId)
      .where('c.page_id', 'in', p.grant.pageIds)
      .orderBy('pg.name')
      .execute();
    await this.#audit(p, 'assistant.read', null, { tool: 'list_businesses', count: rows.length });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      linked: r.linked_at !== null,
      readable_categories: p.grant.categories,
    }));
  }

  /** Recent proactive updates of granted categories, newest first. */
  async getUpdates(
    p: AssistantPrincipal,
    input: { business?: string | undefined; category?: string | undefined; limit: number },
  ): Promise<Update[]> {
    const pages = input.business === undefined ? p.grant.pageIds : [await this.#grantedPage(p, input.business)];
    if (input.category !== undefined && !p.grant.categories.includes(input.category)) {
      await this.#deny(
        p,
        'category_not_granted',
        input.business ?? null,
        `The customer did not allow this assistant to read ${input.category}.`,
      );
    }
    const categories = input.category === undefined ? p.grant.categories : [input.category];
    if (pages.length === 0 || categories.length === 0) return [];
    const rows = await this.#ctx.storage.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .innerJoin('pages as pg', 'pg.id', 'c.page_id')
      .select([
        'm.mid',
        'm.body',
        'm.created_at',
        'm.notification_category',
        'm.awaits_answer',
        'm.answered_button',
        'm.closed_at',
        'c.id as conversation_id',
        'pg.id as page_id',
        'pg.name',
      ])
      .where('c.customer_id', '=', p.customerId)
      .where('c.page_id', 'in', pages)
      .where('m.direction', '=', 'out')
      .where('m.notification_category', 'in', categories)
      .orderBy('m.id', 'desc')
      .limit(input.limit)
      .execute();
    const updates: Update[] = [];
    for (const r of rows) {
      const body = await this.#ctx.storage.vault.openMessage(this.#access(p), p.customerId, r.body);
      const answers = templateButtons(body)
        .filter((b) => b.type === 'postback')
        .map((b) => String(b.title));
      const update: Update = {
        business: r.name,
        business_id: r.page_id,
        category: String(r.notification_category),
        mid: r.mid,
        at: new Date(Number(r.created_at)).toISOString(),
        text: textOf(body),
      };
      if (r.awaits_answer === 1 && r.answered_button === null && r.closed_at === null)
        update.open_question = { answers };
      if (r.answered_button !== null) update.answered = answers[r.answered_button] ?? 'answered';
      updates.push(update);
    }
    await this.#audit(p, 'assistant.read', null, {
      tool: 'get_updates',
      count: updates.length,
      categories: categories.join(','),
    });
    return updates;
  }

  /** Sends the customer's question as their message from the assistant surface; waits (bounded) for the reply. */
  async ask(p: AssistantPrincipal, input: { business: string; question: string; waitMs: number }): Promise<Reply> {
    const conv = await this.#conversation(p, input.business);
    const sent = await this.#conversations.send(p.customerId, conv.id, { text: input.question }, 'assistant');
    await this.#audit(p, 'assistant.action', conv.id, { tool: 'ask_business' });
    return this.#waitForReply(p, conv, sent.mid, input.waitMs);
  }

  /** Answers the open fraud alert through the same path as the chat's buttons (a postback naming the question). */
  async answerFraudAlert(
    p: AssistantPrincipal,
    input: { business: string; answer: string; messageMid?: string | undefined; waitMs: number },
  ): Promise<Reply & { question: string }> {
    await this.#requireAct(p, input.business);
    if (!p.grant.categories.includes('fraud_alerts')) {
      await this.#deny(
        p,
        'category_not_granted',
        input.business,
        'The customer did not allow this assistant to read fraud alerts.',
      );
    }
    const conv = await this.#conversation(p, input.business);
    let q = this.#ctx.storage.db
      .selectFrom('messages')
      .select(['mid', 'body'])
      .where('conversation_id', '=', conv.id)
      .where('direction', '=', 'out')
      .where('notification_category', '=', 'fraud_alerts')
      .where('awaits_answer', '=', 1)
      .where('answered_button', 'is', null)
      .where('closed_at', 'is', null);
    if (input.messageMid !== undefined) q = q.where('mid', '=', input.messageMid);
    const question = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (question === undefined) throw new AssistantRefusal('not_found', 'There is no open fraud alert to answer.');
    const body = await this.#ctx.storage.vault.openMessage(this.#access(p), p.customerId, question.body);
    const wanted = input.answer.trim().toLowerCase();
    const button = templateButtons(body).find((b) => b.type === 'postback' && String(b.title).toLowerCase() === wanted);
    if (button === undefined) {
      const titles = templateButtons(body)
        .filter((b) => b.type === 'postback')
        .map((b) => String(b.title));
      throw new AssistantRefusal('invalid', `answer must be one of: ${titles.join(' | ')}`);
    }
    const sent = await this.#conversations.send(
      p.customerId,
      conv.id,
      { postback: { title: String(button.title), payload: String(button.payload), message_mid: question.mid } },
      'assistant',
    );
    await this.#audit(p, 'assistant.action', conv.id, { tool: 'answer_fraud_alert' });
    return { question: question.mid, ...(await this.#waitForReply(p, conv, sent.mid, input.waitMs)) };
  }

  /** The actions a business declared (postbacks of its persistent menu). */
  async listActions(p: AssistantPrincipal, business: string): Promise<string[]> {
    const pageId = await this.#grantedPage(p, business);
    return (await this.#declaredActions(pageId)).map((a) => a.title);
  }

  /** Uses one declared action (with `act`): the postback the business itself declared, never free text. */
  async doAction(p: AssistantPrincipal, input: { business: string; action: string; waitMs: number }): Promise<Reply> {
    await this.#requireAct(p, input.business);
    const conv = await this.#conversation(p, input.business);
    const action = (await this.#declaredActions(conv.page_id)).find(
      (a) => a.title.toLowerCase() === input.action.trim().toLowerCase(),
    );
    if (action === undefined)
      throw new AssistantRefusal('invalid', 'That business declared no such action; call list_actions.');
    const sent = await this.#conversations.send(
      p.customerId,
      conv.id,
      { postback: { title: action.title, payload: action.payload } },
      'assistant',
    );
    await this.#audit(p, 'assistant.action', conv.id, { tool: 'do_action' });
    return this.#waitForReply(p, conv, sent.mid, input.waitMs);
  }

  async #declaredActions(pageId: string): Promise<Array<{ title: string; payload: string }>> {
    const profile = await readPageProfile(this.#ctx.storage.db, pageId, { customerName: '' });
    const out: Array<{ title: string; payload: string }> = [];
    const walk = (items: NonNullable<typeof profile.persistent_menu>['items']) => {
      for (const item of items) {
        if (item.type === 'postback') out.push({ title: item.title, payload: item.payload });
        else if (item.type === 'nested') walk(item.items);
      }
    };
    walk(profile.persistent_menu?.items ?? []);
    return out;
  }

  async #waitForReply(p: AssistantPrincipal, conv: ConversationRow, mid: string, waitMs: number): Promise<Reply> {
    const db = this.#ctx.storage.db;
    const ours = await db.selectFrom('messages').select('id').where('mid', '=', mid).executeTakeFirstOrThrow();
    const deadline = Date.now() + Math.min(Math.max(waitMs, 0), MAX_WAIT_MS);
    for (;;) {
      const rows = await db
        .selectFrom('messages')
        .select(['body'])
        .where('conversation_id', '=', conv.id)
        .where('direction', '=', 'out')
        .where('id', '>', ours.id)
        .orderBy('id')
        .limit(5)
        .execute();
      if (rows.length > 0) {
        const replies = await Promise.all(
          rows.map(async (r) =>
            textOf(await this.#ctx.storage.vault.openMessage(this.#access(p), p.customerId, r.body)),
          ),
        );
        return { status: 'answered', replies };
      }
      if (Date.now() >= deadline) return { status: 'pending', replies: [] };
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async #grantedPage(p: AssistantPrincipal, business: string): Promise<string> {
    if (!p.grant.pageIds.includes(business)) {
      await this.#deny(
        p,
        'business_not_granted',
        business,
        'The customer did not allow this assistant to talk to that business (use an id from list_businesses).',
      );
    }
    return business;
  }

  async #conversation(p: AssistantPrincipal, business: string): Promise<ConversationRow> {
    const pageId = await this.#grantedPage(p, business);
    const conv = await findConversationByPair(this.#ctx.storage.db, p.customerId, pageId);
    if (conv === undefined) throw new AssistantRefusal('not_found', 'No conversation with that business.');
    return conv;
  }

  async #requireAct(p: AssistantPrincipal, business: string): Promise<void> {
    if (!p.scopes.includes('act'))
      await this.#deny(
        p,
        'act_not_granted',
        business,
        'The customer did not allow this assistant to act (the act scope).',
      );
  }

  async #deny(
    p: AssistantPrincipal,
    reason: AssistantRefusal['reason'],
    business: string | null,
    message: string,
  ): Promise<never> {
    await this.#privacy.record({
      actor: `assistant:${p.clientId}`,
      action: 'assistant.denied',
      customerId: p.customerId,
      target: business === null ? null : `page:${business.slice(0, 64)}`,
      purpose: 'assistant_relay',
      details: { reason },
    });
    throw new AssistantRefusal(reason, message);
  }

  async #audit(
    p: AssistantPrincipal,
    action: 'assistant.read' | 'assistant.action',
    conversationId: string | null,
    details: Record<string, string | number>,
  ): Promise<void> {
    await this.#privacy.record({
      actor: `assistant:${p.clientId}`,
      action,
      customerId: p.customerId,
      target: conversationId === null ? null : `conversation:${conversationId}`,
      purpose: 'assistant_relay',
      details,
    });
  }
}

/** What a message says, as plain text: its text, a template's text (after a utility message's header) and titles, attachment kinds. */
export function textOf(body: MessageBody): string {
  if (body.text !== undefined) return body.text;
  const attachment = body.attachment as { type?: string; payload?: Record<string, unknown> } | undefined;
  const payload = attachment?.payload;
  if (attachment?.type === 'template' && payload !== undefined) {
    const { header, text, elements } = payload;
    if (typeof text === 'string') return typeof header === 'string' ? `${header}\n${text}` : text;
    if (Array.isArray(elements))
      return elements
        .map((e: Record<string, unknown>) =>
          [e['title'], e['subtitle']].filter((x) => typeof x === 'string').join(': '),
        )
        .join('\n');
  }
  const kinds = (body.attachments ?? (body.attachment === undefined ? [] : [body.attachment])).map((a) => a.type);
  return kinds.length === 0 ? '' : `[${kinds.join(', ')}]`;
}
