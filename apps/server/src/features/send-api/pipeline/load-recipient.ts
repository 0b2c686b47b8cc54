/**
 * Step 2 — the recipient. A PSID is looked up only within the token's page, so another
 * page's PSID answers 100/2018001 exactly like an unknown one. A customer who deleted their
 * account or blocked the business answers 551.
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../../../storage/schema.js';
import type { ReadAheadSource, WriteTx } from '../../../storage/write-queue.js';
import { findRecipientByPsid, findRecipientsByPsids, type RecipientRow } from '../../conversations/index.js';

export interface RecipientKey {
  pageId: string;
  psid: string;
}

/**
 * The recipients of a transaction's Send API jobs, read in one statement (each row kept under
 * its own page and PSID: a key of another page finds none). A message job changes none of
 * what it reads (it moves `last_message_at`, which no step reads), as the read-ahead contract
 * requires (storage/write-queue.ts). With a set-based batch, the apps of the pages are read
 * for its routing at the same time (timeline-batch.ts `readRoutes`: on the SQLite writer
 * thread, in the same message).
 */
export const recipientsAhead: ReadAheadSource<RecipientKey> = {
  id: (key) => `${key.pageId}\u0000${key.psid}`,
  async load(db, keys, batch) {
    const pageIds = [...new Set(keys.map((key) => key.pageId))];
    const routes = await batch?.readRoutes(db, pageIds);
    const found = await findRecipientsByPsids(
      db,
      pageIds,
      keys.map((key) => key.psid),
    );
    await routes?.answered;
    const rows = new Map<string, unknown>();
    for (const row of found) rows.set(recipientsAhead.id({ pageId: row.page_id, psid: row.psid }), row);
    return rows;
  },
};

/** The recipient, from the transaction's read-ahead (`recipientsAhead`) when it has one. */
export async function loadRecipient(
  db: Kysely<Database>,
  pageId: string,
  psid: string,
  ahead?: WriteTx['ahead'],
): Promise<RecipientRow> {
  return ahead !== undefined ? recipientAhead(ahead) : usable(await findRecipientByPsid(db, pageId, psid));
}

/** The recipient the transaction's read-ahead found (`recipientsAhead`), without a promise. */
export function recipientAhead(ahead: NonNullable<WriteTx['ahead']>): RecipientRow {
  return usable(ahead.row as RecipientRow | undefined);
}

function usable(conv: RecipientRow | undefined): RecipientRow {
  if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
  if (conv.blocked_reason !== null) throw new PlatformError('USER_UNAVAILABLE');
  return conv;
}

/** `persona_id` must name a live persona of this page (another page's persona looks unknown). */
export async function assertPersona(
  db: Kysely<Database>,
  pageId: string,
  personaId: string | undefined,
): Promise<void> {
  if (personaId === undefined) return;
  const row = await db
    .selectFrom('personas')
    .select('id')
    .where('id', '=', personaId)
    .where('page_id', '=', pageId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined)
    throw new PlatformError('INVALID_PARAMETER', {
      message: 'param persona_id does not match a persona of this page',
      detail: { param: 'persona_id' },
    });
}
