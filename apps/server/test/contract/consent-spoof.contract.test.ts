/**
 * Issue 13 #1: a business cannot dress its own buttons as the hub's consent prompt. Every
 * business path that carries payloads refuses the reserved `CONFIDE_CONSENT_` prefix with
 * Graph (#100) and stores nothing. (Personas carry no payloads.) Runs on both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../helpers.js';
import { buildGraphFixture, countRows, textSend, type GraphFixture } from './graph-fixtures.js';

const FORGED = [
  'CONFIDE_CONSENT_RENEW',
  'confide_consent_renew',
  ' CONFIDE_CONSENT_RENEW:abc',
  '\u200bCONFIDE_CONSENT_LET_EXPIRE',
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: reserved consent payloads on business paths`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      fx = await buildGraphFixture(hub);
    });
    afterEach(async () => {
      await hub.dispose();
    });
    const graph = (path: string, payload: object) =>
      hub.app.inject({ method: 'POST', url: `${path}?access_token=${fx.page.page_access_token}`, payload });
    const refused = (res: { json(): { error?: { code?: number; message?: string } } }) => {
      expect(res.json().error?.code).toBe(100);
      expect(res.json().error?.message).toMatch(/reserved/);
    };
    const button = (payload: string) => ({ type: 'postback', title: 'Show balance', payload });
    const messages = (payload: string): Array<Record<string, unknown>> => [
      { text: 'Show balance?', quick_replies: [{ content_type: 'text', title: 'Show balance', payload }] },
      {
        attachment: {
          type: 'template',
          payload: { template_type: 'button', text: 'Balance', buttons: [button(payload)] },
        },
      },
      {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'generic',
            elements: [{ title: 'Balance', subtitle: 'Tap', buttons: [button('OK'), button(payload)] }],
          },
        },
      },
    ];

    it('Send API: quick replies, button templates and generic templates', async () => {
      for (const payload of FORGED) {
        for (const message of messages(payload))
          refused(await graph('/v25.0/me/messages', { ...textSend(fx.psid), message }));
      }
      const before = await countRows(hub, 'messages');
      // The same shapes with an ordinary payload go through.
      for (const message of messages('BANK_SHOW_BALANCE'))
        expect((await graph('/v25.0/me/messages', { ...textSend(fx.psid), message })).statusCode).toBe(200);
      expect(await countRows(hub, 'messages')).toBe(before + 3);
    });

    it('batch: each operation is refused on its own', async () => {
      const form = (o: Record<string, unknown>) =>
        Object.entries(o)
          .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
          .join('&');
      const before = await countRows(hub, 'messages');
      const res = await graph('/v25.0/', {
        batch: messages('CONFIDE_CONSENT_RENEW').map((message) => ({
          method: 'POST',
          relative_url: 'me/messages',
          body: form({ ...textSend(fx.psid), message }),
        })),
      });
      const items = res.json() as Array<{ code: number; body: string }>;
      expect(items.map((i) => i.code)).toEqual([400, 400, 400]);
      for (const item of items)
        expect(JSON.parse(item.body).error).toMatchObject({ code: 100, message: expect.stringMatching(/reserved/) });
      expect(await countRows(hub, 'messages')).toBe(before);
    });

    it('Messenger Profile: get_started and persistent_menu (nested too)', async () => {
      refused(await graph('/v25.0/me/messenger_profile', { get_started: { payload: 'CONFIDE_CONSENT_RENEW' } }));
      const menu = (payload: string) => ({
        persistent_menu: [
          {
            locale: 'default',
            composer_input_disabled: false,
            call_to_actions: [
              {
                type: 'nested',
                title: 'Account',
                call_to_actions: [{ type: 'postback', title: 'Show balance', payload }],
              },
            ],
          },
        ],
      });
      const nested = await graph('/v25.0/me/messenger_profile', menu('CONFIDE_CONSENT_RENEW'));
      if (nested.json().error?.message?.match(/reserved/) === null) {
        // Nested menus may be outside the schema; the flat form must be refused either way.
        expect(nested.json().error.code).toBe(100);
      } else refused(nested);
      refused(
        await graph('/v25.0/me/messenger_profile', {
          persistent_menu: [
            {
              locale: 'default',
              call_to_actions: [{ type: 'postback', title: 'Show balance', payload: 'CONFIDE_CONSENT_RENEW' }],
            },
          ],
        }),
      );
      const stored = await hub.ctx.storage.db.selectFrom('messenger_profile').select('field').execute();
      expect(stored).toEqual([]);
      expect((await graph('/v25.0/me/messenger_profile', { get_started: { payload: 'GET_STARTED' } })).json()).toEqual({
        result: 'success',
      });
    });
  });
}
