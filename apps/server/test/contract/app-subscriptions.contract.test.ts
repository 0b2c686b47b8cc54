/**
 * Contract of webhook set-up from code (`GET|POST|DELETE /{app-id}/subscriptions` with an
 * app access token, running the verification handshake), `POST /me/nlp_configs`, and the
 * retired features (Recurring Notifications, `/{app-id}/page_activities`) answering (#12).
 * Runs on both dialects.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../helpers.js';
import { buildGraphFixture, countRows, type GraphFixture } from './graph-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: /{app-id}/subscriptions, nlp_configs and retired features`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    let appToken: string;
    let receiver: http.Server;
    let callback: string;
    /** Verify tokens the receiver's handshake GETs carried. */
    let handshakes: string[];

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      fx = await buildGraphFixture(hub);
      appToken = `${fx.page.app_id}|${fx.page.app_secret}`;
      handshakes = [];
      receiver = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET') {
          const token = url.searchParams.get('hub.verify_token') ?? '';
          handshakes.push(token);
          res.end(token === 'open-sesame' ? url.searchParams.get('hub.challenge') : 'wrong token');
          return;
        }
        req.resume();
        req.on('end', () => res.end('EVENT_RECEIVED'));
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
    });
    afterEach(async () => {
      await hub.dispose();
      await new Promise((r) => receiver.close(r));
    });

    /** A form body without Content-Type, as generic Graph clients send it. */
    const form = (method: 'POST' | 'DELETE' | 'GET', url: string, body: string) =>
      hub.app.inject({ method, url, payload: body });
    const subscribe = (token: string, extra = '') =>
      form(
        'POST',
        `/v25.0/${fx.page.app_id}/subscriptions?access_token=${encodeURIComponent(token)}`,
        `object=page&callback_url=${encodeURIComponent(callback)}&fields=messages,messaging_postbacks&verify_token=open-sesame&include_values=true${extra}`,
      );
    const list = () =>
      hub.app.inject({
        method: 'GET',
        url: `/v25.0/${fx.page.app_id}/subscriptions?access_token=${encodeURIComponent(appToken)}`,
      });

    it('POST with an app token runs the handshake and answers {success:true}; GET lists {object, callback_url, active, fields:[{name, version}]}', async () => {
      expect((await list()).json()).toEqual({ data: [] });
      const res = await subscribe(appToken);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ success: true });
      expect(handshakes).toEqual(['open-sesame']);
      const got = await list();
      expect(got.json()).toEqual({
        data: [
          {
            object: 'page',
            callback_url: callback,
            active: true,
            fields: [
              { name: 'messages', version: 'v25.0' },
              { name: 'messaging_postbacks', version: 'v25.0' },
            ],
          },
        ],
      });
      // The subscription is the one `confide webhook status` reports.
      const status = await hub.services.webhooks.status(fx.page.page_id);
      expect(status).toMatchObject({
        callback_url: callback,
        fields: ['messages', 'messaging_postbacks'],
        status: 'active',
      });
    });

    it('bracket fields, JSON bodies and Authorization: Bearer work the same', async () => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/${fx.page.app_id}/subscriptions`,
        headers: { authorization: `Bearer ${appToken}` },
        payload: { object: 'page', callback_url: callback, verify_token: 'open-sesame', fields: ['messages'] },
      });
      expect(res.json()).toEqual({ success: true });
      const brackets = await form(
        'POST',
        `/${fx.page.app_id}/subscriptions`,
        `access_token=${encodeURIComponent(appToken)}&object=page&callback_url=${encodeURIComponent(callback)}&verify_token=open-sesame&fields%5B0%5D=messages&fields%5B1%5D=message_deliveries`,
      );
      expect(brackets.json()).toEqual({ success: true });
      expect((await list()).json().data[0].fields.map((f: { name: string }) => f.name)).toEqual([
        'messages',
        'message_deliveries',
      ]);
    });

    it('a failed handshake, an unknown field or another object answers 100 and changes nothing', async () => {
      const wrong = await form(
        'POST',
        `/${fx.page.app_id}/subscriptions?access_token=${encodeURIComponent(appToken)}`,
        `object=page&callback_url=${encodeURIComponent(callback)}&fields=messages&verify_token=guess`,
      );
      expect(wrong.json().error).toMatchObject({ code: 100, type: 'OAuthException' });
      expect(wrong.json().error.message).toMatch(/verification failed/);
      const unknown = await subscribe(appToken, '&fields=feed');
      expect(unknown.json().error).toMatchObject({ code: 100 });
      const user = await form(
        'POST',
        `/${fx.page.app_id}/subscriptions?access_token=${encodeURIComponent(appToken)}`,
        `object=user&callback_url=${encodeURIComponent(callback)}&fields=messages&verify_token=open-sesame`,
      );
      expect(user.json().error).toMatchObject({ code: 100 });
      expect(user.json().error.message).toMatch(/object must be page/);
      expect((await list()).json()).toEqual({ data: [] });
    });

    it('a page token answers (#15), a wrong secret 190, another app id 100/33; nothing changes', async () => {
      const page = await subscribe(fx.page.page_access_token);
      expect(page.json().error).toMatchObject({
        code: 15,
        message: '(#15) This method must be called with an app access_token.',
      });
      const wrong = await subscribe(`${fx.page.app_id}|${fx.page.app_secret.slice(0, -2)}xx`);
      expect(wrong.json().error).toMatchObject({ code: 190 });
      const other = await buildGraphFixture(hub, { silent: true });
      const foreign = await form(
        'POST',
        `/${other.page.app_id}/subscriptions?access_token=${encodeURIComponent(appToken)}`,
        `object=page&callback_url=${encodeURIComponent(callback)}&fields=messages&verify_token=open-sesame`,
      );
      expect(foreign.json().error).toMatchObject({ code: 100, error_subcode: 33 });
      expect(handshakes).toEqual([]);
      expect((await hub.services.webhooks.status(other.page.page_id)).callback_url).toBeNull();
    });

    it('DELETE with fields removes them; DELETE without (or POST ?method=delete) removes the subscription', async () => {
      await subscribe(appToken);
      const some = await form(
        'DELETE',
        `/${fx.page.app_id}/subscriptions?access_token=${encodeURIComponent(appToken)}`,
        'object=page&fields=messaging_postbacks',
      );
      expect(some.json()).toEqual({ success: true });
      expect((await list()).json().data[0].fields).toEqual([{ name: 'messages', version: 'v25.0' }]);
      const all = await form(
        'POST',
        `/${fx.page.app_id}/subscriptions?method=delete&access_token=${encodeURIComponent(appToken)}`,
        'object=page',
      );
      expect(all.json()).toEqual({ success: true });
      expect((await list()).json()).toEqual({ data: [] });
      // Nothing is queued for an app without a subscription.
      const before = await countRows(hub, 'webhook_outbox');
      await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${fx.conversationId}/messages`,
        headers: { cookie: fx.customer.cookie },
        payload: { text: 'again' },
      });
      expect(await countRows(hub, 'webhook_outbox')).toBe(before);
    });

    it('POST /me/nlp_configs with an empty JSON body and query parameters answers {success:true}', async () => {
      const res = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/nlp_configs?nlp_enabled=true&model=ENGLISH&access_token=${fx.page.page_access_token}`,
        headers: { 'content-type': 'application/json' },
        payload: '',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ success: true });
      const bad = await hub.app.inject({
        method: 'POST',
        url: `/me/nlp_configs?nlp_enabled=maybe&access_token=${fx.page.page_access_token}`,
      });
      expect(bad.json().error).toMatchObject({ code: 100 });
    });

    it('the notification_messages template, a notification_messages_token and /{app-id}/page_activities answer (#12) saying why', async () => {
      const token = fx.page.page_access_token;
      const template = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${token}`,
        payload: {
          recipient: { id: fx.psid },
          message: {
            attachment: {
              type: 'template',
              payload: { template_type: 'notification_messages', title: 'Updates', payload: 'X' },
            },
          },
        },
      });
      expect(template.json().error).toMatchObject({ code: 12, type: 'OAuthException' });
      expect(template.json().error.message).toMatch(/^\(#12\) Recurring Notifications .* retired .* 2026-02-10/);
      const recipient = await form(
        'POST',
        `/me/messages?access_token=${token}`,
        'recipient%5Bnotification_messages_token%5D=abc&message%5Btext%5D=hi',
      );
      expect(recipient.json().error).toMatchObject({ code: 12 });
      for (const t of [token, appToken]) {
        const activities = await form(
          'POST',
          `/${fx.page.app_id}/page_activities?access_token=${encodeURIComponent(t)}`,
          'event=CUSTOM_APP_EVENTS&custom_events=%5B%5D',
        );
        expect(activities.json().error).toMatchObject({ code: 12 });
        expect(activities.json().error.message).toMatch(/page_activities.*retired/);
      }
      expect(await countRows(hub, 'messages')).toBe(1);
    });
  });
}
