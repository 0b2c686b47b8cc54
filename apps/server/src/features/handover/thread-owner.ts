/**
 * Who controls a thread. The page's first app is its Primary Receiver; a null
 * `thread_owner_app_id` means the primary owns the thread. Other apps of the page and the
 * built-in page inbox (human agents) are Secondary Receivers.
 */
import { CONSENT_TAGS, PAGE_INBOX_APP_ID, PlatformError, type MessageTag } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

export { PAGE_INBOX_APP_ID };

/** The page's Primary Receiver: its oldest app. */
export async function primaryAppId(db: Kysely<Database>, pageId: string): Promise<string> {
  const row = await db
    .selectFrom('apps')
    .select('id')
    .where('page_id', '=', pageId)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A conversation as thread ownership needs it; `primary_app_id` saves a query when the caller loaded it already. */
export interface OwnedThread {
  page_id: string;
  thread_owner_app_id: string | null;
  primary_app_id?: string | null;
}

/** The app that controls the conversation now. */
export async function currentOwner(db: Kysely<Database>, conv: OwnedThread): Promise<string> {
  return conv.thread_owner_app_id ?? conv.primary_app_id ?? primaryAppId(db, conv.page_id);
}

/** Every receiver of the page: its apps plus the page inbox. */
export async function receiverIds(db: Kysely<Database>, pageId: string): Promise<string[]> {
  const apps = await db
    .selectFrom('apps')
    .select('id')
    .where('page_id', '=', pageId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return [...apps.map((a) => a.id), PAGE_INBOX_APP_ID];
}

/**
 * Send API step: only the thread owner may message the customer.
 * @throws PlatformError `NOT_THREAD_OWNER` (2018300) when another app controls the thread.
 */
export async function assertThreadOwner(db: Kysely<Database>, conv: OwnedThread, appId: string): Promise<void> {
  if ((await currentOwner(db, conv)) !== appId) throw new PlatformError('NOT_THREAD_OWNER');
}

/** What the thread-owner step needs to know about a send. */
export interface OwnerCheckedSend {
  kind: 'message' | 'action';
  messagingType?: string;
  tag?: MessageTag | undefined;
  category?: string | undefined;
}

/**
 * The one exception to thread control: a consented proactive update (a MESSAGE_TAG send
 * under a consent tag naming the notification category the customer allowed, or a
 * utility template send, whose template declares its category; the consent step right
 * after enforces the consent itself) reaches the customer even while
 * another receiver, such as a human agent in the page inbox, holds the thread. Anything
 * else, replies included, still needs the thread (docs/platform-api.md, "Handover").
 */
export function isConsentedProactiveUpdate(send: OwnerCheckedSend): boolean {
  if (send.kind !== 'message' || send.category === undefined) return false;
  if (send.messagingType === 'UTILITY') return true;
  return send.messagingType === 'MESSAGE_TAG' && send.tag !== undefined && CONSENT_TAGS.includes(send.tag);
}

/**
 * Send API step: the thread owner may message the customer; other apps of the page only
 * with a consented proactive update ({@link isConsentedProactiveUpdate}). Answers at once (no
 * promise) when the owner is known from the row, as it is for every Send API recipient.
 * @throws PlatformError `NOT_THREAD_OWNER` (2018300) otherwise (as a rejected promise).
 */
export function assertMaySend(
  db: Kysely<Database>,
  conv: OwnedThread,
  appId: string,
  send: OwnerCheckedSend,
): Promise<void> | undefined {
  if (isConsentedProactiveUpdate(send)) return undefined;
  const known = conv.thread_owner_app_id ?? conv.primary_app_id;
  if (known === null || known === undefined) return assertThreadOwner(db, conv, appId);
  return known === appId ? undefined : Promise.reject(new PlatformError('NOT_THREAD_OWNER'));
}
