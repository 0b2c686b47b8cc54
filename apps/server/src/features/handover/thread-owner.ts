/**
 * Who controls a thread. The page's first app is its Primary Receiver; a null
 * `thread_owner_app_id` means the primary owns the thread. Other apps of the page and the
 * built-in page inbox (human agents) are Secondary Receivers.
 */
import { PAGE_INBOX_APP_ID, PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';

export { PAGE_INBOX_APP_ID };

/** The page's Primary Receiver: its oldest app. */
export async function primaryAppId(db: Kysely<Database>, pageId: string): Promise<string> {
  const row = await db.selectFrom('apps').select('id').where('page_id', '=', pageId).orderBy('created_at').orderBy('id').executeTakeFirstOrThrow();
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
  const apps = await db.selectFrom('apps').select('id').where('page_id', '=', pageId).orderBy('created_at').orderBy('id').execute();
  return [...apps.map((a) => a.id), PAGE_INBOX_APP_ID];
}

/**
 * Send API step: only the thread owner may message the customer.
 * @throws PlatformError `NOT_THREAD_OWNER` (2018300) when another app controls the thread.
 */
export async function assertThreadOwner(db: Kysely<Database>, conv: OwnedThread, appId: string): Promise<void> {
  if ((await currentOwner(db, conv)) !== appId) throw new PlatformError('NOT_THREAD_OWNER');
}
