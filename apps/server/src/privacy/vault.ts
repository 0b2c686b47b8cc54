/**
 * The vault and purposes gateway: the only place that encrypts and decrypts customer
 * content (an architecture test keeps `aead.ts` private to privacy/vault/). This module is
 * the facade callers use; the work is done by four parts, each usable on its own:
 *
 * - `keys` (vault/key-ring.ts): customer data keys wrapped by the KEK, conversation salts,
 *   hub keys; their cache and warming, erasure (crypto-shredding) and KEK rotation;
 * - `content` (vault/content-sealing.ts): message bodies and webhook payloads sealed under
 *   the conversation key, and the legacy hub-wide blob key;
 * - `files` (vault/file-crypto.ts): attachment files under a key per file, wrapped per
 *   conversation and per page;
 * - `gate` (vault/access-gate.ts): opening requires an `Access` whose purpose is in the
 *   closed list; every open is reported to the observer (the audit log), and a refused
 *   purpose is reported too.
 */
import type { MessageBody } from '@confide/protocol';
import type { Kek } from '../crypto/kek.js';
import type { KeyStore } from './keystore.js';
import type { Access } from './purposes.js';
import { AccessGate, type AccessEvent } from './vault/access-gate.js';
import { ContentSealing } from './vault/content-sealing.js';
import { FileCrypto, type FileKey, type FileKeyOwner } from './vault/file-crypto.js';
import { KeyRing } from './vault/key-ring.js';

export type { AccessEvent, SealedColumn } from './vault/access-gate.js';
export type { FileKey, FileKeyOwner } from './vault/file-crypto.js';

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

export class Vault {
  readonly keys: KeyRing;
  readonly gate: AccessGate;
  readonly content: ContentSealing;
  readonly files: FileCrypto;

  constructor(options: VaultOptions) {
    this.keys = new KeyRing(options);
    this.gate = new AccessGate();
    this.content = new ContentSealing(this.keys, this.gate);
    this.files = new FileCrypto(this.keys, this.gate);
  }

  get keystore(): KeyStore {
    return this.keys.keystore;
  }

  /** Id of the KEK currently wrapping new keys. */
  get kekId(): string {
    return this.keys.kekId;
  }

  /**
   * Fails loudly when the keystore holds keys wrapped by a KEK this process was not given
   * (a wrong KEK, or a rotation without KEK_PREVIOUS): better to refuse to start than to
   * fail on every read.
   */
  assertKekMatchesKeystore(): Promise<void> {
    return this.keys.assertKekMatchesKeystore();
  }

  /** Subscribes to access events (the audit log). */
  observe(fn: (event: AccessEvent) => void): void {
    this.gate.observe(fn);
  }

  // ---- content ---------------------------------------------------------------------------

  /** Seals a message body for `messages.body`. */
  sealMessage(customerId: string, conversationId: string, body: unknown): Promise<string> {
    return this.content.sealMessage(customerId, conversationId, body);
  }

  /** Seals a webhook `messaging[]` item for `webhook_outbox.payload`. */
  sealPayload(customerId: string, conversationId: string, payload: unknown): Promise<string> {
    return this.content.sealPayload(customerId, conversationId, payload);
  }

  /** Opens a stored message body. @throws PurposeDeniedError, ContentErasedError. */
  openMessage(access: Access, customerId: string, stored: string): Promise<MessageBody> {
    return this.content.openMessage(access, customerId, stored);
  }

  /** Opens a stored webhook payload. @throws PurposeDeniedError, ContentErasedError. */
  openPayload(access: Access, customerId: string, stored: string): Promise<unknown> {
    return this.content.openPayload(access, customerId, stored);
  }

  /** Opens a stored webhook payload as the JSON text its value serialises to (the webhook body's bytes). */
  openPayloadJson(access: Access, customerId: string, stored: string): Promise<string> {
    return this.content.openPayloadJson(access, customerId, stored);
  }

  /** Seals attachment bytes under the hub's legacy blob key. */
  sealBlob(data: Buffer): Promise<Buffer> {
    return this.content.sealBlob(data);
  }

  /** Opens attachment bytes (files written before encryption are returned as they are). */
  openBlob(access: Access, data: Buffer): Promise<Buffer> {
    return this.content.openBlob(access, data);
  }

  /**
   * Makes sure the conversation's keys exist and are cached, creating them if needed, so a
   * later seal inside a write transaction finds them. Callers warm keys before queueing the
   * write: first contacts arriving together then share one keystore commit instead of
   * each holding the group commit for one.
   */
  warmKeys(customerId: string, conversationId: string): Promise<void> {
    return this.keys.warmKeys(customerId, conversationId);
  }

  /**
   * `warmKeys` for many conversations at once (a fan-out's first contacts): one keystore
   * read and one keystore commit for all of them. Best effort: a conversation whose keys
   * cannot be created (erased customer) stays cold and its seal fails in its transaction.
   */
  warmMany(pairs: ReadonlyArray<{ customerId: string; conversationId: string }>): Promise<void> {
    return this.keys.warmMany(pairs);
  }

  /** Whether a seal for this conversation would find its key in memory (no keystore access). */
  keysWarm(customerId: string, conversationId: string): boolean {
    return this.keys.keysWarm(customerId, conversationId);
  }

  // ---- attachment files (vault/file-crypto.ts) ----------------------------------------------

  sealFile(data: Buffer): { sealed: Buffer; fileKey: FileKey } {
    return this.files.sealFile(data);
  }

  isSealedFile(data: Buffer): boolean {
    return this.files.isSealedFile(data);
  }

  openFile(fileKey: FileKey, sealed: Buffer): Buffer {
    return this.files.openFile(fileKey, sealed);
  }

  sealFileName(fileKey: FileKey, attachmentId: string, name: string): string {
    return this.files.sealFileName(fileKey, attachmentId, name);
  }

  openFileName(fileKey: FileKey, attachmentId: string, sealed: string): string {
    return this.files.openFileName(fileKey, attachmentId, sealed);
  }

  wrapFileKey(owner: FileKeyOwner, attachmentId: string, fileKey: FileKey): Promise<string> {
    return this.files.wrapFileKey(owner, attachmentId, fileKey);
  }

  /** @throws PurposeDeniedError, ContentErasedError (the conversation or customer was erased). */
  openFileKey(access: Access, owner: FileKeyOwner, attachmentId: string, wrapped: string): Promise<FileKey> {
    return this.files.openFileKey(access, owner, attachmentId, wrapped);
  }

  // ---- erasure and rotation (vault/key-ring.ts) ----------------------------------------------

  /** Destroys a customer's data key and conversation salts: all their sealed content becomes unreadable. */
  eraseCustomer(customerId: string): Promise<number> {
    return this.keys.eraseCustomer(customerId);
  }

  /** Destroys one conversation's salt: that conversation's sealed content becomes unreadable. */
  eraseConversation(customerId: string, conversationId: string): Promise<number> {
    return this.keys.eraseConversation(customerId, conversationId);
  }

  /** Destroys the hub-wide key of legacy blobs once none is left (`confide keys rekey-attachments`). */
  eraseLegacyBlobKey(): Promise<number> {
    return this.keys.eraseHubKey('blobs');
  }

  /**
   * Key rotation (`confide keys rotate`): re-wraps every data key still wrapped by a
   * previous KEK under the current one, without touching any sealed data. Afterwards
   * KEK_PREVIOUS can be removed and the old KEK destroyed.
   */
  rewrapAll(): Promise<{ rewrapped: number; current: number }> {
    return this.keys.rewrapAll();
  }

  /**
   * Wraps a hub secret kept outside the keystore (the hub's signing keys) under the current
   * KEK; `label` names what it is and is bound into the wrap, so a wrapped secret cannot be
   * moved to another label. Only a holder of the KEK produces a wrap that opens.
   */
  wrapHubSecret(label: string, raw: Buffer): { kekId: string; material: string } {
    return this.keys.wrapHubSecret(label, raw);
  }

  /**
   * Opens a hub secret wrapped by `wrapHubSecret` (under KEK or a KEK_PREVIOUS key).
   * @throws Error when the KEK is unknown or the wrap does not authenticate (not made with the KEK).
   */
  unwrapHubSecret(label: string, kekId: string, material: string): Buffer {
    return this.keys.unwrapHubSecret(label, kekId, material);
  }
}
