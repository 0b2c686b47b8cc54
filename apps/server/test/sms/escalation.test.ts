/**
 * One escalation ladder for fraud alerts, with an injected clock: in-app at once → a push
 * after 60 s unread → a text on the (fake) carrier after 5 minutes unanswered → "NO" by SMS
 * answers the question through the chat's answer path → no further contact on any channel.
 * A restart in the middle resumes the ladder from its rows. Also: phone verification, STOP /
 * START / HELP, signed webhooks, unknown numbers, erasure and export. Runs on both dialects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeCarrier } from '../../src/features/sms/fake-carrier.js';
import { createHub, type Hub } from '../../src/hub.js';
import { buildTestHub, DIALECTS, testClock, type TestClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';
import { buildAlertFixture, buttonAlert, customerApi, openCustomerStream, sendTaggedAlert } from '../alert-kit.js';
import { startPushReceiver, type PushReceiver } from '../push/push-receiver.js';

const PHONE = '+447700900123';

for (const dialect of DIALECTS) {
  describe(`${dialect}: escalation ladder and SMS fallback`, () => {
    let first: TestHub;
    let hub: Hub;
    let clock: TestClock;
    let fx: GraphFixture;
    let receiver: PushReceiver;
    let dataDir: string;

    beforeEach(async () => {
      clock = testClock();
      dataDir = await mkdtemp(join(tmpdir(), 'confide-sms-'));
      // A file database on SQLite too, so a second hub can take over after a restart.
      first = await buildTestHub({ dialect, clock, dataDir, env: { PUSH_POLL_MS: '3600000', SMS_PROVIDER: 'fake' } });
      hub = first;
      fx = await buildAlertFixture(hub);
      receiver = await startPushReceiver();
    });
    afterEach(async () => {
      await receiver.close();
      if (hub !== first) await hub.close();
      await first.dispose();
      await rm(dataDir, { recursive: true, force: true });
    });

    const carrier = () => hub.services.sms!.carrier as FakeCarrier;
    const api = customerApi(
      () => hub,
      () => fx,
    );
    const tick = async () => {
      await hub.services.pushWorker!.tick();
      await hub.services.sms!.worker!.tick();
    };
    const verifyPhone = async (phone = PHONE, cookie = fx.customer.cookie) => {
      expect((await api('PUT', '/api/sms/phone', { phone }, cookie)).statusCode).toBe(202);
      const code = /code is (\d{6})/.exec(carrier().sentTo(phone).at(-1)!.body)![1]!;
      const verified = await api('POST', '/api/sms/phone/verify', { code }, cookie);
      expect(verified.statusCode).toBe(200);
      expect(verified.json().data).toEqual({ phone: '+44•••••••123', verified: true, texts: 'on' });
    };
    const textFromPhone = (body: string, phone = PHONE, signature?: string) => {
      const url = `${hub.ctx.config.publicUrl}/sms/inbound`;
      const signed = carrier().reply(url, phone, body);
      return hub.app.inject({
        method: 'POST',
        url: '/sms/inbound',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature ?? signed.signature,
        },
        payload: new URLSearchParams(signed.params).toString(),
      });
    };
    const DECLARED = [
      { type: 'postback' as const, title: 'Yes, it was me', payload: 'FRAUD:yes:c9' },
      { type: 'postback' as const, title: 'No, not me', payload: 'FRAUD:no:c9' },
    ];
    const sendAlert = (category = 'fraud_alerts', buttons = DECLARED) =>
      sendTaggedAlert(
        hub,
        fx,
        category,
        buttonAlert('Card •••• 4821: €1,249.00 at ELECTROWORLD. Was this you?', buttons),
      );
    const alerts = () =>
      carrier()
        .sentTo(PHONE)
        .filter((t) => t.body.includes('security alert'));
    const answerOf = async (mid: string) =>
      (
        (await api('GET', `/api/conversations/${fx.conversationId}/messages?limit=50`)).json().data as Array<{
          mid: string;
          answered_postback?: { title: string } | null;
        }>
      ).find((m) => m.mid === mid)?.answered_postback ?? null;

    it('in-app → push at 60 s → SMS at 5 min → "NO" by SMS settles it → nothing more; a restart mid-ladder resumes it', async () => {
      expect((await api('PUT', '/api/push/subscriptions', receiver.subscription())).statusCode).toBe(200);
      await verifyPhone();
      const ws = await openCustomerStream(hub, fx.customer.cookie);
      const t0 = clock.now();
      const mid = await sendAlert();
      await tick();
      expect(receiver.received).toHaveLength(0);
      clock.set(t0 + 59_000);
      await tick();
      expect(receiver.received).toHaveLength(0);
      clock.set(t0 + 60_000);
      await tick();
      expect(receiver.received).toHaveLength(1);
      expect(alerts()).toHaveLength(0);
      ws.close();

      // Restart between the push and the text: a new hub process on the same database.
      await hub.close();
      hub = await createHub(first.ctx.config, { now: clock.now });
      clock.set(t0 + 299_000);
      await tick();
      expect(alerts()).toHaveLength(0);
      clock.set(t0 + 300_000);
      await tick();
      expect(alerts()).toHaveLength(1);
      const text = alerts()[0]!.body;
      expect(text.length).toBeLessThanOrEqual(160);
      expect(text).toMatch(/case [A-Z2-9]{6}: .*Reply YES if it was you, NO if not\.$/);
      expect(text).not.toMatch(/4821|1,249|€|ELECTROWORLD|https?:|www\./i);

      clock.set(t0 + 320_000);
      expect((await textFromPhone('No')).statusCode).toBe(200);
      expect(await answerOf(mid)).toMatchObject({ title: 'No, not me' });
      expect(carrier().sentTo(PHONE).at(-1)!.body).toMatch(/has your answer for case [A-Z2-9]{6}: it was not you/);

      // Nothing more on any channel.
      const texts = carrier().sentTo(PHONE).length;
      clock.set(t0 + 3_600_000);
      await tick();
      expect(receiver.received).toHaveLength(1);
      expect(carrier().sentTo(PHONE)).toHaveLength(texts);
      const audited = (
        await hub.ctx.storage.db
          .selectFrom('audit_log')
          .select(['action', 'details'])
          .where('action', 'in', ['notification.push', 'notification.sms'])
          .orderBy('seq')
          .execute()
      ).map((r) => `${r.action}:${(JSON.parse(r.details) as { outcome: string }).outcome}`);
      expect(audited).toEqual(['notification.push:sent', 'notification.sms:sent', 'notification.sms:answered']);
      for (const r of await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'notification.sms')
        .execute()) {
        expect(r.details).not.toMatch(/7700|4821|YES|NO/);
      }
    });

    it('contacts are counted per case: two devices pushed are one contact, the text is the third, and a step queued twice sends nothing more', async () => {
      for (const device of ['/push/phone', '/push/laptop'])
        expect((await api('PUT', '/api/push/subscriptions', receiver.subscription(device))).statusCode).toBe(200);
      await verifyPhone();
      const t0 = clock.now();
      const mid = await sendAlert();
      // No socket open: both devices are pushed at once (one contact, the in-app message was the first).
      await tick();
      expect(receiver.received.map((r) => r.path).sort()).toEqual(['/push/laptop', '/push/phone']);
      const contacts = () =>
        hub.ctx.storage.db.selectFrom('escalation_contacts').select(['channel', 'message_mid']).orderBy('at').execute();
      expect(await contacts()).toEqual([{ channel: 'push', message_mid: mid }]);

      // The text is the third contact. The text step queued again for the case afterwards (say, by
      // a repeated schedule) finds no room: nothing more is sent, and the step is dropped.
      const job = await hub.ctx.storage.db.selectFrom('sms_jobs').selectAll().executeTakeFirstOrThrow();
      clock.set(t0 + 300_000);
      await tick();
      expect(alerts()).toHaveLength(1);
      expect((await contacts()).map((c) => c.channel)).toEqual(['push', 'sms']);
      await hub.ctx.storage.writes.run((tx) =>
        tx.db
          .insertInto('sms_jobs')
          .values({ ...job, id: `${job.id}-again`, attempts: 0, lease_until: 0, due_at: clock.now() })
          .execute(),
      );
      await tick();
      expect(alerts()).toHaveLength(1);
      expect(await contacts()).toHaveLength(2);
      expect(await hub.ctx.storage.db.selectFrom('sms_jobs').selectAll().execute()).toEqual([]);
      const sent = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', 'in', ['notification.push', 'notification.sms'])
        .execute();
      expect(sent).toHaveLength(3);

      await policies('POST', { category: 'balances', push_after_seconds: 0, max_contacts: 1 });
      const balance = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
        payload: {
          recipient: { id: fx.psid },
          messaging_type: 'MESSAGE_TAG',
          tag: 'ACCOUNT_UPDATE',
          notification_category: 'balances',
          message: { text: 'Your balance changed.' },
        },
      });
      expect(balance.statusCode).toBe(200);
      await tick();
      // max_contacts 1: the in-app message is the only contact; no push.
      expect(receiver.received).toHaveLength(2);
    });

    it('YES/NO by SMS takes the postback the question declares for it, not the first or second; a question declaring none is texted to open the app, and a YES to it changes nothing', async () => {
      await verifyPhone();
      const t0 = clock.now();
      // Declared, "no" shown first: YES still picks "yes, it was me".
      const declared = await sendAlert('fraud_alerts', [...DECLARED].reverse());
      clock.set(t0 + 300_000);
      await tick();
      expect(alerts()).toHaveLength(1);
      expect(alerts()[0]!.body).toMatch(/Reply YES if it was you, NO if not\.$/);
      expect((await textFromPhone('yes')).statusCode).toBe(200);
      expect(await answerOf(declared)).toMatchObject({ title: 'Yes, it was me' });

      // Undeclared payloads: the text says the question waits in the app; YES answers nothing.
      const undeclared = await sendAlert('fraud_alerts', [
        { type: 'postback', title: 'Yes, it was me', payload: 'PAY_OK_c9' },
        { type: 'postback', title: 'No, not me', payload: 'PAY_BAD_c9' },
      ]);
      clock.set(t0 + 600_000);
      await tick();
      expect(alerts()).toHaveLength(2);
      expect(alerts()[1]!.body).toMatch(
        /case [A-Z2-9]{6}: a payment needs your answer\. Open the Confide app to answer\.$/,
      );
      expect(alerts()[1]!.body).not.toMatch(/YES|NO/);
      const before = await hub.ctx.storage.db.selectFrom('messages').select('mid').execute();
      expect((await textFromPhone('YES')).statusCode).toBe(200);
      expect(carrier().sentTo(PHONE).at(-1)!.body).toMatch(
        /case [A-Z2-9]{6} cannot be answered by text: nothing was changed/,
      );
      expect(await answerOf(undeclared)).toBeNull();
      expect(await hub.ctx.storage.db.selectFrom('messages').select('mid').execute()).toHaveLength(before.length);
      const inbound = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'notification.sms')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(inbound.details)).toMatchObject({ direction: 'in', outcome: 'not_by_text' });
    });

    const policies = (method: 'GET' | 'POST', payload?: object, token = fx.page.page_access_token) =>
      hub.app.inject({
        method,
        url: `/v25.0/me/notification_policies?access_token=${token}`,
        ...(payload === undefined ? {} : { payload }),
      });

    it("a page sets each category's ladder within the hub's limits; balances can never be texted", async () => {
      const defaults = (await policies('GET')).json().data as Array<{ category: string }>;
      expect(defaults.find((p) => p.category === 'fraud_alerts')).toEqual({
        category: 'fraud_alerts',
        push_after_seconds: 60,
        sms_after_seconds: 300,
        max_contacts: 3,
      });
      expect(defaults.find((p) => p.category === 'balances')).toEqual({
        category: 'balances',
        push_after_seconds: 60,
        sms_after_seconds: null,
        max_contacts: 2,
      });
      const refused: Array<[object, RegExp]> = [
        [
          { category: 'balances', push_after_seconds: 60, sms_after_seconds: 300, max_contacts: 3 },
          /may not be texted/,
        ],
        [{ category: 'fraud_alerts', push_after_seconds: 601, max_contacts: 2 }, /push_after_seconds/],
        [{ category: 'fraud_alerts', push_after_seconds: 60, max_contacts: 4 }, /max_contacts/],
        [
          { category: 'fraud_alerts', push_after_seconds: 120, sms_after_seconds: 60, max_contacts: 3 },
          /at least push_after_seconds/,
        ],
        [
          { category: 'fraud_alerts', push_after_seconds: 60, sms_after_seconds: 300, max_contacts: 2 },
          /max_contacts must be 3/,
        ],
        [{ category: 'marketing', push_after_seconds: 60, max_contacts: 2 }, /category/],
      ];
      for (const [body, message] of refused) {
        const res = await policies('POST', body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().error.code).toBe(100);
        expect(res.json().error.message).toMatch(message);
      }
      expect((await policies('GET')).json().data).toEqual(defaults);

      // Faster ladder for fraud alerts: push at 10 s, text at 2 minutes.
      const set = await policies('POST', {
        category: 'fraud_alerts',
        push_after_seconds: 10,
        sms_after_seconds: 120,
        max_contacts: 3,
      });
      expect(set.statusCode).toBe(200);
      expect(set.json()).toEqual({
        category: 'fraud_alerts',
        push_after_seconds: 10,
        sms_after_seconds: 120,
        max_contacts: 3,
      });
      // Another page's policies are its own.
      const other = await buildGraphFixture(hub);
      expect(
        (
          (await policies('GET', undefined, other.page.page_access_token)).json().data as Array<{
            category: string;
            push_after_seconds: number;
          }>
        ).find((p) => p.category === 'fraud_alerts')!.push_after_seconds,
      ).toBe(60);

      await verifyPhone();
      await sendAlert();
      clock.advance(119_000);
      await tick();
      expect(alerts()).toHaveLength(0);
      clock.advance(1_000);
      await tick();
      expect(alerts()).toHaveLength(1);

      // In-app and push only: never texted.
      expect(
        (await policies('POST', { category: 'fraud_alerts', push_after_seconds: 30, max_contacts: 2 })).statusCode,
      ).toBe(200);
      await sendAlert();
      clock.advance(3_600_000);
      await tick();
      expect(alerts()).toHaveLength(1);
    });

    it('an answer in the app cancels the text; balances are never texted', async () => {
      await verifyPhone();
      const mid = await sendAlert();
      await sendAlert('balances');
      clock.advance(60_000);
      const tapped = await api('POST', `/api/conversations/${fx.conversationId}/messages`, {
        postback: { title: 'Yes, it was me', payload: 'FRAUD:yes:c9', message_mid: mid },
      });
      expect(tapped.statusCode).toBe(201);
      clock.advance(600_000);
      await tick();
      expect(alerts()).toHaveLength(0);
      expect(
        Number(
          (
            await hub.ctx.storage.db
              .selectFrom('sms_jobs')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ).toBe(0);
    });

    it('STOP turns texts off and confirms; START turns them on; HELP names the page and how to reach it', async () => {
      await verifyPhone();
      await sendAlert();
      clock.advance(300_000);
      await tick();
      expect(alerts()).toHaveLength(1);
      const name = (
        await hub.ctx.storage.db
          .selectFrom('pages')
          .select('name')
          .where('id', '=', fx.page.page_id)
          .executeTakeFirstOrThrow()
      ).name;

      expect((await textFromPhone('help')).statusCode).toBe(200);
      expect(carrier().sentTo(PHONE).at(-1)!.body).toBe(
        `Confide texts for ${name}. To reach ${name}, open your chat with them in the Confide app. Reply STOP to stop.`,
      );

      expect((await textFromPhone('STOP')).statusCode).toBe(200);
      expect(carrier().sentTo(PHONE).at(-1)!.body).toMatch(/no more texts .* Reply START/);
      expect((await api('GET', '/api/sms/phone')).json().data.texts).toBe('stopped');
      await sendAlert();
      clock.advance(300_000);
      await tick();
      expect(alerts()).toHaveLength(1);

      // The demo's fake carrier page lists the texts and replies through the signed webhook.
      const page = await hub.app.inject({ method: 'GET', url: '/dev/sms' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toContain('Reply START to turn them back on.');
      const viaPage = await hub.app.inject({
        method: 'POST',
        url: '/dev/sms/reply',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ from: PHONE, body: 'help <b>' }).toString(),
      });
      expect(viaPage.statusCode).toBe(303);
      expect(carrier().sentTo(PHONE).at(-1)!.body).toMatch(/^Confide texts for /);
      expect((await hub.app.inject({ method: 'GET', url: '/dev/sms' })).body).toContain('help &#60;b&#62;');

      expect((await textFromPhone('Start')).statusCode).toBe(200);
      expect(carrier().sentTo(PHONE).at(-1)!.body).toMatch(/texts are on again/);
      await sendAlert();
      clock.advance(300_000);
      await tick();
      expect(alerts()).toHaveLength(2);
    });

    it('refuses a bad signature and an unknown number, with nothing changed', async () => {
      await verifyPhone();
      const mid = await sendAlert();
      clock.advance(300_000);
      await tick();
      const forged = await textFromPhone('NO', PHONE, 'bm90IGEgc2lnbmF0dXJl');
      // Outside /api the hub answers in the Graph envelope (HTTP 400), with the FORBIDDEN code.
      expect(forged.statusCode, forged.body).toBe(400);
      expect(forged.json().error).toMatchObject({ code: 10, error_subcode: 1400007 });
      expect(forged.json().error.message).toMatch(/X-Twilio-Signature/);
      const unsigned = await hub.app.inject({
        method: 'POST',
        url: '/sms/inbound',
        payload: 'From=%2B447700900123&Body=NO',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(unsigned.json().error).toMatchObject({ code: 10, error_subcode: 1400007 });
      const stranger = await textFromPhone('NO', '+15551234567');
      expect(stranger.json().error).toMatchObject({ error_subcode: 1400008 });
      expect(stranger.json().error.message).toMatch(/Unknown number/);
      // No reply goes to an unknown number.
      expect(carrier().sentTo('+15551234567')).toEqual([]);
      expect(await answerOf(mid)).toBeNull();
    });

    it('verifies the number by a one-time code, keeps it sealed and removable; erasure deletes it, the export lists it', async () => {
      expect((await api('PUT', '/api/sms/phone', { phone: '07700 900123' })).statusCode).toBe(400);
      expect((await api('PUT', '/api/sms/phone', { phone: PHONE })).statusCode).toBe(202);
      expect((await api('PUT', '/api/sms/phone', { phone: PHONE })).statusCode).toBe(429);
      expect((await api('POST', '/api/sms/phone/verify', { code: '000000' })).statusCode).toBe(400);
      expect((await api('GET', '/api/sms/phone')).json().data.verified).toBe(false);
      clock.advance(31_000);
      await verifyPhone();
      const row = await hub.ctx.storage.db.selectFrom('sms_phones').selectAll().executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain('7700900123');
      // Another account cannot take the number.
      const other = await buildGraphFixture(hub, { page: fx.page });
      const taken = await api('PUT', '/api/sms/phone', { phone: PHONE }, other.customer.cookie);
      expect(taken.statusCode).toBe(400);

      const exported = (await api('GET', '/api/privacy/export')).json();
      expect(exported.sms.phone).toMatchObject({ number: PHONE, texts: 'on' });
      expect(exported.push.devices).toEqual([]);
      expect((await api('DELETE', '/api/account', { password: 'correct horse battery' })).statusCode).toBe(204);
      expect(
        await hub.ctx.storage.db
          .selectFrom('sms_phones')
          .selectAll()
          .where('customer_id', '=', fx.customer.id)
          .execute(),
      ).toEqual([]);
      // Removable by its owner.
      await verifyPhone(PHONE, other.customer.cookie);
      expect((await api('DELETE', '/api/sms/phone', undefined, other.customer.cookie)).statusCode).toBe(204);
      expect((await api('GET', '/api/sms/phone', undefined, other.customer.cookie)).json().data).toBeNull();
    });
  });
}
