/**
 * Contacts per case, counted: every push and text the ladder actually sends about a business
 * message is a row (escalation_contacts), and a step goes out only while the contacts made so far
 * (the in-app message, then those rows) stay under the policy's max_contacts. The pushes of one
 * case to the customer's several devices are one contact (they are one notification, and a newer
 * one replaces it by topic); every text is one.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';

export type ContactChannel = 'push' | 'sms';

/** The push contact's step: one per case, however many devices it reached. */
export const PUSH_STEP = 'push';

export interface CaseContact {
  mid: string;
  conversationId: string;
  customerId: string;
  channel: ContactChannel;
  step: string;
}

/** Contacts made about the case so far, the in-app message included. */
export async function contactsMade(db: Kysely<Database>, mid: string): Promise<number> {
  const row = await db
    .selectFrom('escalation_contacts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('message_mid', '=', mid)
    .executeTakeFirstOrThrow();
  return 1 + Number(row.n);
}

/**
 * Whether the step may go out under `maxContacts`: a step already counted (another device of the
 * same push) may; a new one only while it stays within the limit.
 */
export async function mayContact(
  db: Kysely<Database>,
  contact: Pick<CaseContact, 'mid' | 'channel' | 'step'>,
  maxContacts: number,
): Promise<boolean> {
  const counted = await db
    .selectFrom('escalation_contacts')
    .select('at')
    .where('message_mid', '=', contact.mid)
    .where('channel', '=', contact.channel)
    .where('step', '=', contact.step)
    .executeTakeFirst();
  if (counted !== undefined) return true;
  return (await contactsMade(db, contact.mid)) < maxContacts;
}

/** Records a contact that was sent (in the transaction that records its outcome); once per step. */
export async function recordContact(tx: WriteTx, contact: CaseContact, at: number): Promise<void> {
  await tx.db
    .insertInto('escalation_contacts')
    .values({
      message_mid: contact.mid,
      conversation_id: contact.conversationId,
      customer_id: contact.customerId,
      channel: contact.channel,
      step: contact.step,
      at,
    })
    .onConflict((oc) => oc.columns(['message_mid', 'channel', 'step']).doNothing())
    .execute();
}
