/**
 * Contract of Utility Messages: `POST|GET|DELETE /{page-id}/message_templates`, `GET
 * /{template-id}`, the `message_template_status_update` webhook and the utility send
 * (`message.template`), gated by the consent ledger; and `MESSENGER_TAGS=current`, which
 * answers the retired tags as Meta does. Runs on both dialects.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { declareCategory } from '../../src/features/consent/declarations.js';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../helpers.js';
import { fraudSend, fraudTemplate } from '../utility-template.js';
import {
  buildGraphFixture,
  countNonHubMessages,
  customerMessages,
  textSend,
  type GraphFixture,
} from './graph-fixtures.js';

const DAY = 86_400_000;

/** A webhook receiver on 127.0.0.1 that keeps every body it accepts. */
async function startReceiver(): Promise<{
  url: string;
  bodies: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.end('EVENT_RECEIVED');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    bodies,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A template whose body is `text` (no variables unless it has some, with examples). */
function bodyOnly(name: string, text: string, example?: string[]) {
  return {
    name,
    language: 'en',
    category: 'UTILITY',
    notification_category: 'transactions',
    components: [{ type: 'BODY', text, ...(example === undefined ? {} : { example: { body_text: [example] } }) }],
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: utility message templates contract`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let fx: GraphFixture;
    let token: string;
    const stops: Array<() => Promise<void>> = [];

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock });
      fx = await buildGraphFixture(hub);
      token = fx.page.page_access_token;
    });
    afterEach(async () => {
      await hub.dispose();
      while (stops.length > 0) await stops.pop()?.();
    });

    const graph = (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown, accessToken = token) =>
      hub.app.inject({
        method,
        url: `/v25.0${path}${path.includes('?') ? '&' : '?'}access_token=${accessToken}`,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const create = (body: unknown) => graph('POST', `/${fx.page.page_id}/message_templates`, body);
    const send = (body: unknown) => graph('POST', `/${fx.page.page_id}/messages`, body);
    const expectError = (
      res: { statusCode: number; json(): { error: Record<string, unknown> } },
      code: number,
      subcode?: number,
    ) => {
      expect(res.statusCode, JSON.stringify(res.json())).toBe(400);
      const error = res.json().error;
      expect(error['code']).toBe(code);
      expect(error['error_subcode']).toBe(subcode);
      expect(error['message']).toMatch(new RegExp(`^\\(#${code}\\) `));
      return error;
    };
    const allowFraudAlerts = async () => {
      await declareCategory(hub.ctx, {
        pageId: fx.page.page_id,
        category: 'fraud_alerts',
        purpose: 'Alerts about card payments we think are not yours',
      });
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts']);
    };

    it('create → APPROVED → status webhook → send outside the window with consent → refused without consent → refused once deleted', async () => {
      const receiver = await startReceiver();
      stops.push(receiver.stop);
      await hub.ctx.storage.db
        .updateTable('apps')
        .set({ webhook_url: receiver.url })
        .where('page_id', '=', fx.page.page_id)
        .execute();
      expect(
        (
          await graph('POST', '/me/subscribed_apps', { subscribed_fields: 'messages,message_template_status_update' })
        ).json(),
      ).toEqual({ success: true });

      const created = await create(fraudTemplate());
      expect(created.statusCode, created.body).toBe(200);
      expect(created.json()).toEqual({ id: expect.stringMatching(/^\d+$/), status: 'APPROVED', category: 'UTILITY' });
      const id = created.json().id as string;

      await vi.waitFor(() => expect(receiver.bodies).toHaveLength(1), { timeout: 10_000 });
      expect(receiver.bodies[0]).toEqual({
        object: 'page',
        entry: [
          {
            id: fx.page.page_id,
            time: clock.now(),
            changes: [
              {
                field: 'message_template_status_update',
                value: {
                  event: 'APPROVED',
                  message_template_id: id,
                  message_template_name: 'card_payment_check',
                  message_template_language: 'en_US',
                  message_template_category: 'UTILITY',
                  reason: 'NONE',
                },
              },
            ],
          },
        ],
      });

      const listed = await graph('GET', `/${fx.page.page_id}/message_templates?name=card_payment_check`);
      expect(listed.json().data).toHaveLength(1);
      expect(listed.json().data[0]).toMatchObject({
        id,
        name: 'card_payment_check',
        language: 'en_US',
        status: 'APPROVED',
        notification_category: 'fraud_alerts',
      });
      expect((await graph('GET', `/${id}`)).json()).toMatchObject({
        id,
        status: 'APPROVED',
        category: 'UTILITY',
        rejected_reason: 'NONE',
      });

      clock.advance(3 * DAY); // far outside the 24-hour window
      expectError(await send(textSend(fx.psid, 'late')), 10, 2018278);
      const refused = expectError(await send(fraudSend(fx.psid)), 10, 1400001);
      expect(refused['error_data']).toMatchObject({
        reason: 'none',
        template: 'card_payment_check',
        missing: ['fraud_alerts'],
      });
      expect(await countNonHubMessages(hub)).toBe(1);

      await allowFraudAlerts();
      const ok = await send(fraudSend(fx.psid));
      expect(ok.statusCode, ok.body).toBe(200);
      expect(Object.keys(ok.json()).sort()).toEqual(['message_id', 'recipient_id']);
      const shown = (await customerMessages(hub, fx)).at(-1);
      expect(shown).toMatchObject({ mid: ok.json().message_id, direction: 'out' });
      expect(shown?.body).toEqual({
        attachment: {
          type: 'template',
          payload: {
            template_type: 'utility',
            name: 'card_payment_check',
            language: 'en_US',
            header: 'Card payment check',
            text: 'We noticed a payment of €42.00 at Coffee Corner with your card. Please confirm whether you made it.',
            footer: 'Sandbox Bank security',
            buttons: [
              { type: 'postback', title: 'It was me', payload: 'FRAUD_OK' },
              { type: 'web_url', title: 'Review payment', url: 'https://bank.example/payments/p-8812' },
            ],
          },
        },
      });
      const row = await hub.ctx.storage.db
        .selectFrom('messages')
        .select(['messaging_type', 'tag'])
        .where('mid', '=', ok.json().message_id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ messaging_type: 'UTILITY', tag: null });

      await hub.services.consents.revoke(fx.customer.id, fx.page.page_id);
      expectError(await send(fraudSend(fx.psid)), 10, 1400001);

      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts']);
      expect((await graph('DELETE', `/${fx.page.page_id}/message_templates?name=card_payment_check`)).json()).toEqual({
        success: true,
      });
      const gone = expectError(await send(fraudSend(fx.psid)), 100);
      expect(gone['message']).toMatch(/Template name does not exist in the translation/);
      expectError(await graph('GET', `/${id}`), 100, 33);
      expect((await graph('GET', `/${fx.page.page_id}/message_templates`)).json().data).toEqual([]);
      expect(await countNonHubMessages(hub)).toBe(2);
      // The name is free again once deleted.
      expect((await create(fraudTemplate())).json().status).toBe('APPROVED');
    });

    it('a utility question reaches the customer while the page inbox holds the thread, as a security alert awaiting an answer', async () => {
      expect((await create(fraudTemplate())).json().status).toBe('APPROVED');
      await allowFraudAlerts();
      const pass = await graph('POST', '/me/pass_thread_control', {
        recipient: { id: fx.psid },
        target_app_id: 263902037430900,
      });
      expect(pass.json()).toEqual({ success: true });
      expectError(await send(textSend(fx.psid, 'a reply from the bot')), 2018300);
      const ok = await send(fraudSend(fx.psid));
      expect(ok.statusCode, ok.body).toBe(200);
      const shown = (await customerMessages(hub, fx)).at(-1) as Record<string, unknown> | undefined;
      expect(shown).toMatchObject({
        mid: ok.json().message_id,
        notification_category: 'fraud_alerts',
        awaits_answer: true,
        answered_postback: null,
      });
      // Without consent it is refused as such, handover or not.
      await hub.services.consents.revoke(fx.customer.id, fx.page.page_id);
      expectError(await send(fraudSend(fx.psid)), 10, 1400001);
    });

    it('a utility send replying to an earlier question (reply_to) closes it; a reply_to from another conversation answers 100', async () => {
      expect((await create(fraudTemplate())).json().status).toBe('APPROVED');
      await allowFraudAlerts();
      const question = await send(fraudSend(fx.psid));
      expect(question.statusCode, question.body).toBe(200);
      const mid: string = question.json().message_id;
      expect((await customerMessages(hub, fx)).at(-1)).toMatchObject({ mid, awaits_answer: true });
      const foreign = await send(fraudSend(fx.psid, { reply_to: { mid: 'm_not_in_this_conversation' } }));
      expectError(foreign, 100);
      const closing = await send(fraudSend(fx.psid, { reply_to: { mid } }));
      expect(closing.statusCode, closing.body).toBe(200);
      const shown = (await customerMessages(hub, fx)) as Array<Record<string, any>>;
      expect(shown.find((m) => m['mid'] === mid)).toMatchObject({ awaits_answer: false, answered_postback: null });
      expect(shown.find((m) => m['mid'] === closing.json().message_id)?.['body']).toMatchObject({ reply_to: { mid } });
    });

    it('rejects promotional, malformed, too-variable, shortened-link and credential-seeking templates with Meta’s reason; a rejected template cannot be sent', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [
          bodyOnly('promo_one', 'Your statement is ready. Enjoy 20% off your next card fee this week.'),
          'TAG_SHOULD_BE_MARKETING',
        ],
        [
          bodyOnly('promo_two', 'Shop now and get cashback on every purchase with your card.'),
          'TAG_SHOULD_BE_MARKETING',
        ],
        [
          bodyOnly('single_brace', 'Your payment of {1} was received, thank you for banking with us.'),
          'INCORRECT_PARAMS',
        ],
        [
          bodyOnly('skipped_var', 'Your payment of {{1}} to {{3}} was received today, thank you.', ['€5', 'Shop']),
          'INCORRECT_PARAMS',
        ],
        [bodyOnly('named_var', 'Your payment of {{amount}} was received today, thank you.'), 'INCORRECT_PARAMS'],
        [
          bodyOnly('adjacent_vars', 'Your payment of {{1}} {{2}} was received today, thank you.', ['5', 'EUR']),
          'INCORRECT_PARAMS',
        ],
        [
          bodyOnly('ratio', 'Paid {{1}} to {{2}} on {{3}} ok', ['€5', 'Shop', 'Monday']),
          'PARAMS_TO_WORD_RATIO_EXCEED_LIMIT',
        ],
        [bodyOnly('short_link', 'Your statement is ready at https://bit.ly/3xYz for you to read.'), 'INVALID_FORMAT'],
        [bodyOnly('phishing', 'To unblock your card, reply with your PIN and card number today.'), 'SCAM'],
      ];
      for (const [body, reason] of cases) {
        const res = await create(body);
        expect(res.statusCode, `${String(body['name'])}: ${res.body}`).toBe(200);
        expect(res.json().status, String(body['name'])).toBe('REJECTED');
        const stored = await graph('GET', `/${res.json().id as string}`);
        expect(stored.json().rejected_reason, String(body['name'])).toBe(reason);
      }
      // A warning about credentials is not a request for them.
      const warning = await create(
        bodyOnly('security_tip', 'We will never ask you to share your PIN or password in a message.'),
      );
      expect(warning.json().status).toBe('APPROVED');

      const rejected = await graph('GET', `/${fx.page.page_id}/message_templates?status=REJECTED`);
      expect(rejected.json().data).toHaveLength(cases.length);
      await declareCategory(hub.ctx, {
        pageId: fx.page.page_id,
        category: 'transactions',
        purpose: 'Payments on your account',
      });
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['transactions']);
      const notApproved = expectError(
        await send({
          recipient: { id: fx.psid },
          message: { template: { name: 'promo_one', language: { code: 'en' } } },
        }),
        100,
      );
      expect(notApproved['message']).toMatch(/not approved \(status REJECTED, TAG_SHOULD_BE_MARKETING\)/);
      const approved = await send({
        recipient: { id: fx.psid },
        message: { template: { name: 'security_tip', language: 'en' } },
      });
      expect(approved.statusCode, approved.body).toBe(200);
    });

    it('answers 100 for a template that cannot exist, and stores nothing', async () => {
      const fourButtons = fraudTemplate({
        components: [
          { type: 'BODY', text: 'Your card payment was approved, thank you.' },
          { type: 'BUTTONS', buttons: ['a', 'b', 'c', 'd'].map((p) => ({ type: 'POSTBACK', text: p, payload: p })) },
        ],
      });
      const invalid = [
        bodyOnly('starts_var', '{{1}} is the amount of your last card payment today.', ['€5']),
        bodyOnly('ends_var', 'The amount of your last card payment today is {{1}}', ['€5']),
        bodyOnly('no_example', 'The amount of your last card payment was {{1}} today.'),
        fourButtons,
        fraudTemplate({ category: 'MARKETING' }),
        fraudTemplate({ notification_category: 'newsletters' }),
        fraudTemplate({ parameter_format: 'NAMED' }),
        fraudTemplate({ name: 'Has Spaces' }),
        fraudTemplate({ components: [{ type: 'HEADER', format: 'TEXT', text: 'No body' }] }),
        fraudTemplate({
          components: [
            { type: 'BODY', text: 'Tap to confirm this payment, thank you.' },
            { type: 'BUTTONS', buttons: [{ type: 'POSTBACK', text: 'OK', payload: 'CONFIDE_CONSENT_RENEW' }] },
          ],
        }),
      ];
      for (const body of invalid) expectError(await create(body), 100);
      expect((await graph('GET', `/${fx.page.page_id}/message_templates`)).json().data).toEqual([]);

      expect((await create(fraudTemplate())).statusCode).toBe(200);
      const duplicate = expectError(await create(fraudTemplate()), 100);
      expect(duplicate['message']).toMatch(/already exists/);
      expect((await create(fraudTemplate({ language: 'de_DE' }))).json().status).toBe('APPROVED');
      // Created at the same time, one name and language still gives one template.
      const racing = await Promise.all([1, 2, 3].map(() => create(fraudTemplate({ language: 'fr' }))));
      expect(racing.map((r) => r.statusCode).sort()).toEqual([200, 400, 400]);
      expect((await graph('GET', `/${fx.page.page_id}/message_templates?language=fr`)).json().data).toHaveLength(1);
    });

    it('answers 100 when the parameters do not match the template, and nothing is stored', async () => {
      expect((await create(fraudTemplate())).json().status).toBe('APPROVED');
      await allowFraudAlerts();
      const tpl = (components: unknown[]) =>
        fraudSend(fx.psid, {
          message: { template: { name: 'card_payment_check', language: { code: 'en_US' }, components } },
        });
      const body2 = {
        type: 'body',
        parameters: [
          { type: 'text', text: '€1' },
          { type: 'text', text: 'Shop' },
        ],
      };
      const url = { type: 'buttons', parameters: [{ type: 'URL', url: 'p1' }] };
      const mismatch = expectError(
        await send(tpl([{ type: 'body', parameters: [{ type: 'text', text: '€1' }] }, url])),
        100,
      );
      expect(mismatch['message']).toMatch(/Number of parameters does not match the expected number of params/);
      expect(mismatch['error_data']).toMatchObject({ expected: 2, received: 1 });
      expectError(await send(tpl([body2])), 100); // the URL button's suffix is missing
      expectError(await send(tpl([body2, { type: 'buttons', parameters: [{ type: 'POSTBACK', payload: 'x' }] }])), 100);
      expectError(
        await send(tpl([body2, url, { type: 'header', parameters: [{ type: 'text', text: 'extra' }] }])),
        100,
      );
      expectError(
        await send(
          tpl([
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'two\nlines' },
                { type: 'text', text: 'Shop' },
              ],
            },
            url,
          ]),
        ),
        100,
      );
      expectError(
        await send(
          fraudSend(fx.psid, { message: { template: { name: 'card_payment_check', language: { code: 'fr' } } } }),
        ),
        100,
      );
      expectError(await send(fraudSend(fx.psid, { messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' })), 100);
      expectError(
        await send({ recipient: { id: fx.psid }, messaging_type: 'UTILITY', message: { text: 'no template' } }),
        100,
      );
      expectError(
        await send(
          fraudSend(fx.psid, {
            message: { text: 'and a template', template: { name: 'card_payment_check', language: 'en_US' } },
          }),
        ),
        100,
      );
      expect(await countNonHubMessages(hub)).toBe(1);
      expect((await send(tpl([body2, url]))).statusCode).toBe(200);
    });

    it('GET /message_template_library lists Confide’s templates; a clone takes their components and consent category and sends like any other', async () => {
      const library = await graph('GET', '/message_template_library?name_or_content=payment');
      expect(library.statusCode).toBe(200);
      const names = (library.json().data as Array<{ name: string }>).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['card_payment_check_1', 'transaction_posted_1']));
      expect(names).not.toContain('shipping_update_1');
      const fraud = (library.json().data as Array<Record<string, unknown>>).find(
        (t) => t['name'] === 'card_payment_check_1',
      );
      expect(fraud).toMatchObject({
        category: 'UTILITY',
        topic: 'ACCOUNT_UPDATES',
        body_params: ['€950.00', 'Electro World', '••42'],
        body_param_types: ['TEXT', 'TEXT', 'TEXT'],
        notification_category: 'fraud_alerts',
      });
      expect((await graph('GET', '/message_template_library?topic=order_management')).json().data).toHaveLength(2);

      const clone = await create({
        name: 'bank_fraud_check',
        language: 'en',
        category: 'UTILITY',
        library_template_name: 'card_payment_check_1',
      });
      expect(clone.json()).toMatchObject({ status: 'APPROVED', category: 'UTILITY' });
      const stored = (await graph('GET', `/${clone.json().id as string}`)).json();
      expect(stored).toMatchObject({ name: 'bank_fraud_check', notification_category: 'fraud_alerts' });
      expect(stored.components).toHaveLength(2);

      await allowFraudAlerts();
      clock.advance(2 * DAY);
      const sent = await send({
        recipient: { id: fx.psid },
        message: {
          template: {
            name: 'bank_fraud_check',
            language: { code: 'en' },
            components: [
              {
                type: 'body',
                parameters: ['€950.00', 'Electro World', '••42'].map((text) => ({ type: 'text', text })),
              },
              { type: 'buttons', parameters: [1, 2, 3].map(() => ({ type: 'POSTBACK', payload: 'alr_7' })) },
            ],
          },
        },
      });
      expect(sent.statusCode, sent.body).toBe(200);
      expect((await customerMessages(hub, fx)).at(-1)?.body).toMatchObject({
        attachment: {
          payload: {
            text: 'We noticed a payment of €950.00 at Electro World with your card ••42. Was it you?',
            buttons: [
              { type: 'postback', title: 'Yes, it was me', payload: 'FRAUD_YES_alr_7' },
              { type: 'postback', title: 'No, not me', payload: 'FRAUD_NO_alr_7' },
              { type: 'postback', title: 'Lock card', payload: 'FRAUD_LOCK_alr_7' },
            ],
          },
        },
      });

      const base = { name: 'clone_two', language: 'en', category: 'UTILITY' };
      expectError(await create({ ...base, library_template_name: 'no_such_template' }), 100);
      expectError(
        await create({ ...base, library_template_name: 'card_payment_check_1', notification_category: 'balances' }),
        100,
      );
      expectError(
        await create({
          ...base,
          library_template_name: 'card_payment_check_1',
          library_template_body_inputs: [{ type: 'body', text: 'x' }],
        }),
        100,
      );
      expectError(await create({ ...base, library_template_name: 'card_payment_check_1', language: 'fr' }), 100);
      expectError(await create({ ...base, notification_category: 'fraud_alerts' }), 100); // neither components nor a library template
      expectError(
        await create({ ...base, components: [{ type: 'BODY', text: 'Your payment was received, thank you.' }] }),
        100,
      ); // no category
    });

    it('keeps templates to their page: another page cannot read, send or delete them', async () => {
      const created = await create(fraudTemplate());
      const other = await createPage(hub);
      const otherFx = await buildGraphFixture(hub, { page: other });
      const otherToken = other.page_access_token;
      expectError(await graph('GET', `/${created.json().id as string}`, undefined, otherToken), 100, 33);
      expect((await graph('GET', '/me/message_templates', undefined, otherToken)).json().data).toEqual([]);
      expectError(await graph('DELETE', '/me/message_templates?name=card_payment_check', undefined, otherToken), 100);
      expectError(await graph('POST', `/${fx.page.page_id}/message_templates`, fraudTemplate(), otherToken), 100, 33);
      const res = await graph('POST', '/me/messages', fraudSend(otherFx.psid), otherToken);
      expect(res.json().error.message).toMatch(/Template name does not exist/);
      expect((await graph('GET', `/${created.json().id as string}`)).statusCode).toBe(200);
    });
  });

  describe(`${dialect}: MESSENGER_TAGS`, () => {
    let hub: TestHub | undefined;
    afterEach(async () => {
      await hub?.dispose();
      hub = undefined;
    });

    for (const mode of ['legacy', 'current'] as const) {
      it(`${mode}: tagged ACCOUNT_UPDATE/POST_PURCHASE_UPDATE/CONFIRMED_EVENT_UPDATE sends ${mode === 'current' ? 'answer (#100) Invalid parameter as Meta does' : 'still work behind consent'}; HUMAN_AGENT keeps its 7 days`, async () => {
        const clock = testClock();
        hub = await buildTestHub({ dialect, clock, env: { MESSENGER_TAGS: mode } });
        const fx = await buildGraphFixture(hub);
        const token = fx.page.page_access_token;
        const send = (body: unknown) =>
          hub!.app.inject({ method: 'POST', url: `/v25.0/me/messages?access_token=${token}`, payload: body as object });
        for (const category of ['fraud_alerts', 'receipts', 'events'])
          await declareCategory(hub.ctx, { pageId: fx.page.page_id, category, purpose: `About ${category}` });
        await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts', 'receipts', 'events']);
        const tagged = [
          ['ACCOUNT_UPDATE', 'fraud_alerts'],
          ['POST_PURCHASE_UPDATE', 'receipts'],
          ['CONFIRMED_EVENT_UPDATE', 'events'],
        ] as const;
        for (const [tag, category] of tagged) {
          const res = await send({
            recipient: { id: fx.psid },
            messaging_type: 'MESSAGE_TAG',
            tag,
            notification_category: category,
            message: { text: tag },
          });
          if (mode === 'legacy') {
            expect(res.statusCode, res.body).toBe(200);
            continue;
          }
          expect(res.statusCode).toBe(400);
          expect(res.json().error).toMatchObject({
            message: '(#100) Invalid parameter',
            type: 'OAuthException',
            code: 100,
          });
          expect(res.json().error.error_subcode).toBeUndefined();
          expect(res.json().error.error_data).toMatchObject({
            param: 'tag',
            reason: expect.stringContaining('2026-04-27'),
          });
        }
        const persona = await hub.app.inject({
          method: 'POST',
          url: `/v25.0/me/personas?access_token=${token}`,
          payload: { name: 'Ada', profile_picture_url: 'https://bank.example/ada.png' },
        });
        clock.advance(6 * DAY);
        const agent = {
          recipient: { id: fx.psid },
          messaging_type: 'MESSAGE_TAG',
          tag: 'HUMAN_AGENT',
          persona_id: persona.json().id,
          message: { text: 'agent here' },
        };
        expect((await send(agent)).statusCode).toBe(200);
        clock.advance(2 * DAY);
        expect((await send(agent)).json().error).toMatchObject({ code: 10, error_subcode: 2018278 });
      });
    }
  });
}
