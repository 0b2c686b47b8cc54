/**
 * Profile sharing: `GET /{psid}` returns first name only until the customer shares more with
 * that business; shared fields appear only once filled in; sharing is per business, listed
 * in the privacy API, exported, and erased with the account. Both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { buildGraphFixture, type GraphFixture } from '../../../test/contract/graph-fixtures.js';

/** The smallest valid PNG and JPEG headers are enough: the hub checks the signature bytes. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('picture-png')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('picture-jpeg')]);

for (const dialect of DIALECTS) {
  describe(`${dialect}: profile sharing`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    let other: GraphFixture;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      fx = await buildGraphFixture(hub);
      other = await buildGraphFixture(hub, {
        page: await createPage(hub, { name: 'Other Shop', category: 'merchant' }),
      });
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
      expect(set.json()).toEqual({
        username: fx.customer.username,
        last_name: 'Muster',
        locale: 'de_DE',
        timezone: 5.5,
        has_picture: false,
      });
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, id: fx.psid });

      const shared = await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, {
        fields: ['locale', 'last_name'],
      });
      expect(shared.json()).toEqual({ page_id: fx.page.page_id, fields: ['last_name', 'locale'] });
      expect(await profileOf(fx, ALL)).toEqual({
        first_name: fx.customer.username,
        last_name: 'Muster',
        locale: 'de_DE',
        id: fx.psid,
      });
      // Meta's default fields (first_name, last_name, profile_pic); never a picture.
      expect(await profileOf(fx)).toEqual({ first_name: fx.customer.username, last_name: 'Muster', id: fx.psid });
      expect(await profileOf(fx, 'timezone')).toEqual({ id: fx.psid });

      // Another business of the same customer learns nothing more.
      await asCustomer(
        'PUT',
        `/api/privacy/businesses/${other.page.page_id}/profile-sharing`,
        { fields: ['timezone'] },
        other.customer.cookie,
      );
      expect(await profileOf(fx, ALL)).toEqual({
        first_name: fx.customer.username,
        last_name: 'Muster',
        locale: 'de_DE',
        id: fx.psid,
      });

      // A shared field the customer clears is not returned; sharing nothing goes back to first name only.
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, {
        fields: ['last_name', 'timezone'],
      });
      await asCustomer('PUT', '/api/profile', { last_name: null });
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, timezone: 5.5, id: fx.psid });
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: [] });
      expect(await profileOf(fx, ALL)).toEqual({ first_name: fx.customer.username, id: fx.psid });
    });

    it('the privacy API lists sharing per business; bad input answers 400 and a page without a conversation 404', async () => {
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['locale'] });
      expect((await asCustomer('GET', '/api/privacy/profile-sharing')).json()).toEqual({
        data: [{ page_id: fx.page.page_id, fields: ['locale'] }],
      });
      const notMine = await asCustomer('PUT', `/api/privacy/businesses/${other.page.page_id}/profile-sharing`, {
        fields: ['locale'],
      });
      expect(notMine.statusCode).toBe(404);
      expect(
        (await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['email'] }))
          .statusCode,
      ).toBe(400);
      for (const body of [
        { timezone: 5.3 },
        { timezone: 15 },
        { locale: 'german' },
        { last_name: 'A\u0007b' },
        { last_name: '' },
        { username: 'x' },
      ]) {
        expect((await asCustomer('PUT', '/api/profile', body)).statusCode, JSON.stringify(body)).toBe(400);
      }
      expect((await asCustomer('GET', '/api/profile')).json()).toEqual({
        username: fx.customer.username,
        last_name: null,
        locale: null,
        timezone: null,
        has_picture: false,
      });
      expect((await hub.app.inject({ method: 'GET', url: '/api/profile' })).statusCode).toBe(401);
    });

    it('a shared picture is served by the hub at a signed URL for that page only, while it is shared', async () => {
      const upload = (body: Buffer, type: string) =>
        hub.app.inject({
          method: 'PUT',
          url: '/api/profile/picture',
          headers: { cookie: fx.customer.cookie, 'content-type': type },
          payload: body,
        });
      expect((await upload(PNG, 'image/png')).json()).toMatchObject({ has_picture: true });
      const own = await asCustomer('GET', '/api/profile/picture');
      expect(own.headers['content-type']).toBe('image/png');
      expect(own.rawPayload.equals(PNG)).toBe(true);
      // Not shared yet: no profile_pic.
      expect(await profileOf(fx, 'profile_pic')).toEqual({ id: fx.psid });
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, {
        fields: ['profile_pic'],
      });
      const { profile_pic: url } = (await profileOf(fx)) as { profile_pic: string };
      expect(url).toMatch(
        new RegExp(`^http://[^/]+/api/profile-pictures/${fx.psid}\\?page=${fx.page.page_id}&expires=\\d+&sig=[\\w-]+$`),
      );
      const path = url.replace(/^http:\/\/[^/]+/, '');
      const served = await hub.app.inject({ method: 'GET', url: path });
      expect(served.statusCode).toBe(200);
      expect(served.rawPayload.equals(PNG)).toBe(true);
      expect(served.headers).toMatchObject({ 'content-type': 'image/png', 'x-content-type-options': 'nosniff' });
      // Tampered: another page, another PSID, another expiry, a bad signature: all the same 404.
      for (const bad of [
        path.replace(`page=${fx.page.page_id}`, `page=${other.page.page_id}`),
        path.replace(`/${fx.psid}?`, `/${other.psid}?`),
        path.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`),
        path.replace(/sig=[\w-]+/, 'sig=AAAA'),
      ]) {
        expect((await hub.app.inject({ method: 'GET', url: bad })).statusCode, bad).toBe(404);
      }
      // Replaced picture: the same URL serves the new one; unshared: the URL stops working at once.
      expect((await upload(JPEG, 'image/jpeg')).statusCode).toBe(200);
      expect((await hub.app.inject({ method: 'GET', url: path })).headers['content-type']).toBe('image/jpeg');
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: [] });
      expect((await hub.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
      // Bad uploads change nothing.
      expect((await upload(Buffer.from('<svg onload=alert(1)>'), 'image/png')).statusCode).toBe(400);
      expect((await upload(PNG, 'image/jpeg')).statusCode).toBe(400);
      expect((await upload(Buffer.concat([PNG, Buffer.alloc(300 * 1024)]), 'image/png')).statusCode).toBe(413);
      expect(
        (
          await hub.app.inject({
            method: 'PUT',
            url: '/api/profile/picture',
            headers: { cookie: fx.customer.cookie, 'content-type': 'image/svg+xml' },
            payload: '<svg/>',
          })
        ).statusCode,
      ).toBe(415);
      expect((await asCustomer('GET', '/api/profile/picture')).headers['content-type']).toBe('image/jpeg');
      const cleared = await hub.app.inject({
        method: 'DELETE',
        url: '/api/profile/picture',
        headers: { cookie: fx.customer.cookie },
      });
      expect(cleared.json()).toMatchObject({ has_picture: false });
      expect((await asCustomer('GET', '/api/profile/picture')).statusCode).toBe(404);
    });

    it('the export carries the profile and sharing; erasure removes them', async () => {
      await asCustomer('PUT', '/api/profile', { last_name: 'Muster', timezone: -7 });
      await asCustomer('PUT', `/api/privacy/businesses/${fx.page.page_id}/profile-sharing`, { fields: ['last_name'] });
      const exported = await hub.app.inject({
        method: 'GET',
        url: '/api/privacy/export',
        headers: { cookie: fx.customer.cookie },
      });
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
      const left = await hub.ctx.storage.db
        .selectFrom('profile_shares')
        .selectAll()
        .where('customer_id', '=', fx.customer.id)
        .execute();
      expect(left).toEqual([]);
    });
  });
}
