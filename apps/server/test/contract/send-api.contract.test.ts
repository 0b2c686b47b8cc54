/**
 * Contract of `POST /{version}/me/messages`: request/response pairs for every error code
 * the Send API answers, the three body encodings, token placement and appsecret_proof,
 * versionless and old-version routes. Runs on both dialects.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { declareCategory } from '../../src/features/consent/declarations.js';
import { buildTestHub, DIALECTS, testClock, type TestClock, type TestHub } from '../helpers.js';
import {
  buildGraphFixture,
  countNonHubMessages,
  countRows,
  customerMessages,
  textSend,
  type GraphFixture,
} from './graph-fixtures.js';
import { TOKEN_CACHE_MS } from '../../src/features/pages/pages.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`${dialect}: POST /{version}/me/messages contract`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let fx: GraphFixture;
    let token: string;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SEND_RATE_LIMIT_PER_PAGE: '5' } });
      fx = await buildGraphFixture(hub);
      token = fx.page.page_access_token;
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const send = (payload: unknown, url = `/v25.0/me/messages?access_token=${token}`) =>
      hub.app.inject({ method: 'POST', url, payload: payload as object });
    const expectError = (
      res: { statusCode: number; json(): { error: Record<string, unknown> } },
      code: number,
      subcode?: number,
    ) => {
      expect(res.statusCode).toBe(400);
      const error = res.json().error;
      expect(error).toMatchObject({ code, type: expect.any(String), fbtrace_id: expect.any(String) });
      expect(error['message']).toMatch(new RegExp(`^\\(#${code}\\) `));
      expect(error['error_subcode']).toBe(subcode);
      return error;
    };

    it('answers exactly {recipient_id, message_id} on every route shape: versionless, v2.6, v6.0, v25.0 and /{page-id}', async () => {
      for (const url of [
        '/me/messages',
        '/v2.6/me/messages',
        '/v6.0/me/messages',
        '/v25.0/me/messages',
        `/v25.0/${fx.page.page_id}/messages`,
        `/${fx.page.page_id}/messages`,
      ]) {
        clock.advance(1000); // stay under the per-page rate limit of this suite
        const res = await send(textSend(fx.psid, url), `${url}?access_token=${token}`);
        expect(res.statusCode, url).toBe(200);
        expect(Object.keys(res.json()).sort()).toEqual(['message_id', 'recipient_id']);
        expect(res.json().recipient_id).toBe(fx.psid);
      }
      const seen = await customerMessages(hub, fx);
      expect(seen.filter((m) => m.direction === 'out').map((m) => m.body['text'])).toEqual([
        '/me/messages',
        '/v2.6/me/messages',
        '/v6.0/me/messages',
        '/v25.0/me/messages',
        `/v25.0/${fx.page.page_id}/messages`,
        `/${fx.page.page_id}/messages`,
      ]);
    });

    it('answers the Graph unknown-object error for a malformed version or another page id', async () => {
      for (const url of ['/v99/me/messages', '/version1/me/messages', '/v6.0.1/me/messages']) {
        expectError(await send(textSend(fx.psid), `${url}?access_token=${token}`), 100, 33);
      }
      const other = await buildGraphFixture(hub);
      expectError(
        await send(textSend(fx.psid), `/v25.0/${other.page.page_id}/messages?access_token=${token}`),
        100,
        33,
      );
      expect(await countNonHubMessages(hub)).toBe(2); // the two customers' own "hi"
    });

    it('takes the token from the query, a JSON body, a form body or Authorization: Bearer', async () => {
      expect((await send(textSend(fx.psid, 'q'))).statusCode).toBe(200);
      expect((await send({ ...textSend(fx.psid, 'json'), access_token: token }, '/v25.0/me/messages')).statusCode).toBe(
        200,
      );
      const bearer = await hub.app.inject({
        method: 'POST',
        url: '/v25.0/me/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: textSend(fx.psid, 'bearer'),
      });
      expect(bearer.statusCode).toBe(200);
      const form = await hub.app.inject({
        method: 'POST',
        url: '/v25.0/me/messages',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          access_token: token,
          recipient: JSON.stringify({ id: fx.psid }),
          messaging_type: 'RESPONSE',
          message: JSON.stringify({ text: 'form' }),
        }).toString(),
      });
      expect(form.statusCode).toBe(200);
    });

    it('190: missing, unknown or revoked token, with the WWW-Authenticate header, and nothing stored', async () => {
      const before = await countRows(hub, 'messages');
      const missing = await send(textSend(fx.psid), '/v25.0/me/messages');
      expectError(missing, 190);
      expect(missing.headers['www-authenticate']).toMatch(/^OAuth "Facebook Platform" "invalid_token"/);
      expectError(await send(textSend(fx.psid), `/v25.0/me/messages?access_token=EAAC${'x'.repeat(60)}`), 190);
      const tokens = await hub.services.pages.listTokens(fx.page.page_id);
      await hub.services.pages.revokeToken(fx.page.page_id, tokens[0]!.id);
      expectError(await send(textSend(fx.psid)), 190);
      expect(await countNonHubMessages(hub)).toBe(before);
    });

    it('a token revoked by another process (the CLI) stops working within TOKEN_CACHE_MS', async () => {
      expect((await send(textSend(fx.psid))).statusCode).toBe(200);
      // What `confide page token revoke` does from its own process: this hub's cache is not told.
      await hub.ctx.storage.db
        .updateTable('page_tokens')
        .set({ revoked_at: Date.now() })
        .where('page_id', '=', fx.page.page_id)
        .execute();
      await new Promise((r) => setTimeout(r, TOKEN_CACHE_MS + 100));
      expectError(await send(textSend(fx.psid)), 190);
    });

    it('verifies appsecret_proof when present: right proof passes, a wrong one answers 190', async () => {
      const proof = createHmac('sha256', fx.page.app_secret).update(token).digest('hex');
      expect(
        (await send(textSend(fx.psid), `/v25.0/me/messages?access_token=${token}&appsecret_proof=${proof}`)).statusCode,
      ).toBe(200);
      expect(
        (
          await send(
            textSend(fx.psid),
            `/v25.0/me/messages?access_token=${token}&appsecret_proof=${proof.toUpperCase()}`,
          )
        ).statusCode,
      ).toBe(200);
      const wrong = createHmac('sha256', 'not-the-secret').update(token).digest('hex');
      const res = await send(textSend(fx.psid), `/v25.0/me/messages?access_token=${token}&appsecret_proof=${wrong}`);
      expect(expectError(res, 190)['message']).toContain('appsecret_proof');
      expectError(await send({ ...textSend(fx.psid), appsecret_proof: 'abc' }), 190);
    });

    it("accepts Meta's form-urlencoded curl sample with single-quoted JSON, and ignores unknown parameters", async () => {
      const body = `access_token=${token}&recipient={'id':'${fx.psid}'}&messaging_type=RESPONSE&message={'text':'hello, world'}&some_future_param=1`;
      const res = await hub.app.inject({
        method: 'POST',
        url: '/v25.0/me/messages',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
      });
      expect(res.statusCode).toBe(200);
      const unknown = await send({
        ...textSend(fx.psid, 'extra'),
        notification_type: 'SILENT_PUSH',
        whatever: { deep: true },
      });
      expect(unknown.statusCode).toBe(200);
      expect((await customerMessages(hub, fx)).filter((m) => m.direction === 'out').map((m) => m.body['text'])).toEqual(
        ['hello, world', 'extra'],
      );
    });

    it('accepts multipart: JSON-string fields plus a filedata image the customer can then download', async () => {
      const boundary = '----confide';
      const part = (name: string, value: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
      const payload = Buffer.concat([
        Buffer.from(
          part('recipient', JSON.stringify({ id: fx.psid })) +
            part('messaging_type', 'RESPONSE') +
            part('message', JSON.stringify({ attachment: { type: 'image', payload: { is_reusable: true } } })) +
            `--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        png,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${token}`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.json()).sort()).toEqual(['attachment_id', 'message_id', 'recipient_id']);
      const last = (await customerMessages(hub, fx)).at(-1)!;
      expect(last.body['attachment']).toEqual({
        type: 'image',
        payload: { attachment_id: res.json().attachment_id, url: `/api/attachments/${res.json().attachment_id}` },
      });
      const file = await hub.app.inject({
        method: 'GET',
        url: `/api/attachments/${res.json().attachment_id}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toBe('image/png');
      expect(file.rawPayload.equals(png)).toBe(true);
    });

    it('100: invalid parameters are refused with the parameter named, and nothing is stored', async () => {
      const button = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ type: 'postback', title: `B${i}`, payload: `P${i}` }));
      const template = (payload: object) => ({
        recipient: { id: fx.psid },
        messaging_type: 'RESPONSE',
        message: { attachment: { type: 'template', payload } },
      });
      const receipt = {
        template_type: 'receipt',
        recipient_name: 'A',
        order_number: '1',
        currency: 'USD',
        payment_method: 'Visa 2345',
        summary: { total_cost: 10 },
      };
      const cases: Array<[string, unknown, string]> = [
        ['text of 2000 characters', textSend(fx.psid, 'x'.repeat(2000)), 'message[text]'],
        ['empty message', { recipient: { id: fx.psid }, messaging_type: 'RESPONSE', message: {} }, 'message'],
        [
          '14 quick replies',
          {
            ...textSend(fx.psid),
            message: {
              text: 'q',
              quick_replies: Array.from({ length: 14 }, (_, i) => ({
                content_type: 'text',
                title: `t${i}`,
                payload: 'p',
              })),
            },
          },
          'message[quick_replies]',
        ],
        [
          'text quick reply without title',
          { ...textSend(fx.psid), message: { text: 'q', quick_replies: [{ content_type: 'text', payload: 'p' }] } },
          'title',
        ],
        [
          'unknown quick reply content_type',
          { ...textSend(fx.psid), message: { text: 'q', quick_replies: [{ content_type: 'location' }] } },
          'content_type',
        ],
        [
          'button template with 4 buttons',
          template({ template_type: 'button', text: 'pick', buttons: button(4) }),
          'buttons',
        ],
        [
          'button template with no buttons',
          template({ template_type: 'button', text: 'pick', buttons: [] }),
          'buttons',
        ],
        [
          'button template text of 641',
          template({ template_type: 'button', text: 'x'.repeat(641), buttons: button(1) }),
          'text',
        ],
        [
          'generic with 11 elements',
          template({
            template_type: 'generic',
            elements: Array.from({ length: 11 }, () => ({ title: 't', subtitle: 's' })),
          }),
          'elements',
        ],
        [
          'generic element with only a title',
          template({ template_type: 'generic', elements: [{ title: 't' }] }),
          'elements',
        ],
        [
          'generic title of 81',
          template({ template_type: 'generic', elements: [{ title: 'x'.repeat(81), subtitle: 's' }] }),
          'title',
        ],
        [
          'generic element with 4 buttons',
          template({ template_type: 'generic', elements: [{ title: 't', buttons: button(4) }] }),
          'buttons',
        ],
        ['receipt without summary.total_cost', template({ ...receipt, summary: { subtotal: 1 } }), 'total_cost'],
        ['receipt without payment_method', template({ ...receipt, payment_method: undefined }), 'payment_method'],
        [
          'receipt with 101 elements',
          template({ ...receipt, elements: Array.from({ length: 101 }, () => ({ title: 'i', price: 1 })) }),
          'elements',
        ],
        [
          'postback payload of 1001',
          template({
            template_type: 'button',
            text: 't',
            buttons: [{ type: 'postback', title: 'b', payload: 'x'.repeat(1001) }],
          }),
          'payload',
        ],
        [
          'account_link over plain http',
          template({
            template_type: 'button',
            text: 't',
            buttons: [{ type: 'account_link', url: 'http://bank.example/login' }],
          }),
          'account_link',
        ],
        ['unknown template type', template({ template_type: 'airline_boardingpass' }), 'template_type'],
        [
          'unknown button type',
          template({ template_type: 'button', text: 't', buttons: [{ type: 'game_play', title: 'x' }] }),
          'type',
        ],
        [
          'MESSAGE_TAG without tag',
          { recipient: { id: fx.psid }, messaging_type: 'MESSAGE_TAG', message: { text: 'x' } },
          'tag',
        ],
        [
          'unknown tag',
          {
            recipient: { id: fx.psid },
            messaging_type: 'MESSAGE_TAG',
            tag: 'CUSTOMER_FEEDBACK',
            message: { text: 'x' },
          },
          'tag',
        ],
        ['metadata of 1000', { ...textSend(fx.psid), message: { text: 'x', metadata: 'm'.repeat(1000) } }, 'metadata'],
        ['neither message nor sender_action', { recipient: { id: fx.psid }, messaging_type: 'RESPONSE' }, 'message'],
        [
          'recipient by user_ref',
          { recipient: { user_ref: 'abc' }, messaging_type: 'RESPONSE', message: { text: 'x' } },
          'recipient[id]',
        ],
        [
          'media without url or id',
          { ...textSend(fx.psid), message: { attachment: { type: 'image', payload: {} } } },
          'payload',
        ],
        [
          'unknown attachment_id',
          { ...textSend(fx.psid), message: { attachment: { type: 'image', payload: { attachment_id: '123456' } } } },
          'attachment_id',
        ],
        ['unknown persona_id', { ...textSend(fx.psid), persona_id: '987654' }, 'persona_id'],
        ['reply_to an unknown mid', { ...textSend(fx.psid), reply_to: { mid: 'm_nope' } }, 'reply_to'],
        [
          'HUMAN_AGENT without a persona',
          { recipient: { id: fx.psid }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'x' } },
          'persona_id',
        ],
      ];
      const before = await countRows(hub, 'messages');
      for (const [name, payload, param] of cases) {
        const error = expectError(await send(payload), 100);
        expect(error['message'], name).toContain(param);
      }
      expect(await countNonHubMessages(hub)).toBe(before);
      expect(await countRows(hub, 'attachments')).toBe(0);
    });

    it('accepts the largest valid shapes: 1999 characters, 13 quick replies, 3 buttons, 10 cards, a full receipt', async () => {
      const ok = async (payload: unknown) => expect((await send(payload)).statusCode).toBe(200);
      await ok(textSend(fx.psid, 'é'.repeat(1999)));
      await ok({
        ...textSend(fx.psid),
        message: {
          text: 'q',
          quick_replies: Array.from({ length: 13 }, (_, i) => ({
            content_type: 'text',
            title: `a very long title number ${i}`,
            payload: 'p',
          })),
        },
      });
      await ok({
        ...textSend(fx.psid),
        message: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'button',
              text: 't',
              buttons: [
                { type: 'web_url', url: 'https://bank.example', title: 'Open' },
                { type: 'phone_number', title: 'Call', payload: '+15105551234' },
                { type: 'account_link', url: 'http://localhost:9000/login' },
              ],
            },
          },
        },
      });
      await ok({
        ...textSend(fx.psid),
        message: {
          attachment: {
            type: 'template',
            payload: {
              template_type: 'generic',
              elements: Array.from({ length: 10 }, (_, i) => ({
                title: `Card ${i}`,
                default_action: { type: 'web_url', url: 'https://bank.example' },
              })),
            },
          },
        },
      });
      const quick = (await customerMessages(hub, fx)).at(-3)!;
      expect((quick.body['quick_replies'] as Array<{ title: string }>)[0]!.title).toBe('a very long title nu');
    });

    it('100/2018001: an unknown PSID, and another page’s PSID answers exactly the same', async () => {
      const other = await buildGraphFixture(hub);
      const unknown = expectError(await send(textSend('1234567890123456')), 100, 2018001);
      const foreign = expectError(await send(textSend(other.psid)), 100, 2018001);
      expect({ ...foreign, fbtrace_id: '' }).toEqual({ ...unknown, fbtrace_id: '' });
    });

    it('100/2018014: message and sender_action together', async () => {
      expectError(await send({ ...textSend(fx.psid), sender_action: 'typing_on' }), 100, 2018014);
    });

    it("a send without messaging_type is a RESPONSE, as Meta's reference bots send it: inside the window only", async () => {
      const res = await send({ recipient: { id: fx.psid }, message: { text: 'no type' } });
      expect(res.statusCode).toBe(200);
      expect((await customerMessages(hub, fx)).at(-1)?.body['text']).toBe('no type');
      clock.advance(25 * HOUR);
      expectError(await send({ recipient: { id: fx.psid }, message: { text: 'late' } }), 10, 2018278);
    });

    it('10/2018278: RESPONSE and UPDATE only within 24 hours of the customer’s last message', async () => {
      clock.advance(23 * HOUR);
      expect((await send({ ...textSend(fx.psid), messaging_type: 'UPDATE' })).statusCode).toBe(200);
      clock.advance(2 * HOUR);
      expectError(await send(textSend(fx.psid)), 10, 2018278);
      expectError(await send({ ...textSend(fx.psid), messaging_type: 'UPDATE' }), 10, 2018278);
      expectError(await send({ recipient: { id: fx.psid }, sender_action: 'typing_on' }), 10, 2018278);
      const silent = await buildGraphFixture(hub, { page: fx.page, silent: true });
      expectError(await send(textSend(silent.psid)), 10, 2018278);
    });

    it('HUMAN_AGENT reaches the customer for 7 days, only from a persona', async () => {
      const persona = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/personas?access_token=${token}`,
        payload: { name: 'Ada (agent)', profile_picture_url: 'https://bank.example/ada.png' },
      });
      const personaId = persona.json().id as string;
      const agent = {
        recipient: { id: fx.psid },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
        persona_id: personaId,
        message: { text: 'agent here' },
      };
      clock.advance(6 * 24 * HOUR);
      expect((await send(agent)).statusCode).toBe(200);
      const row = await hub.ctx.storage.db
        .selectFrom('messages')
        .select(['persona_id', 'tag'])
        .where('direction', '=', 'out')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ persona_id: personaId, tag: 'HUMAN_AGENT' });
      clock.advance(2 * 24 * HOUR);
      expectError(await send(agent), 10, 2018278);
    });

    it('10/1400001: ACCOUNT_UPDATE outside the window needs consent; granted it passes, revoked the very next send fails', async () => {
      const alert = {
        recipient: { id: fx.psid },
        messaging_type: 'MESSAGE_TAG',
        tag: 'ACCOUNT_UPDATE',
        notification_category: 'fraud_alerts',
        message: { text: 'Was this you?' },
      };
      clock.advance(3 * 24 * HOUR);
      expectError(await send(alert), 10, 1400001);
      expect(await countNonHubMessages(hub)).toBe(1);
      await declareCategory(hub.ctx, {
        pageId: fx.page.page_id,
        category: 'fraud_alerts',
        purpose: 'Alerts about suspicious card activity',
      });
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts']);
      const ok = await send(alert);
      expect(ok.statusCode).toBe(200);
      expect((await customerMessages(hub, fx)).at(-1)).toMatchObject({
        mid: ok.json().message_id,
        body: { text: 'Was this you?' },
      });
      await hub.services.consents.revoke(fx.customer.id, fx.page.page_id);
      expectError(await send(alert), 10, 1400001);
      expect(await countNonHubMessages(hub)).toBe(2);
    });

    it('551: a customer who is no longer reachable', async () => {
      await hub.ctx.storage.writes.run(({ db }) =>
        db
          .insertInto('conversation_blocks')
          .values({ conversation_id: fx.conversationId, reason: 'deleted', created_at: clock.now() })
          .execute(),
      );
      expectError(await send(textSend(fx.psid)), 551);
      expectError(await send({ recipient: { id: fx.psid }, sender_action: 'mark_seen' }), 551);
    });

    it('613: over SEND_RATE_LIMIT_PER_PAGE calls per second, per page; the budget refills with time', async () => {
      for (let i = 0; i < 5; i++) expect((await send(textSend(fx.psid, `m${i}`))).statusCode).toBe(200);
      const limited = await send(textSend(fx.psid, 'too many'));
      expect(expectError(limited, 613)['is_transient']).toBe(true);
      expect(limited.headers['retry-after']).toBe('1');
      const other = await buildGraphFixture(hub);
      expect(
        (await send(textSend(other.psid), `/v25.0/me/messages?access_token=${other.page.page_access_token}`))
          .statusCode,
      ).toBe(200);
      clock.advance(1000);
      expect((await send(textSend(fx.psid, 'later'))).statusCode).toBe(200);
      expect((await customerMessages(hub, fx)).some((m) => m.body['text'] === 'too many')).toBe(false);
    });

    it('2018300: another app controls the thread (page inbox); taking it back allows sending again', async () => {
      const pass = await hub.app.inject({
        method: 'POST',
        url: `/v6.0/me/pass_thread_control?access_token=${token}`,
        payload: { recipient: { id: fx.psid }, target_app_id: 263902037430900, metadata: 'to agents' },
      });
      expect(pass.json()).toEqual({ success: true });
      expectError(await send(textSend(fx.psid)), 2018300);
      expectError(await send({ recipient: { id: fx.psid }, sender_action: 'typing_on' }), 2018300);
      const take = await hub.app.inject({
        method: 'POST',
        url: `/v6.0/me/take_thread_control?access_token=${token}`,
        payload: { recipient: { id: fx.psid } },
      });
      expect(take.json()).toEqual({ success: true });
      expect((await send(textSend(fx.psid))).statusCode).toBe(200);
    });

    it('sender actions answer {recipient_id}: typing is an ephemeral frame, mark_seen a persisted read receipt', async () => {
      const frames: unknown[] = [];
      hub.ctx.bus.subscribe(`customer.${fx.customer.id}`, (e) =>
        frames.push(e.name === 'customer.frame' ? e.frame : undefined),
      );
      const typing = await send({ recipient: { id: fx.psid }, sender_action: 'typing_on' });
      expect(typing.json()).toEqual({ recipient_id: fx.psid });
      expect(frames).toEqual([{ type: 'typing', conversation_id: fx.conversationId, on: true }]);
      clock.advance(5000);
      const seen = await send({ recipient: { id: fx.psid }, sender_action: 'mark_seen' });
      expect(seen.json()).toEqual({ recipient_id: fx.psid });
      expect(frames[1]).toMatchObject({
        type: 'receipt',
        conversation_id: fx.conversationId,
        side: 'page',
        kind: 'read',
        watermark: clock.now(),
        cursor: expect.any(Number),
      });
      const conv = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${fx.conversationId}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(conv.json().page_read_watermark).toBe(clock.now());
    });

    it('reply_to quotes a message of this conversation only', async () => {
      const [hi] = await customerMessages(hub, fx);
      const ok = await send({ ...textSend(fx.psid, 'quoted'), reply_to: { mid: hi!.mid } });
      expect(ok.statusCode).toBe(200);
      expect((await customerMessages(hub, fx)).at(-1)!.body).toEqual({ text: 'quoted', reply_to: { mid: hi!.mid } });
      const other = await buildGraphFixture(hub, { page: fx.page });
      const [otherHi] = await customerMessages(hub, other);
      expectError(await send({ ...textSend(fx.psid), reply_to: { mid: otherHi!.mid } }), 100);
    });
  });
}
