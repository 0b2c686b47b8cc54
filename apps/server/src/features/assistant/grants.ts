/**
 * What a customer allows one assistant: which businesses, which categories of update it
 * may read, and whether it may act (answer a fraud alert, use a business's declared
 * actions). One grant per (customer, assistant); every grant, change and revocation is a
 * ledger entry, and grants and changes carry a signed receipt (JWS, verifiable against
 * `/.well-known/jwks.json`) like business consents. Revocation is checked on every call.
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { SigningKeys } from '../../crypto/signing-keys.js';
import { newId } from '../../crypto/tokens.js';
import type { AssistantGrantsTable, Database } from '../../storage/schema.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { DAY_MS, DEFAULT_DURATION_DAYS, normalizeCategories } from '../consent/categories.js';

/** How long a grant lasts from its last grant or change. */
export const GRANT_DURATION_MS = DEFAULT_DURATION_DAYS * DAY_MS;

/** JWS `typ` of an assistant grant receipt. */
export const ASSISTANT_RECEIPT_TYPE = 'assistant-grant+jwt';

export interface AssistantGrant {
  id: string;
  customerId: string;
  clientId: string;
  status: 'active' | 'revoked';
  pageIds: string[];
  categories: string[];
  canAct: boolean;
  grantedAt: number;
  expiresAt: number;
  updatedAt: number;
}

/** Whether the grant lets its assistant in at `now` (active and not expired). */
export const isLive = (grant: AssistantGrant | undefined, now: number): grant is AssistantGrant =>
  grant !== undefined && grant.status === 'active' && grant.expiresAt > now;

export interface GrantChoice {
  pageIds: readonly string[];
  categories: readonly string[];
  canAct: boolean;
}

export function presentGrant(row: AssistantGrantsTable): AssistantGrant {
  return {
    id: row.id,
    customerId: row.customer_id,
    clientId: row.client_id,
    status: row.status,
    pageIds: JSON.parse(row.page_ids) as string[],
    categories: JSON.parse(row.categories) as string[],
    canAct: row.can_act === 1,
    grantedAt: Number(row.granted_at),
    expiresAt: Number(row.expires_at),
    updatedAt: Number(row.updated_at),
  };
}

export async function findGrant(db: Kysely<Database>, grantId: string): Promise<AssistantGrant | undefined> {
  const row = await db.selectFrom('assistant_grants').selectAll().where('id', '=', grantId).executeTakeFirst();
  return row === undefined ? undefined : presentGrant(row);
}

/** The pages among `pageIds` the customer has a conversation with (an assistant can only be given those). */
export async function ownPages(
  db: Kysely<Database>,
  customerId: string,
  pageIds: readonly string[],
): Promise<string[]> {
  if (pageIds.length === 0) return [];
  const rows = await db
    .selectFrom('conversations')
    .select('page_id')
    .where('customer_id', '=', customerId)
    .where('page_id', 'in', [...pageIds])
    .execute();
  const own = new Set(rows.map((r) => r.page_id));
  return [...new Set(pageIds)].filter((p) => own.has(p)).sort();
}

/**
 * Records the customer's choice for an assistant: `granted` (first time or after a
 * revocation) or `changed`, with a signed receipt. Refuses an empty choice (revoke instead).
 */
export async function grantAssistantInTx(
  tx: WriteTx,
  signing: { keys: SigningKeys; issuer: string },
  input: { customerId: string; clientId: string; choice: GrantChoice; source: 'authorize' | 'settings'; now: number },
): Promise<AssistantGrant> {
  const { customerId, clientId, now } = input;
  const categories = normalizeCategories(input.choice.categories);
  const pageIds = [...new Set(input.choice.pageIds)].sort();
  if (pageIds.length === 0 || categories.length === 0) {
    throw new PlatformError('BAD_REQUEST', {
      message: 'Choose at least one business and one kind of update, or remove the assistant.',
    });
  }
  const prev = await tx.db
    .selectFrom('assistant_grants')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  const event = prev?.status === 'active' && Number(prev.expires_at) > now ? 'changed' : 'granted';
  const grantId = prev?.id ?? newId('agr', 12);
  const entryId = newId('age', 12);
  const receipt = await signing.keys.sign(
    {
      iss: signing.issuer,
      sub: grantId,
      jti: entryId,
      iat: Math.floor(now / 1000),
      client_id: clientId,
      page_ids: pageIds,
      categories,
      act: input.choice.canAct,
      expires_at: now + GRANT_DURATION_MS,
      purposes: ['assistant_relay'],
      third_party_disclosure: false,
    },
    ASSISTANT_RECEIPT_TYPE,
  );
  await appendEntry(tx, {
    id: entryId,
    grantId,
    customerId,
    clientId,
    event,
    pageIds,
    categories,
    canAct: input.choice.canAct,
    source: input.source,
    receipt,
    now,
  });
  const row: AssistantGrantsTable = {
    id: grantId,
    customer_id: customerId,
    client_id: clientId,
    status: 'active',
    page_ids: JSON.stringify(pageIds),
    categories: JSON.stringify(categories),
    can_act: input.choice.canAct ? 1 : 0,
    granted_at: event === 'granted' ? now : Number(prev?.granted_at ?? now),
    expires_at: now + GRANT_DURATION_MS,
    updated_at: now,
    last_entry_id: entryId,
  };
  if (prev === undefined) await tx.db.insertInto('assistant_grants').values(row).execute();
  else await tx.db.updateTable('assistant_grants').set(row).where('id', '=', grantId).execute();
  return presentGrant(row);
}

/** Revokes the customer's grant; every token issued under it stops working on its next use. False when nothing was active. */
export async function revokeAssistantInTx(
  tx: WriteTx,
  input: { customerId: string; grantId: string; now: number },
): Promise<boolean> {
  const prev = await tx.db
    .selectFrom('assistant_grants')
    .selectAll()
    .where('id', '=', input.grantId)
    .where('customer_id', '=', input.customerId)
    .executeTakeFirst();
  if (prev === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such assistant.' });
  if (prev.status !== 'active') return false;
  const entryId = newId('age', 12);
  await appendEntry(tx, {
    id: entryId,
    grantId: prev.id,
    customerId: prev.customer_id,
    clientId: prev.client_id,
    event: 'revoked',
    pageIds: JSON.parse(prev.page_ids) as string[],
    categories: JSON.parse(prev.categories) as string[],
    canAct: prev.can_act === 1,
    source: 'settings',
    receipt: null,
    now: input.now,
  });
  await tx.db
    .updateTable('assistant_grants')
    .set({ status: 'revoked', updated_at: input.now, last_entry_id: entryId })
    .where('id', '=', prev.id)
    .execute();
  await tx.db
    .updateTable('oauth_refresh_tokens')
    .set({ revoked_at: input.now })
    .where('grant_id', '=', prev.id)
    .where('revoked_at', 'is', null)
    .execute();
  return true;
}

async function appendEntry(
  tx: WriteTx,
  e: {
    id: string;
    grantId: string;
    customerId: string;
    clientId: string;
    event: 'granted' | 'changed' | 'revoked';
    pageIds: string[];
    categories: string[];
    canAct: boolean;
    source: 'authorize' | 'settings';
    receipt: string | null;
    now: number;
  },
): Promise<void> {
  await tx.db
    .insertInto('assistant_grant_ledger')
    .values({
      id: e.id,
      grant_id: e.grantId,
      customer_id: e.customerId,
      client_id: e.clientId,
      event: e.event,
      page_ids: JSON.stringify(e.pageIds),
      categories: JSON.stringify(e.categories),
      can_act: e.canAct ? 1 : 0,
      source: e.source,
      receipt_jws: e.receipt,
      created_at: e.now,
    })
    .execute();
}
