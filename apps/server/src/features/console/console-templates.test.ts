import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';

const PASSWORD = 'owner password 1';
const template = (name: string, text: string) => ({
  name,
  language: 'en',
  category: 'UTILITY',
  notification_category: 'transactions',
  components: [{ type: 'BODY', text }],
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: console utility templates`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    async function signIn(username: string): Promise<string> {
      const res = await hub.app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { username, password: PASSWORD },
      });
      return `confide_console=${res.cookies.find((c) => c.name === 'confide_console')?.value}`;
    }

    it('creates (reviewed at once) and lists templates; viewers read only', async () => {
      await hub.services.console.members.createOrganisation(
        { name: 'T Bank', username: 't-owner', password: PASSWORD },
        'operator',
      );
      const owner = await signIn('t-owner');
      const invite = (
        await hub.app.inject({
          method: 'POST',
          url: '/console/api/invites',
          headers: { cookie: owner },
          payload: { role: 'viewer' },
        })
      ).json();
      await hub.app.inject({
        method: 'POST',
        url: '/console/api/invites/accept',
        payload: { code: invite.code, username: 't-viewer', password: PASSWORD },
      });
      const viewer = await signIn('t-viewer');
      const page = (
        await hub.app.inject({
          method: 'POST',
          url: '/console/api/pages',
          headers: { cookie: owner },
          payload: { name: 'T Bank', category: 'bank' },
        })
      ).json();
      const url = `/console/api/pages/${page.id}/templates`;
      const body = template('payment_note', 'A card payment was made on your account.');
      expect(
        (await hub.app.inject({ method: 'POST', url, headers: { cookie: viewer }, payload: body })).statusCode,
      ).toBe(403);
      const created = await hub.app.inject({ method: 'POST', url, headers: { cookie: owner }, payload: body });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ category: 'UTILITY', status: expect.any(String) });
      expect(
        (
          await hub.app.inject({
            method: 'POST',
            url,
            headers: { cookie: owner },
            payload: { ...body, components: [] },
          })
        ).statusCode,
      ).toBe(400);
      const list = await hub.app.inject({ method: 'GET', url, headers: { cookie: viewer } });
      expect(list.statusCode, list.body).toBe(200);
      const listed = list.json().data;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({
        id: created.json().id,
        name: 'payment_note',
        notification_category: 'transactions',
      });
    });
  });
}
