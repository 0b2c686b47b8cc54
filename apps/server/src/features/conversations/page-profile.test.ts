import type { PageProfile, ServerFrame } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildTestHub, createPage, openConversation, signUp, DIALECTS, type TestHub } from '../../../test/helpers.js';

const PROFILE = {
  get_started: { payload: 'GET_STARTED' },
  greeting: [
    { locale: 'default', text: 'Hello {{user_first_name}}, welcome.' },
    { locale: 'fr_FR', text: 'Bonjour {{user_first_name}} {{user_last_name}}' },
  ],
  ice_breakers: [{ question: 'What is my balance?', payload: 'CMD:balance' }],
  persistent_menu: [
    {
      locale: 'default',
      composer_input_disabled: false,
      call_to_actions: [
        { type: 'postback', title: 'Balance', payload: 'CMD:balance' },
        { type: 'web_url', title: 'Website', url: 'https://bank.example/' },
        {
          type: 'nested',
          title: 'More',
          call_to_actions: [
            { type: 'postback', title: 'Agent', payload: 'CMD:agent' },
            { type: 'phone_number', title: 'Call', payload: '+15105551234' },
            { title: 42 },
          ],
        },
      ],
    },
  ],
  account_linking_url: 'https://bank.example/link',
};

for (const dialect of DIALECTS) {
  describe(`${dialect}: the page's profile on the customer API`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const setProfile = (token: string, payload: object) =>
      hub.app.inject({ method: 'POST', url: `/me/messenger_profile?access_token=${token}`, payload });
    const getProfile = (cookie: string, conversationId: string, query = '') =>
      hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${conversationId}/profile${query}`,
        headers: { cookie },
      });

    it('returns Get Started, the greeting in the customer’s locale, ice breakers and the nested menu; nothing private', async () => {
      const alice = await signUp(hub, 'alice');
      const bank = await createPage(hub);
      expect((await setProfile(bank.page_access_token, PROFILE)).statusCode).toBe(200);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const res = await getProfile(alice.cookie, conv.id);
      expect(res.statusCode).toBe(200);
      const profile = res.json<PageProfile>();
      expect(profile).toEqual({
        page_id: bank.page_id,
        get_started: { payload: 'GET_STARTED' },
        greeting: 'Hello alice, welcome.',
        ice_breakers: [{ question: 'What is my balance?', payload: 'CMD:balance' }],
        persistent_menu: {
          composer_input_disabled: false,
          items: [
            { type: 'postback', title: 'Balance', payload: 'CMD:balance' },
            { type: 'web_url', title: 'Website', url: 'https://bank.example/' },
            { type: 'nested', title: 'More', items: [{ type: 'postback', title: 'Agent', payload: 'CMD:agent' }] },
          ],
        },
      });
      expect(res.body).not.toContain('bank.example/link');
      expect((await getProfile(alice.cookie, conv.id, '?locale=fr_FR')).json<PageProfile>().greeting).toBe(
        'Bonjour alice',
      );
      expect((await getProfile(alice.cookie, conv.id, '?locale=<script>')).statusCode).toBe(400);
    });

    it('a page without a profile answers empty parts', async () => {
      const alice = await signUp(hub);
      const shop = await createPage(hub, { category: 'merchant' });
      const conv = await openConversation(hub, alice.cookie, shop.page_id);
      expect((await getProfile(alice.cookie, conv.id)).json()).toEqual({
        page_id: shop.page_id,
        get_started: null,
        greeting: null,
        ice_breakers: [],
        persistent_menu: null,
      });
    });

    it('another customer’s conversation is NOT_FOUND, and a session is required', async () => {
      const alice = await signUp(hub);
      const mallory = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      expect((await getProfile(mallory.cookie, conv.id)).statusCode).toBe(404);
      expect((await hub.app.inject({ method: 'GET', url: `/api/conversations/${conv.id}/profile` })).statusCode).toBe(
        401,
      );
    });

    it('an open stream is told when the page changes or deletes its profile', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub);
      await openConversation(hub, alice.cookie, bank.page_id);
      const url = (await hub.listen()).replace('http://', 'ws://');
      const ws = new WebSocket(`${url}/api/stream`, { headers: { cookie: alice.cookie } });
      const frames: ServerFrame[] = [];
      const waitFor = async (count: number) => {
        for (let i = 0; i < 100 && frames.filter((f) => f.type === 'profile').length < count; i++)
          await new Promise((r) => setTimeout(r, 20));
        return frames.filter((f) => f.type === 'profile');
      };
      ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
      for (let i = 0; i < 100 && !frames.some((f) => f.type === 'ready'); i++)
        await new Promise((r) => setTimeout(r, 20));
      await setProfile(bank.page_access_token, { greeting: [{ locale: 'default', text: 'New greeting' }] });
      expect(await waitFor(1)).toEqual([{ type: 'profile', page_id: bank.page_id }]);
      await hub.app.inject({
        method: 'DELETE',
        url: `/me/messenger_profile?access_token=${bank.page_access_token}`,
        payload: { fields: ['greeting'] },
      });
      expect(await waitFor(2)).toHaveLength(2);
      ws.close();
    });
  });
}
