/**
 * Content sealing: message bodies and webhook payloads, sealed under their conversation's
 * key (`c1.<conversation>.<base64url>`), with associated data binding each ciphertext to its
 * column, customer and conversation so it cannot be replayed into another row; and the
 * legacy hub-wide blob key of attachment files written before per-file keys.
 */
import type { MessageBody } from '@confide/protocol';
import { decodeJson, decodeMessageBody, encodeJson } from '../../storage/content.js';
import { decrypt, encrypt } from '../aead.js';
import type { Access } from '../purposes.js';
import type { AccessGate, SealedColumn } from './access-gate.js';
import type { KeyRing } from './key-ring.js';

const VERSION = 'c1';
const BLOB_MAGIC = Buffer.from('CFB1');
const BLOB_AAD = 'confide/v1/blob';

export class ContentSealing {
  readonly #keys: KeyRing;
  readonly #gate: AccessGate;

  constructor(keys: KeyRing, gate: AccessGate) {
    this.#keys = keys;
    this.#gate = gate;
  }

  /** Seals a message body for `messages.body`. */
  sealMessage(customerId: string, conversationId: string, body: unknown): Promise<string> {
    return this.#seal('messages.body', customerId, conversationId, body);
  }

  /** Seals a webhook `messaging[]` item for `webhook_outbox.payload`. */
  sealPayload(customerId: string, conversationId: string, payload: unknown): Promise<string> {
    return this.#seal('webhook_outbox.payload', customerId, conversationId, payload);
  }

  /** Opens a stored message body. @throws PurposeDeniedError, ContentErasedError. */
  async openMessage(access: Access, customerId: string, stored: string): Promise<MessageBody> {
    return decodeMessageBody(await this.#open(access, 'messages.body', customerId, stored));
  }

  /** Opens a stored webhook payload. @throws PurposeDeniedError, ContentErasedError. */
  async openPayload(access: Access, customerId: string, stored: string): Promise<unknown> {
    return decodeJson(await this.#open(access, 'webhook_outbox.payload', customerId, stored));
  }

  /**
   * Opens a stored webhook payload as JSON text, exactly as `JSON.stringify` writes its value
   * (what the sealing wrote; a row from before encryption at rest is re-serialised), so the
   * webhook body can be built without parsing it. @throws PurposeDeniedError, ContentErasedError.
   */
  async openPayloadJson(access: Access, customerId: string, stored: string): Promise<string> {
    const text = await this.#open(access, 'webhook_outbox.payload', customerId, stored);
    return stored.startsWith('{') ? encodeJson(decodeJson(text)) : text;
  }

  /** Seals attachment bytes under the hub's blob key. */
  async sealBlob(data: Buffer): Promise<Buffer> {
    const key = await this.#keys.hubKey('blobs');
    return Buffer.concat([BLOB_MAGIC, encrypt(key, data, BLOB_AAD)]);
  }

  /** Opens attachment bytes (files written before encryption are returned as they are). */
  async openBlob(access: Access, data: Buffer): Promise<Buffer> {
    this.#gate.check(access, null);
    if (!data.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) return data;
    return decrypt(await this.#keys.hubKey('blobs'), data.subarray(BLOB_MAGIC.length), BLOB_AAD);
  }

  async #seal(column: SealedColumn, customerId: string, conversationId: string, value: unknown): Promise<string> {
    if (conversationId.includes('.')) throw new Error('conversation ids cannot contain dots');
    const key = await this.#keys.sealingKey(customerId, conversationId);
    // Callers mask before sealing, once: the messaging kernel (timeline/append.ts), inbox notes and approvals.
    const sealed = encrypt(key, Buffer.from(encodeJson(value), 'utf8'), aad(column, customerId, conversationId));
    return `${VERSION}.${conversationId}.${sealed.toString('base64url')}`;
  }

  async #open(access: Access, column: SealedColumn, customerId: string, stored: string): Promise<string> {
    this.#gate.check(access, customerId);
    // Rows written before encryption at rest (plain JSON) stay readable.
    if (stored.startsWith('{')) return stored;
    const [version, conversationId, data] = stored.split('.');
    if (version !== VERSION || conversationId === undefined || data === undefined)
      throw new Error('Unknown sealed content format');
    const sealed = Buffer.from(data, 'base64url');
    const ad = aad(column, customerId, conversationId);
    const text = await this.#keys.withOpeningKey(customerId, conversationId, (key) =>
      decrypt(key, sealed, ad).toString('utf8'),
    );
    this.#gate.opened(access, customerId, conversationId, column);
    return text;
  }
}

function aad(column: SealedColumn, customerId: string, conversationId: string): string {
  return `confide/v1/${column}/${customerId}/${conversationId}`;
}
