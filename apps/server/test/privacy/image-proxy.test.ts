/**
 * The hub's image proxy (issue 13 #12): a business's image URLs reach the customer as
 * links to `/api/media/image`, signed for that customer; the hub fetches the image under
 * the SSRF guard, without the customer's cookies, referrer or address, only PNG, JPEG,
 * GIF and WebP up to 8 MB, and caches it. Another customer, a forged link, a private
 * address (production), a non-image and an oversize image all answer 404.
 */
import dnsCallback from 'node:dns';
import dns from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mediaLinksFor } from '../../src/features/media/media-links.js';
import { buildTestHub, DIALECTS, openConversation, signUp, type TestHub, productionEnv } from '../helpers.js';
import { customerSays, scene, type Scene } from './fixtures.js';

const PRODUCTION = productionEnv();
/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** The business's image host, on loopback: counts every request with its headers. */
async function startImageHost() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ path: req.url ?? '', headers: req.headers });
    switch (req.url) {
      case '/card.png':
      case '/photo.png':
        return res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
      case '/page.html':
        return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><img src=x onerror=alert(1)></html>');
      case '/fake.png':
        return res
          .writeHead(200, { 'content-type': 'image/png' })
          .end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      case '/logo.svg':
        return res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"/>');
      case '/huge.png':
        return res
          .writeHead(200, { 'content-type': 'image/png', 'content-length': 9 * 1024 * 1024 })
          .end(Buffer.alloc(9 * 1024 * 1024));
      case '/chunked.png':
        // No content-length: the limit holds while streaming.
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(PNG);
        for (let i = 0; i < 9; i++) res.write(Buffer.alloc(1024 * 1024));
        return res.end();
      case '/moved.png':
        return res.writeHead(302, { location: '/card.png' }).end();
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(DIALECTS)('image proxy (%s)', (dialect) => {
  let host: Awaited<ReturnType<typeof startImageHost>>;
  let hub: TestHub | undefined;
  beforeAll(async () => {
    host = await startImageHost();
  });
  afterAll(() => host.close());
  afterEach(async () => {
    vi.restoreAllMocks();
    await hub?.dispose();
    hub = undefined;
    host.hits.length = 0;
  });

  /** The business sends a generic template and an image by URL; the customer reads them back. */
  async function sendImages(h: TestHub, s: Scene): Promise<{ card: string; photo: string }> {
    await customerSays(h, s, 'hello');
    const send = (message: unknown) =>
      h.app.inject({
        method: 'POST',
        url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
        payload: { recipient: { id: s.psid }, messaging_type: 'RESPONSE', message },
      });
    const template = await send({
      attachment: {
        type: 'template',
        payload: { template_type: 'generic', elements: [{ title: 'Your card', image_url: `${host.origin}/card.png` }] },
      },
    });
    expect(template.statusCode, template.body).toBe(200);
    const image = await send({ attachment: { type: 'image', payload: { url: `${host.origin}/photo.png` } } });
    expect(image.statusCode, image.body).toBe(200);
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/conversations/${s.conversationId}/messages`,
      headers: { cookie: s.customer.cookie },
    });
    const bodies = (
      res.json().data as Array<{ body: { attachment?: { type: string; payload: Record<string, unknown> } } }>
    ).map((m) => m.body);
    const card = (
      bodies.find((b) => b.attachment?.type === 'template')?.attachment?.payload['elements'] as Array<{
        image_url: string;
      }>
    )[0]!.image_url;
    const photo = bodies.find((b) => b.attachment?.type === 'image')?.attachment?.payload['url'] as string;
    return { card, photo };
  }

  const get = (url: string, cookie?: string) =>
    hub!.app.inject({ method: 'GET', url, headers: cookie === undefined ? {} : { cookie } });

  it("serves a business's image through the hub, cached, with nothing of the customer sent to its host", async () => {
    hub = await buildTestHub({ dialect });
    const s = await scene(hub);
    const { card, photo } = await sendImages(hub, s);
    // The customer's app never sees the business's URL as something to load.
    expect(card).toMatch(/^\/api\/media\/image\?url=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcard\.png&sig=[\w-]{22}$/);
    expect(photo).toMatch(/^\/api\/media\/image\?url=.*photo\.png&sig=[\w-]{22}$/);
    expect(host.hits).toEqual([]);

    const first = await hub.app.inject({
      method: 'GET',
      url: card,
      headers: {
        cookie: s.customer.cookie,
        referer: 'http://localhost/c/secret',
        'user-agent': 'Customer Browser 1.0',
      },
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.rawPayload.equals(PNG)).toBe(true);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(first.headers['cache-control']).toBe('private, max-age=3600');
    expect(host.hits).toHaveLength(1);
    const sent = host.hits[0]!.headers;
    expect(sent['user-agent']).toBe('Confide-ImageProxy/1.0');
    expect(sent.cookie).toBeUndefined();
    expect(sent.referer).toBeUndefined();
    expect(sent['x-forwarded-for']).toBeUndefined();
    expect(Object.keys(sent).sort()).toEqual(['accept', 'connection', 'host', 'user-agent']);

    // Cached: viewing it again (or from another tab) does not reach the host.
    for (let i = 0; i < 3; i++) expect((await get(card, s.customer.cookie)).rawPayload.equals(PNG)).toBe(true);
    expect(host.hits).toHaveLength(1);
    expect((await get(photo, s.customer.cookie)).statusCode).toBe(200);
    expect(host.hits.map((h) => h.path)).toEqual(['/card.png', '/photo.png']);
  });

  it('refuses a link without a session, for another customer, with a forged signature or for a URL the hub never showed', async () => {
    hub = await buildTestHub({ dialect });
    const s = await scene(hub);
    const { card } = await sendImages(hub, s);
    const other = await signUp(hub);
    await openConversation(hub, other.cookie, s.page.page_id);

    expect((await get(card)).statusCode).toBe(401);
    const foreign = await get(card, other.cookie);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error).toMatchObject({ code: 'NOT_FOUND' });
    const sig = new URL(card, 'http://x').searchParams.get('sig')!;
    const forged = `/api/media/image?url=${encodeURIComponent(`${host.origin}/photo.png`)}&sig=${sig}`;
    expect((await get(forged, s.customer.cookie)).statusCode).toBe(404);
    const flipped = card.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await get(flipped, s.customer.cookie)).statusCode).toBe(404);
    expect(
      (await get(`/api/media/image?url=${encodeURIComponent(`${host.origin}/card.png`)}`, s.customer.cookie))
        .statusCode,
    ).toBe(400);
    expect(host.hits).toEqual([]);
  });

  it('refuses non-images (HTML, SVG, HTML declared as PNG) and images over 8 MB, streamed or declared', async () => {
    hub = await buildTestHub({ dialect });
    const s = await scene(hub);
    const links = mediaLinksFor(hub.ctx.config);
    const viewer = { kind: 'customer', id: s.customer.id } as const;
    for (const [path, reason] of [
      ['/page.html', /not an image \(text\/html\)/],
      ['/logo.svg', /not a PNG, JPEG, GIF or WebP image \(declared image\/svg\+xml\)/],
      ['/fake.png', /not a PNG, JPEG, GIF or WebP image/],
      ['/huge.png', /larger than 8388608 bytes/],
      ['/chunked.png', /larger than 8388608 bytes/],
      ['/missing.png', /HTTP 404/],
    ] as const) {
      const res = await get(links.link(viewer, `${host.origin}${path}`), s.customer.cookie);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().error.message, path).toMatch(reason);
    }
    // A redirect is followed (and checked again by the guard).
    const moved = await get(links.link(viewer, `${host.origin}/moved.png`), s.customer.cookie);
    expect(moved.statusCode).toBe(200);
    expect(moved.rawPayload.equals(PNG)).toBe(true);
  });

  it('production: an image on a loopback, private or link-local address is refused and never contacted', async () => {
    hub = await buildTestHub({ dialect, env: PRODUCTION });
    const s = await scene(hub);
    const { card } = await sendImages(hub, s);
    const res = await get(card, s.customer.cookie);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('Image unavailable: destination is not a public address.');
    const links = mediaLinksFor(hub.ctx.config);
    const viewer = { kind: 'customer', id: s.customer.id } as const;
    const port = new URL(host.origin).port;
    for (const url of [
      `http://localhost:${port}/card.png`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.7/a.png',
      'http://[::1]/a.png',
    ]) {
      const refused = await get(links.link(viewer, url), s.customer.cookie);
      expect(refused.statusCode, url).toBe(404);
      expect(refused.json().error.message, url).toMatch(/not a public address/);
    }
    expect(host.hits).toEqual([]);
  });

  it('production: a host that resolves to a public address for the check and to loopback for the connection is refused (no rebinding window)', async () => {
    hub = await buildTestHub({ dialect, env: PRODUCTION });
    const s = await scene(hub);
    vi.spyOn(dns, 'lookup').mockResolvedValue([{ address: '93.184.216.34', family: 4 }] as never);
    const connect = vi
      .spyOn(dnsCallback, 'lookup')
      .mockImplementation(((_host: string, _options: unknown, callback: (...args: unknown[]) => void) =>
        callback(null, [{ address: '127.0.0.1', family: 4 }])) as never);
    const port = new URL(host.origin).port;
    const res = await get(
      mediaLinksFor(hub.ctx.config).link(
        { kind: 'customer', id: s.customer.id },
        `http://rebind.bank.example:${port}/card.png`,
      ),
      s.customer.cookie,
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('Image unavailable: destination is not a public address.');
    expect(connect).toHaveBeenCalledWith('rebind.bank.example', expect.anything(), expect.any(Function));
    expect(host.hits).toEqual([]);
  });

  it('outside production a host name on loopback is fetched through the same connection lookup', async () => {
    hub = await buildTestHub({ dialect });
    const s = await scene(hub);
    const port = new URL(host.origin).port;
    const res = await get(
      mediaLinksFor(hub.ctx.config).link({ kind: 'customer', id: s.customer.id }, `http://localhost:${port}/card.png`),
      s.customer.cookie,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.rawPayload.equals(PNG)).toBe(true);
  });

  it("agents see the page's images through /inbox/api/media with links of their own", async () => {
    hub = await buildTestHub({ dialect });
    const s = await scene(hub);
    const agent = await hub.services.agents.create({
      pageId: s.page.page_id,
      username: 'ada',
      password: 'agent password 1',
      displayName: 'Ada',
    });
    const login = await hub.app.inject({
      method: 'POST',
      url: '/inbox/api/login',
      payload: { username: 'ada', password: 'agent password 1' },
    });
    const agentCookie = `confide_agent=${login.cookies.find((c) => c.name === 'confide_agent')?.value}`;
    const links = mediaLinksFor(hub.ctx.config);
    const agentLink = links.link({ kind: 'agent', id: agent.id }, `${host.origin}/card.png`);
    expect(agentLink).toMatch(/^\/inbox\/api\/media\/image\?/);
    expect((await get(agentLink, agentCookie)).statusCode).toBe(200);
    // A customer's link is not an agent's, and the other way round.
    const customerLink = links.link({ kind: 'customer', id: s.customer.id }, `${host.origin}/card.png`);
    expect((await get(customerLink, agentCookie)).statusCode).toBe(401);
    expect((await get(agentLink.replace('/inbox/api/', '/api/'), s.customer.cookie)).statusCode).toBe(404);
  });
});
