/**
 * Property: the webhook wire format. Any JSON value serialises to ASCII-only bytes that
 * parse back to the same value, re-serialise to the same bytes, and verify against their
 * signature (both headers); changing any single byte of the body makes verification fail.
 */
import { serializeWebhookBody, signWebhookBody, verifyWebhookSignature } from '@confide/protocol';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { junkToJson, junkValue } from './junk.js';

const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 300);

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  maxLength: 4,
});

/** JSON values with strings from the whole of unicode, lone surrogates and `__proto__` keys included. */
const jsonValue = fc.oneof(
  fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }),
  fc.jsonValue({ stringUnit: 'grapheme', maxDepth: 3 }),
  junkValue.map((j) => JSON.parse(junkToJson(j)) as unknown),
  fc.dictionary(loneSurrogates, loneSurrogates, { maxKeys: 3 }),
);

const secret = fc.string({ minLength: 1, maxLength: 64, unit: 'binary' });

describe('property: webhook serialiser and signer', () => {
  it('serialises any JSON value to ASCII bytes that parse back to it and re-serialise identically', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const raw = serializeWebhookBody(value);
        expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
        const bytes = Buffer.from(raw, 'utf8');
        expect(bytes.length).toBe(raw.length);
        const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
        // node:util, not toStrictEqual: a key named `constructor` is data here, not a class.
        expect(isDeepStrictEqual(parsed, JSON.parse(JSON.stringify(value)))).toBe(true);
        expect(JSON.stringify(parsed)).toBe(JSON.stringify(value));
        expect(serializeWebhookBody(parsed)).toBe(raw);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('signs bytes that verify with both headers, as a string or as bytes', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, secret, async (value, appSecret) => {
        const raw = serializeWebhookBody(value);
        const sig = await signWebhookBody(raw, appSecret);
        const both = { 'x-hub-signature': sig.sha1, 'x-hub-signature-256': sig.sha256 };
        expect(await verifyWebhookSignature(raw, both, appSecret)).toEqual({ valid: true, algorithm: 'sha256' });
        expect(await verifyWebhookSignature(Buffer.from(raw), new Headers(both), appSecret)).toEqual({
          valid: true,
          algorithm: 'sha256',
        });
        expect(await verifyWebhookSignature(raw, { 'X-Hub-Signature': sig.sha1 }, appSecret)).toEqual({
          valid: true,
          algorithm: 'sha1',
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses the body after any single-byte change, under either header', async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonValue,
        secret,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (value, appSecret, at, delta) => {
          const bytes = Buffer.from(serializeWebhookBody(value));
          const sig = await signWebhookBody(bytes, appSecret);
          const mutated = Buffer.from(bytes);
          const i = at % mutated.length;
          mutated[i] = ((mutated[i] as number) + delta) % 256;
          expect(await verifyWebhookSignature(mutated, { 'x-hub-signature-256': sig.sha256 }, appSecret)).toEqual({
            valid: false,
            reason: 'mismatch',
          });
          expect(await verifyWebhookSignature(mutated, { 'x-hub-signature': sig.sha1 }, appSecret)).toEqual({
            valid: false,
            reason: 'mismatch',
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses a body signed with another secret, or a signature with one hex digit changed', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, secret, secret, fc.nat(), async (value, appSecret, other, at) => {
        fc.pre(other !== appSecret);
        const raw = serializeWebhookBody(value);
        const sig = await signWebhookBody(raw, appSecret);
        expect((await verifyWebhookSignature(raw, { 'x-hub-signature-256': sig.sha256 }, other)).valid).toBe(false);
        const hex = sig.sha256.slice('sha256='.length);
        const i = at % hex.length;
        // Another digit value (a case change of the same digit is the same signature).
        const digit = ((Number.parseInt(hex[i] as string, 16) + 1 + (at % 15)) % 16).toString(16);
        const forged = `sha256=${hex.slice(0, i)}${digit}${hex.slice(i + 1)}`;
        expect(await verifyWebhookSignature(raw, { 'x-hub-signature-256': forged }, appSecret)).toEqual({
          valid: false,
          reason: 'mismatch',
        });
      }),
      { numRuns: RUNS },
    );
  });
});
