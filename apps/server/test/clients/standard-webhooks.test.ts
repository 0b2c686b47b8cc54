/**
 * A receiver built on the maintained `standardwebhooks` package (the Standard Webhooks
 * reference verifier) accepts Confide's deliveries for an app that turned them on, with
 * X-Hub-Signature(-256) still sent; a retried batch keeps its `webhook-id`; a rotated or
 * turned-off secret stops verifying. Runs on both dialects.
 */
import { verifyWebhookSignature } from '@confide/protocol';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../helpers.js';
import { buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  status: number;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: Standard Webhooks signatures`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    let receiver: http.Server;
    let received: Received[];
    /** The receiver's verifier; null while it has no secret. */
    let verifier: Webhook | null;
    /** Answer 500 to this many POSTs first (to see a retry). */
    let failFirst: number;
    let appToken: string;

    beforeEach(async () => {
      hub = await buildTestHub({
        dialect,
        env: { WEBHOOK_POLL_MS: '50', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_RETRY_CAP_MS: '50' },
      });
      fx = await buildGraphFixture(hub, { silent: true });
      appToken = `${fx.page.app_id}|${fx.page.app_secret}`;
      received = [];
      verifier = null;
      failFirst = 0;
      receiver = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') return void res.end(url.searchParams.get('hub.challenge'));
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let status = 200;
          if (failFirst > 0) {
            failFirst -= 1;
            status = 500;
          } else if (verifier !== null) {
            try {
              verifier.verify(raw, req.headers as Record<string, string>);
            } catch {
              status = 401;
            }
          }
          received.push({ headers: req.headers, raw, status });
          res.statusCode = status;
          res.end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const port = (receiver.address() as AddressInfo).port;
      const sub = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/${fx.page.app_id}/subscriptions?access_token=${encodeURIComponent(appToken)}`,
        payload: `object=page&callback_url=${encodeURIComponent(`http://127.0.0.1:${port}/wh`)}&verify_token=t&fields=messages`,
      });
      expect(sub.json()).toEqual({ success: true });
    });
    afterEach(async () => {
      await hub.dispose();
      await new Promise((r) => receiver.close(r));
    });

    const customerSays = async (text: string) => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${fx.conversationId}/messages`,
        headers: { cookie: fx.customer.cookie },
        payload: { text },
      });
      expect(res.statusCode).toBe(201);
    };
    const until = async (predicate: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out; received ${received.map((r) => r.status).join(',')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const turnOn = async (): Promise<string> => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/${fx.page.app_id}/standard_webhooks`,
        headers: { authorization: `Bearer ${appToken}` },
      });
      expect(res.json()).toMatchObject({
        app_id: fx.page.app_id,
        standard_webhooks: true,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      });
      return res.json().secret as string;
    };

    it('off by default: only X-Hub-Signature(-256) are sent', async () => {
      await customerSays('one');
      await until(() => received.length === 1);
      const [first] = received;
      expect(first?.headers['webhook-signature']).toBeUndefined();
      expect(
        (await verifyWebhookSignature(first?.raw ?? '', first?.headers as Record<string, string>, fx.page.app_secret))
          .valid,
      ).toBe(true);
      expect((await hub.services.webhooks.status(fx.page.page_id)).standard_webhooks).toBe(false);
    });

    it('turned on, the standardwebhooks verifier accepts every delivery; a retried batch keeps its webhook-id; X-Hub-Signature-256 still verifies', async () => {
      verifier = new Webhook(await turnOn());
      expect((await hub.services.webhooks.status(fx.page.page_id)).standard_webhooks).toBe(true);
      failFirst = 1;
      await customerSays('first');
      await until(() => received.some((r) => r.status === 200));
      const [failed, ok] = received;
      expect(failed?.status).toBe(500);
      expect(ok?.status).toBe(200);
      expect(ok?.headers['webhook-id']).toBe(failed?.headers['webhook-id']);
      expect(ok?.headers['webhook-id']).toMatch(/^msg_/);
      expect(JSON.parse(ok?.raw ?? '{}').entry[0].messaging[0].message.text).toBe('first');
      expect(
        (await verifyWebhookSignature(ok?.raw ?? '', ok?.headers as Record<string, string>, fx.page.app_secret)).valid,
      ).toBe(true);
      await customerSays('second');
      await until(() => received.filter((r) => r.status === 200).length === 2);
      const ids = received.filter((r) => r.status === 200).map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(2);
    });

    it('a rotated secret stops the old one verifying; turned off (CLI use case), no Standard headers are sent', async () => {
      const old = await turnOn();
      verifier = new Webhook(await turnOn());
      await customerSays('rotated');
      await until(() => received.length === 1);
      expect(received[0]?.status).toBe(200);
      expect(() =>
        new Webhook(old).verify(received[0]?.raw ?? '', received[0]?.headers as Record<string, string>),
      ).toThrow();
      const off = await hub.services.webhooks.setStandardSigning({ pageId: fx.page.page_id, on: false });
      expect(off).toEqual({ app_id: fx.page.app_id, standard_webhooks: false });
      verifier = null;
      await customerSays('plain');
      await until(() => received.length === 2);
      expect(received[1]?.headers['webhook-signature']).toBeUndefined();
      const page = await hub.app.inject({
        method: 'POST',
        url: `/${fx.page.app_id}/standard_webhooks?access_token=${fx.page.page_access_token}`,
      });
      expect(page.json().error).toMatchObject({ code: 15 });
    });
  });
}
