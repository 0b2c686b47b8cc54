/**
 * The one place message content is turned into stored bytes and back. Every message
 * body and webhook payload passes through here, keyed by the customer it belongs to,
 * so encryption at rest with per-customer keys lands here without touching callers.
 */
import { MessageBodySchema, type MessageBody } from '@confide/protocol';

/** Serializes a message body for storage. */
export function sealContent(_customerId: string, body: unknown): string {
  return JSON.stringify(body);
}

/** Reads a stored message body back. */
export function openContent(_customerId: string, stored: string): MessageBody {
  return MessageBodySchema.parse(JSON.parse(stored));
}

/** Reads a stored opaque JSON payload (webhook items). */
export function openPayload(_customerId: string, stored: string): unknown {
  return JSON.parse(stored);
}
