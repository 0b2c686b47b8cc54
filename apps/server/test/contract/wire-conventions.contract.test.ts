/**
 * The request conventions generic Graph clients rely on, on every Platform endpoint (Send API,
 * message_attachments, messenger_profile, personas, handover, subscribed_apps, batch, /{psid},
 * /me, nlp_configs, /{app-id}/subscriptions), each answered with Meta's response shape:
 * - `form`: a form body with PHP-style bracket names and no Content-Type; GET and DELETE
 *   endpoints reached by POST with `method=get|delete` in the body;
 * - `query`: every parameter as bracket names in the query string, `Content-Type:
 *   application/json` with an empty body, and `method=` in the query;
 * - `native`: the endpoint's own method (JSON body for POST, bracket query for GET/DELETE).
 * Runs on both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../helpers.js';
import { bracketPairs, buildGraphFixture, customerMessages, type GraphFixture } from './graph-fixtures.js';

type Method = 'GET' | 'POST' | 'DELETE';
type Encoding = 'form' | 'query' | 'native';
const ENCODINGS: Encoding[] = ['form', 'query', 'native'];
const INBOX_APP = '263902037430900';

const encode = (pairs: Array<[string, string]>) =>
  pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

for (const dialect of DIALECTS) {
  describe(`${dialect}: Graph wire conventions on every endpoint`, () => {
    let hub: TestHub;
    let fx: GraphFixture;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect, env: { SEND_RATE_LIMIT_PER_PAGE: '10000' } });
      fx = await buildGraphFixture(hub);
    });
    afterEach(async () => {
      await hub.dispose();
    });

    /** Calls `method path` with `params` in the given encoding. */
    async function call(
      encoding: Encoding,
      method: Method,
      path: string,
      params: Record<string, unknown>,
      token = fx.page.page_access_token,
    ) {
      const override = method === 'POST' ? {} : { method: method.toLowerCase() };
      const auth = `access_token=${encodeURIComponent(token)}`;
      let res;
      if (encoding === 'form') {
        res = await hub.app.inject({
          method: 'POST',
          url: `${path}?${auth}`,
          payload: encode(bracketPairs({ ...params, ...override })),
        });
        expect(res.raw.req.headers['content-type']).toBeUndefined();
      } else if (encoding === 'query') {
        const query = encode(bracketPairs({ ...params, ...override }));
        res = await hub.app.inject({
          method: 'POST',
          url: `${path}?${query}${query === '' ? '' : '&'}${auth}`,
          headers: { 'content-type': 'application/json' },
          payload: '',
        });
      } else if (method === 'POST') {
        res = await hub.app.inject({ method, url: `${path}?${auth}`, payload: params });
      } else {
        const query = encode(bracketPairs(params));
        res = await hub.app.inject({ method, url: `${path}?${query}${query === '' ? '' : '&'}${auth}` });
      }
      expect(res.statusCode, `${encoding} ${method} ${path}: ${res.body}`).toBe(200);
      return res.json() as unknown;
    }

    it('Send API: text without messaging_type, quick replies, a button template, a receipt with numbers, a sender action → {recipient_id, message_id} / {recipient_id}', async () => {
      const recipient = { id: fx.psid };
      for (const enc of ENCODINGS) {
        const sends = [
          { recipient, message: { text: `plain ${enc}` } },
          {
            recipient,
            messaging_type: 'RESPONSE',
            message: { text: `choose ${enc}`, quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'Y' }] },
          },
          {
            recipient,
            message: {
              attachment: {
                type: 'template',
                payload: {
                  template_type: 'button',
                  text: `button ${enc}`,
                  buttons: [{ type: 'postback', title: 'Go', payload: 'GO' }],
                },
              },
            },
          },
          {
            recipient,
            message: {
              attachment: {
                type: 'template',
                payload: {
                  template_type: 'receipt',
                  recipient_name: 'Ana',
                  order_number: `R-${enc}`,
                  currency: 'EUR',
                  payment_method: 'Visa 1234',
                  elements: [{ title: 'Card reader', quantity: 2, price: 12.5 }],
                  summary: { total_cost: 25 },
                },
              },
            },
          },
        ];
        for (const send of sends) {
          const answer = (await call(enc, 'POST', '/v25.0/me/messages', send)) as Record<string, string>;
          expect(Object.keys(answer).sort()).toEqual(['message_id', 'recipient_id']);
          expect(answer['recipient_id']).toBe(fx.psid);
        }
        expect(
          await call(enc, 'POST', `/v25.0/${fx.page.page_id}/messages`, { recipient, sender_action: 'typing_on' }),
        ).toEqual({ recipient_id: fx.psid });
      }
      const out = (await customerMessages(hub, fx)).filter((m) => m.direction === 'out');
      expect(out).toHaveLength(12);
      const receipt = out.find((m) => JSON.stringify(m.body).includes('R-form'));
      expect(JSON.stringify(receipt?.body)).toContain('"price":12.5');
      expect(JSON.stringify(receipt?.body)).toContain('"quantity":2');
    });

    it('message_attachments: a URL attachment with is_reusable → {attachment_id}', async () => {
      for (const enc of ENCODINGS) {
        const answer = await call(enc, 'POST', '/v25.0/me/message_attachments', {
          message: {
            attachment: { type: 'image', payload: { url: `https://example.com/${enc}.png`, is_reusable: true } },
          },
        });
        expect(answer).toEqual({ attachment_id: expect.stringMatching(/^\d+$/) });
      }
    });

    it('messenger_profile: POST → {result:"success"}, GET with fields[] → {data:[…]}, DELETE with fields[] → {result:"success"}', async () => {
      for (const enc of ENCODINGS) {
        const profile = {
          get_started: { payload: 'GET_STARTED' },
          greeting: [{ locale: 'default', text: `Hello ${enc}` }],
          persistent_menu: [
            {
              locale: 'default',
              call_to_actions: [{ type: 'postback', title: 'Kontoübersicht anzeigen lassen', payload: 'BALANCE' }],
            },
          ],
        };
        expect(await call(enc, 'POST', '/v25.0/me/messenger_profile', profile)).toEqual({ result: 'success' });
        expect(await call(enc, 'GET', '/v25.0/me/messenger_profile', { fields: ['greeting', 'get_started'] })).toEqual({
          data: [{ greeting: [{ locale: 'default', text: `Hello ${enc}` }], get_started: { payload: 'GET_STARTED' } }],
        });
        expect(await call(enc, 'DELETE', '/v25.0/me/messenger_profile', { fields: ['greeting'] })).toEqual({
          result: 'success',
        });
        expect(await call(enc, 'GET', '/v25.0/me/messenger_profile', { fields: ['greeting'] })).toEqual({ data: [] });
      }
    });

    it('personas: POST → {id}, GET → {data, paging}, GET and DELETE /{persona-id}', async () => {
      for (const enc of ENCODINGS) {
        const { id } = (await call(enc, 'POST', '/v25.0/me/personas', {
          name: `Alex ${enc}`,
          profile_picture_url: 'https://example.com/alex.png',
        })) as {
          id: string;
        };
        expect(id).toMatch(/^\d+$/);
        const list = (await call(enc, 'GET', '/v25.0/me/personas', {})) as {
          data: Array<{ id: string }>;
          paging: unknown;
        };
        expect(list.data.map((p) => p.id)).toContain(id);
        expect(list.paging).toMatchObject({ cursors: { before: expect.any(String), after: expect.any(String) } });
        expect(await call(enc, 'GET', `/v25.0/${id}`, {})).toEqual({
          id,
          name: `Alex ${enc}`,
          profile_picture_url: 'https://example.com/alex.png',
        });
        expect(await call(enc, 'DELETE', `/v25.0/${id}`, {})).toEqual({ success: true });
      }
    });

    it('handover: pass, thread_owner, request, take, release, secondary_receivers → Meta’s shapes', async () => {
      for (const enc of ENCODINGS) {
        const recipient = { id: fx.psid };
        expect(
          await call(enc, 'POST', '/v25.0/me/pass_thread_control', {
            recipient,
            target_app_id: INBOX_APP,
            metadata: enc,
          }),
        ).toEqual({ success: true });
        expect(await call(enc, 'GET', '/v25.0/me/thread_owner', { recipient: fx.psid })).toEqual({
          data: [{ thread_owner: { app_id: INBOX_APP } }],
        });
        expect(await call(enc, 'POST', '/v25.0/me/request_thread_control', { recipient, metadata: enc })).toEqual({
          success: true,
        });
        expect(await call(enc, 'POST', '/v25.0/me/take_thread_control', { recipient, metadata: enc })).toEqual({
          success: true,
        });
        expect(await call(enc, 'POST', '/v25.0/me/release_thread_control', { recipient })).toEqual({ success: true });
        expect(await call(enc, 'GET', '/v25.0/me/thread_owner', { recipient: fx.psid })).toEqual({
          data: [{ thread_owner: { app_id: fx.page.app_id } }],
        });
        expect(await call(enc, 'GET', '/v25.0/me/secondary_receivers', { fields: ['id', 'name'] })).toEqual({
          data: [{ id: INBOX_APP, name: 'Page Inbox' }],
        });
      }
    });

    it('subscribed_apps: POST subscribed_fields[] → {success:true}, GET → {data:[{id, name, subscribed_fields}]}, DELETE → {success:true}', async () => {
      for (const enc of ENCODINGS) {
        expect(
          await call(enc, 'POST', '/v25.0/me/subscribed_apps', {
            subscribed_fields: ['messages', 'messaging_postbacks'],
          }),
        ).toEqual({ success: true });
        expect(await call(enc, 'GET', `/v25.0/${fx.page.page_id}/subscribed_apps`, {})).toEqual({
          data: [
            { id: fx.page.app_id, name: expect.any(String), subscribed_fields: ['messages', 'messaging_postbacks'] },
          ],
        });
        expect(await call(enc, 'DELETE', '/v25.0/me/subscribed_apps', {})).toEqual({ success: true });
        expect(await call(enc, 'GET', '/v25.0/me/subscribed_apps', {})).toEqual({ data: [] });
      }
    });

    it('batch: batch[i][method|relative_url|body] → [{code, headers, body}]', async () => {
      for (const enc of ENCODINGS) {
        const items = (await call(enc, 'POST', '/v25.0/', {
          batch: [
            {
              method: 'POST',
              relative_url: 'me/messages',
              body: encode(bracketPairs({ recipient: { id: fx.psid }, message: { text: `batched ${enc}` } })),
            },
            { method: 'GET', relative_url: 'me?fields=id' },
          ],
        })) as Array<{ code: number; body: string }>;
        expect(items.map((i) => i.code)).toEqual([200, 200]);
        expect(Object.keys(JSON.parse(items[0]?.body ?? '{}')).sort()).toEqual(['message_id', 'recipient_id']);
        expect(JSON.parse(items[1]?.body ?? '{}')).toEqual({ id: fx.page.page_id });
      }
    });

    it('/{psid}, /me, nlp_configs and unlink_accounts: {first_name, id}, {name, id}, {success:true}, {result}', async () => {
      for (const enc of ENCODINGS) {
        expect(
          await call(enc, 'GET', `/v25.0/${fx.psid}`, { fields: ['first_name', 'last_name', 'profile_pic'] }),
        ).toEqual({
          first_name: fx.customer.username,
          id: fx.psid,
        });
        expect(await call(enc, 'GET', '/v25.0/me', { fields: 'name,id' })).toEqual({
          name: expect.any(String),
          id: fx.page.page_id,
        });
        expect(await call(enc, 'POST', '/v25.0/me/nlp_configs', { nlp_enabled: true })).toEqual({ success: true });
        expect(await call(enc, 'POST', '/v25.0/me/unlink_accounts', { psid: fx.psid })).toEqual({
          result: 'unlink account success',
        });
      }
    });

    it('/{app-id}/subscriptions with the app token: GET → {data:[]} and DELETE → {success:true} in every encoding', async () => {
      const appToken = `${fx.page.app_id}|${fx.page.app_secret}`;
      for (const enc of ENCODINGS) {
        expect(await call(enc, 'GET', `/v25.0/${fx.page.app_id}/subscriptions`, {}, appToken)).toEqual({ data: [] });
        expect(
          await call(enc, 'DELETE', `/v25.0/${fx.page.app_id}/subscriptions`, { object: 'page' }, appToken),
        ).toEqual({ success: true });
      }
    });

    it('method= the path does not have answers 100/33 "Unsupported … request" and does nothing; method=post is POST', async () => {
      const token = fx.page.page_access_token;
      const before = (await customerMessages(hub, fx)).length;
      const get = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?method=get&access_token=${token}`,
        payload: `recipient[id]=${fx.psid}&message[text]=no`,
      });
      expect(get.json().error).toMatchObject({
        code: 100,
        error_subcode: 33,
        message: expect.stringContaining('Unsupported get request'),
      });
      const del = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/personas?method=DELETE&access_token=${token}`,
      });
      expect(del.json().error).toMatchObject({
        code: 100,
        error_subcode: 33,
        message: expect.stringContaining('Unsupported delete request'),
      });
      const post = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${token}`,
        payload: `method=POST&recipient[id]=${fx.psid}&message[text]=yes`,
      });
      expect(Object.keys(post.json()).sort()).toEqual(['message_id', 'recipient_id']);
      expect((await customerMessages(hub, fx)).length).toBe(before + 1);
      // Authentication still comes first.
      const anonymous = await hub.app.inject({ method: 'POST', url: `/v25.0/${fx.psid}?method=get` });
      expect(anonymous.json().error).toMatchObject({ code: 190 });
    });
  });
}
