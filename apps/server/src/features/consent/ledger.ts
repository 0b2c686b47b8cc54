/**
 * The append-only consent ledger and its current-state projection. `appendLedgerEntry`
 * is the only writer of both tables and runs inside the caller's write transaction, so
 * the projection can never disagree with the ledger; `replayLedger` rebuilds the
 * projection from the ledger alone (a test compares the two).
 */
import type { Kysely } from 'kysely';
import { newId } from '../../crypto/tokens.js';
import type { ConsentLedgerTable, ConsentStateTable, Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';

export const LEDGER_EVENTS = ['granted', 'changed', 'renewed', 'revoked', 'expired'] as const;
export type LedgerEvent = (typeof LEDGER_EVENTS)[number];

/**
 * Where an entry came from: the linking consent screen, the privacy center, an unlink,
 * the customer's answer to an expiry reminder, or the hub itself (expiry).
 */
export type LedgerSource = 'linking' | 'settings' | 'unlink' | 'reminder' | 'system';

export type LedgerEntry = Omit<ConsentLedgerTable, 'seq'> & { seq: number };
export type ConsentState = ConsentStateTable;

export interface NewLedgerEntry {
  customerId: string;
  pageId: string;
  event: LedgerEvent;
  categories: readonly string[];
  grantedAt: number | null;
  expiresAt: number | null;
  source: LedgerSource;
  now: number;
}

/** Appends one entry and updates the projection in the same transaction; returns the entry id. */
export async function appendLedgerEntry(tx: WriteTx, input: NewLedgerEntry): Promise<string> {
  const entry: Omit<LedgerEntry, 'seq'> = {
    id: newId('cle', 12),
    customer_id: input.customerId,
    page_id: input.pageId,
    event: input.event,
    categories: JSON.stringify(input.categories),
    granted_at: input.grantedAt,
    expires_at: input.expiresAt,
    source: input.source,
    created_at: input.now,
  };
  await tx.db.insertInto('consent_ledger').values(entry).execute();
  const next = applyEntry(entry);
  await tx.db
    .insertInto('consent_state')
    .values(next)
    .onConflict((oc) =>
      oc.columns(['customer_id', 'page_id']).doUpdateSet({
        status: next.status,
        categories: next.categories,
        granted_at: next.granted_at,
        expires_at: next.expires_at,
        last_entry_id: next.last_entry_id,
        updated_at: next.updated_at,
      }),
    )
    .execute();
  return entry.id;
}

/**
 * The state after an entry. Every entry is self-contained (it carries the grant it
 * concerns), so the state depends only on the latest entry of the pair.
 */
export function applyEntry(entry: Omit<LedgerEntry, 'seq'>): ConsentState {
  const base = {
    customer_id: entry.customer_id,
    page_id: entry.page_id,
    last_entry_id: entry.id,
    updated_at: entry.created_at,
  };
  switch (entry.event as LedgerEvent) {
    case 'granted':
    case 'changed':
    case 'renewed':
      return {
        ...base,
        status: 'active',
        categories: entry.categories,
        granted_at: entry.granted_at,
        expires_at: entry.expires_at,
      };
    case 'expired':
      return {
        ...base,
        status: 'expired',
        categories: entry.categories,
        granted_at: entry.granted_at,
        expires_at: entry.expires_at,
      };
    case 'revoked':
      return { ...base, status: 'revoked', categories: '[]', granted_at: null, expires_at: null };
    default:
      throw new Error(`Unknown ledger event ${entry.event}`);
  }
}

/** Rebuilds every (customer, page) state from the ledger, in append order. */
export async function replayLedger(db: Kysely<Database>): Promise<ConsentState[]> {
  const states = new Map<string, ConsentState>();
  const entries = await db.selectFrom('consent_ledger').selectAll().orderBy('seq').execute();
  for (const entry of entries) states.set(`${entry.customer_id}\u0000${entry.page_id}`, applyEntry(entry));
  return [...states.values()];
}

/** The stored projection for one (customer, page), if any entry exists. */
export function findConsentState(
  db: Kysely<Database>,
  customerId: string,
  pageId: string,
): Promise<ConsentState | undefined> {
  return db
    .selectFrom('consent_state')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('page_id', '=', pageId)
    .executeTakeFirst();
}

/** The customer's ledger, newest first. */
export function ledgerOfCustomer(db: Kysely<Database>, customerId: string, limit: number) {
  return db
    .selectFrom('consent_ledger as l')
    .leftJoin('pages as p', 'p.id', 'l.page_id')
    .select([
      'l.seq',
      'l.id',
      'l.page_id',
      'p.name as page_name',
      'l.event',
      'l.categories',
      'l.granted_at',
      'l.expires_at',
      'l.source',
      'l.created_at',
    ])
    .where('l.customer_id', '=', customerId)
    .orderBy('l.seq', 'desc')
    .limit(limit)
    .execute();
}
