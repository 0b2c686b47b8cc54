/**
 * The customer's view of every business they talk to: link status, what the business
 * declares, the consent held and its receipts. Expiry is judged against `now`, so a
 * lapsed grant shows as expired even before the sweep records it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import { presentPage } from '../pages/pages.js';
import { declarationsOfPages } from './declarations.js';
import type { ConsentState } from './ledger.js';
import type { ConsentView, PrivacyBusiness } from './schemas.js';

/** The privacy entries of a customer, optionally only for one page. */
export async function privacyOverview(
  db: Kysely<Database>,
  customerId: string,
  now: number,
  pageId?: string,
): Promise<PrivacyBusiness[]> {
  let q = db
    .selectFrom('conversations as c')
    .innerJoin('pages as p', 'p.id', 'c.page_id')
    .leftJoin('account_links as l', 'l.conversation_id', 'c.id')
    .select([
      'c.id as conversation_id',
      'c.last_message_at',
      'p.id',
      'p.name',
      'p.category',
      'p.description',
      'p.privacy_policy_url',
      'l.linked_at',
    ])
    .where('c.customer_id', '=', customerId);
  if (pageId !== undefined) q = q.where('c.page_id', '=', pageId);
  const rows = await q.orderBy('p.name_lower').orderBy('p.id').execute();
  if (rows.length === 0) return [];
  const pageIds = rows.map((r) => r.id);
  const [states, declared, receipts] = await Promise.all([
    db
      .selectFrom('consent_state')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('page_id', 'in', pageIds)
      .execute(),
    declarationsOfPages(db, pageIds),
    db
      .selectFrom('consent_receipts')
      .select(['id', 'page_id', 'issued_at', 'categories'])
      .where('customer_id', '=', customerId)
      .where('page_id', 'in', pageIds)
      .orderBy('issued_at', 'desc')
      .orderBy('id')
      .execute(),
  ]);
  return rows.map((r) => ({
    page: presentPage(r),
    conversation_id: r.conversation_id,
    linked: r.linked_at !== null,
    linked_at: r.linked_at,
    declared: declared.get(r.id) ?? [],
    consent: presentConsent(
      states.find((s) => s.page_id === r.id),
      now,
    ),
    receipts: receipts
      .filter((x) => x.page_id === r.id)
      .map((x) => ({ id: x.id, issued_at: x.issued_at, categories: JSON.parse(x.categories) as string[] })),
  }));
}

/** The consent as the customer sees it at `now`. */
export function presentConsent(state: ConsentState | undefined, now: number): ConsentView {
  if (state === undefined) return { status: 'none', categories: [], granted_at: null, expires_at: null };
  const lapsed = state.status === 'active' && state.expires_at !== null && state.expires_at <= now;
  const status = lapsed ? 'expired' : (state.status as ConsentView['status']);
  return {
    status,
    categories: JSON.parse(state.categories) as string[],
    granted_at: state.granted_at,
    expires_at: state.expires_at,
  };
}
