/**
 * Answers to a business's questions. A proactive update (a MESSAGE_TAG send under a
 * consent category) that carries postback buttons "awaits an answer"; when the customer
 * taps one of its buttons, the app names the message (`postback.message_mid`) and the
 * hub remembers which button was used first (other messages' buttons are checked but not
 * remembered: they stay usable). The app then shows the answer in place of the buttons, and the chat list marks conversations with questions still open. A later
 * tap on the same message is still delivered (the business answers it with its outcome);
 * only the first is remembered.
 *
 * The business closes a question it no longer needs answered (the case expired, or was
 * answered on another channel) by sending a message that replies to it (`reply_to`): the
 * app then says so in place of the buttons and the question stops counting as open.
 */
import { PlatformError, type AnsweredPostback, type MessageBody, type OutgoingMessage } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import type { MessageRow } from './store.js';

interface ButtonLike {
  type?: unknown;
  title?: unknown;
  payload?: unknown;
}

/** The buttons of a button or generic template, in display order (generic: element by element). */
export function templateButtons(body: Pick<MessageBody, 'attachment'> | OutgoingMessage): ButtonLike[] {
  const attachment = body.attachment as { type?: string; payload?: Record<string, unknown> } | undefined;
  if (attachment?.type !== 'template' || attachment.payload === undefined) return [];
  const payload = attachment.payload;
  const kind = payload['template_type'];
  if ((kind === 'button' || kind === 'utility') && Array.isArray(payload['buttons']))
    return payload['buttons'] as ButtonLike[];
  if (payload['template_type'] === 'generic' && Array.isArray(payload['elements'])) {
    return (payload['elements'] as { buttons?: ButtonLike[] }[]).flatMap((e) => e.buttons ?? []);
  }
  return [];
}

/**
 * Whether a business message awaits an answer: a consented proactive update (a tagged send
 * naming its category, or a utility template, which always has one) with postback buttons.
 */
export function awaitsAnswer(
  message: OutgoingMessage,
  send: { messagingType: string; category: string | undefined },
): boolean {
  const proactive = send.messagingType === 'MESSAGE_TAG' || send.messagingType === 'UTILITY';
  return proactive && send.category !== undefined && templateButtons(message).some((b) => b.type === 'postback');
}

/**
 * Ties a customer's postback to the message whose button was tapped, inside the send's
 * transaction: the message must be the business's, in this conversation, with a postback
 * button of exactly this title and payload. Records the first answer.
 * @throws PlatformError `BAD_REQUEST` when the message has no such button; `NOT_FOUND` for an unknown message.
 */
export async function recordAnswer(
  tx: WriteTx,
  input: {
    conversationId: string;
    customerId: string;
    messageMid: string;
    title: string;
    payload: string;
    now: number;
  },
): Promise<void> {
  const row = await tx.db
    .selectFrom('messages')
    .select(['id', 'body', 'direction', 'awaits_answer', 'answered_button', 'closed_at'])
    .where('mid', '=', input.messageMid)
    .where('conversation_id', '=', input.conversationId)
    .executeTakeFirst();
  if (row === undefined || row.direction !== 'out')
    throw new PlatformError('NOT_FOUND', { message: 'postback.message_mid: no such message in this conversation.' });
  const body = await tx.vault.openMessage(
    { purpose: 'deliver_to_customer', actor: `customer:${input.customerId}` },
    input.customerId,
    row.body,
  );
  const index = templateButtons(body).findIndex(
    (b) => b.type === 'postback' && b.title === input.title && b.payload === input.payload,
  );
  if (index < 0) throw new PlatformError('BAD_REQUEST', { message: 'postback: that message has no such button.' });
  if (row.awaits_answer !== 1 || row.answered_button !== null || row.closed_at !== null) return;
  await tx.db
    .updateTable('messages')
    .set({ answered_button: index, answered_at: input.now })
    .where('id', '=', row.id)
    .where('answered_button', 'is', null)
    .execute();
}

/** Send API step: a business message replying to one of its open questions closes it. */
export async function closeQuestion(
  tx: WriteTx,
  input: { conversationId: string; mid: string; now: number },
): Promise<void> {
  await tx.db
    .updateTable('messages')
    .set({ closed_at: input.now })
    .where('conversation_id', '=', input.conversationId)
    .where('mid', '=', input.mid)
    .where('direction', '=', 'out')
    .where('awaits_answer', '=', 1)
    .where('answered_button', 'is', null)
    .where('closed_at', 'is', null)
    .execute();
}

/** The answered button of a stored message, as the customer API shows it. */
export function answeredPostback(
  row: Pick<MessageRow, 'answered_button' | 'answered_at'>,
  body: MessageBody,
): AnsweredPostback | null {
  if (row.answered_button === null || row.answered_at === null) return null;
  const button = templateButtons(body)[Number(row.answered_button)];
  if (button === undefined || typeof button.title !== 'string' || typeof button.payload !== 'string') return null;
  return { title: button.title, payload: button.payload, answered_at: Number(row.answered_at) };
}

/** Per conversation of a customer: how many questions still await an answer. */
export async function awaitingAnswers(db: Kysely<Database>, customerId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.conversation_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('c.customer_id', '=', customerId)
    .where('m.awaits_answer', '=', 1)
    .where('m.answered_button', 'is', null)
    .where('m.closed_at', 'is', null)
    .groupBy('m.conversation_id')
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]));
}
