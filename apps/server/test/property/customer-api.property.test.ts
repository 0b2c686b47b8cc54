/**
 * Property: the customer API (signup, login, password, directory, conversations and
 * their messages) under hostile bodies, query strings, path ids and origins never answers
 * 5xx, and a rejected request writes nothing. An accepted customer message writes exactly
 * one message, one stream event and one webhook event.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, openConversation, signUp, type TestHub } from '../helpers.js';
import {
  anyString,
  assertPrototypeClean,
  changed,
  countAll,
  junkToJson,
  junkValue,
  NASTY_KEYS,
  objectWith,
  percentEncode,
  poisoned,
  RAW_PERCENT,
} from './junk.js';

const BASE_RUNS = Number(process.env['PROPERTY_RUNS'] ?? 250);

interface Call {
  method: 'GET' | 'POST';
  url: string;
  payload?: string;
  contentType?: string;
  origin?: string;
  /** Whether to send the session cookie. */
  authed: boolean;
}

describe.each(DIALECTS)('property: customer API under hostile input (%s)', (dialect) => {
  // PostgreSQL runs half as many cases: the same generators, at a similar suite time.
  const RUNS = dialect === 'sqlite' ? BASE_RUNS : Math.ceil(BASE_RUNS / 2);
  let hub: TestHub;
  let me: { cookie: string; id: string; username: string };
  let conversationId: string;
  let pageId: string;
  let otherConversationId: string;

  beforeAll(async () => {
    hub = await buildTestHub({ dialect, env: { LOGIN_MAX_ATTEMPTS: '1000000', SERVICES: 'api,realtime' } });
    const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/unused', verifyToken: 'v' });
    pageId = page.page_id;
    me = await signUp(hub, 'propertyuser', 'correct horse battery');
    conversationId = (await openConversation(hub, me.cookie, pageId)).id;
    const other = await signUp(hub);
    otherConversationId = (await openConversation(hub, other.cookie, pageId)).id;
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  async function check(call: Call): Promise<number> {
    const before = await countAll(hub);
    const headers: Record<string, string> = {};
    if (call.authed) headers['cookie'] = me.cookie;
    if (call.origin !== undefined) headers['origin'] = call.origin;
    if (call.contentType !== undefined) headers['content-type'] = call.contentType;
    const res = await hub.app.inject({
      method: call.method,
      url: call.url,
      headers,
      ...(call.payload === undefined ? {} : { payload: call.payload }),
    });
    const diff = changed(before, await countAll(hub));
    expect(res.statusCode, `${call.method} ${call.url.slice(0, 120)}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
    assertPrototypeClean();
    if (res.statusCode >= 400) {
      expect(diff, `rejected (${res.statusCode}) but wrote: ${res.body.slice(0, 200)}`).toEqual({});
      // Fastify's router errors (414 FST_ERR_MAX_PARAM_LENGTH, 400 FST_ERR_BAD_URL) bypass the
      // error handler and answer Fastify's own `{error, code, message}` shape: see the report of issue 9.
      expect(res.json()).toHaveProperty('error');
    } else if (call.method === 'GET') {
      expect(diff).toEqual({});
    } else if (/\/messages$/.test(call.url) && res.statusCode === 201) {
      expect(diff).toEqual({ messages: 1, customer_events: 1, webhook_outbox: 1 });
    }
    return res.statusCode;
  }

  const body = fc.oneof(
    {
      arbitrary: fc.record({ payload: junkValue.map(junkToJson), contentType: fc.constant('application/json') }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        payload: anyString,
        contentType: fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
        ),
      }),
      weight: 1,
    },
    // NUL, unpaired surrogates or deep nesting in any field of a plausible body.
    {
      arbitrary: fc
        .oneof(
          poisoned({ username: 'someone', password: 'correct horse battery' }),
          poisoned({ text: 'hello', reply_to: { mid: 'm_1' } }),
          poisoned({ page_id: '1' }),
        )
        .map((payload) => ({ payload, contentType: 'application/json' })),
      weight: 2,
    },
    {
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(fc.constantFrom('username', 'password', 'text', 'page_id', ...NASTY_KEYS), anyString),
            anyString,
          ),
          { maxLength: 4 },
        )
        .map((pairs) => ({
          payload: pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'),
          contentType: 'application/x-www-form-urlencoded',
        })),
      weight: 1,
    },
  );
  // Half the requests carry no Origin (a same-site client); the rest carry any origin.
  const origin = fc.option(
    fc.oneof(
      fc.constantFrom('http://localhost', 'http://evil.example', 'null', ''),
      anyString.map((s) => s.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '')),
    ),
    { nil: undefined, freq: 2 },
  );

  it('signup and login: junk credentials never 5xx; only a 201 signup creates a customer', async () => {
    const seen = new Set<string>();
    const credentials = fc.oneof(
      body,
      objectWith(['username', 'password'])
        .map(junkToJson)
        .map((payload) => ({ payload, contentType: 'application/json' })),
      // Well-shaped credentials, weighted so that some signups and logins succeed in every run.
      {
        arbitrary: fc
          .record({
            username: fc.oneof(anyString, fc.stringMatching(/^[a-z][a-z0-9_]{2,12}$/)),
            password: fc.oneof(anyString, fc.constant('correct horse battery')),
          })
          .map((c) => ({ payload: JSON.stringify(c), contentType: 'application/json' })),
        weight: 3,
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/signup', '/api/login'), credentials, origin, async (url, b, o) => {
        const before = await countAll(hub);
        const status = await check({
          method: 'POST',
          url,
          ...b,
          ...(o === undefined ? {} : { origin: o }),
          authed: false,
        });
        const after = await countAll(hub);
        if (url === '/api/signup')
          expect(changed(before, after)).toEqual(status === 201 ? { customers: 1, sessions: 1 } : {});
        else expect(changed(before, after)).toEqual(status === 200 ? { sessions: 1 } : {});
        seen.add(`${url} ${status}`);
      }),
      { numRuns: RUNS },
    );
    // Both outcomes were exercised, so the invariants were checked on writes too.
    expect(seen).toContain('/api/signup 201');
    expect(seen).toContain('/api/signup 400');
  }, 60_000);

  it('conversations and messages: junk path ids, query strings and bodies never 5xx or write partially', async () => {
    let created = 0;
    const id = fc.oneof(
      fc.constant(null).map(() => conversationId),
      fc.constant(null).map(() => otherConversationId),
      anyString.map(percentEncode),
      fc.constantFrom(...RAW_PERCENT, '..', '%2e%2e%2f', 'x'.repeat(65), '0', '-1', '__proto__', 'constructor'),
    );
    const query = fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom('before', 'limit', 'q', 'cursor', ...NASTY_KEYS), anyString),
        fc.oneof(anyString, fc.constantFrom('0', '-1', '201', '1e3', '50', 'NaN', ...RAW_PERCENT)),
      ),
      { maxLength: 3 },
    );
    const call = fc.oneof(
      // A well-formed message from the signed-in customer, so accepted writes are checked too.
      anyString.map((text) => ({
        method: 'POST' as const,
        url: `/api/conversations/${conversationId}/messages`,
        payload: JSON.stringify({ text }),
        contentType: 'application/json',
        wellFormed: true,
      })),
      fc
        .tuple(id, query)
        .map(([i, q]) => ({ method: 'GET' as const, url: `/api/conversations/${i}/messages${qs(q)}` })),
      fc.tuple(id).map(([i]) => ({ method: 'GET' as const, url: `/api/conversations/${i}` })),
      query.map((q) => ({ method: 'GET' as const, url: `/api/pages${qs(q)}` })),
      fc
        .tuple(
          id,
          fc.oneof(body, fc.constant({ payload: JSON.stringify({ text: 'hello' }), contentType: 'application/json' })),
        )
        .map(([i, b]) => ({ method: 'POST' as const, url: `/api/conversations/${i}/messages`, ...b })),
      fc
        .tuple(id, fc.option(body, { nil: undefined }))
        .map(([i, b]) => ({ method: 'POST' as const, url: `/api/conversations/${i}/read`, ...(b ?? {}) })),
      fc
        .oneof(body, fc.constant({ payload: JSON.stringify({ page_id: 'PAGE' }), contentType: 'application/json' }))
        .map((b) => ({
          method: 'POST' as const,
          url: '/api/conversations',
          ...b,
          payload: b.payload.replace('PAGE', pageId),
        })),
      body.map((b) => ({ method: 'POST' as const, url: '/api/password', ...b })),
    );
    await fc.assert(
      fc.asyncProperty(call, fc.boolean(), origin, async (c, authed, o) => {
        const sure = 'wellFormed' in c;
        const status = await check({
          ...c,
          authed: authed || sure || c.method === 'GET',
          ...(o === undefined || sure ? {} : { origin: o }),
        });
        if (status === 201) created += 1;
      }),
      { numRuns: RUNS * 2 },
    );
    expect(created).toBeGreaterThan(0);
  }, 60_000);
});

function qs(pairs: Array<[string, string]>): string {
  return pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`;
}
