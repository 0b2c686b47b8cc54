import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fetchImage, ImageRefusedError, type FetchedImage } from './fetch-image.js';
import { ImageProxy } from './image-proxy.js';

const image = (size: number): FetchedImage => ({ type: 'image/png', bytes: Buffer.alloc(size) });

/** A proxy over a fake fetch that counts calls per URL; `refuse` lists URLs that are refused. */
function proxyWith(options: { cacheBytes?: number; refuse?: string[] } = {}) {
  let now = 0;
  const calls: string[] = [];
  const proxy = new ImageProxy({
    policy: { denyPrivate: true },
    cacheBytes: options.cacheBytes ?? 1000,
    cacheMs: 60_000,
    refusalMs: 1_000,
    now: () => now,
    fetch: async (url) => {
      calls.push(url);
      await new Promise((r) => setTimeout(r, 5));
      if (options.refuse?.includes(url)) throw new ImageRefusedError('not an image (text/html)');
      return image(Number(new URL(url).searchParams.get('size') ?? 100));
    },
  });
  return { proxy, calls, advance: (ms: number) => void (now += ms) };
}

describe('ImageProxy', () => {
  it('fetches once for concurrent requests and serves the cache until it ages out', async () => {
    const { proxy, calls, advance } = proxyWith();
    const url = 'https://cdn.example/a.png?size=100';
    await Promise.all([proxy.get(url), proxy.get(url), proxy.get(url)]);
    await proxy.get(url);
    expect(calls).toEqual([url]);
    advance(60_001);
    await proxy.get(url);
    expect(calls).toEqual([url, url]);
  });

  it('keeps at most cacheBytes, evicting the least recently used, and never caches an image bigger than the cache', async () => {
    const { proxy, calls } = proxyWith({ cacheBytes: 250 });
    const a = 'https://cdn.example/a.png?size=100';
    const b = 'https://cdn.example/b.png?size=100';
    const c = 'https://cdn.example/c.png?size=100';
    await proxy.get(a);
    await proxy.get(b);
    await proxy.get(a); // a is now the most recent
    await proxy.get(c); // evicts b
    expect(proxy.stats).toEqual({ bytes: 200, entries: 2 });
    await proxy.get(a);
    await proxy.get(b);
    expect(calls).toEqual([a, b, c, b]);
    await proxy.get('https://cdn.example/big.png?size=300');
    expect(proxy.stats.bytes).toBeLessThanOrEqual(250);
  });

  it('remembers a refusal briefly, then tries again', async () => {
    const url = 'https://cdn.example/page.html';
    const { proxy, calls, advance } = proxyWith({ refuse: [url] });
    await expect(proxy.get(url)).rejects.toThrow('not an image (text/html)');
    await expect(proxy.get(url)).rejects.toBeInstanceOf(ImageRefusedError);
    expect(calls).toHaveLength(1);
    advance(1_001);
    await expect(proxy.get(url)).rejects.toThrow(ImageRefusedError);
    expect(calls).toHaveLength(2);
  });
});

describe('fetchImage', () => {
  it('gives up on a host that does not answer in time', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const started = Date.now();
    await expect(
      fetchImage(
        `http://127.0.0.1:${port}/slow.png`,
        { denyPrivate: false },
        { maxBytes: 1024, timeoutMs: 200, maxRedirects: 0 },
      ),
    ).rejects.toThrow('the image host did not answer in time');
    expect(Date.now() - started).toBeLessThan(2_000);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('refuses other schemes and stops after the redirect limit', async () => {
    await expect(fetchImage('file:///etc/passwd', { denyPrivate: false })).rejects.toThrow(ImageRefusedError);
    const server = http.createServer((_req, res) => res.writeHead(302, { location: '/again' }).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await expect(
      fetchImage(
        `http://127.0.0.1:${port}/a.png`,
        { denyPrivate: false },
        { maxBytes: 1024, timeoutMs: 2_000, maxRedirects: 2 },
      ),
    ).rejects.toThrow('more than 2 redirects');
    await new Promise((r) => server.close(r));
  });
});
