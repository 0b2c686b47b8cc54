/**
 * The messaging kernel's one use case: append entries to conversations' timelines inside a
 * write transaction. It masks and seals each message once, builds its stream frame and
 * webhook payload once, hands the store port (storage/timeline-store.ts) a batch of plain
 * commands, and after commit announces what was appended: the persisted frames to the
 * customers' streams and the new webhook work to the delivery worker.
 *
 * Nothing else writes `messages`, `customer_events`, the customers' event counters or
 * `webhook_outbox` rows.
 */
import type { ChatMessage, MessageBody, ServerFrame } from '@confide/protocol';
import type { Bus } from '../bus/bus.js';
import { newSortableId } from '../crypto/tokens.js';
import { maskDeep } from '../privacy/masking.js';
import type { AppendCommand, AppendOutcome, OutboxRecord } from '../storage/timeline-store.js';
import { timelineStoreOf } from '../storage/timeline-store.js';
import type { WriteTx } from '../storage/write-queue.js';
import type { MessageAppended } from './consumers.js';
import type { Appended, MessageEntry, TimelineEntry } from './entries.js';
import { eventRecord, type NewFrame } from './frames.js';
import { presentPersona } from './personas.js';
import { pageOutbox, sealedOutbox, sealMessageBody } from './seal.js';
import { customerItem, echoItem, type WebhookEvent } from './webhook-items.js';

/** `messages.messaging_type` of a hub-written system line (`system: true` on the wire): "Ada joined". */
export const SYSTEM_LINE_TYPE = 'CONFIDE_SYSTEM';

/** An entry made ready for the store: its command, and what to announce once committed. */
interface Planned {
  command: AppendCommand;
  message: ChatMessage | null;
  /** The customer whose stream gets the frame, and the frame. */
  frame: { customerId: string; frame: NewFrame } | null;
}

/**
 * Appends the entries in order; one result per entry. Announcements run only after commit.
 * In a set-based job (`tx.batch`, storage/write-queue.ts) the commands wait in the
 * transaction's batch and are written with the others' before COMMIT: each result's `cursor`
 * and `apps` are known from then on (the post-commit announcements read them).
 */
export async function appendToTimeline(tx: WriteTx, bus: Bus, entries: readonly TimelineEntry[]): Promise<Appended[]> {
  // Plain loops over the entries, filling each array once: this runs for every message.
  const planned: Planned[] = [];
  const commands: AppendCommand[] = [];
  for (const entry of entries) {
    const one = await plan(tx, entry);
    planned.push(one);
    commands.push(one.command);
  }
  const outcomes = tx.batch?.add(commands) ?? (await timelineStoreOf(tx.db).append(tx.db, commands));
  const done: AppendOutcome[] = [];
  for (let i = 0; i < planned.length; i++) done.push(outcomes[i] ?? { seq: null, apps: [] });
  // One post-commit effect for all the entries (not two closures each), announcing in entry order.
  tx.afterCommit(() => announce(bus, planned, done));
  const appended: Appended[] = [];
  // Business and customer messages go to the subscribed consumers, in this transaction.
  let facts: MessageAppended[] | undefined;
  for (let i = 0; i < planned.length; i++) {
    const { message } = planned[i] as Planned;
    appended.push(new AppendedEntry(message, done[i] as AppendOutcome));
    const entry = entries[i] as TimelineEntry;
    if (entry.kind === 'message' && message) (facts ??= []).push({ entry, message });
  }
  const delivered = facts === undefined ? undefined : tx.timeline.deliver(tx, bus, facts);
  if (delivered !== undefined) await delivered;
  return appended;
}

/**
 * An entry's result: `cursor` and `apps` read its outcome, which a set-based job's batch fills
 * at COMMIT. Getters on the class, not on an object literal: no two closures per message.
 */
class AppendedEntry implements Appended {
  readonly message: ChatMessage | null;
  readonly #outcome: AppendOutcome;
  constructor(message: ChatMessage | null, outcome: AppendOutcome) {
    this.message = message;
    this.#outcome = outcome;
  }
  get cursor(): number | null {
    return this.#outcome.seq;
  }
  get apps(): string[] {
    return this.#outcome.apps;
  }
}

async function plan(tx: WriteTx, entry: TimelineEntry): Promise<Planned> {
  switch (entry.kind) {
    case 'message':
      return planMessage(tx, entry, { opensWindow: entry.direction === 'in', webhook: messageWebhook(entry) });
    case 'hub_message': {
      const { conversation, direction, body, now, system } = entry;
      const fields = { conversation, direction, body, now, messagingType: system === true ? SYSTEM_LINE_TYPE : null };
      return planMessage(tx, fields, { opensWindow: false, webhook: null });
    }
    case 'frame':
      return {
        command: { event: eventRecord(entry.customerId, entry.frame, entry.now) },
        message: null,
        frame: { customerId: entry.customerId, frame: entry.frame },
      };
    case 'webhook':
      // Card numbers are masked before anything is sealed (a handover's metadata may carry one).
      return {
        command: outboxCommand(await sealedOutbox(tx, { ...entry.event, item: maskDeep(entry.event.item) })),
        message: null,
        frame: null,
      };
    case 'page_webhook':
      return {
        command: { outbox: pageOutbox(entry.pageId, entry.field, entry.value, entry.now) },
        message: null,
        frame: null,
      };
  }
}

/** An outbox command, or an empty one when no app gets the event. */
const outboxCommand = (outbox: OutboxRecord | undefined): AppendCommand => (outbox === undefined ? {} : { outbox });

/** What a message row and frame are made of (a business's or customer's message, or the hub's). */
type MessageFields = Omit<MessageEntry, 'kind' | 'conversation' | 'webhookBody'> & {
  conversation: { id: string; customer_id: string };
};

/** How a message reaches the business: whether it opens the window, and its webhook event (none for the hub's). */
interface MessageRoute {
  opensWindow: boolean;
  webhook: ((mid: string, body: MessageBody) => WebhookEvent) | null;
}

/** The business hears of a customer's message (or postback) and of its own messages as echoes. */
function messageWebhook(entry: MessageEntry): MessageRoute['webhook'] {
  const { conversation: conv, direction, now } = entry;
  return (mid, body) => {
    const { field, item } =
      direction === 'in'
        ? customerItem(mid, entry.webhookBody === undefined ? body : maskDeep(entry.webhookBody))
        : echoItem(mid, body, entry.appId ?? null);
    return {
      pageId: conv.page_id,
      conversationId: conv.id,
      customerId: conv.customer_id,
      psid: conv.psid,
      field,
      item,
      threadOwnerAppId: conv.thread_owner_app_id,
      fromPage: direction === 'out',
      timestamp: now,
    };
  };
}

async function planMessage(tx: WriteTx, input: MessageFields, route: MessageRoute): Promise<Planned> {
  const { conversation: conv, direction, now } = input;
  // Card numbers are masked once, before anything is stored, streamed or sent on (privacy/masking.ts).
  const body = maskDeep(input.body);
  const mid = newSortableId('m');
  const personaRow = input.personaId ? await timelineStoreOf(tx.db).persona(tx.db, input.personaId) : undefined;
  const message = chatMessage(input, mid, body, personaRow === undefined ? null : presentPersona(personaRow));
  const frame: NewFrame = { type: 'message', message };
  const command: AppendCommand = {
    message: {
      row: {
        mid,
        conversationId: conv.id,
        direction,
        body: await sealMessageBody(tx, conv, body),
        now,
        appId: input.appId ?? null,
        personaId: input.personaId ?? null,
        messagingType: input.messagingType ?? null,
        tag: input.tag ?? null,
        notificationCategory: input.notificationCategory ?? null,
        awaitsAnswer: input.awaitsAnswer ? 1 : 0,
      },
      opensWindow: route.opensWindow,
    },
    event: eventRecord(conv.customer_id, frame, now),
  };
  const outbox = route.webhook === null ? undefined : await sealedOutbox(tx, route.webhook(mid, body));
  if (outbox !== undefined) command.outbox = outbox;
  return { command, message, frame: { customerId: conv.customer_id, frame } };
}

/** The stream's view of a message just stored. */
function chatMessage(
  input: MessageFields,
  mid: string,
  body: ChatMessage['body'],
  persona: ChatMessage['persona'],
): ChatMessage {
  const message: ChatMessage = {
    mid,
    conversation_id: input.conversation.id,
    direction: input.direction,
    created_at: input.now,
    body,
    tag: input.tag ?? null,
    persona,
  };
  if (input.notificationCategory) message.notification_category = input.notificationCategory;
  if (input.awaitsAnswer) message.awaits_answer = true;
  if (input.messagingType === SYSTEM_LINE_TYPE) message.system = true;
  return message;
}

/**
 * After commit, for each entry in order: its persisted frame with its cursor for live streams,
 * then the new webhook work of each app that got a row.
 */
function announce(bus: Bus, planned: readonly Planned[], outcomes: readonly AppendOutcome[]): void {
  for (let i = 0; i < planned.length; i++) {
    const frame = planned[i]?.frame;
    const outcome = outcomes[i] as AppendOutcome;
    if (frame != null && outcome.seq !== null) {
      const persisted = { ...frame.frame, cursor: outcome.seq } as ServerFrame;
      bus.publish({ name: 'customer.frame', customerId: frame.customerId, frame: persisted });
    }
    for (const appId of outcome.apps) bus.publish({ name: 'webhook.enqueued', appId });
  }
}
