/**
 * Expiry reminders and the customer's answers. Some days before a grant lapses the hub
 * posts a message with "Renew" / "Let it expire" quick replies whose payloads carry the
 * reserved prefix and a random single-use token (`CONFIDE_CONSENT_RENEW:<token>`); only
 * the token's SHA-256 is stored, with the reminder row that names the customer, page and
 * grant (its expiry). `handleReservedPayload` intercepts every reserved answer in the
 * customer's send path so it never reaches the business, and acts only when the token
 * matches an unused reminder of this customer and page whose grant is still the current
 * one. Businesses cannot send reserved payloads at all (reserved-payloads.ts).
 */
import { PlatformError, type ChatMessage, type MessageBody } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { SigningKeys } from '../../crypto/signing-keys.js';
import { randomSecret, sha256Hex } from '../../crypto/tokens.js';
import { DAY_MS, DEFAULT_DURATION_DAYS } from './categories.js';
import { listDeclarations } from './declarations.js';
import { renewInTx, type ConsentParty } from './grants.js';
import { findConsentState } from './ledger.js';
import { postHubMessage, RESERVED_PAYLOAD_PREFIX } from './hub-message.js';
import type { WriteTx } from '../../storage/write-queue.js';

export const RENEW_PAYLOAD = `${RESERVED_PAYLOAD_PREFIX}RENEW`;
export const LET_EXPIRE_PAYLOAD = `${RESERVED_PAYLOAD_PREFIX}LET_EXPIRE`;

/** A reminder button's payload: the action and the reminder's token. */
export const reminderPayload = (action: typeof RENEW_PAYLOAD | typeof LET_EXPIRE_PAYLOAD, token: string) =>
  `${action}:${token}`;

/** Reminder lead time when the configuration does not say. */
export const DEFAULT_REMINDER_DAYS = 14;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Posts a reminder for every active grant expiring within `leadDays` that has not had one; returns how many. */
export async function sendDueReminders(ctx: HubContext, now: number, leadDays: number): Promise<number> {
  const due = await ctx.storage.db
    .selectFrom('consent_state as s')
    .innerJoin('conversations as c', (j) =>
      j.onRef('c.customer_id', '=', 's.customer_id').onRef('c.page_id', '=', 's.page_id'),
    )
    .innerJoin('pages as p', 'p.id', 's.page_id')
    .leftJoin('consent_reminders as r', (j) =>
      j
        .onRef('r.customer_id', '=', 's.customer_id')
        .onRef('r.page_id', '=', 's.page_id')
        .onRef('r.expires_at', '=', 's.expires_at'),
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
      const token = randomSecret(24);
      const inserted = await tx.db
        .insertInto('consent_reminders')
        .values({
          customer_id: row.customer_id,
          page_id: row.page_id,
          expires_at: expiresAt,
          sent_at: now,
          token_hash: sha256Hex(token),
        })
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
            { content_type: 'text', title: 'Renew', payload: reminderPayload(RENEW_PAYLOAD, token) },
            { content_type: 'text', title: 'Let it expire', payload: reminderPayload(LET_EXPIRE_PAYLOAD, token) },
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
  const [action, token] = payload.split(':', 2);
  const valid =
    token !== undefined &&
    (action === RENEW_PAYLOAD || action === LET_EXPIRE_PAYLOAD) &&
    (await spendReminderToken(tx, conv, token, now));
  let reply: string;
  if (!valid)
    reply = 'Confide: this button is not valid (any more). Nothing changed; you can manage what you allow in Privacy.';
  else if (action === RENEW_PAYLOAD) reply = await renewFromChat(tx, ctx, conv, now);
  else reply = 'Confide: understood. Nothing changes until the end date; after it, these updates stop.';
  await postHubMessage(tx, ctx.bus, { conversation: conv, direction: 'out', body: { text: reply }, now });
  return answer;
}

/**
 * Marks the reminder holding `token` used, when it belongs to this customer and page, was
 * not used before and its grant (the expiry it was sent for) is still the current one.
 * The conditional update makes the single use hold under concurrent taps.
 */
async function spendReminderToken(tx: WriteTx, party: ConsentParty, token: string, now: number): Promise<boolean> {
  const state = await findConsentState(tx.db, party.customer_id, party.page_id);
  if (state === undefined || state.status === 'revoked') return false;
  const spent = await tx.db
    .updateTable('consent_reminders')
    .set({ used_at: now })
    .where('customer_id', '=', party.customer_id)
    .where('page_id', '=', party.page_id)
    .where('expires_at', '=', state.expires_at)
    .where('token_hash', '=', sha256Hex(token))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return (spent.numUpdatedRows ?? 0n) > 0n;
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
