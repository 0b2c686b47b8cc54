/**
 * Property: on every Platform endpoint, whatever the encoding (a form body without
 * Content-Type, bracket names in the query with an empty JSON body, JSON sent as text/plain)
 * and whatever the `method=` override, bracket names (well-formed, malformed, deep, repeated,
 * prototype keys) never make the hub answer 5xx, and a refused request changes nothing:
 * messages, outbox, events, attachments, personas, the Messenger Profile and the app's
 * webhook settings keep their exact state.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, testClock, type TestHub } from '../helpers.js';
import { bracketPairs, buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';
import {
  anyString,
  assertPrototypeClean,
  changed,
  countAll,
  junkToJson,
  junkValue,
  NASTY_KEYS,
  percentEncode,
} from './junk.js';

const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 250);

describe('property: Graph encodings on every endpoint', () => {
  let hub: TestHub;
  let fx: GraphFixture;

  beforeAll(async () => {
    hub = await buildTestHub({
      clock: testClock(),
      env: { SEND_RATE_LIMIT_PER_PAGE: '1000000', SERVICES: 'api,realtime' },
    });
    const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/unused', verifyToken: 'v' });
    fx = await buildGraphFixture(hub, { page });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  /** Endpoints with a plausible valid request, so mutations reach deep validation. */
  const endpoints = () => [
    {
      path: '/v25.0/me/messages',
      valid: {
        recipient: { id: fx.psid },
        message: { text: 'hi', quick_replies: [{ content_type: 'text', title: 'A', payload: 'A' }] },
      },
    },
    {
      path: '/v25.0/me/message_attachments',
      valid: {
        message: { attachment: { type: 'image', payload: { url: 'https://example.com/a.png', is_reusable: true } } },
      },
    },
    {
      path: '/v25.0/me/messenger_profile',
      valid: {
        greeting: [{ locale: 'default', text: 'Hi' }],
        persistent_menu: [{ locale: 'default', call_to_actions: [{ type: 'postback', title: 'Menu', payload: 'M' }] }],
      },
    },
    { path: '/v25.0/me/personas', valid: { name: 'Alex', profile_picture_url: 'https://example.com/a.png' } },
    { path: '/v25.0/me/pass_thread_control', valid: { recipient: { id: fx.psid }, target_app_id: '263902037430900' } },
    { path: '/v25.0/me/take_thread_control', valid: { recipient: { id: fx.psid } } },
    { path: '/v25.0/me/thread_owner', valid: { recipient: fx.psid } },
    { path: '/v25.0/me/subscribed_apps', valid: { subscribed_fields: ['messages', 'messaging_postbacks'] } },
    {
      path: '/v25.0/',
      valid: {
        batch: [{ method: 'POST', relative_url: 'me/messages', body: `recipient[id]=${fx.psid}&message[text]=b` }],
      },
    },
    { path: `/v25.0/${fx.psid}`, valid: { fields: ['first_name'] } },
    { path: '/v25.0/me/nlp_configs', valid: { nlp_enabled: true } },
    { path: `/v25.0/${fx.page.app_id}/subscriptions`, valid: { object: 'page', fields: ['messages'] }, appToken: true },
  ];

  /** Everything a refused request must leave as it was. */
  async function snapshot() {
    const db = hub.ctx.storage.db;
    const profile = await db
      .selectFrom('messenger_profile')
      .select(['page_id', 'field', 'value'])
      .orderBy('page_id')
      .orderBy('field')
      .execute();
    const personas = await db.selectFrom('personas').select(['id', 'deleted_at']).orderBy('id').execute();
    const apps = await db
      .selectFrom('apps')
      .select(['id', 'webhook_url', 'subscribed_fields', 'std_webhook_secret_enc'])
      .orderBy('id')
      .execute();
    const owners = await db.selectFrom('conversations').select(['id', 'thread_owner_app_id']).orderBy('id').execute();
    return {
      counts: await countAll(hub),
      state: createHash('sha256')
        .update(JSON.stringify([profile, personas, apps, owners]))
        .digest('hex'),
    };
  }

  const segment = fc.oneof(
    fc.constantFrom(
      'recipient',
      'id',
      'message',
      'text',
      'attachment',
      'payload',
      'url',
      'is_reusable',
      'greeting',
      'locale',
      'fields',
      'batch',
      'body',
    ),
    fc.constantFrom('0', '1', '', '999999', '-1', ...NASTY_KEYS),
    anyString,
  );
  /** A bracket name: `a[b][c]`, sometimes malformed (`a[`, `a]b`, `[x]`), sometimes deeper than allowed. */
  const bracketName = fc.oneof(
    fc
      .array(segment, { minLength: 1, maxLength: 6 })
      .map(([head, ...rest]) => `${head}${rest.map((s) => `[${s}]`).join('')}`),
    fc.constantFrom(
      'a[',
      'a]b',
      '[x]',
      'a[b',
      'a[][]',
      'a[]',
      'message[attachment][payload][url]',
      'recipient[id][0]',
      'method',
      'access_token',
    ),
    fc.nat({ max: 40 }).map((n) => `a${'[x]'.repeat(n)}`),
  );
  const value = fc.oneof(
    anyString,
    junkValue.map(junkToJson),
    fc.constantFrom('true', '1', '12.5', 'get', 'DELETE', 'post'),
  );
  const overrideValue = fc.constantFrom(
    undefined,
    'get',
    'GET',
    'delete',
    'Delete',
    'post',
    'put',
    'HEAD',
    '',
    'get,delete',
  );
  const request = fc.record({
    endpoint: fc.nat({ max: 11 }),
    encoding: fc.constantFrom('form' as const, 'query' as const, 'text' as const),
    withBase: fc.boolean(),
    extra: fc.array(fc.tuple(bracketName, value), { maxLength: 6 }),
    override: overrideValue,
    many: fc.boolean(),
  });

  it('no 5xx, and a refused request changes nothing', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ endpoint, encoding, withBase, extra, override, many }) => {
        const target = endpoints()[endpoint] ?? endpoints()[0]!;
        const pairs: Array<[string, string]> = withBase ? bracketPairs(target.valid) : [];
        pairs.push(...extra);
        // Now and then more names than a body may hold.
        if (many && extra.length === 0) for (let i = 0; i < 1100; i++) pairs.push([`k${i}`, 'v']);
        if (override !== undefined) pairs.push(['method', override]);
        const token = target.appToken === true ? `${fx.page.app_id}|${fx.page.app_secret}` : fx.page.page_access_token;
        const encoded = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
        const auth = `access_token=${encodeURIComponent(token)}`;
        const before = await snapshot();
        const res =
          encoding === 'form'
            ? await hub.app.inject({ method: 'POST', url: `${target.path}?${auth}`, payload: encoded })
            : encoding === 'query'
              ? await hub.app.inject({
                  method: 'POST',
                  url: `${target.path}?${encoded}&${auth}`,
                  headers: { 'content-type': 'application/json' },
                  payload: '',
                })
              : await hub.app.inject({
                  method: 'POST',
                  url: `${target.path}?${auth}`,
                  headers: { 'content-type': 'text/plain' },
                  payload: JSON.stringify({ ...target.valid, ...Object.fromEntries(extra) }),
                });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, `${target.path} ${encoding}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
        assertPrototypeClean();
        if (res.statusCode !== 200) {
          const after = await snapshot();
          expect(changed(before.counts, after.counts), `refused but wrote: ${res.body.slice(0, 200)}`).toEqual({});
          expect(after.state, `refused but changed state: ${res.body.slice(0, 200)}`).toBe(before.state);
          expect(typeof res.json().error.code).toBe('number');
        }
      }),
      { numRuns: RUNS },
    );
    // Both outcomes are reached: valid bases survive some mutations.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
