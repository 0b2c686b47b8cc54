/**
 * The commonest send, a plain text reply or update, checked without the schema: only when
 * it has exactly `recipient: {id: "<digits>"}`, an optional `messaging_type` of RESPONSE or
 * UPDATE, and `message: {text}` with a short non-empty text, and no other parameter. Such a
 * send passes `SendMessageRequestSchema` and gives the command built here; anything else
 * (any other field, a longer text, a numeric id) returns undefined and goes through the
 * schema (parse-send.ts), so its answers, errors included, are the schema's.
 */
import type { SendCommand } from './parse-send.js';

const PSID = /^\d{1,32}$/;
/** Below this many UTF-16 units a text is below the schema's 2000 characters for certain. */
const SHORT_TEXT = 2000;

export function plainTextSend(params: Record<string, unknown>): SendCommand | undefined {
  let keys = 0;
  for (const key in params) {
    if (!Object.hasOwn(params, key)) continue;
    if (key !== 'recipient' && key !== 'message' && key !== 'messaging_type') return undefined;
    keys += 1;
  }
  const psid = onlyField(params['recipient'], 'id');
  const text = onlyField(params['message'], 'text');
  const type = params['messaging_type'];
  if (typeof psid !== 'string' || !PSID.test(psid)) return undefined;
  if (typeof text !== 'string' || text.length === 0 || text.length >= SHORT_TEXT) return undefined;
  if (type !== undefined && type !== 'RESPONSE' && type !== 'UPDATE') return undefined;
  if (keys !== (type === undefined ? 2 : 3)) return undefined;
  return {
    kind: 'message',
    psid,
    message: { text },
    messagingType: type ?? 'RESPONSE',
    tag: undefined,
    personaId: undefined,
    replyTo: undefined,
    category: undefined,
  };
}

/** The value of a plain object's one own field `name`, or undefined for anything else. */
function onlyField(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return undefined;
  let found: unknown;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key !== name) return undefined;
    found = (value as Record<string, unknown>)[key];
  }
  return found;
}
