/**
 * Page pictures: an owner or developer uploads PNG, JPEG or WebP in the console; the bytes decide
 * the type (SVG, HTML, a mismatched header, too many bytes or pixels are refused with nothing
 * written); viewers and agent admins cannot change it. The hub serves it with caching headers;
 * customers see it on their conversations and the directory, businesses on
 * `GET /{page-id}?fields=picture` as Graph shapes it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleKit } from '../../../test/console-kit.js';
import { buildTestHub, DIALECTS, openConversation, signUp, type TestHub } from '../../../test/helpers.js';
import { png } from '../../../test/png.js';

/** A JPEG header with a 640×480 baseline frame (enough for the checks). */
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0', 'latin1'),
  Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0]),
  Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]),
  Buffer.from([0xff, 0xd9]),
]);

for (const dialect of DIALECTS) {
  describe(`${dialect}: page pictures`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const { org: newOrg } = consoleKit(() => hub);
    const org = () => newOrg('Picture Bank', 'pic');
    const upload = (pageId: string, cookie: string, body: Buffer, type: string) =>
      hub.app.inject({
        method: 'PUT',
        url: `/console/api/pages/${pageId}/picture`,
        headers: { cookie, 'content-type': type },
        payload: body,
      });
    const stored = (pageId: string) =>
      hub.ctx.storage.db
        .selectFrom('pages')
        .select(['picture_key', 'picture_type', 'picture_version', 'picture_width', 'picture_height'])
        .where('id', '=', pageId)
        .executeTakeFirstOrThrow();

    it('a developer uploads it; the hub serves it cached; customers and the Graph API see it', async () => {
      const { developer, viewer, agentAdmin, page } = await org();
      const image = png(64, 48);
      for (const who of [viewer, agentAdmin])
        expect((await upload(page.id, who, image, 'image/png')).statusCode).toBe(403);
      expect((await stored(page.id)).picture_key).toBeNull();

      const res = await upload(page.id, developer, image, 'image/png');
      expect(res.statusCode).toBe(200);
      const url = res.json().picture_url as string;
      expect(url).toMatch(new RegExp(`^/api/page-pictures/${page.id}\\?v=[\\w-]{16}$`));
      const row = await stored(page.id);
      expect(row).toMatchObject({ picture_type: 'image/png', picture_width: 64, picture_height: 48 });
      // Read back through the store (sealed with the service key in the blob store).
      const blob = await hub.services.console.pictures.store.read(page.id);
      expect(blob?.data.equals(image)).toBe(true);

      const served = await hub.app.inject({ method: 'GET', url });
      expect(served.statusCode).toBe(200);
      expect(served.rawPayload.equals(image)).toBe(true);
      expect(served.headers['content-type']).toBe('image/png');
      expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      const etag = served.headers['etag'] as string;
      expect((await hub.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
      const stale = await hub.app.inject({ method: 'GET', url: `/api/page-pictures/${page.id}?v=old` });
      expect(stale.headers['cache-control']).toMatch(/must-revalidate/);

      // The messenger: the conversation and the directory carry the picture.
      const customer = await signUp(hub);
      await openConversation(hub, customer.cookie, page.id);
      const conversations = await hub.app.inject({
        method: 'GET',
        url: '/api/conversations',
        headers: { cookie: customer.cookie },
      });
      expect(conversations.json().data[0].page.picture_url).toBe(url);

      // The Graph API, as Meta shapes it.
      const token = (await hub.services.pages.issueToken(page.id)).page_access_token;
      const graph = await hub.app.inject({
        method: 'GET',
        url: `/v25.0/${page.id}?fields=name,picture&access_token=${token}`,
      });
      expect(graph.statusCode).toBe(200);
      expect(graph.json()).toEqual({
        id: page.id,
        name: 'Picture Bank',
        picture: {
          data: { url: `${hub.ctx.config.publicUrl}${url}`, width: 64, height: 48, is_silhouette: false },
        },
      });

      // Replaced by a JPEG; then removed (the Graph API shows a silhouette, the URL is gone).
      const jpeg = await upload(page.id, developer, JPEG, 'image/jpeg');
      expect(jpeg.statusCode).toBe(200);
      expect(jpeg.json().picture_url).not.toBe(url);
      expect(await stored(page.id)).toMatchObject({
        picture_type: 'image/jpeg',
        picture_width: 640,
        picture_height: 480,
      });
      const removed = await hub.app.inject({
        method: 'DELETE',
        url: `/console/api/pages/${page.id}/picture`,
        headers: { cookie: developer },
      });
      expect(removed.json().picture_url).toBeUndefined();
      expect((await hub.app.inject({ method: 'GET', url: `/api/page-pictures/${page.id}` })).statusCode).toBe(404);
      const silhouette = await hub.app.inject({ method: 'GET', url: `/v25.0/me?fields=picture&access_token=${token}` });
      expect(silhouette.json().picture.data).toMatchObject({ url: null, is_silhouette: true });
      const audited = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .select(['action', 'details'])
        .where('action', 'like', 'console.picture%')
        .orderBy('seq')
        .execute();
      expect(audited.map((a) => a.action)).toEqual([
        'console.picture_changed',
        'console.picture_changed',
        'console.picture_removed',
      ]);
    });

    it('refuses SVG, HTML, a mismatched type, too many bytes or pixels and an empty body, writing nothing', async () => {
      const { owner, page } = await org();
      expect((await upload(page.id, owner, png(40, 40), 'image/png')).statusCode).toBe(200);
      const before = await stored(page.id);
      const refused: Array<[Buffer, string, number, RegExp]> = [
        [
          Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
          'image/svg+xml',
          400,
          /PNG, JPEG or WebP/,
        ],
        [Buffer.from('<html><script>alert(1)</script></html>'), 'text/html', 400, /PNG, JPEG or WebP/],
        [Buffer.from('<svg/>'), 'image/png', 400, /PNG, JPEG or WebP/],
        [png(40, 40), 'image/jpeg', 400, /is image\/png, not image\/jpeg/],
        [png(8, 8), 'image/png', 400, /32–2048 pixels/],
        [png(2100, 40), 'image/png', 400, /32–2048 pixels/],
        [Buffer.concat([png(40, 40), Buffer.alloc(1024 * 1024)]), 'image/png', 413, /./],
        [Buffer.alloc(0), 'image/png', 400, /./],
      ];
      for (const [body, type, status, message] of refused) {
        const res = await upload(page.id, owner, body, type);
        expect({ type, status: res.statusCode }).toEqual({ type, status });
        expect(res.json().error.message).toMatch(message);
      }
      expect(await stored(page.id)).toEqual(before);
    });
  });
}
