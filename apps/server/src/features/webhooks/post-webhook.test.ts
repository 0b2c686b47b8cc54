import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serializeWebhookBody, signWebhookBody, verifyWebhookSignature } from '@confide/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SOCKETS_PER_ORIGIN } from './http-post.js';
import { postWebhook, signBody, SNIPPET_CHARS, type PostWebhookOptions } from './post-webhook.js';

describe('signBody', () => {
  it('signs exactly as the protocol package does (sha1 and sha256 over the sent bytes), native HMAC', async () => {
    const raw = serializeWebhookBody({ object: 'page', entry: [{ id: '1', messaging: [{ text: 'Grüße, 👋' }] }] });
    for (const secret of ['s3cr3t', 'clé-🔑', 'x'.repeat(200)]) {
      const native = signBody(raw, secret);
      expect(native).toEqual(await signWebhookBody(raw, secret));
      const headers = { 'x-hub-signature-256': native.sha256, 'x-hub-signature': native.sha1 };
      expect(await verifyWebhookSignature(raw, headers, secret)).toEqual({ valid: true, algorithm: 'sha256' });
      expect(await verifyWebhookSignature(raw, headers, `${secret}!`)).toMatchObject({ valid: false });
    }
    expect(() => signBody(raw, '')).toThrow(TypeError);
  });
});

describe('postWebhook on node:http', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const post = (url: string, more: Partial<PostWebhookOptions> = {}) =>
    postWebhook({
      url,
      body: { object: 'page', entry: [{ text: 'Grüße' }] },
      appSecret: 's3cr3t',
      timeoutMs: 2_000,
      ...more,
    });

  it('sends the signed bytes with their length, and keeps the connection for the next POST', async () => {
    const seen: Array<{ raw: string; headers: http.IncomingHttpHeaders; port: number | undefined }> = [];
    const url = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ raw: Buffer.concat(chunks).toString('utf8'), headers: req.headers, port: req.socket.remotePort });
        res.end('EVENT_RECEIVED');
      });
    });
    expect(await post(`${url}/hook`)).toMatchObject({ ok: true, status: 200, snippet: 'EVENT_RECEIVED' });
    expect(await post(`${url}/hook`, { raw: '{"object":"page","entry":[]}' })).toMatchObject({ ok: true });
    const raw = serializeWebhookBody({ object: 'page', entry: [{ text: 'Grüße' }] });
    expect(seen[0]?.raw).toBe(raw);
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(raw.length),
      'user-agent': 'Confide-Webhooks/1.0',
      ...(() => {
        const { sha1, sha256 } = signBody(raw, 's3cr3t');
        return { 'x-hub-signature': sha1, 'x-hub-signature-256': sha256 };
      })(),
    });
    expect(seen[1]?.raw).toBe('{"object":"page","entry":[]}');
    expect(seen[1]?.port).toBe(seen[0]?.port);
  });

  it('follows no redirect and keeps the first characters of a long answer', async () => {
    const hits: string[] = [];
    const url = await serve((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      if (req.url === '/moved') res.writeHead(307, { location: '/hook' }).end();
      // A long answer that never ends: only its start is read.
      else res.writeHead(500).write('é'.repeat(100_000));
    });
    expect(await post(`${url}/moved`)).toMatchObject({ ok: false, status: 307, error: 'HTTP 307', snippet: '' });
    expect(await post(`${url}/hook`, { timeoutMs: 600_000 })).toMatchObject({
      ok: false,
      status: 500,
      error: 'HTTP 500',
      snippet: 'é'.repeat(SNIPPET_CHARS),
    });
    expect(hits).toEqual(['/moved', '/hook']);
  });

  it('words a timeout, an abort, a refused and a reset connection as the fetch it replaced did', async () => {
    const url = await serve((req, res) => {
      req.resume();
      if (req.url === '/reset') req.socket.destroy();
      // The status line, then an answer that never ends: the status is the outcome.
      else if (req.url === '/slow') res.flushHeaders();
      // No answer at all.
    });
    expect(await post(`${url}/hang`, { timeoutMs: 100 })).toMatchObject({
      ok: false,
      status: null,
      error: 'no response within 100 ms',
    });
    expect(await post(`${url}/slow`, { timeoutMs: 100 })).toMatchObject({ ok: true, status: 200, snippet: '' });
    const lost = new AbortController();
    const pending = post(`${url}/hang`, { signal: lost.signal });
    lost.abort();
    expect(await pending).toMatchObject({ ok: false, status: null, error: 'no response within 2000 ms' });
    expect(await post(`${url}/reset`)).toMatchObject({ ok: false, status: null, error: 'connection reset' });
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    expect(await post(`http://127.0.0.1:${port}/hook`)).toMatchObject({ ok: false, error: 'connection refused' });
  });

  it('refuses a URL with credentials, as fetch did, without sending them', async () => {
    let requests = 0;
    const url = await serve((req, res) => {
      requests += 1;
      res.end();
    });
    const withCredentials = url.replace('http://', 'http://user:secret@');
    expect(await post(`${withCredentials}/hook`)).toMatchObject({
      ok: false,
      status: null,
      error: 'a webhook URL must not include credentials',
    });
    expect(requests).toBe(0);
  });

  it('starts the deadline when a POST gets its socket, not while it waits behind a busy origin', async () => {
    // Each answer takes a second; the deadline is a second and a half. The POSTs beyond the
    // origin's sockets wait a second for one, so a deadline counted from the start would fail them.
    const url = await serve((req, res) => {
      req.resume();
      setTimeout(() => res.end('EVENT_RECEIVED'), 1_000);
    });
    const results = await Promise.all(
      Array.from({ length: MAX_SOCKETS_PER_ORIGIN + 20 }, () => post(`${url}/hook`, { timeoutMs: 1_500 })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});
