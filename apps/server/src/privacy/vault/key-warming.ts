/**
 * Warming many conversations' keys at once (a business contacting thousands of customers
 * for the first time): one keystore read for every key the batch lacks, the missing data
 * keys and salts inserted together (one keystore commit), and a data key this process has
 * just created used as it is instead of being unwrapped again. The keys are the same as
 * one conversation at a time would create (vault/key-ring.ts).
 */
import { randomBytes } from 'node:crypto';
import type { InsertOutcome, KeyRecord, KeyStore } from '../keystore.js';

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

/**
 * Warms every pair, its new keys committed now (`commitNow`: the pairs are the whole group)
 * or with the keystore's next group of inserts; answers, in order, the error of each pair that could not be warmed
 * (undefined for those warmed): an erased customer, a conversation of another customer.
 */
export async function warmBatch(
  ring: WarmingRing,
  pairs: readonly WarmPair[],
  { commitNow }: { commitNow: boolean },
): Promise<unknown[]> {
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
  const { created, rawKeys } = await createMissing(ring, cold, deks, found, commitNow);
  const recordOf = (scope: string): InsertOutcome => {
    const stored = found.get(scope);
    return stored !== undefined ? { record: stored } : (created.get(scope) as InsertOutcome);
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

function unwrapOutcome(outcome: InsertOutcome): KeyRecord {
  if ('error' in outcome) throw outcome.error;
  return outcome.record;
}

/**
 * Inserts the data keys and salts the keystore lacks, all at once: committed now (`commitNow`,
 * the batch is the group) or queued for the keystore's next group of inserts.
 */
async function createMissing(
  ring: WarmingRing,
  cold: readonly WarmPair[],
  deks: ReadonlyMap<string, Buffer>,
  found: ReadonlyMap<string, KeyRecord>,
  commitNow: boolean,
): Promise<{ created: Map<string, InsertOutcome>; rawKeys: Map<string, { raw: Buffer; material: string }> }> {
  const records = new Map<string, KeyRecord>();
  const rawKeys = new Map<string, { raw: Buffer; material: string }>();
  const lacking = new Set(
    cold.filter((p) => !deks.has(p.customerId) && !found.has(`customer:${p.customerId}`)).map((p) => p.customerId),
  );
  const newKeys = freshDataKeys(lacking.size);
  for (const customerId of lacking) {
    const raw = newKeys.pop() as Buffer;
    const record = ring.wrapDataKey(customerId, raw);
    rawKeys.set(record.scope, { raw, material: record.material });
    records.set(record.scope, record);
  }
  for (const { customerId, conversationId } of cold) {
    const scope = `conversation:${conversationId}`;
    if (!found.has(scope) && !records.has(scope)) records.set(scope, ring.newSalt(customerId, conversationId));
  }
  const list = [...records.values()];
  const outcomes = commitNow
    ? await ring.keystore.insertManyIfAbsent(list)
    : await Promise.all(list.map((r) => settle(ring.keystore.insertIfAbsent(r))));
  return { created: new Map(list.map((r, i) => [r.scope, outcomes[i] as InsertOutcome])), rawKeys };
}

function settle(pending: Promise<KeyRecord>): Promise<InsertOutcome> {
  return pending.then(
    (record) => ({ record }),
    (error: unknown) => ({ error }),
  );
}

/**
 * `n` fresh 256-bit data keys, each in a buffer of its own, drawn from the CSPRNG in one
 * call (a call's fixed cost, paid once per batch rather than once per new customer); the
 * buffer they were drawn into is zeroed as soon as they are copied out, so no key stays in
 * a buffer shared with another.
 */
function freshDataKeys(n: number): Buffer[] {
  if (n === 0) return [];
  const drawn = randomBytes(32 * n);
  // Buffer.alloc: each key in memory of its own, never in Node's shared pool of small buffers.
  const keys = Array.from({ length: n }, (_, i) => {
    const key = Buffer.alloc(32);
    drawn.copy(key, 0, 32 * i, 32 * (i + 1));
    return key;
  });
  drawn.fill(0);
  return keys;
}
