/**
 * Questions that stay answerable and proactive updates that a handover cannot stop: a
 * consented proactive update with postback buttons awaits an answer until the customer
 * taps one of its buttons (the app names the message); while the page inbox holds the
 * thread, consented proactive updates still reach the customer and everything else still
 * answers 2018300. Runs on both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { declareCategory } from '../../src/features/consent/declarations.js';
import { buildTestHub, DIALECTS, signUp, testClock, type TestClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, customerMessages, textSend, type GraphFixture } from './graph-fixtures.js';

const INBOX_APP_ID = 263902037430900;

for (const dialect of DIALECTS) {
  describe(`${dialect}: questions and handover`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let fx: GraphFixture;
    let token: string;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock });
      fx = await buildGraphFixture(hub);
      token = fx.page.page_access_token;
      await declareCategory(hub.ctx, {
        pageId: fx.page.page_id,
        category: 'fraud_alerts',
        purpose: 'Alerts about suspicious card activity',
      });
      await declareCategory(hub.ctx, {
        pageId: fx.page.page_id,
        category: 'transactions',
        purpose: 'Card payment notices',
      });
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts', 'transactions']);
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const send = (payload: unknown) =>
      hub.app.inject({ method: 'POST', url: `/v25.0/me/messages?access_token=${token}`, payload: payload as object });
    const buttons = [
      { type: 'postback', title: 'Yes, it was me', payload: 'FRAUD:yes:abc' },
      { type: 'postback', title: 'No, not me', payload: 'FRAUD:no:abc' },
    ];
    const alert = (category = 'fraud_alerts') => ({
      recipient: { id: fx.psid },
      messaging_type: 'MESSAGE_TAG',
      tag: 'ACCOUNT_UPDATE',
      notification_category: category,
      message: {
        attachment: { type: 'template', payload: { template_type: 'button', text: 'Was this you?', buttons } },
      },
    });
    const notice = () => ({ ...alert('transactions'), message: { text: 'Card •••• 4821: €12.00 at Cafe, pending.' } });
    const postback = (body: object, cookie = fx.customer.cookie, conversationId = fx.conversationId) =>
      hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conversationId}/messages`,
        headers: { cookie },
        payload: { postback: body },
      });
    const conversation = async () =>
      (
        await hub.app.inject({
          method: 'GET',
          url: `/api/conversations/${fx.conversationId}`,
          headers: { cookie: fx.customer.cookie },
        })
      ).json();
    const message = async (mid: string) =>
      (await customerMessages(hub, fx)).find((m) => m.mid === mid) as Record<string, unknown> | undefined;

    it('a consented proactive question awaits an answer until one of its buttons is used; the first answer is kept', async () => {
      const sent = await send(alert());
      expect(sent.statusCode).toBe(200);
      const mid = sent.json().message_id as string;
      expect(await message(mid)).toMatchObject({
        notification_category: 'fraud_alerts',
        awaits_answer: true,
        answered_postback: null,
      });
      expect((await conversation()).awaiting_answers).toBe(1);
      // Newer messages do not answer it.
      expect((await send(notice())).statusCode).toBe(200);
      expect((await send(textSend(fx.psid, 'later'))).statusCode).toBe(200);
      expect((await conversation()).awaiting_answers).toBe(1);

      clock.advance(1_000);
      const tapped = await postback({ title: 'No, not me', payload: 'FRAUD:no:abc', message_mid: mid });
      expect(tapped.statusCode).toBe(201);
      expect(tapped.json().body).toEqual({
        postback: { title: 'No, not me', payload: 'FRAUD:no:abc' },
        reply_to: { mid },
      });
      expect(await message(mid)).toMatchObject({
        awaits_answer: false,
        answered_postback: { title: 'No, not me', payload: 'FRAUD:no:abc', answered_at: clock.now() },
      });
      expect((await conversation()).awaiting_answers).toBe(0);

      // A second tap is still delivered to the business (it answers with the outcome), but the first answer stays.
      clock.advance(1_000);
      expect((await postback({ title: 'Yes, it was me', payload: 'FRAUD:yes:abc', message_mid: mid })).statusCode).toBe(
        201,
      );
      expect((await message(mid))?.['answered_postback']).toMatchObject({ title: 'No, not me' });
      const taps = (await customerMessages(hub, fx)).filter(
        (m) => m.direction === 'in' && m.body['postback'] !== undefined,
      );
      expect(taps.map((m) => (m.body['postback'] as { title: string }).title)).toEqual([
        'No, not me',
        'Yes, it was me',
      ]);
    });

    it('the business closes an open question by replying to it: no longer awaiting, and a later tap is delivered but not recorded as its answer', async () => {
      const mid = (await send(alert())).json().message_id as string;
      const other = (await send(alert())).json().message_id as string;
      expect((await conversation()).awaiting_answers).toBe(2);
      const closing = await send({
        ...notice(),
        notification_category: 'fraud_alerts',
        message: { text: 'This check expired.' },
        reply_to: { mid },
      });
      expect(closing.statusCode).toBe(200);
      expect(await message(mid)).toMatchObject({ awaits_answer: false, answered_postback: null });
      expect(await message(other)).toMatchObject({ awaits_answer: true });
      expect((await conversation()).awaiting_answers).toBe(1);
      expect((await postback({ title: 'Yes, it was me', payload: 'FRAUD:yes:abc', message_mid: mid })).statusCode).toBe(
        201,
      );
      expect(await message(mid)).toMatchObject({ awaits_answer: false, answered_postback: null });
    });

    it('a postback naming a message is checked: no such button → 400, another conversation’s message → 404, nothing stored', async () => {
      const mid = (await send(alert())).json().message_id as string;
      const before = (await customerMessages(hub, fx)).length;
      const forged = await postback({ title: 'No, not me', payload: 'FRAUD:no:other', message_mid: mid });
      expect(forged.statusCode).toBe(400);
      expect((await postback({ title: 'Yes', payload: 'FRAUD:yes:abc', message_mid: mid })).statusCode).toBe(400);
      // Another customer cannot answer this message from their own conversation.
      const other = await signUp(hub);
      const otherConv = (
        await hub.app.inject({
          method: 'POST',
          url: '/api/conversations',
          headers: { cookie: other.cookie },
          payload: { page_id: fx.page.page_id },
        })
      ).json().id as string;
      expect(
        (await postback({ title: 'No, not me', payload: 'FRAUD:no:abc', message_mid: mid }, other.cookie, otherConv))
          .statusCode,
      ).toBe(404);
      expect((await customerMessages(hub, fx)).length).toBe(before);
      expect((await conversation()).awaiting_answers).toBe(1);
    });

    it('plain replies and unconsented sends do not await answers; a RESPONSE with buttons is not a question', async () => {
      const reply = await send({
        recipient: { id: fx.psid },
        messaging_type: 'RESPONSE',
        message: { attachment: { type: 'template', payload: { template_type: 'button', text: 'Menu', buttons } } },
      });
      expect(reply.statusCode).toBe(200);
      expect(await message(reply.json().message_id)).not.toHaveProperty('awaits_answer');
      expect((await conversation()).awaiting_answers).toBe(0);
    });

    it('while the page inbox holds the thread, consented proactive updates reach the customer in order; other sends answer 2018300', async () => {
      const pass = await hub.app.inject({
        method: 'POST',
        url: `/v6.0/me/pass_thread_control?access_token=${token}`,
        payload: { recipient: { id: fx.psid }, target_app_id: INBOX_APP_ID, metadata: 'to agents' },
      });
      expect(pass.json()).toEqual({ success: true });
      expect((await send(textSend(fx.psid))).json().error.code).toBe(2018300);
      expect((await send({ ...alert(), notification_category: undefined })).json().error.code).toBe(2018300);
      const first = await send(alert());
      const second = await send(notice());
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      const seen = (await customerMessages(hub, fx)).slice(-2).map((m) => m.mid);
      expect(seen).toEqual([first.json().message_id, second.json().message_id]);
      // Consent still applies: a category the customer did not allow is refused as such, not let through.
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['transactions']);
      expect((await send(alert())).json().error).toMatchObject({ code: 10, error_subcode: 1400001 });
      // The thread stays with the inbox.
      const owner = await hub.app.inject({
        method: 'GET',
        url: `/v6.0/me/thread_owner?recipient=${fx.psid}&access_token=${token}`,
      });
      expect(owner.json().data[0].thread_owner.app_id).toBe(String(INBOX_APP_ID));
    });
  });
}
