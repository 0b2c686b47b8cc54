/**
 * Expiry reminders and the customer's answers. Some days before a grant lapses the hub
 * posts a message with "Renew" / "Let it expire" quick replies whose payloads carry the
 * reserved prefix; `handleReservedPayload` intercepts those answers in the customer's
 * send path so they never reach the business.
 */
import { PlatformError, type ChatMessage, type MessageBody } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import { DAY_MS, DEFAULT_DURATION_DAYS } from './categories.js';
import { listDeclarations } from './declarations.js';
import { renewInTx, type ConsentParty } from './grants.js';
import { postHubMessage, RESERVED_PAYLOAD_PREFIX } from './hub-message.js';
import type { WriteTx } from '../../storage/write-queue.js';

export const RENEW_PAYLOAD = `${RESERVED_PAYLOAD_PREFIX}RENEW`;
export const LET_EXPIRE_PAYLOAD = `${RESERVED_PAYLOAD_PREFIX}LET_EXPIRE`;

/** Reminder lead time when the configuration does not say. */
export const DEFAULT_REMINDER_DAYS = 14;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Posts a reminder for every active grant expiring within `leadDays` that has not had one; returns how many. */
export async function sendDueReminders(ctx: HubContext, now: number, leadDays: number): Promise<number> {
  const due = await ctx.storage.db
    .selectFrom('consent_state as s')
    .innerJoin('conversations as c', (j) => j.onRef('c.customer_id', '=', 's.customer_id').onRef('c.page_id', '=', 's.page_id'))
    .innerJoin('pages as p', 'p.id', 's.page_id')
    .leftJoin('consent_reminders as r', (j) =>
      j.onRef('r.customer_id', '=', 's.customer_id').onRef('r.page_id', '=', 's.page_id').onRef('r.expires_at', '=', 's.expires_at'),
    )
    .select(['s.customer_id', 's.page_id', 's.expires_at', 's.categories', 'c.id as conversation_id', 'p.name'])
    .where('s.status', '=', 'active')
    .where('s.expires_at', '>', now)
    .where('s.expires_at', '<=', now + leadDays * DAY_MS)
    .where('r.sent_at', 'is', null)
    .execute();
  let sent = 0;
  for (const row of due) {
    const expiresAt = row.expires_at as number;
    const posted = await ctx.storage.writes.run(async (tx) => {
      // The key makes a reminder once-only, even with several hub processes sweeping.
      const inserted = await tx.db
        .insertInto('consent_reminders')
        .values({ customer_id: row.customer_id, page_id: row.page_id, expires_at: expiresAt, sent_at: now })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) return false;
      const categories = (JSON.parse(row.categories) as string[]).join(', ').replaceAll('_', ' ');
      await postHubMessage(tx, ctx.bus, {
        conversation: { id: row.conversation_id, customer_id: row.customer_id },
        direction: 'out',
        body: {
          text: `Confide: you allowed ${row.name} to send you ${categories}. This ends on ${day(expiresAt)}. Renew for another ${DEFAULT_DURATION_DAYS} days?`,
          quick_replies: [
            { content_type: 'text', title: 'Renew', payload: RENEW_PAYLOAD },
            { content_type: 'text', title: 'Let it expire', payload: LET_EXPIRE_PAYLOAD },
          ],
        },
        now,
      });
      return true;
    });
    if (posted) sent += 1;
  }
  return sent;
}

/**
 * Handles a customer message whose quick-reply or postback payload carries the reserved
 * prefix: records it in the chat without forwarding it, acts on it and answers.
 * Returns undefined for any other message (the caller records it normally).
 */
export async function handleReservedPayload(
  tx: WriteTx,
  ctx: HubContext,
  input: { conversation: ConsentParty & { id: string }; body: MessageBody; now: number },
): Promise<ChatMessage | undefined> {
  const payload = input.body.quick_reply?.payload ?? input.body.postback?.payload;
  if (payload === undefined || !payload.startsWith(RESERVED_PAYLOAD_PREFIX)) return undefined;
  const { conversation: conv, now } = input;
  const answer = await postHubMessage(tx, ctx.bus, { conversation: conv, direction: 'in', body: input.body, now });
  let reply: string | undefined;
  if (payload === RENEW_PAYLOAD) reply = await renewFromChat(tx, ctx, conv, now);
  else if (payload === LET_EXPIRE_PAYLOAD) reply = 'Confide: understood. Nothing changes until the end date; after it, these updates stop.';
  if (reply !== undefined) await postHubMessage(tx, ctx.bus, { conversation: conv, direction: 'out', body: { text: reply }, now });
  return answer;
}

async function renewFromChat(tx: WriteTx, ctx: HubContext, party: ConsentParty, now: number): Promise<string> {
  const keys = SigningKeys.of(ctx);
  if (!keys.isLoaded) throw new PlatformError('UNAVAILABLE');
  const declared = (await listDeclarations(tx.db, party.page_id)).map((d) => d.category);
  try {
    const result = await renewInTx(
      tx,
      { keys, issuer: ctx.config.publicUrl },
      { party, declared, durationDays: DEFAULT_DURATION_DAYS, source: 'reminder', now },
    );
    return `Confide: renewed until ${day(result.expiresAt)}. You can change or withdraw this any time in Privacy.`;
  } catch (err) {
    if (err instanceof PlatformError && err.key === 'BAD_REQUEST')
      return 'Confide: there is nothing to renew any more. You can allow updates again in Privacy.';
    throw err;
  }
}
