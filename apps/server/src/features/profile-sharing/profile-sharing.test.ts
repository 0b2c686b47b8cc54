/**
 * Profile sharing: `GET /{psid}` returns first name only until the customer shares more with
 * that business; shared fields appear only once filled in; sharing is per business, listed
 * in the privacy API, exported, and erased with the account. Both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { buildGraphFixture, type GraphFixture } from '../../../test/contract/graph-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: profile sharing`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    let other: GraphFixture;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      fx = await buildGraphFixture(hub);
      other = await buildGraphFixture(hub, { page: await createPage(hub, { name: 'Other Shop', category: 'merchant' }) });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const asCustomer = (method: 'GET' | 'PUT', url: string, payload?: object, cookie = fx.customer.cookie) =>
      hub.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) });
    const profileOf = async (f: GraphFixture, fields?: string) => {
      const res = await hub.app.inject({
        method: 'GET',
        url: `/v25.0/${f.psid}?${fields === undefined ? '' : `fields=${fields}&`}access_token=${f.page.page_access_token}`,
      });
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    const ALL = 'first_name,last_name,profile_pic,locale,timezone';

    it('first name only by default, even with a filled-in profile; shared fields per business once filled in', async () => {
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, id: fx.psid });
      const set = await asCustomer('PUT', '/api/profile', { last_name: 'Muster', locale: 'de_DE', timezone: 5.5 });
      expect(set.json()).toEqual({ username: fx.customer.username, last_name: 'Muster', locale: 'de_DE', timezone: 5.5 });
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, id: fx.psid });

      const shared = await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['locale', 'last_name'] });
      expect(shared.json()).toEqual({ page_id: fx.page.page_id, fields: ['last_name', 'locale'] });
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, last_name: 'Muster', locale: 'de_DE', id: fx.psid });
      // Meta's default fields (first_name, last_name, profile_pic); never a picture.
      expect(await profileOf(fx)).toEqual({ first_name: fx.customer.username, last_name: 'Muster', id: fx.psid });
      expect(await profileOf(fx, 'timezone')).toEqual({ id: fx.psid });

      // Another business of the same customer learns nothing more.
      await asCustomer('PUT', `/api/privacy/businesses/${other.page.page_id}/profile-sharing`, { fields: ['timezone'] }, other.customer.cookie);
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, last_name: 'Muster', locale: 'de_DE', id: fx.psid });

      // A shared field the customer clears is not returned; sharing nothing goes back to first name only.
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['last_name', 'timezone'] });
      await asCustomer('PUT', '/api/profile', { last_name: null });
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, timezone: 5.5, id: fx.psid });
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: [] });
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, id: fx.psid });
    });

    it('the privacy API lists sharing per business; bad input answers 400 and a page without a conversation 404', async () => {
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['locale'] });
      expect((await asCustomer('GET', '/api/privacy/profile-sharing')).json()).toEqual({ data: [{ page_id: fx.page.page_id, fields: ['locale'] }] });
      const notMine = await asCustomer('PUT', `/api/privacy/businesses/${other.page.page_id}/profile-sharing`, { fields: ['locale'] });
      expect(notMine.statusCode).toBe(404);
      expect((await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['email'] })).statusCode).toBe(400);
      for (const body of [{ timezone: 5.3 }, { timezone: 15 }, { locale: 'german' }, { last_name: 'A\u0007b' }, { last_name: '' }, { username: 'x' }]) {
        expect((await asCustomer('PUT', '/api/profile', body)).statusCode, JSON.stringify(body)).toBe(400);
      }
      expect((await asCustomer('GET', '/api/profile')).json()).toEqual({ username: fx.customer.username, last_name: null, locale: null, timezone: null });
      expect((await hub.app.inject({ method: 'GET', url: '/api/profile' })).statusCode).toBe(401);
    });

    it('the export carries the profile and sharing; erasure removes them', async () => {
      await asCustomer('PUT', '/api/profile', { last_name: 'Muster', timezone: -7 });
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['last_name'] });
      const exported = await hub.app.inject({ method: 'GET', url: '/api/privacy/export', headers: { cookie: fx.customer.cookie } });
      expect(exported.json()).toMatchObject({
        profile: { username: fx.customer.username, last_name: 'Muster', locale: null, timezone: -7 },
        profile_sharing: [{ page_id: fx.page.page_id, fields: ['last_name'] }],
      });
      const erased = await hub.app.inject({
        method: 'DELETE',
        url: '/api/account',
        headers: { cookie: fx.customer.cookie },
        payload: { password: 'correct horse battery' },
      });
      expect(erased.statusCode).toBeLessThan(300);
      const left = await hub.ctx.storage.db.selectFrom('profile_shares').selectAll().where('customer_id', '=', fx.customer.id).execute();
      expect(left).toEqual([]);
    });
  });
}
