/**
 * Contract of the Graph endpoints around the Send API: `GET /me` (and account-linking
 * lookups), the User Profile API, personas, Messenger Profile, subscribed_apps, handover,
 * attachment upload and download, and the batch API. Runs on both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashLinkingToken, newLinkingToken } from '../../src/features/linking/linking-token.js';
import { mediaLinksFor } from '../../src/features/media/media-links.js';
import { buildTestHub, DIALECTS, testClock, type TestClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, countRows, customerMessages, textSend, type GraphFixture } from './graph-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: Graph endpoints contract`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let fx: GraphFixture;
    let token: string;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock });
      fx = await buildGraphFixture(hub);
      token = fx.page.page_access_token;
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const graph = (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) =>
      hub.app.inject({
        method,
        url: `${path}${path.includes('?') ? '&' : '?'}access_token=${token}`,
        ...(payload === undefined ? {} : { payload }),
      });

    it('GET /me answers {name, id}; fields narrows it', async () => {
      const page = await hub.services.pages.findPage(fx.page.page_id);
      expect((await graph('GET', '/v6.0/me')).json()).toEqual({ name: page!.name, id: fx.page.page_id });
      expect((await graph('GET', '/me?fields=id')).json()).toEqual({ id: fx.page.page_id });
    });

    it('GET /{page-id}?fields=picture answers picture.data as Meta shapes it: a silhouette without one, the hub URL with one', async () => {
      const none = await graph('GET', `/v25.0/${fx.page.page_id}?fields=picture`);
      expect(none.json()).toEqual({
        id: fx.page.page_id,
        picture: { data: { url: null, width: 0, height: 0, is_silhouette: true } },
      });
      // A 40×40 PNG header is enough for the page picture store's checks.
      const png = Buffer.alloc(64);
      png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
      png.write('IHDR', 12, 'latin1');
      png.writeUInt32BE(40, 16);
      png.writeUInt32BE(40, 20);
      const version = await hub.services.console.pictures.store.set(fx.page.page_id, png, 'image/png');
      const url = `${hub.ctx.config.publicUrl}/api/page-pictures/${fx.page.page_id}?v=${version}`;
      for (const path of [`/v25.0/${fx.page.page_id}?fields=picture`, '/me?fields=picture,name']) {
        const res = await graph('GET', path);
        expect(res.statusCode).toBe(200);
        expect(res.json().picture).toEqual({ data: { url, width: 40, height: 40, is_silhouette: false } });
      }
      const served = await hub.app.inject({ method: 'GET', url: url.slice(hub.ctx.config.publicUrl.length) });
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-type']).toBe('image/png');
    });

    it('10303: GET /me?fields=recipient with a bad, missing, expired or other-page account_linking_token', async () => {
      const live = newLinkingToken();
      const other = await buildGraphFixture(hub);
      const foreign = newLinkingToken();
      await hub.ctx.storage.writes.run(async ({ db }) => {
        for (const [t, f] of [
          [live, fx],
          [foreign, other],
        ] as const) {
          await db
            .insertInto('linking_tokens')
            .values({
              token_hash: hashLinkingToken(t),
              customer_id: f.customer.id,
              page_id: f.page.page_id,
              conversation_id: f.conversationId,
              psid: f.psid,
              categories: '[]',
              duration_days: 30,
              created_at: clock.now(),
              expires_at: clock.now() + 300_000,
              used_at: null,
            })
            .execute();
        }
      });
      const ok = await graph('GET', `/v25.0/me?fields=recipient&account_linking_token=${live}`);
      expect(ok.json()).toEqual({ id: fx.page.page_id, recipient: fx.psid });
      for (const bad of [`account_linking_token=ALT${'x'.repeat(40)}`, '', `account_linking_token=${foreign}`]) {
        const res = await graph('GET', `/v25.0/me?fields=recipient&${bad}`);
        expect(res.statusCode).toBe(400);
        expect(res.json().error).toMatchObject({ code: 10303, message: expect.stringMatching(/^\(#10303\) /) });
      }
      clock.advance(300_001);
      expect((await graph('GET', `/v25.0/me?fields=recipient&account_linking_token=${live}`)).json().error.code).toBe(
        10303,
      );
    });

    it('GET /{psid} reveals only id and first_name (the username), whatever fields are asked', async () => {
      const res = await graph(
        'GET',
        `/v6.0/${fx.psid}?fields=first_name,last_name,profile_pic,locale,timezone,gender,email`,
      );
      expect(res.json()).toEqual({ first_name: fx.customer.username, id: fx.psid });
      expect((await graph('GET', `/${fx.psid}`)).json()).toEqual({ first_name: fx.customer.username, id: fx.psid });
      expect((await graph('GET', `/${fx.psid}?fields=id`)).json()).toEqual({ id: fx.psid });
    });

    it('personas: create, read, list, delete; deleted personas are gone', async () => {
      const created = await graph('POST', '/v6.0/me/personas', {
        name: 'Ada',
        profile_picture_url: 'https://bank.example/ada.png',
      });
      const id = created.json().id as string;
      expect(created.json()).toEqual({ id: expect.stringMatching(/^\d+$/) });
      expect((await graph('GET', `/v6.0/${id}`)).json()).toEqual({
        id,
        name: 'Ada',
        profile_picture_url: 'https://bank.example/ada.png',
      });
      expect((await graph('GET', '/me/personas')).json().data).toEqual([
        { id, name: 'Ada', profile_picture_url: 'https://bank.example/ada.png' },
      ]);
      expect((await graph('POST', '/me/personas', { name: 'No picture' })).json().error.code).toBe(100);
      expect((await graph('DELETE', `/v6.0/${id}`)).json()).toEqual({ success: true });
      expect((await graph('GET', `/v6.0/${id}`)).json().error).toMatchObject({ code: 100, error_subcode: 33 });
      expect((await graph('DELETE', `/v6.0/${id}`)).json().error).toMatchObject({ code: 100, error_subcode: 33 });
      expect((await graph('GET', '/me/personas')).json().data).toEqual([]);
    });

    it('messenger_profile: POST answers {result:"success"}, GET returns the requested set fields, DELETE removes them', async () => {
      const profile = {
        get_started: { payload: 'GET_STARTED' },
        greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}' }],
        persistent_menu: [
          {
            locale: 'default',
            composer_input_disabled: false,
            call_to_actions: [{ type: 'postback', title: 'Balance', payload: 'BALANCE' }],
          },
        ],
        ice_breakers: [{ question: 'What is my balance?', payload: 'BALANCE' }],
        account_linking_url: 'https://bank.example/link',
        whitelisted_domains: ['https://bank.example'],
      };
      expect((await graph('POST', '/v6.0/me/messenger_profile', profile)).json()).toEqual({ result: 'success' });
      expect((await graph('GET', '/v6.0/me/messenger_profile?fields=get_started,greeting')).json()).toEqual({
        data: [{ get_started: profile.get_started, greeting: profile.greeting }],
      });
      expect((await graph('GET', '/me/messenger_profile')).json().data[0]).toEqual(profile);
      expect((await graph('DELETE', '/me/messenger_profile', { fields: ['get_started', 'greeting'] })).json()).toEqual({
        result: 'success',
      });
      expect((await graph('GET', '/me/messenger_profile?fields=get_started,greeting')).json()).toEqual({ data: [] });
      // Menu item titles may be 30 characters (Meta's limit), so translated menus fit; 31 is refused.
      const menu = (title: string) => ({
        persistent_menu: [
          {
            locale: 'de_DE',
            call_to_actions: [
              { type: 'postback', title, payload: 'P' },
              { type: 'web_url', title, url: 'https://bank.example' },
            ],
          },
        ],
      });
      expect(
        (await graph('POST', '/me/messenger_profile', menu('Kontostand und Umsätze anzeigen'.slice(0, 30)))).json(),
      ).toEqual({ result: 'success' });
      expect((await graph('POST', '/me/messenger_profile', menu('x'.repeat(31)))).json().error.code).toBe(100);
      for (const bad of [
        {},
        { greeting: [{ locale: 'default', text: 'x'.repeat(161) }] },
        { account_linking_url: 'not a url' },
      ]) {
        expect((await graph('POST', '/me/messenger_profile', bad)).json().error.code).toBe(100);
      }
      expect((await graph('GET', '/me/messenger_profile?fields=favourite_colour')).json().error.code).toBe(100);
    });

    it('subscribed_apps: POST replaces the app’s fields, GET lists them, DELETE unsubscribes', async () => {
      expect(
        (await graph('POST', '/v6.0/me/subscribed_apps?subscribed_fields=messages,messaging_postbacks')).json(),
      ).toEqual({ success: true });
      expect((await graph('GET', '/me/subscribed_apps')).json().data).toEqual([
        { id: fx.page.app_id, name: expect.any(String), subscribed_fields: ['messages', 'messaging_postbacks'] },
      ]);
      expect(
        (await graph('POST', '/me/subscribed_apps', { subscribed_fields: ['messages', 'nonsense'] })).json().error.code,
      ).toBe(100);
      expect((await graph('DELETE', '/me/subscribed_apps')).json()).toEqual({ success: true });
      expect((await graph('GET', '/me/subscribed_apps')).json().data).toEqual([]);
    });

    it('handover: pass, thread_owner, secondary_receivers, take; webhook events reach the app concerned', async () => {
      const withHook = await buildGraphFixture(hub, { page: undefined });
      await hub.ctx.storage.writes.run(({ db }) =>
        db
          .updateTable('apps')
          .set({ webhook_url: 'https://bot.example/hook' })
          .where('id', '=', withHook.page.app_id)
          .execute(),
      );
      const t = withHook.page.page_access_token;
      const call = (method: 'GET' | 'POST', path: string, payload?: object) =>
        hub.app.inject({
          method,
          url: `${path}${path.includes('?') ? '&' : '?'}access_token=${t}`,
          ...(payload === undefined ? {} : { payload }),
        });
      expect((await call('GET', `/v6.0/me/thread_owner?recipient=${withHook.psid}`)).json()).toEqual({
        data: [{ thread_owner: { app_id: withHook.page.app_id } }],
      });
      expect((await call('GET', '/v6.0/me/secondary_receivers?fields=id,name')).json()).toEqual({
        data: [{ id: '263902037430900', name: 'Page Inbox' }],
      });
      expect(
        (
          await call('POST', '/v6.0/me/pass_thread_control', {
            recipient: { id: withHook.psid },
            target_app_id: '263902037430900',
            metadata: 'needs a human',
          })
        ).json(),
      ).toEqual({ success: true });
      expect(
        (await call('GET', `/me/thread_owner?recipient=${withHook.psid}`)).json().data[0].thread_owner.app_id,
      ).toBe('263902037430900');
      // The agent inbox hands the thread back: the bot receives pass_thread_control.
      await hub.services.handover.passBack(withHook.conversationId, 'resolved');
      const outbox = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .select(['app_id', 'field', 'payload'])
        .where('field', '=', 'messaging_handovers')
        .execute();
      expect(
        await Promise.all(
          outbox.map(async (r) => ({
            app: r.app_id,
            item: await hub.ctx.storage.vault.openPayload(
              { purpose: 'deliver_to_business', actor: 'test' },
              withHook.customer.id,
              r.payload,
            ),
          })),
        ),
      ).toEqual([
        {
          app: withHook.page.app_id,
          item: {
            sender: { id: withHook.psid },
            recipient: { id: withHook.page.page_id },
            timestamp: clock.now(),
            pass_thread_control: {
              previous_owner_app_id: '263902037430900',
              new_owner_app_id: withHook.page.app_id,
              metadata: 'resolved',
            },
          },
        },
      ]);
      // Agents take over: the bot loses control and receives take_thread_control.
      await hub.services.handover.passToInbox(withHook.conversationId);
      const taken = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .select('payload')
        .where('field', '=', 'messaging_handovers')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(
        (
          (await hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            withHook.customer.id,
            taken.payload,
          )) as Record<string, unknown>
        )['take_thread_control'],
      ).toEqual({
        previous_owner_app_id: withHook.page.app_id,
        new_owner_app_id: '263902037430900',
      });
      expect((await call('POST', '/me/take_thread_control', { recipient: { id: withHook.psid } })).json()).toEqual({
        success: true,
      });
      expect(
        (
          await call('POST', '/me/pass_thread_control', { recipient: { id: withHook.psid }, target_app_id: '42' })
        ).json().error.code,
      ).toBe(100);
      expect((await call('GET', '/me/thread_owner?recipient=abc')).json().error.code).toBe(100);
    });

    it('attachment upload: multipart file or URL reference → {attachment_id}; sent, only that customer can open it', async () => {
      const boundary = '----up';
      const bytes = Buffer.from('%PDF-1.4 statement');
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\n${JSON.stringify({ attachment: { type: 'file', payload: { is_reusable: true } } })}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="statement.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const up = await hub.app.inject({
        method: 'POST',
        url: `/v6.0/me/message_attachments?access_token=${token}`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      expect(up.json()).toEqual({ attachment_id: expect.stringMatching(/^\d+$/) });
      const id = up.json().attachment_id as string;
      const url = await graph('POST', '/me/message_attachments', {
        message: {
          attachment: { type: 'image', payload: { url: 'https://cdn.bank.example/card.png', is_reusable: true } },
        },
      });
      const urlId = url.json().attachment_id as string;

      const mallory = await buildGraphFixture(hub, { page: fx.page });
      // Not yet sent: nobody can open it.
      expect(
        (
          await hub.app.inject({
            method: 'GET',
            url: `/api/attachments/${id}`,
            headers: { cookie: fx.customer.cookie },
          })
        ).statusCode,
      ).toBe(404);
      for (const [attachmentId, type] of [
        [id, 'file'],
        [urlId, 'image'],
      ] as const) {
        const sent = await graph('POST', '/v6.0/me/messages', {
          ...textSend(fx.psid),
          message: { attachment: { type, payload: { attachment_id: attachmentId } } },
        });
        expect(sent.statusCode).toBe(200);
      }
      const file = await hub.app.inject({
        method: 'GET',
        url: `/api/attachments/${id}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-disposition']).toBe('attachment; filename="statement.pdf"');
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.rawPayload.equals(bytes)).toBe(true);
      const ref = await hub.app.inject({
        method: 'GET',
        url: `/api/attachments/${urlId}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(ref.statusCode).toBe(302);
      // An image by URL is shown through the hub's image proxy, never loaded from the business's host.
      const proxied = (url: string) =>
        mediaLinksFor(hub.ctx.config).link({ kind: 'customer', id: fx.customer.id }, url);
      expect(ref.headers.location).toBe(proxied('https://cdn.bank.example/card.png'));
      expect(ref.headers.location).toMatch(
        /^\/api\/media\/image\?url=https%3A%2F%2Fcdn\.bank\.example%2Fcard\.png&sig=/,
      );
      expect((await customerMessages(hub, fx)).at(-1)!.body['attachment']).toEqual({
        type: 'image',
        payload: { attachment_id: urlId, url: proxied('https://cdn.bank.example/card.png') },
      });
      // Non-ASCII and control characters in a reusable URL: a redirect with the URL percent-encoded, not a 500.
      const odd = await graph('POST', '/me/message_attachments', {
        message: {
          attachment: {
            type: 'image',
            payload: { url: 'https://cdn.bank.example/Überweisung\u0001.png?q=ä', is_reusable: true },
          },
        },
      });
      expect(odd.statusCode).toBe(200);
      const oddId = odd.json().attachment_id as string;
      expect(
        (
          await graph('POST', '/v6.0/me/messages', {
            ...textSend(fx.psid),
            message: { attachment: { type: 'image', payload: { attachment_id: oddId } } },
          })
        ).statusCode,
      ).toBe(200);
      const oddRef = await hub.app.inject({
        method: 'GET',
        url: `/api/attachments/${oddId}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(oddRef.statusCode).toBe(302);
      expect(oddRef.headers.location).toBe(proxied('https://cdn.bank.example/%C3%9Cberweisung%01.png?q=%C3%A4'));
      expect(oddRef.headers.location).toMatch(/^[\x21-\x7e]+$/);
      for (const cookie of [mallory.customer.cookie]) {
        const denied = await hub.app.inject({ method: 'GET', url: `/api/attachments/${id}`, headers: { cookie } });
        const unknown = await hub.app.inject({ method: 'GET', url: '/api/attachments/999999', headers: { cookie } });
        expect(denied.statusCode).toBe(404);
        expect(denied.json().error.message).toBe(unknown.json().error.message);
      }
      expect((await hub.app.inject({ method: 'GET', url: `/api/attachments/${id}` })).statusCode).toBe(401);
    });

    it('attachment upload refuses a file over 25 MB (100/2018109), a bad type, or neither file nor URL; nothing stored', async () => {
      const boundary = '----big';
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\n{"attachment":{"type":"video","payload":{}}}\r\n--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
        ),
        Buffer.alloc(25 * 1024 * 1024 + 1, 1),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const big = await hub.app.inject({
        method: 'POST',
        url: `/me/message_attachments?access_token=${token}`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
      expect(big.json().error).toMatchObject({ code: 100, error_subcode: 2018109 });
      expect(
        (
          await graph('POST', '/me/message_attachments', {
            message: { attachment: { type: 'sticker', payload: { url: 'https://x.example/a' } } },
          })
        ).json().error.code,
      ).toBe(100);
      expect(
        (
          await graph('POST', '/me/message_attachments', { message: { attachment: { type: 'image', payload: {} } } })
        ).json().error.code,
      ).toBe(100);
      expect(await countRows(hub, 'attachments')).toBe(0);
    });

    it('batch: runs each operation with the caller’s token and answers [{code, headers, body}] with JSON-string bodies', async () => {
      const form = (o: Record<string, unknown>) =>
        Object.entries(o)
          .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
          .join('&');
      const res = await graph('POST', '/v6.0/', {
        batch: [
          { method: 'POST', relative_url: 'me/messages', body: form(textSend(fx.psid, 'one')) },
          { method: 'POST', relative_url: 'v6.0/me/messages', body: form(textSend(fx.psid, 'two')) },
          { method: 'POST', relative_url: 'me/messages', body: form(textSend('1111111111111111', 'nobody')) },
          { method: 'GET', relative_url: 'me?fields=id' },
        ],
      });
      expect(res.statusCode).toBe(200);
      const items = res.json() as Array<{
        code: number;
        headers: Array<{ name: string; value: string }>;
        body: string;
      }>;
      expect(items.map((i) => i.code)).toEqual([200, 200, 400, 200]);
      expect(Object.keys(JSON.parse(items[0]!.body)).sort()).toEqual(['message_id', 'recipient_id']);
      expect(JSON.parse(items[2]!.body).error).toMatchObject({ code: 100, error_subcode: 2018001 });
      expect(JSON.parse(items[3]!.body)).toEqual({ id: fx.page.page_id });
      expect(items[0]!.headers).toContainEqual({
        name: 'Content-Type',
        value: expect.stringContaining('application/json'),
      });
      expect((await customerMessages(hub, fx)).filter((m) => m.direction === 'out').map((m) => m.body['text'])).toEqual(
        ['one', 'two'],
      );

      const tooMany = await graph('POST', '/', {
        batch: Array.from({ length: 51 }, () => ({ method: 'GET', relative_url: 'me' })),
      });
      expect(tooMany.json().error.code).toBe(100);
      const unauthenticated = await hub.app.inject({
        method: 'POST',
        url: '/',
        payload: { batch: [{ method: 'GET', relative_url: 'me' }] },
      });
      expect(unauthenticated.json().error.code).toBe(190);
    });
  });
}
