/**
 * The consent operations, each inside the caller's write transaction so they compose
 * with linking and unlinking: grant or change, renew, revoke, expire. A grant whose
 * expiry has passed but was not yet recorded is first recorded as `expired`, so the
 * ledger tells the true story.
 */
import { PlatformError } from '@confide/protocol';
import type { SigningKeys } from '../../crypto/signing-keys.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { DAY_MS, MAX_DURATION_DAYS, normalizeCategories } from './categories.js';
import {
  appendLedgerEntry,
  findConsentState,
  type ConsentState,
  type LedgerEvent,
  type LedgerSource,
} from './ledger.js';
import { issueReceipt } from './receipts.js';

/** Who and where: the conversation's customer, page and PSID (the receipt's subject). */
export interface ConsentParty {
  customer_id: string;
  page_id: string;
  psid: string;
}

export interface GrantResult {
  entryId: string;
  event: LedgerEvent;
  receiptId: string;
  categories: string[];
  grantedAt: number;
  expiresAt: number;
}

interface Signing {
  keys: SigningKeys;
  issuer: string;
}

/** Expiry of a grant made at `now` for `durationDays` (capped at 365 days). */
export function expiryOf(now: number, durationDays: number): number {
  if (!Number.isInteger(durationDays) || durationDays < 1 || durationDays > MAX_DURATION_DAYS) {
    throw new PlatformError('BAD_REQUEST', { message: `duration_days must be 1 to ${MAX_DURATION_DAYS}` });
  }
  return now + durationDays * DAY_MS;
}

/** Grants `categories` (a `granted` entry, or `changed` when a grant is active) and issues a receipt. */
export async function grantInTx(
  tx: WriteTx,
  signing: Signing,
  input: {
    party: ConsentParty;
    categories: readonly string[];
    durationDays: number;
    source: LedgerSource;
    now: number;
  },
): Promise<GrantResult> {
  const { party, now } = input;
  const categories = normalizeCategories(input.categories);
  if (categories.length === 0) throw new Error('grantInTx needs at least one category; revoke instead');
  const expiresAt = expiryOf(now, input.durationDays);
  const prev = await settleExpiry(tx, party, now);
  const event: LedgerEvent = prev?.status === 'active' ? 'changed' : 'granted';
  return record(tx, signing, { party, event, categories, expiresAt, source: input.source, now });
}

/** Renews the current (active or expired) grant for its categories that are still declared. */
export async function renewInTx(
  tx: WriteTx,
  signing: Signing,
  input: { party: ConsentParty; declared: readonly string[]; durationDays: number; source: LedgerSource; now: number },
): Promise<GrantResult> {
  const { party, now } = input;
  const expiresAt = expiryOf(now, input.durationDays);
  const prev = await settleExpiry(tx, party, now);
  const held = prev === undefined || prev.status === 'revoked' ? [] : (JSON.parse(prev.categories) as string[]);
  const categories = normalizeCategories(held.filter((c) => input.declared.includes(c)));
  if (categories.length === 0)
    throw new PlatformError('BAD_REQUEST', { message: 'There is no consent to renew; grant one instead.' });
  return record(tx, signing, { party, event: 'renewed', categories, expiresAt, source: input.source, now });
}

/** Revokes an active or expired grant; false when there was nothing to revoke. Effective for the very next send. */
export async function revokeInTx(
  tx: WriteTx,
  input: { party: Omit<ConsentParty, 'psid'>; source: LedgerSource; now: number },
): Promise<boolean> {
  const prev = await findConsentState(tx.db, input.party.customer_id, input.party.page_id);
  if (prev === undefined || prev.status === 'revoked') return false;
  await appendLedgerEntry(tx, {
    customerId: input.party.customer_id,
    pageId: input.party.page_id,
    event: 'revoked',
    categories: JSON.parse(prev.categories) as string[],
    grantedAt: prev.granted_at,
    expiresAt: prev.expires_at,
    source: input.source,
    now: input.now,
  });
  return true;
}

/** Records `expired` for every active grant whose expiry has passed (optionally one customer's); returns how many. */
export async function expireDueInTx(tx: WriteTx, now: number, customerId?: string): Promise<number> {
  let q = tx.db.selectFrom('consent_state').selectAll().where('status', '=', 'active').where('expires_at', '<=', now);
  if (customerId !== undefined) q = q.where('customer_id', '=', customerId);
  const due = await q.orderBy('customer_id').orderBy('page_id').execute();
  for (const state of due) await appendExpired(tx, state, now);
  return due.length;
}

/** The current state, after recording `expired` if an active grant has lapsed. */
async function settleExpiry(
  tx: WriteTx,
  party: Omit<ConsentParty, 'psid'>,
  now: number,
): Promise<ConsentState | undefined> {
  const prev = await findConsentState(tx.db, party.customer_id, party.page_id);
  if (prev?.status !== 'active' || prev.expires_at === null || prev.expires_at > now) return prev;
  await appendExpired(tx, prev, now);
  return { ...prev, status: 'expired' };
}

async function appendExpired(tx: WriteTx, state: ConsentState, now: number): Promise<void> {
  await appendLedgerEntry(tx, {
    customerId: state.customer_id,
    pageId: state.page_id,
    event: 'expired',
    categories: JSON.parse(state.categories) as string[],
    grantedAt: state.granted_at,
    expiresAt: state.expires_at,
    source: 'system',
    now,
  });
}

async function record(
  tx: WriteTx,
  signing: Signing,
  input: {
    party: ConsentParty;
    event: LedgerEvent;
    categories: string[];
    expiresAt: number;
    source: LedgerSource;
    now: number;
  },
): Promise<GrantResult> {
  const { party, categories, expiresAt, now } = input;
  const entryId = await appendLedgerEntry(tx, {
    customerId: party.customer_id,
    pageId: party.page_id,
    event: input.event,
    categories,
    grantedAt: now,
    expiresAt,
    source: input.source,
    now,
  });
  const receiptId = await issueReceipt(tx, signing.keys, {
    issuer: signing.issuer,
    entryId,
    customerId: party.customer_id,
    pageId: party.page_id,
    psid: party.psid,
    categories,
    grantedAt: now,
    expiresAt,
    now,
  });
  return { entryId, event: input.event, receiptId, categories, grantedAt: now, expiresAt };
}
