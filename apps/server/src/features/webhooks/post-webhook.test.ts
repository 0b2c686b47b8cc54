import { serializeWebhookBody, signWebhookBody, verifyWebhookSignature } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { signBody } from './post-webhook.js';

describe('signBody', () => {
  it('signs exactly as the protocol package does (sha1 and sha256 over the sent bytes), native HMAC', async () => {
    const raw = serializeWebhookBody({ object: 'page', entry: [{ id: '1', messaging: [{ text: 'Grüße, 👋' }] }] });
    for (const secret of ['s3cr3t', 'clé-🔑', 'x'.repeat(200)]) {
      const native = signBody(raw, secret);
      expect(native).toEqual(await signWebhookBody(raw, secret));
      const headers = { 'x-hub-signature-256': native.sha256, 'x-hub-signature': native.sha1 };
      expect(await verifyWebhookSignature(raw, headers, secret)).toEqual({ valid: true, algorithm: 'sha256' });
      expect(await verifyWebhookSignature(raw, headers, `${secret}!`)).toMatchObject({ valid: false });
    }
    expect(() => signBody(raw, '')).toThrow(TypeError);
  });
});
