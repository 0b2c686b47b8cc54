/**
 * Card-number masking (PCI DSS: a PAN is never stored or logged in full). A Luhn-valid
 * run of 13–19 digits, optionally grouped by single spaces or dashes, keeps its last
 * four digits and its separators; every other digit becomes `*`. Applied to message
 * content before it is stored or sent on, and to log lines.
 */

const CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;

/** Fields whose values are machine data (ids, URLs, bot payloads), never masked. */
const MACHINE_KEYS = new Set([
  'payload',
  'url',
  'mid',
  'attachment_id',
  'metadata',
  'image_url',
  'fallback_url',
  'webview_url',
  'reply_to',
  'app_id',
  'persona_id',
]);

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Masks every card number in `text`. */
export function maskCardNumbers(text: string): string {
  if (!/\d{4}/.test(text.replace(/[ -]/g, ''))) return text;
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

/** Masks card numbers in every human-readable string of a JSON value (not in ids, URLs or payloads). */
export function maskDeep<T>(value: T, key?: string): T {
  if (typeof value === 'string') return (key !== undefined && (MACHINE_KEYS.has(key) || key.endsWith('_url')) ? value : maskCardNumbers(value)) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key)) as T;
  // Plain objects only: errors, buffers and dates keep their own shape (and serializers).
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, k);
    return out as T;
  }
  return value;
}
