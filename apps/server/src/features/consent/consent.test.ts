import { PlatformError } from '@confide/protocol';
import { createLocalJWKSet, jwtVerify } from 'jose';
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
import { assertProactiveSendAllowed } from './assert-consent.js';
import { DAY_MS } from './categories.js';
import { replayLedger } from './ledger.js';
import { RECEIPT_TYPE } from './receipts.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: consent ledger and privacy API`, () => {
    let hub: TestHub;
    let clock: TestClock;
    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    /** A bank declaring the three ACCOUNT_UPDATE categories, and a customer in conversation with it. */
    async function setup() {
      const alice = await signUp(hub);
      const bank = await createPage(hub, { name: 'Test Bank' });
      for (const category of ['balances', 'transactions', 'fraud_alerts']) {
        await hub.services.consents.declare(bank.page_id, category, `We send ${category} notifications.`);
      }
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const api = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
        hub.app.inject({
          method,
          url,
          headers: { cookie: alice.cookie },
          ...(payload === undefined ? {} : { payload: payload as object }),
        });
      const check = (tag: string, category: string | undefined) =>
        assertProactiveSendAllowed(hub.ctx.storage.db, {
          customerId: alice.id,
          pageId: bank.page_id,
          conversationId: conv.id,
          tag,
          category,
          now: clock.now(),
        });
      return { alice, bank, conv, api, check };
    }

    async function refusal(p: Promise<void>): Promise<PlatformError> {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PlatformError);
      return err as PlatformError;
    }

    it('refuses before consent, allows after granting fraud_alerts, refuses right after revocation', async () => {
      const { bank, api, check } = await setup();
      expect((await refusal(check('ACCOUNT_UPDATE', 'fraud_alerts'))).key).toBe('CONSENT_REQUIRED');

      const granted = await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, {
        categories: ['fraud_alerts'],
      });
      expect(granted.statusCode).toBe(200);
      expect(granted.json().consent).toMatchObject({
        status: 'active',
        categories: ['fraud_alerts'],
        granted_at: clock.now(),
        expires_at: clock.now() + 365 * DAY_MS,
      });
      await expect(check('ACCOUNT_UPDATE', 'fraud_alerts')).resolves.toBeUndefined();
      // Without a category the whole ACCOUNT_UPDATE group is needed.
      const partial = await refusal(check('ACCOUNT_UPDATE', undefined));
      expect(partial.key).toBe('CONSENT_REQUIRED');
      expect(partial.detail).toMatchObject({ reason: 'not_granted', missing: ['balances', 'transactions'] });
      expect((await refusal(check('ACCOUNT_UPDATE', 'balances'))).key).toBe('CONSENT_REQUIRED');

      const revoked = await api('DELETE', `/api/privacy/businesses/${bank.page_id}/consent`);
      expect(revoked.json().consent).toMatchObject({ status: 'revoked', categories: [] });
      const after = await refusal(check('ACCOUNT_UPDATE', 'fraud_alerts'));
      expect(after.key).toBe('CONSENT_REQUIRED');
      expect(after.detail).toMatchObject({ reason: 'revoked' });
    });

    it('refuses after expiry, judged against the clock before any sweep', async () => {
      const { bank, api, check } = await setup();
      await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, {
        categories: ['fraud_alerts', 'balances', 'transactions'],
        duration_days: 10,
      });
      // (Shorter than the session lifetime, so the customer stays logged in.)
      clock.advance(10 * DAY_MS - 1);
      await expect(check('ACCOUNT_UPDATE', undefined)).resolves.toBeUndefined();
      clock.advance(1);
      const err = await refusal(check('ACCOUNT_UPDATE', 'fraud_alerts'));
      expect(err.detail).toMatchObject({ reason: 'expired' });
      const list = await api('GET', '/api/privacy/businesses');
      expect(list.json().data[0].consent.status).toBe('expired');

      expect(await hub.services.consents.sweep()).toMatchObject({ expired: 1 });
      const ledger = (await api('GET', '/api/privacy/ledger')).json().data;
      expect(ledger.map((e: { event: string }) => e.event)).toEqual(['expired', 'granted']);
      expect(ledger[0]).toMatchObject({ source: 'system', categories: ['balances', 'transactions', 'fraud_alerts'] });

      const renewed = await api('POST', `/api/privacy/businesses/${bank.page_id}/consent/renew`, {});
      expect(renewed.json().consent).toMatchObject({ status: 'active', expires_at: clock.now() + 365 * DAY_MS });
      await expect(check('ACCOUNT_UPDATE', 'fraud_alerts')).resolves.toBeUndefined();
    });

    it('rejects a category outside the tag group and a tag that is not a proactive update', async () => {
      const { check } = await setup();
      const wrong = await refusal(check('ACCOUNT_UPDATE', 'shipping'));
      expect(wrong.key).toBe('INVALID_PARAMETER');
      expect(wrong.detail).toMatchObject({ field: 'category' });
      expect((await refusal(check('POST_PURCHASE_UPDATE', 'fraud_alerts'))).key).toBe('INVALID_PARAMETER');
      expect((await refusal(check('PROMOTION', undefined))).key).toBe('INVALID_PARAMETER');
    });

    it('grants only declared categories, caps the duration, and writes nothing on bad input', async () => {
      const { bank, api } = await setup();
      const undeclared = await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, {
        categories: ['fraud_alerts', 'shipping'],
      });
      expect(undeclared.statusCode).toBe(400);
      expect(undeclared.json().error.detail).toMatchObject({ undeclared: ['shipping'] });
      const unknown = await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, {
        categories: ['advertising'],
      });
      expect(unknown.statusCode).toBe(400);
      const tooLong = await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, {
        categories: ['fraud_alerts'],
        duration_days: 366,
      });
      expect(tooLong.statusCode).toBe(400);
      expect(await hub.ctx.storage.db.selectFrom('consent_ledger').selectAll().execute()).toHaveLength(0);
      expect(await hub.ctx.storage.db.selectFrom('consent_receipts').selectAll().execute()).toHaveLength(0);
    });

    it('answers 404 for a page the customer has no conversation with', async () => {
      const { api } = await setup();
      const other = await createPage(hub);
      for (const [method, url] of [
        ['PUT', `/api/privacy/businesses/${other.page_id}/consent`],
        ['POST', `/api/privacy/businesses/${other.page_id}/consent/renew`],
        ['DELETE', `/api/privacy/businesses/${other.page_id}/consent`],
        ['POST', `/api/privacy/businesses/${other.page_id}/unlink`],
      ] as const) {
        const res = await api(method, url, method === 'PUT' ? { categories: [] } : method === 'POST' ? {} : undefined);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
    });

    it('records granted, changed, renewed and revoked, and the ledger replays to the current state', async () => {
      const { bank, api } = await setup();
      const bob = await signUp(hub);
      await openConversation(hub, bob.cookie, bank.page_id);
      await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, { categories: ['fraud_alerts'] });
      clock.advance(DAY_MS);
      await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, {
        categories: ['fraud_alerts', 'balances'],
        duration_days: 90,
      });
      clock.advance(DAY_MS);
      await api('POST', `/api/privacy/businesses/${bank.page_id}/consent/renew`, { duration_days: 10 });
      await hub.app.inject({
        method: 'PUT',
        url: `/api/privacy/businesses/${bank.page_id}/consent`,
        headers: { cookie: bob.cookie },
        payload: { categories: ['transactions'], duration_days: 1 },
      });
      clock.advance(2 * DAY_MS);
      await hub.services.consents.sweep();
      await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, { categories: [] });

      const ledger = (await api('GET', '/api/privacy/ledger')).json().data;
      expect(ledger.map((e: { event: string; source: string }) => `${e.event}:${e.source}`)).toEqual([
        'revoked:settings',
        'renewed:settings',
        'changed:settings',
        'granted:settings',
      ]);
      // Sorted in JS on both sides: database collations differ on random ids.
      const byCustomer = (a: { customer_id: string }, b: { customer_id: string }) =>
        a.customer_id < b.customer_id ? -1 : 1;
      const stored = (await hub.ctx.storage.db.selectFrom('consent_state').selectAll().execute()).sort(byCustomer);
      const replayed = (await replayLedger(hub.ctx.storage.db)).sort(byCustomer);
      expect(stored).toHaveLength(2);
      expect(replayed).toEqual(stored);
      expect(stored.map((s) => s.status).sort()).toEqual(['expired', 'revoked']);
    });

    it('issues a receipt that verifies against /.well-known/jwks.json; a tampered one does not', async () => {
      const { bank, conv, api } = await setup();
      const granted = (
        await api('PUT', `/api/privacy/businesses/${bank.page_id}/consent`, { categories: ['fraud_alerts'] })
      ).json();
      expect(granted.receipts).toHaveLength(1);
      const receipt = (await api('GET', `/api/privacy/receipts/${granted.receipts[0].id}`)).json();
      const jwks = createLocalJWKSet((await hub.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json());
      const { payload, protectedHeader } = await jwtVerify(receipt.jws, jwks, { issuer: hub.ctx.config.publicUrl });
      expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: RECEIPT_TYPE });
      const psid = (
        await hub.ctx.storage.db
          .selectFrom('conversations')
          .select('psid')
          .where('id', '=', conv.id)
          .executeTakeFirstOrThrow()
      ).psid;
      expect(payload).toMatchObject({
        sub: psid,
        page_id: bank.page_id,
        categories: ['fraud_alerts'],
        purposes: ['notifications', 'account_management'],
        granted_at: clock.now(),
        expires_at: clock.now() + 365 * DAY_MS,
        ledger_entry_id: receipt.ledger_entry_id,
        third_party_disclosure: false,
      });

      const [header, body, signature] = receipt.jws.split('.');
      const forged = Buffer.from(JSON.stringify({ ...payload, categories: ['fraud_alerts', 'balances'] })).toString(
        'base64url',
      );
      await expect(jwtVerify(`${header}.${forged}.${signature}`, jwks)).rejects.toThrow();
      expect(body).not.toBe(forged);

      const other = await signUp(hub);
      const stolen = await hub.app.inject({
        method: 'GET',
        url: `/api/privacy/receipts/${receipt.id}`,
        headers: { cookie: other.cookie },
      });
      expect(stolen.statusCode).toBe(404);
    });

    it('keeps the same signing key across restarts of the app on one database', async () => {
      const first = (await hub.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
      expect(first.keys).toHaveLength(1);
      expect(first.keys[0]).not.toHaveProperty('d');
      const rows = await hub.ctx.storage.db.selectFrom('signing_keys').selectAll().execute();
      // Wrapped by the KEK (docs/privacy.md §3), never in clear.
      expect(rows[0]?.kek_id).toBe(hub.ctx.storage.vault.kekId);
      expect(rows[0]?.private_jwk_enc).not.toContain('"d"');
    });
  });
}
