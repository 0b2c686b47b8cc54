import { signWebhookBody } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { WebhookSignatureError, WebhookVerificationError } from '../errors.js';
import { handleVerification, verifyWebhook } from './verify-webhook.js';

const SECRET = 'shh';
const BODY = '{"object":"page","entry":[]}';

describe('verifyWebhook', () => {
  it('returns the algorithm of a valid signature', async () => {
    const { sha1, sha256 } = await signWebhookBody(BODY, SECRET);
    await expect(verifyWebhook(BODY, { 'x-hub-signature-256': sha256, 'x-hub-signature': sha1 }, SECRET)).resolves.toBe(
      'sha256',
    );
    await expect(verifyWebhook(BODY, { 'x-hub-signature': sha1 }, SECRET)).resolves.toBe('sha1');
  });

  it('throws WebhookSignatureError carrying the reason', async () => {
    const cases = [
      [{}, 'missing'],
      [{ 'x-hub-signature-256': 'nonsense' }, 'malformed'],
      [{ 'x-hub-signature': 'md5=0cc175b9c0f1b6a831c399e269772661' }, 'unsupported_algorithm'],
      [{ 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` }, 'mismatch'],
    ] as const;
    for (const [headers, reason] of cases) {
      const err = await verifyWebhook(BODY, headers, SECRET).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebhookSignatureError);
      expect(err).toMatchObject({ reason, httpStatus: 401 });
    }
  });
});

describe('handleVerification', () => {
  const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' };

  it('returns the challenge for the right token', () => {
    expect(handleVerification(query, 'tok')).toBe('1158201444');
    expect(handleVerification(new URLSearchParams(query), 'tok')).toBe('1158201444');
  });

  it('accepts PHP-style underscore names', () => {
    expect(handleVerification({ hub_mode: 'subscribe', hub_verify_token: 'tok', hub_challenge: '7' }, 'tok')).toBe('7');
  });

  it('refuses a wrong token, mode or a missing challenge with 403', () => {
    const cases = [
      [{ ...query, 'hub.verify_token': 'nope' }, 'verify_token'],
      [{ ...query, 'hub.mode': 'unsubscribe' }, 'mode'],
      [{ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok' }, 'challenge'],
    ] as const;
    for (const [q, reason] of cases) {
      let caught: unknown;
      try {
        handleVerification(q, 'tok');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(WebhookVerificationError);
      expect(caught).toMatchObject({ reason, httpStatus: 403 });
    }
  });

  it('refuses to run with an empty verify token', () => {
    expect(() => handleVerification({ ...query, 'hub.verify_token': '' }, '')).toThrow(TypeError);
  });
});
