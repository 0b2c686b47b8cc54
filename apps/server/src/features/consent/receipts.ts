/**
 * Consent receipts: a compact JWS (ES256) per grant, change or renewal, signed with the
 * hub's key and verifiable by anyone against `/.well-known/jwks.json`. The customer is
 * referenced by the PSID of that page, never by a global id. Each receipt also names the
 * newest signed checkpoint of the audit log (`audit_checkpoint`), so a customer holding it
 * can later show that the log was truncated or rewritten (`confide audit verify --receipt`).
 */
import type { Kysely } from 'kysely';
import type { SigningKeys } from '../../crypto/signing-keys.js';
import { newId } from '../../crypto/tokens.js';
import type { Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { CONSENT_PURPOSES } from './categories.js';

/** JWS `typ` header of a receipt. */
export const RECEIPT_TYPE = 'consent-receipt+jwt';

export interface IssueReceiptInput {
  issuer: string;
  entryId: string;
  customerId: string;
  pageId: string;
  psid: string;
  categories: readonly string[];
  grantedAt: number;
  expiresAt: number;
  now: number;
}

/** The claims of a receipt (times in epoch milliseconds, like the rest of the API). */
export interface ReceiptClaims {
  iss: string;
  sub: string;
  jti: string;
  iat: number;
  page_id: string;
  categories: string[];
  purposes: string[];
  granted_at: number;
  expires_at: number;
  ledger_entry_id: string;
  third_party_disclosure: false;
  /** The audit log's newest signed checkpoint head when the receipt was issued (absent before the first checkpoint). */
  audit_checkpoint?: { seq: number; hash: string };
}

/** Signs and stores a receipt inside the caller's transaction; returns its id. */
export async function issueReceipt(tx: WriteTx, keys: SigningKeys, input: IssueReceiptInput): Promise<string> {
  const id = newId('rcpt', 12);
  const claims: ReceiptClaims = {
    iss: input.issuer,
    sub: input.psid,
    jti: id,
    iat: Math.floor(input.now / 1000),
    page_id: input.pageId,
    categories: [...input.categories],
    purposes: [...CONSENT_PURPOSES],
    granted_at: input.grantedAt,
    expires_at: input.expiresAt,
    ledger_entry_id: input.entryId,
    third_party_disclosure: false,
  };
  const checkpoint = await tx.db
    .selectFrom('audit_checkpoints')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (checkpoint !== undefined) claims.audit_checkpoint = { seq: Number(checkpoint.seq), hash: checkpoint.hash };
  const jws = await keys.sign({ ...claims }, RECEIPT_TYPE);
  await tx.db
    .insertInto('consent_receipts')
    .values({
      id,
      ledger_entry_id: input.entryId,
      customer_id: input.customerId,
      page_id: input.pageId,
      categories: JSON.stringify(input.categories),
      issued_at: input.now,
      jws,
    })
    .execute();
  return id;
}

/** Receipts of one customer (optionally one page), newest first. */
export function receiptsOfCustomer(db: Kysely<Database>, customerId: string) {
  return db
    .selectFrom('consent_receipts')
    .select(['id', 'page_id', 'issued_at', 'categories', 'ledger_entry_id'])
    .where('customer_id', '=', customerId)
    .orderBy('issued_at', 'desc')
    .orderBy('id')
    .execute();
}

/** One receipt, only if it belongs to the customer. */
export function findReceiptOfCustomer(db: Kysely<Database>, customerId: string, receiptId: string) {
  return db
    .selectFrom('consent_receipts')
    .selectAll()
    .where('id', '=', receiptId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
}
