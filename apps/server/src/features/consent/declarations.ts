/**
 * What a page declares it sends: one purpose text per category. Customers can only grant
 * declared categories, and the consent screen shows these purposes verbatim.
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import type { Database } from '../../storage/schema.js';
import { CONSENT_CATEGORIES, isConsentCategory, type ConsentCategory } from './categories.js';

export interface Declaration {
  category: ConsentCategory;
  purpose: string;
}

export interface DeclareCategoryInput {
  pageId: string;
  category: string;
  purpose: string;
}

/** Most characters of a purpose text. */
export const MAX_PURPOSE_LENGTH = 300;

/**
 * Declares (or re-words) one category for a page.
 * @throws PlatformError `INVALID_PARAMETER` for an unknown category or an empty/too long
 *   purpose; `NOT_FOUND` for an unknown page.
 */
export async function declareCategory(ctx: HubContext, input: DeclareCategoryInput): Promise<Declaration> {
  const { category } = input;
  const purpose = input.purpose.trim();
  if (!isConsentCategory(category)) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: `Unknown category ${category} (one of: ${CONSENT_CATEGORIES.join(', ')})`,
    });
  }
  if (purpose.length === 0 || purpose.length > MAX_PURPOSE_LENGTH) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: `The purpose must be 1 to ${MAX_PURPOSE_LENGTH} characters`,
    });
  }
  const now = ctx.now();
  await ctx.storage.writes.run(async ({ db }) => {
    const page = await db.selectFrom('pages').select('id').where('id', '=', input.pageId).executeTakeFirst();
    if (page === undefined) throw new PlatformError('NOT_FOUND', { message: `No page ${input.pageId}` });
    await db
      .insertInto('consent_declarations')
      .values({ page_id: input.pageId, category, purpose, declared_at: now })
      .onConflict((oc) => oc.columns(['page_id', 'category']).doUpdateSet({ purpose, declared_at: now }))
      .execute();
  });
  return { category, purpose };
}

/** A page's declarations, in the canonical category order. */
export async function listDeclarations(db: Kysely<Database>, pageId: string): Promise<Declaration[]> {
  const rows = await db
    .selectFrom('consent_declarations')
    .select(['category', 'purpose'])
    .where('page_id', '=', pageId)
    .execute();
  return sortDeclarations(rows);
}

/** Declarations of several pages at once, keyed by page id. */
export async function declarationsOfPages(
  db: Kysely<Database>,
  pageIds: string[],
): Promise<Map<string, Declaration[]>> {
  const out = new Map<string, Declaration[]>();
  if (pageIds.length === 0) return out;
  const rows = await db
    .selectFrom('consent_declarations')
    .select(['page_id', 'category', 'purpose'])
    .where('page_id', 'in', pageIds)
    .execute();
  for (const id of pageIds) out.set(id, sortDeclarations(rows.filter((r) => r.page_id === id)));
  return out;
}

function sortDeclarations(rows: Array<{ category: string; purpose: string }>): Declaration[] {
  const out: Declaration[] = [];
  for (const category of CONSENT_CATEGORIES) {
    const row = rows.find((r) => r.category === category);
    if (row !== undefined) out.push({ category, purpose: row.purpose });
  }
  return out;
}
