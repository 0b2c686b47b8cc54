import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postWebhook } from '../features/webhooks/post-webhook.js';
import { assertEgressAllowed, isPrivateAddress, setEgressPolicy } from './egress-guard.js';

describe('SSRF guard', () => {
  afterEach(() => setEgressPolicy({ denyPrivate: false }));

  it('classifies loopback, link-local, private and mapped addresses as non-public', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
  });

  it('judges every IPv6 form that embeds an IPv4 address by its numeric value (mapped, translated, compatible, NAT64, 6to4, Teredo)', () => {
    for (const a of [
      '::127.0.0.1', // IPv4-compatible (deprecated): all of ::/96 is refused
      '::7f00:1',
      '::8.8.8.8',
      '64:ff9b::127.0.0.1', // NAT64 well-known prefix
      '64:ff9b::7f00:1', // the same, as the URL parser serialises it
      '64:ff9b::a9fe:a9fe', // 169.254.169.254
      '64:ff9b:1::808:808', // local-use NAT64
      '::ffff:0:127.0.0.1', // IPv4-translated
      '::ffff:0:7f00:1',
      '::ffff:7f00:1', // mapped, hex tail
      '0:0:0:0:0:ffff:a00:1',
      '2002:7f00:1::1', // 6to4 around 127.0.0.1
      '2002:a9fe:a9fe::', // 6to4 around 169.254.169.254
      '2002:c0a8:101::1', // 6to4 around 192.168.1.1
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
      '2001:db8::1', // documentation
      '4000::1', // outside global unicast
      'fec0::1', // site-local (deprecated)
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of [
      '64:ff9b::808:808',
      '64:ff9b::8.8.8.8',
      '2002:808:808::1',
      '::ffff:0:808:808',
      '2a00:1450:4001:82b::200e',
    ]) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('refuses bracketed IPv6 literals that embed a private IPv4 address, however the URL spells them', async () => {
    for (const url of [
      'http://[::127.0.0.1]/hook',
      'http://[64:ff9b::127.0.0.1]/hook',
      'http://[64:ff9b::a9fe:a9fe]/latest/meta-data',
      'http://[::ffff:0:127.0.0.1]/hook',
      'http://[2002:7f00:1::]/hook',
      'http://[0:0:0:0:0:ffff:7f00:1]/hook',
    ]) {
      await expect(assertEgressAllowed(url, { denyPrivate: true }), url).rejects.toThrow(/not a public address/);
    }
  });

  it('refuses private destinations only when denying, and non-http schemes always', async () => {
    await expect(assertEgressAllowed('http://127.0.0.1:8080/hook', { denyPrivate: false })).resolves.toBeUndefined();
    await expect(assertEgressAllowed('http://127.0.0.1:8080/hook', { denyPrivate: true })).rejects.toThrow(
      /WEBHOOK_ALLOW_PRIVATE/,
    );
    await expect(assertEgressAllowed('http://[::1]/hook', { denyPrivate: true })).rejects.toThrow(
      /not a public address/,
    );
    await expect(assertEgressAllowed('http://localhost/hook', { denyPrivate: true })).rejects.toThrow(
      /not a public address/,
    );
    await expect(
      assertEgressAllowed('https://169.254.169.254/latest/meta-data', { denyPrivate: true }),
    ).rejects.toThrow();
    await expect(assertEgressAllowed('file:///etc/passwd', { denyPrivate: false })).rejects.toThrow(/http/);
  });

  it('stops a webhook POST before it leaves the hub when the policy denies private addresses', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits += 1;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      expect(
        await postWebhook({ url, body: { object: 'page', entry: [] }, appSecret: 's', timeoutMs: 2000 }),
      ).toMatchObject({ ok: true });
      setEgressPolicy({ denyPrivate: true });
      expect(
        await postWebhook({ url, body: { object: 'page', entry: [] }, appSecret: 's', timeoutMs: 2000 }),
      ).toMatchObject({
        ok: false,
        error: expect.stringMatching(/not a public address/),
      });
      expect(hits).toBe(1);
    } finally {
      server.close();
    }
  });
});
