/**
 * The content rules Confide's automatic review applies to a utility template's texts, the
 * part of Meta's Utility Messages policy that can be checked mechanically. Documented in
 * docs/platform-api.md ("Utility message templates"); a change here is a policy change.
 */
import type { TemplateRejectionReason } from '@confide/protocol';

/**
 * Marketing language: a template containing one of these is promotional and cannot be a
 * utility template (Meta's `TAG_SHOULD_BE_MARKETING`). Matched case-insensitively on word
 * boundaries.
 */
export const PROMOTIONAL_PATTERNS: readonly RegExp[] = [
  /\b\d{1,3}\s?% off\b/i,
  /\bdiscount(s|ed)?\b/i,
  /\bsale\b/i,
  /\bpromo(s|tion|tions|tional)?\b/i,
  /\bcoupons?\b/i,
  /\bvouchers?\b/i,
  /\bbuy now\b/i,
  /\bshop now\b/i,
  /\blimited[- ]time\b/i,
  /\bspecial offers?\b/i,
  /\bexclusive (deal|offer)s?\b/i,
  /\bfree gifts?\b/i,
  /\bcashback\b/i,
  /\bdon[’']?t miss\b/i,
  /\bbest prices?\b/i,
  /\bupgrade (now|today)\b/i,
  /\bact now\b/i,
  /\bdeals?\b/i,
  /\bclearance\b/i,
  /\bsubscribe now\b/i,
];

/** Link shorteners hide where a link goes; Meta refuses them in templates. */
export const LINK_SHORTENERS: readonly string[] = [
  'bit.ly',
  'tinyurl.com',
  't.co',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'tiny.cc',
  'rb.gy',
  't.ly',
  's.id',
  'lnkd.in',
];

/** Credentials no business may ask for in a message (Meta: "do not request sensitive identifiers"). */
const SENSITIVE =
  /\b(pin|password|passcode|cvv|cvc|security code|card number|account number|one[- ]time (pass)?code|otp)\b/i;
/** Verbs that ask the customer for something. */
const REQUEST = /\b(reply|send|enter|share|provide|confirm|tell us|type|give us)\b/i;
/** "We will never ask for your PIN" is a warning, not a request. */
const NEGATION = /\b(never|not|don[’']?t|won[’']?t)\b/i;

/** The reason the texts break a content rule, with the offending words; undefined when clean. */
export function contentProblem(
  texts: readonly string[],
  urls: readonly string[],
): { reason: TemplateRejectionReason; found: string } | undefined {
  for (const text of texts) {
    for (const pattern of PROMOTIONAL_PATTERNS) {
      const match = pattern.exec(text);
      if (match !== null) return { reason: 'TAG_SHOULD_BE_MARKETING', found: match[0] };
    }
  }
  for (const candidate of [...texts, ...urls]) {
    const host = shortenerIn(candidate);
    if (host !== undefined) return { reason: 'INVALID_FORMAT', found: host };
  }
  for (const text of texts) {
    for (const sentence of text.split(/[.!?\n]+/)) {
      const sensitive = SENSITIVE.exec(sentence);
      if (sensitive !== null && REQUEST.test(sentence) && !NEGATION.test(sentence))
        return { reason: 'SCAM', found: sensitive[0] };
    }
  }
  return undefined;
}

function shortenerIn(text: string): string | undefined {
  const lower = text.toLowerCase();
  return LINK_SHORTENERS.find((host) =>
    new RegExp(`(^|[^a-z0-9.-])(www\\.)?${host.replace(/\./g, '\\.')}(/|$|[^a-z0-9.-])`).test(lower),
  );
}
