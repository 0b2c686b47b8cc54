/**
 * The `CONFIDE_CONSENT_` and `CONFIDE_CSAT_` payload prefixes belong to the hub: only
 * hub-rendered prompts (expiry reminders, the inbox's satisfaction question) may carry them. Business content — Send API messages (single or in a
 * batch), templates, Messenger Profile menus, get-started and ice breakers — is refused
 * when any `payload` string in it uses the prefix, so a page cannot dress its own button
 * as the hub's consent prompt. The hub's own buttons also carry a single-use token
 * (reminders.ts), so a forged payload that slipped through would still do nothing.
 */
import { PlatformError } from '@confide/protocol';
import { CSAT_PAYLOAD_PREFIX, RESERVED_PAYLOAD_PREFIX } from './hub-message.js';

/** Nesting is bounded by the Graph schemas; deeper content is refused rather than left unchecked. */
const MAX_DEPTH = 64;

/** The hub's reserved prefix a payload would be taken for (case, spacing and invisible characters ignored). */
function reservedPrefixOf(payload: string): string | undefined {
  const folded = payload.replace(/[\s\u200b-\u200f\u2060\ufeff]/gu, '').toUpperCase();
  return [RESERVED_PAYLOAD_PREFIX, CSAT_PAYLOAD_PREFIX].find((prefix) => folded.startsWith(prefix));
}

/** Whether a payload would be taken for the hub's (case, spacing and invisible characters ignored). */
export function isReservedPayload(payload: string): boolean {
  return reservedPrefixOf(payload) !== undefined;
}

/**
 * Throws a Graph `(#100)` error naming the field when any `payload` string inside `content`
 * (parsed business content) uses the hub's reserved prefix.
 */
export function assertNoReservedPayload(content: unknown, field: string): void {
  const found = findReserved(content, field, 0);
  if (found !== undefined) {
    const what = found.prefix === CSAT_PAYLOAD_PREFIX ? 'satisfaction questions' : 'consent prompts';
    throw new PlatformError('INVALID_PARAMETER', {
      message: `${found.path}: payloads starting with ${found.prefix} are reserved for the hub's own ${what}`,
    });
  }
}

type Found = { path: string; prefix: string };

function findReserved(value: unknown, path: string, depth: number): Found | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_DEPTH) throw new PlatformError('INVALID_PARAMETER', { message: `${path}: nested too deeply` });
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findReserved(value[i], `${path}[${i}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const prefix = key === 'payload' && typeof child === 'string' ? reservedPrefixOf(child) : undefined;
    if (prefix !== undefined) return { path: `${path}.${key}`, prefix };
    const found = findReserved(child, `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
