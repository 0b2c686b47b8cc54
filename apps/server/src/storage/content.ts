/**
 * How message content is serialized before it is sealed, and parsed after it is opened.
 * Sealing and opening themselves belong to the vault (privacy/vault.ts): writers call
 * `tx.vault.sealMessage` / `sealPayload`, readers `storage.vault.openMessage` /
 * `openPayload` with a purpose. Nothing here encrypts or decrypts.
 */
import { MessageBodySchema, type MessageBody } from '@confide/protocol';

/** Serializes a body or payload for sealing. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Parses an opened payload. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text);
}

/** Parses an opened message body. */
export function decodeMessageBody(text: string): MessageBody {
  return MessageBodySchema.parse(JSON.parse(text));
}
