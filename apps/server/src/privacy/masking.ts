/**
 * Card-number masking (PCI DSS: a PAN is never stored or logged in full). A Luhn-valid
 * run of 13–19 digits, optionally grouped by single spaces or dashes, keeps its last
 * four digits and its separators; every other digit becomes `*`. Applied to message
 * content before it is stored or sent on, and to log lines.
 */
import { isLuhnValid } from '../crypto/tokens.js';

const CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;

/**
 * Message content is masked only in fields people write and read: ids (PSIDs, page and app
 * ids are 15–16 digits and may pass the Luhn check), URLs and bot payloads are left intact.
 */
const HUMAN_KEYS = new Set([
  'text',
  'title',
  'subtitle',
  'payment_method',
  'recipient_name',
  'street_1',
  'street_2',
  'content_type_text',
]);

/** In log lines everything is masked except identifiers and URLs. */
const isMachineKey = (key: string) =>
  key === 'id' ||
  key.endsWith('_id') ||
  key.endsWith('Id') ||
  key === 'url' ||
  key.endsWith('_url') ||
  key === 'payload';

/** One Luhn check for masking and for id minting (ids are minted never to pass it). */
export const luhnValid = isLuhnValid;

/** Masks every card number in `text`. */
export function maskCardNumbers(text: string): string {
  // A card number has at least 13 digits: most text has fewer, and is returned without a regex or a copy.
  if (!hasDigits(text, 13)) return text;
  return text.replace(CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
    let keep = 4;
    let out = '';
    for (let i = match.length - 1; i >= 0; i--) {
      const ch = match[i] ?? '';
      if (ch === ' ' || ch === '-') out = ch + out;
      else if (keep > 0) {
        out = ch + out;
        keep -= 1;
      } else out = `*${out}`;
    }
    return out;
  });
}

/** Whether `text` holds at least `count` ASCII digits. */
function hasDigits(text: string, count: number): boolean {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++found >= count) return true;
  }
  return false;
}

/** Masks card numbers in the human-written fields of a message body or webhook item. */
export function maskDeep<T>(value: T): T {
  return walk(value, undefined, (key) => key !== undefined && HUMAN_KEYS.has(key));
}

/** Masks card numbers in every string of a log object except identifiers, URLs and payloads. */
export function maskLogObject<T>(value: T): T {
  return walk(value, undefined, (key) => key === undefined || !isMachineKey(key));
}

function walk<T>(value: T, key: string | undefined, masks: (key: string | undefined) => boolean): T {
  if (typeof value === 'string') return (masks(key) ? maskCardNumbers(value) : value) as T;
  if (Array.isArray(value)) return value.map((v) => walk(v, key, masks)) as T;
  // Plain objects only: errors, buffers and dates keep their own shape (and serializers).
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = walk((value as Record<string, unknown>)[k], k, masks);
    return out as T;
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
