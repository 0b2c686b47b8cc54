import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleKit } from '../../../test/console-kit.js';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: console Messenger Profile, personas and inbox agents`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const { call, org } = consoleKit(() => hub);
    const team = () => org('People Bank', 'people');

    it('edits the Messenger Profile, refusing javascript: URLs, markup and viewers with nothing written', async () => {
      const { developer, viewer, page } = await team();
      const url = `/console/api/pages/${page.id}/profile`;
      const profile = {
        greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}, welcome to People Bank.' }],
        get_started: { payload: 'GET_STARTED' },
        persistent_menu: [
          {
            locale: 'default',
            call_to_actions: [
              { type: 'postback', title: 'Balance', payload: 'BALANCE' },
              { type: 'web_url', title: 'Help', url: 'https://bank.example/help' },
            ],
          },
        ],
        ice_breakers: [{ question: 'What is my balance?', payload: 'BALANCE' }],
      };
      expect((await call('PUT', url, viewer, profile)).statusCode).toBe(403);
      const set = await call('PUT', url, developer, profile);
      expect(set.statusCode).toBe(200);
      expect(set.json()).toMatchObject(profile);
      const before = await hub.ctx.storage.db
        .selectFrom('messenger_profile')
        .selectAll()
        .where('page_id', '=', page.id)
        .orderBy('field')
        .execute();

      const menu = (item: object) => ({ persistent_menu: [{ locale: 'default', call_to_actions: [item] }] });
      const refused = [
        menu({ type: 'web_url', title: 'Win', url: 'javascript:alert(1)' }),
        menu({ type: 'web_url', title: 'Win', url: 'JavaScript://%0aalert(1)' }),
        menu({ type: 'postback', title: '<img src=x onerror=alert(1)>', payload: 'X' }),
        { greeting: [{ locale: 'default', text: '<script>alert(1)</script>' }] },
        { ice_breakers: [{ question: 'Hi <b>there</b>', payload: 'X' }] },
        { greeting: [{ locale: 'default', text: 'x'.repeat(161) }] },
      ];
      for (const body of refused) {
        const res = await call('PUT', url, developer, body);
        expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
      }
      expect(
        await hub.ctx.storage.db
          .selectFrom('messenger_profile')
          .selectAll()
          .where('page_id', '=', page.id)
          .orderBy('field')
          .execute(),
      ).toEqual(before);
      expect((await call('GET', url, viewer)).json()).toMatchObject(profile);
    });

    it('creates personas and inbox agents for agent admins; unsafe names and pictures refused', async () => {
      const { developer, agentAdmin, viewer, page } = await team();
      const personas = `/console/api/pages/${page.id}/personas`;
      expect(
        (
          await call('POST', personas, developer, {
            name: 'Dana',
            profile_picture_url: 'https://bank.example/dana.png',
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (await call('POST', personas, agentAdmin, { name: 'Dana', profile_picture_url: 'javascript:alert(1)' }))
          .statusCode,
      ).toBe(400);
      expect(
        (
          await call('POST', personas, agentAdmin, {
            name: '<i>Dana</i>',
            profile_picture_url: 'https://bank.example/dana.png',
          })
        ).statusCode,
      ).toBe(400);
      const created = await call('POST', personas, agentAdmin, {
        name: 'Dana',
        profile_picture_url: 'https://bank.example/dana.png',
      });
      expect(created.statusCode).toBe(201);
      expect((await call('GET', personas, viewer)).json().data).toEqual([created.json()]);

      const agents = `/console/api/pages/${page.id}/agents`;
      const agent = { username: 'people.agent', password: 'agent password 1', display_name: 'Sam' };
      expect((await call('POST', agents, viewer, agent)).statusCode).toBe(403);
      expect((await call('POST', agents, agentAdmin, { ...agent, display_name: '<b>Sam</b>' })).statusCode).toBe(400);
      const made = await call('POST', agents, agentAdmin, agent);
      expect(made.statusCode).toBe(201);
      expect((await call('GET', agents, viewer)).json().data).toEqual([made.json()]);
      const login = await hub.app.inject({
        method: 'POST',
        url: '/inbox/api/login',
        payload: { username: 'people.agent', password: 'agent password 1' },
      });
      expect(login.statusCode).toBe(200);
      expect(login.json()).toMatchObject({ agent: { display_name: 'Sam' } });
      const audit = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', 'in', ['console.persona_created', 'console.agent_created'])
        .execute();
      expect(audit).toHaveLength(2);
    });
  });
}
