/**
 * What ties an answer to its case: a short reference the customer reads (`FC-7K2Q9M`) and
 * button payloads `FRAUD:<answer>:<ref>:<mac>`, where the MAC is an HMAC of the answer and
 * reference under the case's own random key. A payload for another case, an edited
 * answer or a made-up reference cannot carry a valid MAC.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** The answers a customer can give to "Was this you?". */
export type CaseAnswer = 'yes' | 'no';

// Crockford base32 without look-alikes (no I, L, O, U).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new customer-facing case reference (30 bits; uniqueness is enforced by the table). */
export function newCaseRef(): string {
  let out = 'FC-';
  for (let i = 0; i < 6; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** A new per-case answer key. */
export const newAnswerKey = (): string => randomBytes(32).toString('base64url');

const mac = (key: string, answer: CaseAnswer, ref: string): string =>
  createHmac('sha256', key).update(`${answer}:${ref}`).digest('base64url').slice(0, 22);

/** The payload of one answer button. */
export const answerPayload = (key: string, answer: CaseAnswer, ref: string): string =>
  `FRAUD:${answer}:${answerProof(key, answer, ref)}`;

/**
 * What follows `FRAUD:<answer>:` in a button payload, `<ref>:<mac>`: the variable of the
 * fraud check template's buttons, whose fixed part names the answer.
 */
export const answerProof = (key: string, answer: CaseAnswer, ref: string): string => `${ref}:${mac(key, answer, ref)}`;

/** Checks a payload's MAC in constant time. */
export function verifyAnswerProof(key: string, answer: CaseAnswer, ref: string, proof: string): boolean {
  const expected = Buffer.from(mac(key, answer, ref));
  const given = Buffer.from(proof);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A parsed `FRAUD:` payload; `proof` is undefined when the payload carries none. */
export interface ParsedAnswerPayload {
  answer: CaseAnswer;
  ref: string;
  proof: string | undefined;
}

/** Parses a `FRAUD:` payload, or returns undefined when it is not one (or malformed). */
export function parseAnswerPayload(payload: string): ParsedAnswerPayload | 'malformed' | undefined {
  if (!payload.startsWith('FRAUD:')) return undefined;
  const [, answer, ref, proof, ...rest] = payload.split(':');
  if (
    (answer !== 'yes' && answer !== 'no') ||
    ref === undefined ||
    ref.length === 0 ||
    ref.length > 64 ||
    rest.length > 0
  )
    return 'malformed';
  return { answer, ref, proof };
}
