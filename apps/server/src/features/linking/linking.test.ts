import { verifyWebhookSignature } from '@confide/protocol';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildTestHub,
  createPage,
  DIALECTS,
  openConversation,
  signUp,
  testClock,
  type TestClock,
  type TestHub,
} from '../../../test/helpers.js';
import { assertProactiveSendAllowed } from '../consent/assert-consent.js';
import { appendMessage } from '../../timeline/index.js';
import { findConversationOfCustomer } from '../conversations/store.js';
import { resolveLinkingToken } from './linking-token.js';

const BUSINESS_LOGIN = 'https://bank.example/login?lang=en';

/** A webhook receiver on an ephemeral port; answers `status` and records every POST. */
async function startReceiver() {
  const received: Array<{ raw: string; headers: Record<string, string | string[] | undefined> }> = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.statusCode = state.status;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const linkingEvents = () =>
    received
      .map((r) => ({
        ...r,
        body: JSON.parse(r.raw) as { entry: Array<{ messaging?: Array<Record<string, unknown>> }> },
      }))
      .filter((r) => r.body.entry.some((e) => e.messaging?.some((m) => m['account_linking'] !== undefined)));
  return { url, state, linkingEvents, close: () => new Promise<void>((r) => server.close(() => r())) };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: account linking`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock, env: { SERVICES: 'api,realtime' } });
      receiver = await startReceiver();
    });
    afterEach(async () => {
      await hub.dispose();
      await receiver.close();
    });

    async function setup() {
      const alice = await signUp(hub);
      const bank = await createPage(hub, { name: 'Link Bank', webhookUrl: receiver.url, verifyToken: 'verify-me' });
      await hub.services.consents.declare(
        bank.page_id,
        'fraud_alerts',
        'Alerts about card payments that look unusual.',
      );
      await hub.services.consents.declare(bank.page_id, 'balances', 'Your balance after each payment.');
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const row = await findConversationOfCustomer(hub.ctx.storage.db, alice.id, conv.id);
      if (row === undefined) throw new Error('no conversation');
      const button = await hub.ctx.storage.writes.run((tx) =>
        appendMessage(tx, hub.ctx.bus, {
          conversation: row,
          direction: 'out',
          appId: bank.app_id,
          now: clock.now(),
          body: {
            attachment: {
              type: 'template',
              payload: {
                template_type: 'button',
                text: 'Log in to link your account',
                buttons: [{ type: 'account_link', url: BUSINESS_LOGIN }],
              },
            },
          },
        }),
      );
      const origin = hub.ctx.config.publicUrl;
      const startUrl = `/link/start?mid=${encodeURIComponent(button.mid)}&url=${encodeURIComponent(BUSINESS_LOGIN)}`;
      /** Opens the consent screen and submits it; returns the POST response. */
      const submit = async (
        action: 'continue' | 'cancel',
        categories: string[],
        overrides: { csrf?: string; url?: string } = {},
      ) => {
        const screen = await hub.app.inject({ method: 'GET', url: startUrl, headers: { cookie: alice.cookie } });
        expect(screen.statusCode).toBe(200);
        const csrf = /name="csrf" value="([^"]+)"/.exec(screen.body)?.[1] ?? '';
        const form = new URLSearchParams({
          csrf: overrides.csrf ?? csrf,
          mid: button.mid,
          url: overrides.url ?? BUSINESS_LOGIN,
          action,
        });
        for (const c of categories) form.append('categories', c);
        return hub.app.inject({
          method: 'POST',
          url: '/link/start',
          headers: { cookie: alice.cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
          payload: form.toString(),
        });
      };
      /** Continue, then return what the business receives: the token and the redirect URI. */
      const toBusiness = async (categories: string[]) => {
        const res = await submit('continue', categories);
        expect(res.statusCode).toBe(303);
        const location = new URL(res.headers.location as string);
        expect(`${location.origin}${location.pathname}`).toBe('https://bank.example/login');
        expect(location.searchParams.get('lang')).toBe('en');
        const token = location.searchParams.get('account_linking_token') ?? '';
        const redirectUri = location.searchParams.get('redirect_uri') ?? '';
        return { token, redirectUri, raw: res.headers.location as string };
      };
      const back = (redirectUri: string, code?: string) =>
        hub.app.inject({
          method: 'GET',
          url:
            redirectUri.replace(origin, '') +
            (code === undefined ? '' : `&authorization_code=${encodeURIComponent(code)}`),
        });
      const check = (category: string) =>
        assertProactiveSendAllowed(hub.ctx.storage.db, {
          customerId: alice.id,
          pageId: bank.page_id,
          conversationId: conv.id,
          tag: 'ACCOUNT_UPDATE',
          category,
          now: clock.now(),
        });
      return { alice, bank, conv, row, button, startUrl, submit, toBusiness, back, check };
    }

    const count = async (table: 'account_links' | 'consent_ledger' | 'consent_receipts') =>
      (await hub.ctx.storage.db.selectFrom(table).selectAll().execute()).length;

    it('shows the consent screen with declared purposes, nothing preselected, under a strict CSP', async () => {
      const { alice, startUrl } = await setup();
      const res = await hub.app.inject({ method: 'GET', url: startUrl, headers: { cookie: alice.cookie } });
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("form-action 'self' https://bank.example");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.body).toContain('Link Bank');
      expect(res.body).toContain('Alerts about card payments that look unusual.');
      expect(res.body).toMatch(
        /<label class="choice" for="c0"><input type="checkbox" id="c0" name="categories" value="balances"/,
      );
      expect(res.body).not.toContain('checked');
      expect(res.body).not.toMatch(/<script|src=|href="http/);
      expect(res.body).toContain(new Date(clock.now() + 365 * 86_400_000).toISOString().slice(0, 10));
      expect(res.body).toContain('Fraud alerts');
      expect(res.body).toContain('prefers-color-scheme:dark');
    });

    it('shows the current grant ticked when re-linking; unticking everything and continuing stops the updates', async () => {
      const s = await setup();
      const first = await s.toBusiness(['fraud_alerts', 'balances']);
      expect((await s.back(first.redirectUri, 'code-1')).statusCode).toBe(303);
      const screen = await hub.app.inject({ method: 'GET', url: s.startUrl, headers: { cookie: s.alice.cookie } });
      const ticked = [...screen.body.matchAll(/<input type="checkbox"[^>]*value="([a-z_]+)"[^>]*>/g)]
        .filter((m) => m[0].includes(' checked'))
        .map((m) => m[1]);
      expect(ticked.sort()).toEqual(['balances', 'fraud_alerts']);
      expect(screen.body).toContain('You already allow');

      // The customer keeps only fraud alerts: the grant becomes exactly that.
      const second = await s.toBusiness(['fraud_alerts']);
      await s.back(second.redirectUri, 'code-2');
      await expect(s.check('fraud_alerts')).resolves.toBeUndefined();
      await expect(s.check('balances')).rejects.toMatchObject({ key: 'CONSENT_REQUIRED' });

      // Nothing ticked: linked, and nothing may be sent any more.
      const third = await s.toBusiness([]);
      await s.back(third.redirectUri, 'code-3');
      await expect(s.check('fraud_alerts')).rejects.toMatchObject({ key: 'CONSENT_REQUIRED' });
      const ledger = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/ledger', headers: { cookie: s.alice.cookie } })
      ).json().data as Array<{
        event: string;
        source: string;
      }>;
      expect(ledger.map((e) => `${e.event}/${e.source}`)).toEqual(
        expect.arrayContaining(['granted/linking', 'changed/linking', 'revoked/linking']),
      );
      const again = await hub.app.inject({ method: 'GET', url: s.startUrl, headers: { cookie: s.alice.cookie } });
      expect(again.body).not.toContain(' checked');
    });

    it('links: token to the business, PSID lookup, signed synchronous webhook, link and grant with receipt', async () => {
      const s = await setup();
      await expect(s.check('fraud_alerts')).rejects.toMatchObject({ key: 'CONSENT_REQUIRED' });
      const { token, redirectUri, raw } = await s.toBusiness(['fraud_alerts']);
      expect(token.length).toBeGreaterThanOrEqual(40);
      expect(raw).toContain('&account_linking_token=');
      expect(raw).toContain(
        `&redirect_uri=${encodeURIComponent(`${hub.ctx.config.publicUrl}/messenger_platform/account_linking/?account_linking_token=`)}`,
      );
      expect(redirectUri).toBe(
        `${hub.ctx.config.publicUrl}/messenger_platform/account_linking/?account_linking_token=${encodeURIComponent(token)}`,
      );
      // The token is stored hashed, bound to the page.
      const stored = await hub.ctx.storage.db.selectFrom('linking_tokens').selectAll().execute();
      expect(stored).toHaveLength(1);
      expect(stored[0]?.token_hash).not.toContain(token);
      expect(await resolveLinkingToken(hub.ctx.storage.db, s.bank.page_id, token, clock.now())).toBe(s.row.psid);
      const otherPage = await createPage(hub);
      await expect(
        resolveLinkingToken(hub.ctx.storage.db, otherPage.page_id, token, clock.now()),
      ).rejects.toMatchObject({ key: 'INVALID_LINKING_TOKEN' });
      expect(await count('consent_ledger')).toBe(0);

      const done = await s.back(redirectUri, 'bank-code-123');
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(`/?conversation=${s.conv.id}&linked=1`);

      const [event] = receiver.linkingEvents();
      expect(event).toBeDefined();
      expect(event?.body.entry[0]?.messaging?.[0]).toEqual({
        sender: { id: s.row.psid },
        recipient: { id: s.bank.page_id },
        timestamp: clock.now(),
        account_linking: {
          status: 'linked',
          authorization_code: 'bank-code-123',
          consent: { categories: ['fraud_alerts'], expires_at: clock.now() + 365 * 86_400_000 },
        },
      });
      const headers = event?.headers ?? {};
      expect(headers['x-hub-signature']).toMatch(/^sha1=/);
      expect(await verifyWebhookSignature(event?.raw ?? '', headers, s.bank.app_secret)).toMatchObject({ valid: true });

      const biz = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/businesses', headers: { cookie: s.alice.cookie } })
      ).json().data[0];
      expect(biz).toMatchObject({
        linked: true,
        linked_at: clock.now(),
        consent: { status: 'active', categories: ['fraud_alerts'] },
      });
      expect(biz.receipts).toHaveLength(1);
      const ledger = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/ledger', headers: { cookie: s.alice.cookie } })
      ).json().data;
      expect(ledger).toMatchObject([{ event: 'granted', source: 'linking', categories: ['fraud_alerts'] }]);
      await expect(s.check('fraud_alerts')).resolves.toBeUndefined();
      await expect(s.check('balances')).rejects.toMatchObject({ key: 'CONSENT_REQUIRED' });

      // The token is single use.
      const again = await s.back(redirectUri, 'bank-code-123');
      expect(again.statusCode).toBe(400);
      expect(again.headers['content-type']).toMatch(/^text\/html/);
      expect(again.body).toContain('expired');
      await expect(resolveLinkingToken(hub.ctx.storage.db, s.bank.page_id, token, clock.now())).rejects.toMatchObject({
        key: 'INVALID_LINKING_TOKEN',
      });
    });

    it('end to end on the Platform API: PSID lookup, tagged sends refused before, allowed after, refused after revocation', async () => {
      const s = await setup();
      const token = s.bank.page_access_token;
      const send = () =>
        hub.app.inject({
          method: 'POST',
          url: `/v25.0/me/messages?access_token=${token}`,
          payload: {
            recipient: { id: s.row.psid },
            messaging_type: 'MESSAGE_TAG',
            tag: 'ACCOUNT_UPDATE',
            notification_category: 'fraud_alerts',
            message: { text: 'Was this you? 42.10 at ACME' },
          },
        });
      const refused = await send();
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 10, error_subcode: 1400001 });

      const { token: linkingToken, redirectUri } = await s.toBusiness(['fraud_alerts']);
      const me = await hub.app.inject({
        method: 'GET',
        url: `/v25.0/me?fields=recipient&account_linking_token=${encodeURIComponent(linkingToken)}&access_token=${token}`,
      });
      expect(me.json()).toMatchObject({ id: s.bank.page_id, recipient: s.row.psid });
      expect((await s.back(redirectUri, 'code')).headers.location).toContain('linked=1');
      const spent = await hub.app.inject({
        method: 'GET',
        url: `/v25.0/me?fields=recipient&account_linking_token=${encodeURIComponent(linkingToken)}&access_token=${token}`,
      });
      expect(spent.json().error).toMatchObject({ code: 10303 });

      expect((await send()).statusCode).toBe(200);
      await hub.app.inject({
        method: 'DELETE',
        url: `/api/privacy/businesses/${s.bank.page_id}/consent`,
        headers: { cookie: s.alice.cookie },
      });
      const after = await send();
      expect(after.statusCode).toBe(400);
      expect(after.json().error).toMatchObject({ code: 10, error_subcode: 1400001 });
    });

    it('aborts without authorization_code: no link, no grant, token spent', async () => {
      const s = await setup();
      const { redirectUri } = await s.toBusiness(['fraud_alerts']);
      const res = await s.back(redirectUri);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/?conversation=${s.conv.id}&linked=0&reason=cancelled`);
      expect(await count('account_links')).toBe(0);
      expect(await count('consent_ledger')).toBe(0);
      expect(receiver.linkingEvents()).toHaveLength(0);
      expect((await s.back(redirectUri, 'late-code')).statusCode).toBe(400);
    });

    it('refuses an expired token with an HTML error page', async () => {
      const s = await setup();
      const { token, redirectUri } = await s.toBusiness(['fraud_alerts']);
      clock.advance(5 * 60_000);
      await expect(resolveLinkingToken(hub.ctx.storage.db, s.bank.page_id, token, clock.now())).rejects.toMatchObject({
        key: 'INVALID_LINKING_TOKEN',
      });
      const res = await s.back(redirectUri, 'code');
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This link has expired');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(await count('account_links')).toBe(0);
      expect(
        (
          await hub.app.inject({
            method: 'GET',
            url: '/messenger_platform/account_linking/?account_linking_token=ALTunknownunknownunknown&authorization_code=x',
          })
        ).statusCode,
      ).toBe(400);
    });

    it('aborts when the business does not acknowledge the linking webhook', async () => {
      const s = await setup();
      receiver.state.status = 500;
      const { redirectUri } = await s.toBusiness(['fraud_alerts']);
      const res = await s.back(redirectUri, 'code');
      expect(res.headers.location).toBe(`/?conversation=${s.conv.id}&linked=0&reason=not_acknowledged`);
      expect(receiver.linkingEvents()).toHaveLength(1);
      expect(await count('account_links')).toBe(0);
      expect(await count('consent_ledger')).toBe(0);
      expect(await count('consent_receipts')).toBe(0);
      await expect(s.check('fraud_alerts')).rejects.toMatchObject({ key: 'CONSENT_REQUIRED' });
    });

    it('cancel, a forged CSRF token, a foreign URL and another customer are all refused without a token', async () => {
      const s = await setup();
      const cancel = await s.submit('cancel', ['fraud_alerts']);
      expect(cancel.statusCode).toBe(303);
      expect(cancel.headers.location).toBe(`/?conversation=${s.conv.id}&linked=0&reason=cancelled`);
      expect((await s.submit('continue', ['fraud_alerts'], { csrf: 'forged' })).statusCode).toBe(403);
      expect((await s.submit('continue', ['fraud_alerts'], { url: 'https://evil.example/login' })).statusCode).toBe(
        404,
      );
      expect((await s.submit('continue', ['advertising'])).statusCode).toBe(400);
      const mallory = await signUp(hub);
      const peek = await hub.app.inject({ method: 'GET', url: s.startUrl, headers: { cookie: mallory.cookie } });
      expect(peek.statusCode).toBe(404);
      expect((await hub.app.inject({ method: 'GET', url: s.startUrl })).statusCode).toBe(401);
      expect(await hub.ctx.storage.db.selectFrom('linking_tokens').selectAll().execute()).toHaveLength(0);
    });

    async function linked(s: Awaited<ReturnType<typeof setup>>) {
      const { redirectUri } = await s.toBusiness(['fraud_alerts']);
      expect((await s.back(redirectUri, 'code')).headers.location).toContain('linked=1');
      await expect(s.check('fraud_alerts')).resolves.toBeUndefined();
    }

    async function expectUnlinked(s: Awaited<ReturnType<typeof setup>>) {
      expect(await count('account_links')).toBe(0);
      await expect(s.check('fraud_alerts')).rejects.toMatchObject({
        key: 'CONSENT_REQUIRED',
        detail: { reason: 'revoked' },
      });
      const outbox = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .selectAll()
        .where('field', '=', 'messaging_account_linking')
        .execute();
      expect(outbox).toHaveLength(1);
      expect(
        await hub.ctx.storage.vault.openPayload(
          { purpose: 'deliver_to_business', actor: 'test' },
          s.row.customer_id,
          outbox[0]?.payload ?? '{}',
        ),
      ).toMatchObject({ sender: { id: s.row.psid }, account_linking: { status: 'unlinked' } });
      const ledger = await hub.ctx.storage.db.selectFrom('consent_ledger').selectAll().orderBy('seq', 'desc').execute();
      expect(ledger[0]).toMatchObject({ event: 'revoked', source: 'unlink' });
    }

    it('unlinks from the account_unlink button / privacy center', async () => {
      const s = await setup();
      await linked(s);
      const res = await hub.app.inject({
        method: 'POST',
        url: `/api/privacy/businesses/${s.bank.page_id}/unlink`,
        headers: { cookie: s.alice.cookie },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ linked: false, linked_at: null, consent: { status: 'revoked' } });
      await expectUnlinked(s);
    });

    it('unlinks from the Graph API, versioned with the token in the query and versionless in the body', async () => {
      const s = await setup();
      await linked(s);
      const res = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/unlink_accounts?access_token=${s.bank.page_access_token}`,
        payload: { psid: s.row.psid },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ result: 'unlink account success' });
      await expectUnlinked(s);

      const bad = await hub.app.inject({
        method: 'POST',
        url: '/me/unlink_accounts',
        payload: { psid: '1234567890123456', access_token: s.bank.page_access_token },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 100, error_subcode: 2018001 });
      const ok = await hub.app.inject({
        method: 'POST',
        url: '/me/unlink_accounts',
        payload: { psid: s.row.psid, access_token: s.bank.page_access_token },
      });
      expect(ok.json()).toEqual({ result: 'unlink account success' });
      const noToken = await hub.app.inject({
        method: 'POST',
        url: '/me/unlink_accounts',
        payload: { psid: s.row.psid },
      });
      expect(noToken.json().error.code).toBe(190);
    });
  });
}
