/**
 * The vault and purposes gateway: the only module that encrypts and decrypts customer
 * content (an architecture test keeps `aead.ts` private to it).
 *
 * Keys: each customer has a random 256-bit data key (DEK), stored wrapped by the KEK in
 * the keystore. Each conversation has a random salt in the keystore; its key is
 * HKDF(DEK, salt, conversation id). Message bodies and webhook payloads are sealed with
 * the conversation key, so destroying the salt shreds one conversation and destroying the
 * DEK shreds the customer. Attachment files are sealed under a random key per file, which
 * is stored wrapped: under the conversation key of each conversation that received the
 * file (so erasure shreds the customer's copy), and under the page's attachment key for
 * files the page may send again (see docs/privacy.md). Files written before that used one
 * hub-wide blob key (`sealBlob`/`openBlob`, kept for reading them). Associated data binds
 * each ciphertext to its column, customer and conversation, so a ciphertext cannot be
 * replayed into another row.
 *
 * Opening requires an `Access` whose purpose is in the closed list; every open is
 * reported to the observer (the audit log), and a refused purpose is reported too.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import type { MessageBody } from '@confide/protocol';
import { decodeMessageBody, decodeJson, encodeJson } from '../storage/content.js';
import { decrypt, encrypt } from './aead.js';
import type { Kek } from '../crypto/kek.js';
import type { KeyRecord, KeyStore } from './keystore.js';
import { Lru } from './lru.js';
import { ContentErasedError, isPurpose, PurposeDeniedError, type Access } from './purposes.js';

/** Sealed columns; part of the associated data. */
export type SealedColumn = 'messages.body' | 'webhook_outbox.payload';

/** What the gateway tells the audit log: ids and purposes only. */
export type AccessEvent =
  | { kind: 'open'; access: Access; customerId: string; conversationId: string; column: SealedColumn | 'blob' }
  | { kind: 'denied'; purpose: string; actor: string; customerId: string | null };

export interface VaultOptions {
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

const VERSION = 'c1';
const BLOB_MAGIC = Buffer.from('CFB1');
/** Age after which a cached conversation key is checked against the keystore before sealing. */
const SEAL_RECHECK_MS = 5_000;

export class Vault {
  readonly keystore: KeyStore;
  readonly #kek: Kek;
  readonly #keks: Map<string, Kek>;
  readonly #cache: Lru<Buffer>;
  readonly #now: () => number;
  readonly #observers: Array<(event: AccessEvent) => void> = [];

  constructor(options: VaultOptions) {
    this.keystore = options.keystore;
    this.#kek = options.kek;
    this.#keks = new Map([...(options.previousKeks ?? []), options.kek].map((k) => [k.id, k]));
    this.#now = options.now ?? Date.now;
    this.#cache = new Lru(options.cacheSize ?? 10_000, options.cacheMaxAgeMs ?? 5 * 60_000, this.#now);
  }

  /**
   * Fails loudly when the keystore holds keys wrapped by a KEK this process was not given
   * (a wrong KEK, or a rotation without KEK_PREVIOUS): better to refuse to start than to
   * fail on every read.
   */
  async assertKekMatchesKeystore(): Promise<void> {
    const unknown = (await this.keystore.wrappingKekIds()).filter((id) => !this.#keks.has(id));
    if (unknown.length > 0) {
      throw new Error(
        `KEK mismatch: ${this.keystore.location} holds keys wrapped by KEK ${unknown.join(', ')}, but this hub was given ${[...this.#keks.keys()].join(', ')}. ` +
          'Set KEK (or KEK_FILE) to the key these were wrapped with, or pass it as KEK_PREVIOUS while rotating.',
      );
    }
  }

  /** Id of the KEK currently wrapping new keys. */
  get kekId(): string {
    return this.#kek.id;
  }

  /** Subscribes to access events (the audit log). */
  observe(fn: (event: AccessEvent) => void): void {
    this.#observers.push(fn);
  }

  // ---- sealing ------------------------------------------------------------------------

  /** Seals a message body for `messages.body`. */
  sealMessage(customerId: string, conversationId: string, body: unknown): Promise<string> {
    return this.#seal('messages.body', customerId, conversationId, body);
  }

  /** Seals a webhook `messaging[]` item for `webhook_outbox.payload`. */
  sealPayload(customerId: string, conversationId: string, payload: unknown): Promise<string> {
    return this.#seal('webhook_outbox.payload', customerId, conversationId, payload);
  }

  /**
   * Makes sure the conversation's keys exist and are cached, creating them if needed, so a
   * later seal inside a write transaction finds them. Callers warm keys before queueing the
   * write: first contacts arriving together then share one keystore commit instead of
   * each holding the group commit for one.
   */
  async warmKeys(customerId: string, conversationId: string): Promise<void> {
    if (this.keysWarm(customerId, conversationId)) return;
    // A first contact needs both the customer's data key and the conversation's salt:
    // queue both inserts at once so they land in the same keystore commit.
    const customerScope = `customer:${customerId}`;
    const conversationScope = `conversation:${conversationId}`;
    const knownDek = this.#cache.get(customerScope);
    const [customerRecord, saltRecord] = await Promise.all([
      knownDek === undefined ? this.keystore.get(customerScope) : undefined,
      this.keystore.get(conversationScope),
    ]);
    // The inserts answer with the key each scope holds after them (ours, or a racing writer's).
    const [dekRecord, salt] = await Promise.all([
      knownDek !== undefined
        ? undefined
        : (customerRecord ?? this.keystore.insertIfAbsent(this.#newDataKey(customerId))),
      saltRecord ?? this.keystore.insertIfAbsent(this.#newSalt(customerId, conversationId)),
    ]);
    let dek = knownDek;
    if (dek === undefined) {
      dek = this.#unwrapRecord(dekRecord as KeyRecord);
      this.#cache.set(customerScope, dek);
    }
    this.#cache.set(
      `conversation:${customerId}:${conversationId}`,
      conversationKeyFrom(dek, customerId, conversationId, salt),
    );
  }

  /** Whether a seal for this conversation would find its key in memory (no keystore access). */
  keysWarm(customerId: string, conversationId: string): boolean {
    return this.#cache.get(`conversation:${customerId}:${conversationId}`, SEAL_RECHECK_MS) !== undefined;
  }

  /** Seals attachment bytes under the hub's blob key. */
  async sealBlob(data: Buffer): Promise<Buffer> {
    const key = await this.#hubKey('blobs');
    return Buffer.concat([BLOB_MAGIC, encrypt(key, data, 'confide/v1/blob')]);
  }

  // ---- the gateway -------------------------------------------------------------------

  /** Opens a stored message body. @throws PurposeDeniedError, ContentErasedError. */
  async openMessage(access: Access, customerId: string, stored: string): Promise<MessageBody> {
    return decodeMessageBody(await this.#open(access, 'messages.body', customerId, stored));
  }

  /** Opens a stored webhook payload. @throws PurposeDeniedError, ContentErasedError. */
  async openPayload(access: Access, customerId: string, stored: string): Promise<unknown> {
    return decodeJson(await this.#open(access, 'webhook_outbox.payload', customerId, stored));
  }

  /** Opens attachment bytes (files written before encryption are returned as they are). */
  async openBlob(access: Access, data: Buffer): Promise<Buffer> {
    this.#check(access, null);
    if (!data.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) return data;
    return decrypt(await this.#hubKey('blobs'), data.subarray(BLOB_MAGIC.length), 'confide/v1/blob');
  }

  // ---- attachment files (a key per file, wrapped per conversation or page) ---------------

  /** Seals attachment bytes under a fresh file key; store the key wrapped (`wrapFileKey`). */
  sealFile(data: Buffer): { sealed: Buffer; fileKey: FileKey } {
    const key = randomBytes(32);
    return { sealed: Buffer.concat([FILE_MAGIC, encrypt(key, data, FILE_AAD)]), fileKey: newFileKey(key) };
  }

  /** Whether stored bytes are a file sealed by `sealFile` (not a legacy blob). */
  isSealedFile(data: Buffer): boolean {
    return data.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC);
  }

  /** Opens a sealed file with its key (obtained through `openFileKey`, which checks the purpose). */
  openFile(fileKey: FileKey, sealed: Buffer): Buffer {
    if (!this.isSealedFile(sealed)) throw new Error('Not a sealed attachment file');
    return decrypt(rawFileKey(fileKey), sealed.subarray(FILE_MAGIC.length), FILE_AAD);
  }

  /**
   * Seals an uploaded file's name under the file's own key: the name is content too, and
   * goes with the bytes when every copy of the key is shredded.
   */
  sealFileName(fileKey: FileKey, attachmentId: string, name: string): string {
    return `${FILE_NAME_VERSION}.${encrypt(rawFileKey(fileKey), Buffer.from(name, 'utf8'), fileNameAad(attachmentId)).toString('base64url')}`;
  }

  /** Opens a sealed file name with the file's key (obtained through `openFileKey`, which checks the purpose). */
  openFileName(fileKey: FileKey, attachmentId: string, sealed: string): string {
    const [version, data] = sealed.split('.');
    if (version !== FILE_NAME_VERSION || data === undefined) throw new Error('Unknown sealed file name format');
    return decrypt(rawFileKey(fileKey), Buffer.from(data, 'base64url'), fileNameAad(attachmentId)).toString('utf8');
  }

  /**
   * Wraps a file key for its owner. A conversation's copy is under the conversation key, so
   * erasing that history or the customer destroys it; a page's copy is under the page's
   * attachment key (wrapped by the KEK), for files the page may send again.
   */
  async wrapFileKey(owner: FileKeyOwner, attachmentId: string, fileKey: FileKey): Promise<string> {
    const key =
      owner.kind === 'page'
        ? await this.#hubKey(`page:${owner.pageId}`)
        : await this.#conversationKey(owner.customerId, owner.conversationId, true, SEAL_RECHECK_MS);
    return `${FILE_KEY_VERSION}.${encrypt(key, rawFileKey(fileKey), fileKeyAad(owner, attachmentId)).toString('base64url')}`;
  }

  /**
   * Opens a wrapped file key. A conversation's copy is customer content (audited like a
   * message); a page's copy is the business's own upload, opened to send it or re-key it.
   * @throws PurposeDeniedError, ContentErasedError (the conversation or customer was erased).
   */
  async openFileKey(access: Access, owner: FileKeyOwner, attachmentId: string, wrapped: string): Promise<FileKey> {
    this.#check(access, owner.kind === 'conversation' ? owner.customerId : null);
    const [version, data] = wrapped.split('.');
    if (version !== FILE_KEY_VERSION || data === undefined) throw new Error('Unknown wrapped file key format');
    const sealed = Buffer.from(data, 'base64url');
    const ad = fileKeyAad(owner, attachmentId);
    if (owner.kind === 'page') return newFileKey(decrypt(await this.#hubKey(`page:${owner.pageId}`), sealed, ad));
    const { customerId, conversationId } = owner;
    let raw: Buffer;
    try {
      raw = decrypt(await this.#conversationKey(customerId, conversationId, false), sealed, ad);
    } catch (err) {
      if (err instanceof ContentErasedError) throw err;
      // The cached key may be stale (history erased and re-keyed elsewhere): retry from the keystore once.
      this.#cache.delete(`conversation:${customerId}:${conversationId}`);
      raw = decrypt(await this.#conversationKey(customerId, conversationId, false), sealed, ad);
    }
    this.#emit({ kind: 'open', access, customerId, conversationId, column: 'blob' });
    return newFileKey(raw);
  }

  /** Destroys the hub-wide key of legacy blobs once none is left (`confide keys rekey-attachments`). */
  async eraseLegacyBlobKey(): Promise<number> {
    const n = await this.keystore.deleteScope('hub:blobs');
    this.#cache.delete('hub:blobs');
    return n;
  }

  // ---- erasure and rotation -------------------------------------------------------------

  /** Destroys a customer's data key and conversation salts: all their sealed content becomes unreadable. */
  async eraseCustomer(customerId: string): Promise<number> {
    const n = await this.keystore.deleteCustomer(customerId);
    this.#cache.delete(`customer:${customerId}`);
    this.#cache.deletePrefix(`conversation:${customerId}:`);
    return n;
  }

  /** Destroys one conversation's salt: that conversation's sealed content becomes unreadable. */
  async eraseConversation(customerId: string, conversationId: string): Promise<number> {
    const n = await this.keystore.deleteScope(`conversation:${conversationId}`);
    this.#cache.delete(`conversation:${customerId}:${conversationId}`);
    return n;
  }

  /**
   * Key rotation (`confide keys rotate`): re-wraps every data key still wrapped by a
   * previous KEK under the current one, without touching any sealed data. Afterwards
   * KEK_PREVIOUS can be removed and the old KEK destroyed.
   */
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

  // ---- hub secrets wrapped by the KEK (signing keys) ---------------------------------------

  /**
   * Wraps a hub secret kept outside the keystore (the hub's signing keys) under the current
   * KEK; `label` names what it is and is bound into the wrap, so a wrapped secret cannot be
   * moved to another label. Only a holder of the KEK produces a wrap that opens.
   */
  wrapHubSecret(label: string, raw: Buffer): { kekId: string; material: string } {
    return {
      kekId: this.#kek.id,
      material: encrypt(this.#kek.key, raw, hubSecretAad(label, this.#kek.id)).toString('base64url'),
    };
  }

  /**
   * Opens a hub secret wrapped by `wrapHubSecret` (under KEK or a KEK_PREVIOUS key).
   * @throws Error when the KEK is unknown or the wrap does not authenticate (not made with the KEK).
   */
  unwrapHubSecret(label: string, kekId: string, material: string): Buffer {
    const kek = this.#keks.get(kekId);
    if (kek === undefined) throw new Error(`wrapped by KEK ${kekId}, which is neither KEK nor in KEK_PREVIOUS`);
    return decrypt(kek.key, Buffer.from(material, 'base64url'), hubSecretAad(label, kekId));
  }

  // ---- internals ----------------------------------------------------------------------

  async #seal(column: SealedColumn, customerId: string, conversationId: string, value: unknown): Promise<string> {
    if (conversationId.includes('.')) throw new Error('conversation ids cannot contain dots');
    // A key cached longer than SEAL_RECHECK_MS is re-read first: another process may have
    // erased this conversation's history (new salt), and sealing under the old key would
    // write content nobody can open.
    const key = await this.#conversationKey(customerId, conversationId, true, SEAL_RECHECK_MS);
    // Callers mask before sealing, once: the messaging kernel (timeline/append.ts) and inbox notes.
    const sealed = encrypt(key, Buffer.from(encodeJson(value), 'utf8'), aad(column, customerId, conversationId));
    return `${VERSION}.${conversationId}.${sealed.toString('base64url')}`;
  }

  async #open(access: Access, column: SealedColumn, customerId: string, stored: string): Promise<string> {
    this.#check(access, customerId);
    // Rows written before encryption at rest (plain JSON) stay readable.
    if (stored.startsWith('{')) return stored;
    const [version, conversationId, data] = stored.split('.');
    if (version !== VERSION || conversationId === undefined || data === undefined)
      throw new Error('Unknown sealed content format');
    const sealed = Buffer.from(data, 'base64url');
    const ad = aad(column, customerId, conversationId);
    let text: string;
    try {
      text = decrypt(await this.#conversationKey(customerId, conversationId, false), sealed, ad).toString('utf8');
    } catch (err) {
      if (err instanceof ContentErasedError) throw err;
      // The cached key may be stale (history erased and re-keyed elsewhere): retry from the keystore once.
      this.#cache.delete(`conversation:${customerId}:${conversationId}`);
      text = decrypt(await this.#conversationKey(customerId, conversationId, false), sealed, ad).toString('utf8');
    }
    this.#emit({ kind: 'open', access, customerId, conversationId, column });
    return text;
  }

  #check(access: Access, customerId: string | null): void {
    const purpose: unknown = (access as { purpose?: unknown } | undefined)?.purpose;
    if (isPurpose(purpose) && typeof access.actor === 'string' && access.actor !== '') return;
    this.#emit({ kind: 'denied', purpose: String(purpose), actor: String(access?.actor), customerId });
    throw new PurposeDeniedError(`Content access refused: purpose ${JSON.stringify(purpose)} is not allowed`);
  }

  #emit(event: AccessEvent): void {
    for (const fn of this.#observers) {
      try {
        fn(event);
      } catch {
        // Observers must not break reads; the audit log reports its own failures.
      }
    }
  }

  async #customerKey(customerId: string, create: boolean): Promise<Buffer> {
    const cacheKey = `customer:${customerId}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    let record = await this.keystore.get(cacheKey);
    if (record === undefined) {
      if (!create) throw new ContentErasedError('The customer data key does not exist (erased)');
      record = await this.keystore.insertIfAbsent(this.#newDataKey(customerId));
    }
    const key = this.#unwrapRecord(record);
    this.#cache.set(cacheKey, key);
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
    const dek = await this.#customerKey(customerId, create);
    const scope = `conversation:${conversationId}`;
    let record = await this.keystore.get(scope);
    if (record === undefined) {
      if (!create) throw new ContentErasedError('The conversation key does not exist (history erased)');
      record = await this.keystore.insertIfAbsent(this.#newSalt(customerId, conversationId));
    }
    const key = conversationKeyFrom(dek, customerId, conversationId, record);
    this.#cache.set(cacheKey, key);
    return key;
  }

  async #hubKey(name: string): Promise<Buffer> {
    const scope = `hub:${name}`;
    const cached = this.#cache.get(scope);
    if (cached !== undefined) return cached;
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
    this.#cache.set(scope, key);
    return key;
  }

  /** A fresh customer data key, wrapped by the current KEK. */
  #newDataKey(customerId: string): KeyRecord {
    const scope = `customer:${customerId}`;
    return {
      scope,
      customerId,
      kekId: this.#kek.id,
      material: wrap(this.#kek, scope, randomBytes(32)),
      createdAt: this.#now(),
    };
  }

  /** A fresh conversation salt (not secret on its own: the key is derived with the data key). */
  #newSalt(customerId: string, conversationId: string): KeyRecord {
    return {
      scope: `conversation:${conversationId}`,
      customerId,
      kekId: null,
      material: randomBytes(32).toString('base64url'),
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

/** A conversation's key: HKDF of the customer's data key with the conversation's salt. */
function conversationKeyFrom(dek: Buffer, customerId: string, conversationId: string, salt: KeyRecord): Buffer {
  if (salt.customerId !== customerId) throw new ContentErasedError('The conversation belongs to another customer');
  return Buffer.from(
    hkdfSync('sha256', dek, Buffer.from(salt.material, 'base64url'), `confide conversation key ${conversationId}`, 32),
  );
}

function hubSecretAad(label: string, kekId: string): string {
  return `confide/v1/hub-secret/${label}/${kekId}`;
}

function aad(column: SealedColumn, customerId: string, conversationId: string): string {
  return `confide/v1/${column}/${customerId}/${conversationId}`;
}

/** AES-256-GCM key wrap; the associated data binds the wrapped key to its scope and KEK. */
function wrap(kek: Kek, scope: string, raw: Buffer): string {
  return encrypt(kek.key, raw, `confide/v1/dek/${scope}/${kek.id}`).toString('base64url');
}

function unwrap(kek: Kek, record: KeyRecord): Buffer {
  return decrypt(kek.key, Buffer.from(record.material, 'base64url'), `confide/v1/dek/${record.scope}/${kek.id}`);
}

// ---- attachment file keys -------------------------------------------------------------

const FILE_MAGIC = Buffer.from('CFB2');
const FILE_AAD = 'confide/v1/file';
const FILE_KEY_VERSION = 'f1';
const FILE_NAME_VERSION = 'n1';

function fileNameAad(attachmentId: string): string {
  return `confide/v1/attachments.filename_enc/${attachmentId}`;
}

/** Who a wrapped file key belongs to: a conversation that received the file, or the page that may send it again. */
export type FileKeyOwner =
  { kind: 'conversation'; customerId: string; conversationId: string } | { kind: 'page'; pageId: string };

/** An unwrapped file key. Opaque: its bytes never leave this module. */
export interface FileKey {
  readonly kind: 'file-key';
}

const fileKeys = new WeakMap<FileKey, Buffer>();

function newFileKey(raw: Buffer): FileKey {
  const handle: FileKey = Object.freeze({ kind: 'file-key' });
  fileKeys.set(handle, raw);
  return handle;
}

function rawFileKey(fileKey: FileKey): Buffer {
  const raw = fileKeys.get(fileKey);
  if (raw === undefined) throw new Error('Not a file key from the vault');
  return raw;
}

function fileKeyAad(owner: FileKeyOwner, attachmentId: string): string {
  return owner.kind === 'page'
    ? `confide/v1/attachments.key_enc/page/${owner.pageId}/${attachmentId}`
    : `confide/v1/attachment_keys.key_enc/${owner.customerId}/${owner.conversationId}/${attachmentId}`;
}
