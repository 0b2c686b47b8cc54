/**
 * Warming many conversations' keys at once (a business contacting thousands of customers
 * for the first time): one keystore read for every key the batch lacks, the missing data
 * keys and salts inserted together (one keystore commit), and a data key this process has
 * just created used as it is instead of being unwrapped again. The keys are the same as
 * one conversation at a time would create (vault/key-ring.ts).
 */
import { randomBytes } from 'node:crypto';
import type { KeyRecord, KeyStore } from '../keystore.js';

/** A conversation whose keys to warm. */
export interface WarmPair {
  readonly customerId: string;
  readonly conversationId: string;
}

/** What warming needs of the key ring. */
export interface WarmingRing {
  readonly keystore: KeyStore;
  /** Whether the conversation's key is cached (and recent enough to seal with). */
  keysWarm(customerId: string, conversationId: string): boolean;
  /** The customer's cached data key. */
  cachedDataKey(customerId: string): Buffer | undefined;
  /** A new data key's keystore record: `raw` wrapped by the current KEK. */
  wrapDataKey(customerId: string, raw: Buffer): KeyRecord;
  /** A new conversation salt's keystore record. */
  newSalt(customerId: string, conversationId: string): KeyRecord;
  /** Unwraps a stored data key. */
  unwrap(record: KeyRecord): Buffer;
  /** Caches a data key just read or created (a cached one keeps its age: erasure elsewhere ages it out). */
  cacheDataKey(customerId: string, dek: Buffer): void;
  /** Derives and caches the conversation's key. */
  cacheConversationKey(pair: WarmPair, dek: Buffer, salt: KeyRecord): void;
}

type Outcome = { record: KeyRecord } | { error: unknown };

/**
 * Warms every pair; answers, in order, the error of each pair that could not be warmed
 * (undefined for those warmed): an erased customer, a conversation of another customer.
 */
export async function warmBatch(ring: WarmingRing, pairs: readonly WarmPair[]): Promise<unknown[]> {
  const cold = pairs.filter((p) => !ring.keysWarm(p.customerId, p.conversationId));
  if (cold.length === 0) return pairs.map(() => undefined);
  const deks = new Map<string, Buffer>();
  const scopes = new Set<string>();
  for (const { customerId, conversationId } of cold) {
    const dek = deks.get(customerId) ?? ring.cachedDataKey(customerId);
    if (dek !== undefined) deks.set(customerId, dek);
    else scopes.add(`customer:${customerId}`);
    scopes.add(`conversation:${conversationId}`);
  }
  const found = await ring.keystore.getMany([...scopes]);
  const { created, rawKeys } = await createMissing(ring, cold, deks, found);
  const recordOf = (scope: string): Outcome => {
    const stored = found.get(scope);
    return stored !== undefined ? { record: stored } : (created.get(scope) as Outcome);
  };
  const errors = new Map<WarmPair, unknown>();
  for (const pair of cold) {
    try {
      let dek = deks.get(pair.customerId);
      if (dek === undefined) {
        const scope = `customer:${pair.customerId}`;
        const stored = unwrapOutcome(recordOf(scope));
        const mine = rawKeys.get(scope);
        // Our own insert stood: its key is at hand. Otherwise the key that stands (another writer's).
        dek = mine !== undefined && mine.material === stored.material ? mine.raw : ring.unwrap(stored);
        deks.set(pair.customerId, dek);
        ring.cacheDataKey(pair.customerId, dek);
      }
      ring.cacheConversationKey(pair, dek, unwrapOutcome(recordOf(`conversation:${pair.conversationId}`)));
    } catch (err) {
      errors.set(pair, err);
    }
  }
  return pairs.map((p) => errors.get(p));
}

function unwrapOutcome(outcome: Outcome): KeyRecord {
  if ('error' in outcome) throw outcome.error;
  return outcome.record;
}

/** Inserts the data keys and salts the keystore lacks, all queued at once (one keystore commit). */
async function createMissing(
  ring: WarmingRing,
  cold: readonly WarmPair[],
  deks: ReadonlyMap<string, Buffer>,
  found: ReadonlyMap<string, KeyRecord>,
): Promise<{ created: Map<string, Outcome>; rawKeys: Map<string, { raw: Buffer; material: string }> }> {
  const inserts = new Map<string, Promise<Outcome>>();
  const rawKeys = new Map<string, { raw: Buffer; material: string }>();
  const insert = (record: KeyRecord): Promise<Outcome> =>
    ring.keystore.insertIfAbsent(record).then(
      (stored) => ({ record: stored }),
      (error: unknown) => ({ error }),
    );
  for (const { customerId, conversationId } of cold) {
    const customerScope = `customer:${customerId}`;
    if (!deks.has(customerId) && !found.has(customerScope) && !inserts.has(customerScope)) {
      const raw = randomBytes(32);
      const record = ring.wrapDataKey(customerId, raw);
      rawKeys.set(customerScope, { raw, material: record.material });
      inserts.set(customerScope, insert(record));
    }
    const saltScope = `conversation:${conversationId}`;
    if (!found.has(saltScope) && !inserts.has(saltScope))
      inserts.set(saltScope, insert(ring.newSalt(customerId, conversationId)));
  }
  const created = new Map<string, Outcome>();
  await Promise.all([...inserts].map(async ([scope, pending]) => created.set(scope, await pending)));
  return { created, rawKeys };
}
