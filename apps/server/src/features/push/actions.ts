/**
 * Notification buttons that answer a question ("It was me" / "Not me" on a fraud alert)
 * without opening Confide. The push carries the question's postback buttons as actions and
 * a token that is short-lived (the push's TTL), single-use and bound to that one question
 * of that customer; only its hash is stored. Pressing a button posts the token and the
 * button to `POST /api/push/answer`, which answers through the same operation as the chat's
 * buttons: a customer postback naming the question (`postback.message_mid`).
 *
 * Button titles travel in the push, so only plain short words qualify (letters, spaces and
 * light punctuation, at most 20 characters: no digits, no currency): a question whose
 * buttons say more gets no actions, and the customer answers in the app.
 */
import { PlatformError, type MessageBody } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { randomSecret, sha256Hex } from '../../crypto/tokens.js';
import { templateButtons, type Conversations } from '../conversations/index.js';
import type { WriteTx } from '../../storage/write-queue.js';

/** Notifications show two actions on most platforms. */
const MAX_ACTIONS = 2;
const PLAIN_TITLE = /^[\p{L}][\p{L} ',.!?-]{0,19}$/u;

export interface PushAction {
  /** `b<index>`: the button's position in the message. */
  action: string;
  title: string;
}

/** The actions of a question's postback buttons, or null when they cannot travel in a push. */
export function pushActions(body: MessageBody): PushAction[] | null {
  const actions = templateButtons(body).flatMap((b, index) =>
    b.type === 'postback' && typeof b.title === 'string' ? [{ action: `b${index}`, title: b.title }] : [],
  );
  if (actions.length === 0 || actions.length > MAX_ACTIONS || !actions.every((a) => PLAIN_TITLE.test(a.title)))
    return null;
  return actions;
}

/** Mints the token of one push's actions. */
export async function mintActionToken(
  tx: WriteTx,
  input: { customerId: string; conversationId: string; mid: string; expiresAt: number },
): Promise<string> {
  const token = randomSecret(32);
  await tx.db
    .insertInto('push_action_tokens')
    .values({
      token_hash: sha256Hex(token),
      customer_id: input.customerId,
      conversation_id: input.conversationId,
      message_mid: input.mid,
      expires_at: input.expiresAt,
      used_at: null,
    })
    .execute();
  return token;
}

export class PushAnswers {
  readonly #ctx: HubContext;
  readonly #conversations: Conversations;

  constructor(ctx: HubContext, conversations: Conversations) {
    this.#ctx = ctx;
    this.#conversations = conversations;
  }

  /**
   * Answers the question with button `button`, on the authority of `token`.
   * @throws PlatformError `FORBIDDEN` for a token that is unknown, used, expired or for
   *   another question; `BAD_REQUEST` for a button that is not one of the question's postbacks.
   *   Nothing changes when refused.
   */
  async answer(input: { token: string; messageMid: string; button: number }): Promise<{ conversation_id: string }> {
    const hash = sha256Hex(input.token);
    const now = this.#ctx.now();
    const claim = await this.#ctx.storage.writes.run(async (tx) => {
      const row = await tx.db
        .selectFrom('push_action_tokens')
        .selectAll()
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      if (row === undefined) throw refused('That answer is not valid. Open Confide to answer.');
      if (row.used_at !== null) throw refused('That notification was already answered.');
      if (Number(row.expires_at) <= now) throw refused('That notification has expired. Open Confide to answer.');
      if (row.message_mid !== input.messageMid) throw refused('That answer is for another question.');
      const message = await tx.db
        .selectFrom('messages')
        .select(['body', 'direction'])
        .where('mid', '=', row.message_mid)
        .where('conversation_id', '=', row.conversation_id)
        .executeTakeFirst();
      if (message === undefined || message.direction !== 'out') throw refused('That question no longer exists.');
      const body = await tx.vault.openMessage(
        { purpose: 'deliver_to_customer', actor: `customer:${row.customer_id}` },
        row.customer_id,
        message.body,
      );
      const button = templateButtons(body)[input.button];
      if (button?.type !== 'postback' || typeof button.title !== 'string' || typeof button.payload !== 'string') {
        throw new PlatformError('BAD_REQUEST', { message: 'button: that question has no such button.' });
      }
      const taken = await tx.db
        .updateTable('push_action_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) throw refused('That notification was already answered.');
      return {
        customerId: row.customer_id,
        conversationId: row.conversation_id,
        title: button.title,
        payload: button.payload,
      };
    });
    try {
      await this.#conversations.send(claim.customerId, claim.conversationId, {
        postback: { title: claim.title, payload: claim.payload, message_mid: input.messageMid },
      });
    } catch (err) {
      // Not answered after all: the token stays usable.
      await this.#ctx.storage.writes.run((tx) =>
        tx.db.updateTable('push_action_tokens').set({ used_at: null }).where('token_hash', '=', hash).execute(),
      );
      throw err;
    }
    return { conversation_id: claim.conversationId };
  }
}

const refused = (message: string) => new PlatformError('FORBIDDEN', { message });
