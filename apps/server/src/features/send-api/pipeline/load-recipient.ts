/**
 * Step 2 — the recipient. A PSID is looked up only within the token's page, so another
 * page's PSID answers 100/2018001 exactly like an unknown one. A customer who deleted their
 * account or blocked the business answers 551.
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../../storage/schema.js';
import { findRecipientByPsid, type RecipientRow } from '../../conversations/store.js';

export async function loadRecipient(db: Kysely<Database>, pageId: string, psid: string): Promise<RecipientRow> {
  const conv = await findRecipientByPsid(db, pageId, psid);
  if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
  if (conv.blocked_reason !== null) throw new PlatformError('USER_UNAVAILABLE');
  return conv;
}

/** `persona_id` must name a live persona of this page (another page's persona looks unknown). */
export async function assertPersona(db: Kysely<Database>, pageId: string, personaId: string | undefined): Promise<void> {
  if (personaId === undefined) return;
  const row = await db
    .selectFrom('personas')
    .select('id')
    .where('id', '=', personaId)
    .where('page_id', '=', pageId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined)
    throw new PlatformError('INVALID_PARAMETER', { message: 'param persona_id does not match a persona of this page', detail: { param: 'persona_id' } });
}
