/**
 * Signed transcripts (`GET /{page}/transcripts`): what the customer saw, signed with the hub's
 * key (verified here with `jose` against `/.well-known/jwks.json`), without the hub's own
 * prompts, erased content marked, other pages' customers not found, the export audited.
 * Runs on both dialects.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Platform } from '@confide/sdk';
import { TRANSCRIPT_JWT_TYPE, TranscriptClaimsSchema } from '@confide/protocol';
import { postHubMessage } from '../../src/features/consent/hub-message.js';
import { buildTestHub, createPage, DIALECTS, testClock, type TestClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, textSend, type GraphFixture } from './graph-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: signed transcripts`, () => {
    let hub: TestHub;
    let clock: TestClock;
    let fx: GraphFixture;

    beforeEach(async () => {
      clock = testClock();
      hub = await buildTestHub({ dialect, clock });
      fx = await buildGraphFixture(hub);
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const get = (query: string, token = fx.page.page_access_token) =>
      hub.app.inject({ method: 'GET', url: `/v25.0/me/transcripts?${query}&access_token=${token}` });
    const send = (payload: object) =>
      hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
        payload,
      });
    const customerSays = (text: string) =>
      hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${fx.conversationId}/messages`,
        headers: { cookie: fx.customer.cookie },
        payload: { text },
      });

    async function verify(jws: string) {
      const jwks = (await hub.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
      const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(jwks));
      expect(protectedHeader.typ).toBe(TRANSCRIPT_JWT_TYPE);
      return TranscriptClaimsSchema.parse(payload);
    }

    it('signs what the customer and the page said, in order, verifiable with the published keys', async () => {
      clock.advance(1000);
      expect((await send(textSend(fx.psid, 'Your card ending 4821 is blocked'))).statusCode).toBe(200);
      clock.advance(1000);
      expect((await customerSays('Thanks, please unblock it')).statusCode).toBe(201);
      const res = await get(`recipient=${fx.psid}`);
      expect(res.statusCode).toBe(200);
      const answer = res.json();
      expect(answer).toMatchObject({ message_count: 3, truncated: false });
      const claims = await verify(answer.transcript);
      expect(claims.sub).toBe(fx.psid);
      expect(claims.page.id).toBe(fx.page.page_id);
      expect(claims.messages.map((m) => [m.from, m.body?.text])).toEqual([
        ['customer', 'hi'],
        ['page', 'Your card ending 4821 is blocked'],
        ['customer', 'Thanks, please unblock it'],
      ]);
      expect(claims.messages[1]?.app_id).toBe(String(fx.page.app_id));
    });

    it('is what the SDK’s platform.transcripts.get returns', async () => {
      const fetch = async (input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(String(input));
        const res = await hub.app.inject({
          method: (init?.method ?? 'GET') as 'GET',
          url: url.pathname + url.search,
          headers: Object.fromEntries(new Headers(init?.headers).entries()),
        });
        return new Response(res.body, { status: res.statusCode, headers: { 'content-type': 'application/json' } });
      };
      const platform = new Platform({ baseUrl: 'http://hub.test', accessToken: fx.page.page_access_token, fetch });
      const answer = await platform.transcripts.get(fx.psid, { limit: 10 });
      expect((await verify(answer.transcript)).messages).toHaveLength(1);
      await expect(platform.transcripts.get('no-such-psid')).rejects.toMatchObject({ code: 100, subcode: 2018001 });
    });

    it('fails verification when a byte of the transcript is changed', async () => {
      const { transcript } = (await get(`recipient=${fx.psid}`)).json();
      const [header, payload, signature] = (transcript as string).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      claims.messages[0].body.text = 'bye';
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      await expect(verify(forged)).rejects.toThrow();
    });

    it('keeps the newest messages within since/until and limit, and says when it left some out', async () => {
      for (let i = 1; i <= 4; i++) {
        clock.advance(60_000);
        await send(textSend(fx.psid, `update ${i}`));
      }
      const since = Math.floor((clock.now() - 90_000) / 1000);
      const res = await get(`recipient=${fx.psid}&since=${since}&limit=2`);
      const claims = await verify(res.json().transcript);
      expect(claims.messages.map((m) => m.body?.text)).toEqual(['update 3', 'update 4']);
      expect(res.json()).toMatchObject({ message_count: 2, truncated: false });
      const all = await get(`recipient=${encodeURIComponent(JSON.stringify({ id: fx.psid }))}&limit=2`);
      expect(all.json()).toMatchObject({ message_count: 2, truncated: true });
    });

    it('never brings back a history the customer erased', async () => {
      await send(textSend(fx.psid, 'secret'));
      await hub.services.privacy.eraseHistory(fx.customer.id, fx.page.page_id);
      clock.advance(1000);
      await customerSays('starting over');
      const claims = await verify((await get(`recipient=${fx.psid}`)).json().transcript);
      expect(claims.messages.map((m) => m.body?.text)).toEqual(['starting over']);
    });

    it('leaves out the hub’s own prompts and the customer’s answers to them', async () => {
      const conversation = { id: fx.conversationId, customer_id: fx.customer.id };
      await hub.ctx.storage.writes.run(async (tx) => {
        const now = clock.now();
        await postHubMessage(tx, hub.ctx.bus, { conversation, direction: 'out', body: { text: 'Renew?' }, now });
        const answer = { text: 'Renew', quick_reply: { payload: 'CONFIDE_CONSENT_RENEW:x' } };
        await postHubMessage(tx, hub.ctx.bus, { conversation, direction: 'in', body: answer, now });
        await postHubMessage(tx, hub.ctx.bus, {
          conversation,
          direction: 'out',
          body: { text: 'Dana joined' },
          now,
          system: true,
        });
      });
      const claims = await verify((await get(`recipient=${fx.psid}`)).json().transcript);
      expect(claims.messages.map((m) => [m.from, m.body?.text])).toEqual([
        ['customer', 'hi'],
        ['hub', 'Dana joined'],
      ]);
    });

    it('audits the export with counts, never content', async () => {
      await get(`recipient=${fx.psid}`);
      const rows = await hub.ctx.storage.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'transcript.exported')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.actor).toBe(`app:${fx.page.app_id}`);
      expect(rows[0]?.details).not.toContain('hi');
    });

    it('answers as Graph does for another page’s customer, a missing recipient and a bad range', async () => {
      const other = await createPage(hub);
      const foreign = await get(`recipient=${fx.psid}`, other.page_access_token);
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error).toMatchObject({ code: 100, error_subcode: 2018001 });
      const missing = await get('limit=5');
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.code).toBe(100);
      const backwards = await get(`recipient=${fx.psid}&since=2000&until=1000`);
      expect(backwards.json().error.message).toMatch(/until/);
      const huge = await get(`recipient=${fx.psid}&limit=100000`);
      expect(huge.json().error.code).toBe(100);
      const unauth = await hub.app.inject({ method: 'GET', url: `/v25.0/me/transcripts?recipient=${fx.psid}` });
      expect(unauth.json().error.code).toBe(190);
    });
  });
}
