/**
 * The key ring: where the vault's keys come from. Each customer has a random 256-bit data
 * key (DEK), stored wrapped by the KEK in the keystore; each conversation has a random salt
 * there, and its key is HKDF(DEK, salt, conversation id). Hub keys (the legacy blob key,
 * pages' attachment keys) are random keys wrapped by the KEK. Unwrapped keys are cached
 * (bounded, with a maximum age); the ring warms them before writes, destroys them for
 * erasure (crypto-shredding) and re-wraps them under a new KEK (rotation).
 */
import { randomBytes } from 'node:crypto';
import type { Kek } from '../../crypto/kek.js';
import type { KeyRecord, KeyStore } from '../keystore.js';
import { Lru } from '../lru.js';
import { ContentErasedError } from '../purposes.js';
import { pooledRandomBase64url } from '../../crypto/random-pool.js';
import { conversationKeyFrom, unwrap, unwrapSecret, wrap, wrapSecret } from './key-wrap.js';
import { warmBatch, type WarmingRing, type WarmPair } from './key-warming.js';

export interface KeyRingOptions {
  keystore: KeyStore;
  kek: Kek;
  /** Earlier KEKs still accepted for unwrapping while a rotation is under way. */
  previousKeks?: readonly Kek[];
  /** Largest number of unwrapped keys kept in memory. */
  cacheSize?: number;
  /** Longest an unwrapped key stays cached (bounds how long another process may still use an erased key). */
  cacheMaxAgeMs?: number;
  now?: () => number;
}

/** Age after which a cached conversation key is checked against the keystore before sealing. */
export const SEAL_RECHECK_MS = 5_000;

export class KeyRing {
  readonly keystore: KeyStore;
  readonly #kek: Kek;
  readonly #keks: Map<string, Kek>;
  readonly #cache: Lru<Buffer>;
  readonly #now: () => number;
  // Erasures begun or ended: a key read or created across one is not cached, as its answer may come after the
  // erasure cleared the cache (keys committed on the keystore's thread just before the delete).
  #erasures = 0;

  constructor(options: KeyRingOptions) {
    this.keystore = options.keystore;
    this.#kek = options.kek;
    this.#keks = new Map([...(options.previousKeks ?? []), options.kek].map((k) => [k.id, k]));
    this.#now = options.now ?? Date.now;
    this.#cache = new Lru(options.cacheSize ?? 10_000, options.cacheMaxAgeMs ?? 5 * 60_000, this.#now);
  }

  /** Id of the KEK currently wrapping new keys. */
  get kekId(): string {
    return this.#kek.id;
  }

  /** Fails when the keystore holds keys wrapped by a KEK this process was not given. */
  async assertKekMatchesKeystore(): Promise<void> {
    const unknown = (await this.keystore.wrappingKekIds()).filter((id) => !this.#keks.has(id));
    if (unknown.length > 0) {
      throw new Error(
        `KEK mismatch: ${this.keystore.location} holds keys wrapped by KEK ${unknown.join(', ')}, but this hub was given ${[...this.#keks.keys()].join(', ')}. ` +
          'Set KEK (or KEK_FILE) to the key these were wrapped with, or pass it as KEK_PREVIOUS while rotating.',
      );
    }
  }

  // ---- cache and warming ----------------------------------------------------------------

  /** Creates (if needed) and caches the conversation's keys; see `Vault.warmKeys`. */
  async warmKeys(customerId: string, conversationId: string): Promise<void> {
    const [error] = await warmBatch(this.#warmingRing(), [{ customerId, conversationId }], { commitNow: false });
    if (error !== undefined) throw error;
  }

  /**
   * Warms many conversations' keys together (vault/key-warming.ts): one keystore read and
   * one keystore commit for the batch. Best effort: a pair that cannot be warmed (erased
   * customer) stays cold, and sealing for it fails in its transaction as it would have.
   */
  async warmMany(pairs: readonly WarmPair[]): Promise<void> {
    await warmBatch(this.#warmingRing(), pairs, { commitNow: true });
  }

  /** What batch warming uses of the ring; it caches nothing once an erasure has begun since. */
  #warmingRing(): WarmingRing {
    const epoch = this.#erasures;
    return {
      keystore: this.keystore,
      keysWarm: (customerId, conversationId) => this.keysWarm(customerId, conversationId),
      cachedDataKey: (customerId) => this.#cache.get(`customer:${customerId}`),
      wrapDataKey: (customerId, raw) => this.#wrapDataKey(customerId, raw),
      newSalt: (customerId, conversationId) => this.#newSalt(customerId, conversationId),
      unwrap: (record) => this.#unwrapRecord(record),
      cacheDataKey: (customerId, dek) => this.#cacheSince(epoch, `customer:${customerId}`, dek),
      cacheConversationKey: ({ customerId, conversationId }, dek, salt) => {
        this.#cacheSince(
          epoch,
          `conversation:${customerId}:${conversationId}`,
          conversationKeyFrom(dek, customerId, conversationId, salt),
        );
      },
    };
  }

  /** Whether a seal for this conversation would find its key in memory (no keystore access). */
  keysWarm(customerId: string, conversationId: string): boolean {
    return this.#cache.get(`conversation:${customerId}:${conversationId}`, SEAL_RECHECK_MS) !== undefined;
  }

  /**
   * The key that seals new content of a conversation, created on first use. A key cached
   * longer than SEAL_RECHECK_MS is re-read first: another process may have erased this
   * conversation's history (new salt), and sealing under the old key would write content
   * nobody can open.
   */
  sealingKey(customerId: string, conversationId: string): Promise<Buffer> {
    return this.#conversationKey(customerId, conversationId, true, SEAL_RECHECK_MS);
  }

  /**
   * Runs `open` with the conversation's existing key. When it fails with a cached key, the
   * key may be stale (history erased and re-keyed elsewhere): it is re-read from the
   * keystore and `open` retried once.
   * @throws ContentErasedError when the key was destroyed.
   */
  async withOpeningKey<T>(customerId: string, conversationId: string, open: (key: Buffer) => T): Promise<T> {
    try {
      return open(await this.#conversationKey(customerId, conversationId, false));
    } catch (err) {
      if (err instanceof ContentErasedError) throw err;
      this.#cache.delete(`conversation:${customerId}:${conversationId}`);
      return open(await this.#conversationKey(customerId, conversationId, false));
    }
  }

  /** A hub key (`blobs`, `page:<id>`), created on first use. */
  async hubKey(name: string): Promise<Buffer> {
    const scope = `hub:${name}`;
    const cached = this.#cache.get(scope);
    if (cached !== undefined) return cached;
    const epoch = this.#erasures;
    let record = await this.keystore.get(scope);
    if (record === undefined) {
      record = await this.keystore.insertIfAbsent({
        scope,
        customerId: null,
        kekId: this.#kek.id,
        material: wrap(this.#kek, scope, randomBytes(32)),
        createdAt: this.#now(),
      });
    }
    const key = this.#unwrapRecord(record);
    this.#cacheSince(epoch, scope, key);
    return key;
  }

  // ---- erasure ------------------------------------------------------------------------------

  /** Destroys a customer's data key and conversation salts. */
  async eraseCustomer(customerId: string): Promise<number> {
    const remove = () => this.keystore.deleteCustomer(customerId);
    return this.#erasing(remove, `customer:${customerId}`, `conversation:${customerId}:`);
  }

  /** Destroys one conversation's salt. */
  async eraseConversation(customerId: string, conversationId: string): Promise<number> {
    const remove = () => this.keystore.deleteScope(`conversation:${conversationId}`);
    return this.#erasing(remove, `conversation:${customerId}:${conversationId}`);
  }

  /** Destroys a hub key (`blobs`: the legacy blob key). */
  async eraseHubKey(name: string): Promise<number> {
    return this.#erasing(() => this.keystore.deleteScope(`hub:${name}`), `hub:${name}`);
  }

  /** Deletes keys, then forgets `cacheKey` (and keys under `prefix`); keys read meanwhile are not cached. */
  async #erasing(remove: () => Promise<number>, cacheKey: string, prefix?: string): Promise<number> {
    this.#erasures += 1;
    try {
      return await remove();
    } finally {
      this.#erasures += 1;
      this.#cache.delete(cacheKey);
      if (prefix !== undefined) this.#cache.deletePrefix(prefix);
    }
  }

  /** Caches a key read or created since `epoch`, unless an erasure has begun or ended since. */
  #cacheSince(epoch: number, cacheKey: string, key: Buffer): void {
    if (this.#erasures === epoch) this.#cache.set(cacheKey, key);
  }

  // ---- rotation and hub secrets ---------------------------------------------------------------

  /** Re-wraps every key still wrapped by a previous KEK under the current one. */
  async rewrapAll(): Promise<{ rewrapped: number; current: number }> {
    let rewrapped = 0;
    let current = 0;
    for (const record of await this.keystore.listWrapped()) {
      if (record.kekId === this.#kek.id) {
        current += 1;
        continue;
      }
      const kek = record.kekId === null ? undefined : this.#keks.get(record.kekId);
      if (kek === undefined)
        throw new Error(
          `Key ${record.scope} is wrapped by KEK ${record.kekId ?? '(none)'}, which is neither KEK nor in KEK_PREVIOUS`,
        );
      await this.keystore.rewrap(record.scope, this.#kek.id, wrap(this.#kek, record.scope, unwrap(kek, record)));
      rewrapped += 1;
    }
    return { rewrapped, current };
  }

  /** Wraps a hub secret under the current KEK (see `Vault.wrapHubSecret`). */
  wrapHubSecret(label: string, raw: Buffer): { kekId: string; material: string } {
    return { kekId: this.#kek.id, material: wrapSecret(this.#kek, label, raw) };
  }

  /** Opens a hub secret wrapped under KEK or a KEK_PREVIOUS key. */
  unwrapHubSecret(label: string, kekId: string, material: string): Buffer {
    const kek = this.#keks.get(kekId);
    if (kek === undefined) throw new Error(`wrapped by KEK ${kekId}, which is neither KEK nor in KEK_PREVIOUS`);
    return unwrapSecret(kek, label, material);
  }

  // ---- internals ------------------------------------------------------------------------------

  async #customerKey(customerId: string, create: boolean): Promise<Buffer> {
    const cacheKey = `customer:${customerId}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const epoch = this.#erasures;
    let record = await this.keystore.get(cacheKey);
    if (record === undefined) {
      if (!create) throw new ContentErasedError('The customer data key does not exist (erased)');
      record = await this.keystore.insertIfAbsent(this.#newDataKey(customerId));
    }
    const key = this.#unwrapRecord(record);
    this.#cacheSince(epoch, cacheKey, key);
    return key;
  }

  async #conversationKey(
    customerId: string,
    conversationId: string,
    create: boolean,
    maxAgeMs?: number,
  ): Promise<Buffer> {
    const cacheKey = `conversation:${customerId}:${conversationId}`;
    const cached = this.#cache.get(cacheKey, maxAgeMs);
    if (cached !== undefined) return cached;
    const epoch = this.#erasures;
    const dek = await this.#customerKey(customerId, create);
    const scope = `conversation:${conversationId}`;
    let record = await this.keystore.get(scope);
    if (record === undefined) {
      if (!create) throw new ContentErasedError('The conversation key does not exist (history erased)');
      record = await this.keystore.insertIfAbsent(this.#newSalt(customerId, conversationId));
    }
    const key = conversationKeyFrom(dek, customerId, conversationId, record);
    this.#cacheSince(epoch, cacheKey, key);
    return key;
  }

  /** A fresh customer data key, wrapped by the current KEK. */
  #newDataKey(customerId: string): KeyRecord {
    return this.#wrapDataKey(customerId, randomBytes(32));
  }

  /** A customer data key's keystore record: `raw` wrapped by the current KEK. */
  #wrapDataKey(customerId: string, raw: Buffer): KeyRecord {
    const scope = `customer:${customerId}`;
    return { scope, customerId, kekId: this.#kek.id, material: wrap(this.#kek, scope, raw), createdAt: this.#now() };
  }

  /**
   * A fresh conversation salt: unique, not secret on its own (the key is derived with the
   * data key), so drawn from the pooled CSPRNG bytes (crypto/random-pool.ts).
   */
  #newSalt(customerId: string, conversationId: string): KeyRecord {
    return {
      scope: `conversation:${conversationId}`,
      customerId,
      kekId: null,
      material: pooledRandomBase64url(32),
      createdAt: this.#now(),
    };
  }

  #unwrapRecord(record: KeyRecord): Buffer {
    const kek = record.kekId === null ? undefined : this.#keks.get(record.kekId);
    if (kek === undefined)
      throw new Error(
        `Key ${record.scope} is wrapped by KEK ${record.kekId ?? '(none)'}: configure it as KEK or in KEK_PREVIOUS`,
      );
    return unwrap(kek, record);
  }
}
