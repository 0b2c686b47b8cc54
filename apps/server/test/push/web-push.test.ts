/**
 * Web Push reaches the customer who is not looking: a consented fraud alert to a customer
 * with no open socket arrives at their device's push service encrypted (RFC 8291) and
 * VAPID-signed (RFC 8292), with high urgency, a short TTL and a topic per case, and says
 * nothing about the account; with the app open and the alert read, nothing is pushed.
 * Devices gone at the push service are pruned, failures retried, bad subscriptions
 * refused, and erasure and export cover the devices. Runs on both dialects.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicOf } from '../../src/features/push/payload.js';
import { buildTestHub, DIALECTS, testClock, type TestClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';
import { buildAlertFixture, buttonAlert, customerApi, openCustomerStream, sendTaggedAlert } from '../alert-kit.js';
import { startPushReceiver, type PushReceiver } from './push-receiver.js';

const FRAUD_TEXT = 'Card •••• 4821 was used for €1,249.00 at ELECTROWORLD LISBON. Was this you?';

for (const dialect of DIALECTS) {
  describe(`${dialect}: Web Push`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let fx: GraphFixture;
    let receiver: PushReceiver;

    beforeEach(async () => {
      clock = testClock();
      // The worker is driven by hand (tick), on the test clock.
      hub = await buildTestHub({ dialect, clock, env: { PUSH_POLL_MS: '3600000', PUSH_UNREAD_AFTER_MS: '60000' } });
      fx = await buildAlertFixture(hub);
      receiver = await startPushReceiver();
    });
    afterEach(async () => {
      await receiver.close();
      await hub.dispose();
    });

    const api = customerApi(
      () => hub,
      () => fx,
    );
    const subscribe = async (path?: string) => {
      const res = await api('PUT', '/api/push/subscriptions', {
        ...receiver.subscription(path),
        device: 'Chrome on Android',
      });
      expect(res.statusCode).toBe(200);
      return res.json() as { id: string };
    };
    const sendAlert = async (text = FRAUD_TEXT, category = 'fraud_alerts') => {
      const buttons = [
        { type: 'postback', title: 'It was me', payload: 'FRAUD:yes:c1' },
        { type: 'postback', title: 'Not me', payload: 'FRAUD:no:c1' },
      ];
      const message = category === 'fraud_alerts' ? buttonAlert(text, buttons) : { text };
      return sendTaggedAlert(hub, fx, category, message);
    };
    const pageName = async () =>
      (
        await hub.ctx.storage.db
          .selectFrom('pages')
          .select('name')
          .where('id', '=', fx.page.page_id)
          .executeTakeFirstOrThrow()
      ).name;
    const tick = () => hub.services.pushWorker!.tick();
    const jobs = async () =>
      Number(
        (
          await hub.ctx.storage.db
            .selectFrom('push_jobs')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const openStream = () => openCustomerStream(hub, fx.customer.cookie);

    it('pushes a fraud alert to a customer with no open socket: encrypted, VAPID-signed, urgent, short-lived, one topic per case', async () => {
      const { public_key: publicKey, enabled } = (await api('GET', '/api/push')).json();
      expect(enabled).toBe(true);
      await subscribe();
      const mid = await sendAlert();
      expect(await tick()).toBe(1);

      expect(receiver.received).toHaveLength(1);
      const push = receiver.received[0]!;
      expect(push.path).toBe('/push/device-1');
      expect(push.headers['content-encoding']).toBe('aes128gcm');
      expect(push.headers['urgency']).toBe('high');
      expect(push.headers['ttl']).toBe('900');
      expect(push.headers['topic']).toBe(topicOf(fx.conversationId, 'fraud_alerts'));
      expect(push.vapid.k).toBe(publicKey);
      expect(push.vapid.claims.aud).toBe(receiver.url);
      expect(push.vapid.claims.exp * 1000).toBeGreaterThan(Date.now());
      expect(JSON.parse(push.text)).toEqual({
        v: 1,
        title: `Security alert from ${await pageName()}`,
        body: 'Open Confide to read it, or answer here.',
        url: `/c/${fx.conversationId}`,
        ref: mid,
        tag: topicOf(fx.conversationId, 'fraud_alerts'),
        category: 'fraud_alerts',
        actions: [
          { action: 'b0', title: 'It was me' },
          { action: 'b1', title: 'Not me' },
        ],
        token: expect.stringMatching(/^[\w-]{43}$/),
      });
      expect(await jobs()).toBe(0);
      // Audited: channel, category, page, outcome; never content.
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'notification.push')
        .execute();
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.details)).toMatchObject({
        channel: 'web_push',
        category: 'fraud_alerts',
        page_id: fx.page.page_id,
        outcome: 'sent',
      });
      expect(audit[0]!.details).not.toMatch(/4821|1,249|ELECTROWORLD/);
      const devices = (await api('GET', '/api/push')).json().devices as Array<{ last_push_at: number }>;
      expect(devices[0]!.last_push_at).toBe(clock.now());
    });

    it('pushes nothing while the app is open and the alert is read; pushes once it stays unread past the policy time', async () => {
      await subscribe();
      const ws = await openStream();
      try {
        await sendAlert();
        expect(await tick()).toBe(1);
        expect(receiver.received).toHaveLength(0);
        // Read in the app within the minute: nothing is ever pushed.
        clock.advance(10_000);
        expect((await api('POST', `/api/conversations/${fx.conversationId}/read`)).statusCode).toBe(200);
        clock.advance(60_000);
        await tick();
        expect(receiver.received).toHaveLength(0);
        expect(await jobs()).toBe(0);

        // A second alert left unread: pushed at 60 s, not before.
        await sendAlert('Another one');
        await tick();
        clock.advance(59_000);
        await tick();
        expect(receiver.received).toHaveLength(0);
        clock.advance(1_000);
        await tick();
        expect(receiver.received).toHaveLength(1);
      } finally {
        ws.close();
      }
    });

    it('never puts an amount, a merchant, card digits or message text in a push body', async () => {
      await subscribe();
      await sendAlert(FRAUD_TEXT);
      await sendAlert('Balance: €3,402.17 on account ending 7730 after payment to SUPERMART', 'balances');
      await tick();
      expect(receiver.received).toHaveLength(2);
      const name = await pageName();
      for (const push of receiver.received) {
        expect(push.text).not.toMatch(/€|4821|1,249|3,402|7730|ELECTROWORLD|SUPERMART|LISBON|Was this you|Balance:/i);
        const { ref, tag, url, title, token, ...rest } = JSON.parse(push.text) as Record<string, string>;
        expect(token === undefined || /^[\w-]{43}$/.test(token)).toBe(true);
        // Apart from opaque ids and the business's public name, no digit at all.
        expect(ref).toMatch(/^m_[\w-]+$/);
        expect(url).toBe(`/c/${fx.conversationId}`);
        expect(tag).toMatch(/^[\w-]{32}$/);
        expect(title!.replace(name, '')).not.toMatch(/\d/);
        expect(JSON.stringify(rest)).not.toMatch(/[2-9]|\d\d/);
      }
      const byCategory = (c: string) =>
        receiver.received.find((p) => (JSON.parse(p.text) as { category: string }).category === c)!;
      expect(Object.keys(JSON.parse(byCategory('fraud_alerts').text)).sort()).toEqual([
        'actions',
        'body',
        'category',
        'ref',
        'tag',
        'title',
        'token',
        'url',
        'v',
      ]);
      expect(Object.keys(JSON.parse(byCategory('balances').text)).sort()).toEqual([
        'body',
        'category',
        'ref',
        'tag',
        'title',
        'url',
        'v',
      ]);
      expect(JSON.parse(byCategory('balances').text).title).toBe(`Balance update from ${name}`);
      expect(byCategory('balances').headers['urgency']).toBe('normal');
    });

    it("answers the question from the notification's buttons, through the chat's answer path, once, with a question-bound short-lived token", async () => {
      await subscribe();
      const mid = await sendAlert();
      const other = await sendAlert('A second suspicious payment');
      await tick();
      const pushes = receiver.received.map((p) => JSON.parse(p.text) as { ref: string; token: string });
      const first = pushes.find((p) => p.ref === mid)!;
      const second = pushes.find((p) => p.ref === other)!;
      const answer = (body: object) => hub.app.inject({ method: 'POST', url: '/api/push/answer', payload: body });
      const conversation = async () =>
        (await api('GET', `/api/conversations/${fx.conversationId}`)).json() as { awaiting_answers: number };
      expect((await conversation()).awaiting_answers).toBe(2);

      // Refused, and nothing changes: another question's token, a bad button, a forged token.
      const crossed = await answer({ token: second.token, message_mid: mid, button: 1 });
      expect(crossed.statusCode).toBe(403);
      expect(crossed.json().error.message).toMatch(/another question/);
      expect((await answer({ token: first.token, message_mid: mid, button: 7 })).statusCode).toBe(400);
      expect(
        (await answer({ token: randomBytes(32).toString('base64url'), message_mid: mid, button: 1 })).statusCode,
      ).toBe(403);
      expect((await answer({ token: 'short', message_mid: mid, button: 1 })).statusCode).toBe(400);
      expect((await conversation()).awaiting_answers).toBe(2);

      const ok = await answer({ token: first.token, message_mid: mid, button: 1 });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ conversation_id: fx.conversationId });
      const messages = (await api('GET', `/api/conversations/${fx.conversationId}/messages?limit=50`)).json()
        .data as Array<Record<string, unknown>>;
      expect(messages.find((m) => m['mid'] === mid)).toMatchObject({
        answered_postback: { title: 'Not me', payload: 'FRAUD:no:c1' },
      });
      // The business got the customer's postback naming the question, as from the chat.
      expect(
        messages.find(
          (m) => m['direction'] === 'in' && (m['body'] as { reply_to?: { mid: string } }).reply_to?.mid === mid,
        ),
      ).toMatchObject({
        body: { postback: { title: 'Not me', payload: 'FRAUD:no:c1' }, reply_to: { mid } },
      });
      expect((await conversation()).awaiting_answers).toBe(1);

      const reused = await answer({ token: first.token, message_mid: mid, button: 0 });
      expect(reused.statusCode).toBe(403);
      expect(reused.json().error.message).toMatch(/already answered/);

      clock.advance(15 * 60_000);
      const expired = await answer({ token: second.token, message_mid: other, button: 0 });
      expect(expired.statusCode).toBe(403);
      expect(expired.json().error.message).toMatch(/expired/);
      expect((await conversation()).awaiting_answers).toBe(1);
    });

    it('puts no actions on a question whose buttons say more than plain words', async () => {
      await subscribe();
      await sendTaggedAlert(
        hub,
        fx,
        'fraud_alerts',
        buttonAlert('Was this you?', [
          { type: 'postback', title: 'Yes, €1,249 at ACME', payload: 'y' },
          { type: 'postback', title: 'No', payload: 'n' },
        ]),
      );
      await tick();
      const push = JSON.parse(receiver.received[0]!.text) as Record<string, unknown>;
      expect(push['actions']).toBeUndefined();
      expect(push['token']).toBeUndefined();
      expect(receiver.received[0]!.text).not.toMatch(/1,249|ACME/);
    });

    it('prunes a device the push service says is gone (404/410), and retries 5xx with backoff', async () => {
      const { id } = await subscribe();
      receiver.answer(503);
      await sendAlert();
      await tick();
      expect(await jobs()).toBe(1);
      // Not due again at once: backoff.
      await tick();
      expect(receiver.received).toHaveLength(0);
      receiver.answer(201);
      clock.advance(2_000);
      await tick();
      expect(receiver.received).toHaveLength(1);

      receiver.answer(410);
      await sendAlert('again');
      await tick();
      expect((await api('GET', '/api/push')).json().devices).toEqual([]);
      expect(await jobs()).toBe(0);
      expect((await api('DELETE', `/api/push/subscriptions/${id}`)).statusCode).toBe(404);
      const outcomes = (
        await hub.ctx.storage.db
          .selectFrom('audit_log')
          .select('details')
          .where('action', '=', 'notification.push')
          .orderBy('seq')
          .execute()
      ).map((r) => (JSON.parse(r.details) as { outcome: string }).outcome);
      expect(outcomes).toEqual(['retry', 'sent', 'gone']);
    });

    it('pushes only categories the customer granted and keeps on push; the switch needs the consent', async () => {
      await subscribe();
      expect(
        (await api('PUT', '/api/push/muted', { page_id: fx.page.page_id, category: 'fraud_alerts', push: false }))
          .statusCode,
      ).toBe(204);
      expect((await api('GET', '/api/push')).json().muted).toEqual([
        { page_id: fx.page.page_id, category: 'fraud_alerts' },
      ]);
      await sendAlert();
      await tick();
      expect(receiver.received).toHaveLength(0);
      // Not a consent of its own: a category never granted cannot be switched.
      const refused = await api('PUT', '/api/push/muted', {
        page_id: fx.page.page_id,
        category: 'shipping',
        push: true,
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toMatch(/allow this category/);
      // Revoking the consent stops the channel too.
      await api('PUT', '/api/push/muted', { page_id: fx.page.page_id, category: 'fraud_alerts', push: true });
      await sendAlert('second');
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['balances']);
      await tick();
      expect(receiver.received).toHaveLength(0);
    });

    it("follows the page's policy: in-app only means no push", async () => {
      await subscribe();
      const set = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/notification_policies?access_token=${fx.page.page_access_token}`,
        payload: { category: 'fraud_alerts', push_after_seconds: 0, max_contacts: 1 },
      });
      expect(set.statusCode).toBe(200);
      await sendAlert();
      clock.advance(600_000);
      await tick();
      expect(receiver.received).toHaveLength(0);
      expect(await jobs()).toBe(0);
    });

    it('refuses bad subscriptions with a clear error and stores nothing', async () => {
      const good = receiver.subscription();
      const bad: Array<[object, RegExp]> = [
        [{ ...good, endpoint: 'ftp://127.0.0.1/x' }, /https URL/],
        [{ ...good, endpoint: `${receiver.url}/${'x'.repeat(1100)}` }, /endpoint/],
        [{ ...good, keys: { ...good.keys, p256dh: 'AAAA' } }, /p256dh/],
        [{ ...good, keys: { ...good.keys, auth: '!!' } }, /auth/],
        [{ ...good, extra: 'field' }, /extra|Unrecognized/i],
        [{ endpoint: good.endpoint }, /keys/],
      ];
      for (const [body, message] of bad) {
        const res = await api('PUT', '/api/push/subscriptions', body);
        expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(res.body).toMatch(message);
      }
      expect((await api('PUT', '/api/push/subscriptions', good, '')).statusCode).toBe(401);
      expect((await api('GET', '/api/push')).json().devices).toEqual([]);
    });

    it('another customer cannot remove my device; erasure deletes devices, pushes and choices; the export lists them', async () => {
      const { id } = await subscribe();
      await api('PUT', '/api/push/muted', { page_id: fx.page.page_id, category: 'balances', push: false });
      const other = await buildGraphFixture(hub, { page: fx.page });
      expect((await api('DELETE', `/api/push/subscriptions/${id}`, undefined, other.customer.cookie)).statusCode).toBe(
        404,
      );

      const exported = (await api('GET', '/api/privacy/export')).json();
      expect(exported.push).toEqual({
        devices: [{ id, device: 'Chrome on Android', created_at: clock.now(), last_push_at: null }],
        muted: [{ page_id: fx.page.page_id, category: 'balances' }],
      });
      await sendAlert();
      expect(await jobs()).toBe(1);
      const del = await api('DELETE', '/api/account', { password: 'correct horse battery' });
      expect(del.statusCode).toBe(204);
      for (const table of ['push_subscriptions', 'push_jobs', 'push_muted'] as const) {
        const n = await hub.ctx.storage.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('customer_id', '=', fx.customer.id)
          .executeTakeFirstOrThrow();
        expect(Number(n.n), table).toBe(0);
      }
      await tick();
      expect(receiver.received).toHaveLength(0);
    });

    it('stores the endpoint and keys sealed, never in clear', async () => {
      await subscribe();
      const row = await hub.ctx.storage.db.selectFrom('push_subscriptions').selectAll().executeTakeFirstOrThrow();
      const sub = receiver.subscription();
      expect(JSON.stringify(row)).not.toContain(sub.endpoint);
      expect(JSON.stringify(row)).not.toContain(sub.keys.auth);
    });
  });
}

describe('production: push endpoints', () => {
  it('refuses an http endpoint and one on a private address', async () => {
    const { default: webpush } = await import('web-push');
    const keys = webpush.generateVAPIDKeys();
    const hub = await buildTestHub({
      env: {
        NODE_ENV: 'production',
        SERVICE_KEY: randomBytes(32).toString('base64url'),
        KEK: randomBytes(32).toString('base64'),
        VAPID_PUBLIC_KEY: keys.publicKey,
        VAPID_PRIVATE_KEY: keys.privateKey,
        VAPID_SUBJECT: 'mailto:security@bank.example',
      },
    });
    try {
      const fx = await buildGraphFixture(hub);
      const receiver = await startPushReceiver();
      const sub = receiver.subscription();
      for (const endpoint of ['http://push.example.com/x', 'https://127.0.0.1/x', 'https://10.1.2.3/x']) {
        const res = await hub.app.inject({
          method: 'PUT',
          url: '/api/push/subscriptions',
          headers: { cookie: fx.customer.cookie },
          payload: { ...sub, endpoint },
        });
        expect(res.statusCode, endpoint).toBe(400);
        expect(res.json().error.message).toMatch(/endpoint/);
      }
      await receiver.close();
    } finally {
      await hub.dispose();
    }
  });
});
