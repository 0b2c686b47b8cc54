/**
 * The SSRF guard on every request the hub sends to a business: the subscription's
 * verification GET and the synchronous account-linking webhook (the outbox POST is covered
 * in src/privacy/egress-guard.test.ts). In production a destination that is or resolves
 * to a private, loopback or link-local address is refused before any byte leaves the hub;
 * outside production, and with WEBHOOK_ALLOW_PRIVATE=true, loopback receivers still work.
 */
import dns from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deliverLinkingEvent } from '../../src/features/linking/deliver-linking-event.js';
import { buildTestHub, createPage, type TestHub, productionEnv } from '../helpers.js';

const PRODUCTION = productionEnv();

/** A receiver on loopback that answers the handshake and acknowledges POSTs; counts every request. */
async function startReceiver() {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.method ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') res.writeHead(200).end(url.searchParams.get('hub.challenge') ?? '');
    else req.resume().on('end', () => res.writeHead(200).end('EVENT_RECEIVED'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('SSRF guard on the verification GET and the account-linking webhook', () => {
  let hub: TestHub | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await hub?.dispose();
    hub = undefined;
    await receiver.close();
  });

  const linkingEvent = (h: TestHub, pageId: string) =>
    deliverLinkingEvent(h.ctx, h.services.pages, {
      pageId,
      psid: '1234567890123456',
      accountLinking: { status: 'linked', authorization_code: 'c' },
      now: 1,
    });

  it('production: a callback URL on a private, loopback or link-local address is refused with a clear error, and never contacted', async () => {
    hub = await buildTestHub({ env: { ...PRODUCTION, SERVICES: 'api,realtime' } });
    const page = await createPage(hub);
    for (const url of [
      receiver.url,
      `http://localhost:${receiver.port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'https://10.0.0.7/hook',
      'https://[fe80::1]/hook',
      'https://[::ffff:192.168.1.1]/hook',
    ]) {
      const err = await hub.services.webhooks.subscribe({ pageId: page.page_id, url, verifyToken: 'tok' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, url).toMatchObject({ key: 'INVALID_PARAMETER' });
      expect((err as Error).message, url).toBe(
        `Callback verification failed for ${url}: destination is not a public address (set WEBHOOK_ALLOW_PRIVATE=true to allow private networks)`,
      );
    }
    expect(receiver.hits).toEqual([]);
    expect((await hub.services.webhooks.status(page.page_id)).callback_url).toBeNull();
  });

  it('production: a public-looking host name that resolves to a link-local address is refused too', async () => {
    hub = await buildTestHub({ env: { ...PRODUCTION, SERVICES: 'api,realtime' } });
    const page = await createPage(hub);
    const lookup = vi.spyOn(dns, 'lookup').mockResolvedValue([{ address: '169.254.169.254', family: 4 }] as never);
    await expect(hub.services.webhooks.verify('https://hooks.bank.example/messenger', 'tok')).rejects.toThrow(
      /hooks\.bank\.example.*not a public address/,
    );
    expect(lookup).toHaveBeenCalledWith('hooks.bank.example', expect.objectContaining({ all: true }));
    // A host that does not resolve is reported as such, not as refused.
    lookup.mockRejectedValue(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    await expect(hub.services.webhooks.verify('https://nowhere.bank.example/', 'tok')).rejects.toThrow(
      /nowhere\.bank\.example\/: host not found$/,
    );
    await expect(
      hub.services.webhooks.subscribe({
        pageId: page.page_id,
        url: 'https://nowhere.bank.example/',
        verifyToken: 'tok',
      }),
    ).rejects.toMatchObject({
      key: 'INVALID_PARAMETER',
    });
  });

  it('production: the account-linking webhook to a private address is not sent and the link is aborted (webhook_refused)', async () => {
    hub = await buildTestHub({ env: { ...PRODUCTION, SERVICES: 'api,realtime' } });
    // Set before the guard existed (or behind a DNS change): the guard applies at send time.
    const page = await createPage(hub, { webhookUrl: receiver.url });
    expect(await linkingEvent(hub, page.page_id)).toEqual({ ok: false, reason: 'webhook_refused' });
    expect(receiver.hits).toEqual([]);
  });

  it('outside production (and with WEBHOOK_ALLOW_PRIVATE=true) loopback receivers keep working', async () => {
    for (const env of [
      { SERVICES: 'api,realtime' },
      { ...PRODUCTION, WEBHOOK_ALLOW_PRIVATE: 'true', SERVICES: 'api,realtime' },
    ]) {
      hub = await buildTestHub({ env });
      const page = await createPage(hub);
      const status = await hub.services.webhooks.subscribe({
        pageId: page.page_id,
        url: receiver.url,
        verifyToken: 'tok',
      });
      expect(status.callback_url).toBe(receiver.url);
      expect(await linkingEvent(hub, page.page_id)).toEqual({ ok: true });
      await hub.dispose();
      hub = undefined;
    }
    expect(receiver.hits).toEqual(['GET', 'POST', 'GET', 'POST']);
  });
});
