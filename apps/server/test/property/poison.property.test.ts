/**
 * Property: a NUL byte, an unpaired surrogate (high, low or reversed), a NUL or surrogate in
 * a key, or deep nesting, in any string or object field of a valid request — on the Send
 * API (text, quick replies, every template, image by URL), the Messenger Profile, personas
 * and the customer API — never answers 5xx on either dialect, and a refused request stores
 * nothing. First every field with every poison (a deterministic sweep), then random
 * positions and depths. What is accepted stays readable: the customer's messages, the
 * page's profile and the webhook payloads.
 */
import { serializeWebhookBody } from '@confide/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';
import { buildTestHub, createPage, DIALECTS, signUp, testClock, type TestHub } from '../helpers.js';
import {
  assertPrototypeClean,
  changed,
  countAll,
  everyPoisoning,
  fieldPaths,
  poisonAt,
  poisoned,
  type Poison,
} from './junk.js';

const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 250);

interface Target {
  name: string;
  method: 'POST';
  url: () => string;
  cookie?: () => string;
  valid: () => Record<string, unknown>;
}

describe.each(DIALECTS)('property: poisoned fields (%s)', (dialect) => {
  let hub: TestHub;
  let fx: GraphFixture;
  let passwordCookie: string;
  let lastResponse: { json(): { error?: unknown } } | undefined;

  beforeAll(async () => {
    hub = await buildTestHub({
      dialect,
      clock: testClock(),
      env: { SEND_RATE_LIMIT_PER_PAGE: '1000000', LOGIN_MAX_ATTEMPTS: '1000000', SERVICES: 'api,realtime' },
    });
    const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/unused', verifyToken: 'v' });
    fx = await buildGraphFixture(hub, { page });
    passwordCookie = (await signUp(hub, 'poisonpass', 'correct horse battery')).cookie;
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  const graph = (path: string) => () => `/v25.0/me/${path}?access_token=${fx.page.page_access_token}`;
  const send =
    (message: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    () => ({
      recipient: { id: fx.psid },
      messaging_type: 'RESPONSE',
      message,
      ...extra,
    });
  const targets: Target[] = [
    {
      name: 'send: text, quick replies, metadata',
      method: 'POST',
      url: graph('messages'),
      valid: send({
        text: 'hello',
        quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'Y', image_url: 'https://bank.example/y.png' }],
        metadata: 'm',
      }),
    },
    {
      name: 'send: generic template',
      method: 'POST',
      url: graph('messages'),
      valid: send({
        attachment: {
          type: 'template',
          payload: {
            template_type: 'generic',
            image_aspect_ratio: 'square',
            elements: [
              {
                title: 'Card',
                subtitle: 'No fee',
                image_url: 'https://bank.example/c.png',
                default_action: { type: 'web_url', url: 'https://bank.example/c' },
                buttons: [
                  { type: 'postback', title: 'Choose', payload: 'C' },
                  { type: 'web_url', title: 'More', url: 'https://bank.example/m' },
                ],
              },
            ],
          },
        },
      }),
    },
    {
      name: 'send: button template',
      method: 'POST',
      url: graph('messages'),
      valid: send({
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: 'What next?',
            buttons: [{ type: 'phone_number', title: 'Call', payload: '+442079460000' }],
          },
        },
      }),
    },
    {
      name: 'send: receipt template',
      method: 'POST',
      url: graph('messages'),
      valid: send({
        attachment: {
          type: 'template',
          payload: {
            template_type: 'receipt',
            recipient_name: 'Ada',
            order_number: 'R-1',
            currency: 'EUR',
            payment_method: 'Visa 4242',
            elements: [
              { title: 'Coffee', subtitle: 'Large', price: 4.5, quantity: 1, image_url: 'https://bank.example/k.png' },
            ],
            address: { street_1: '1 Way', city: 'Paris', postal_code: '75001', state: 'IDF', country: 'FR' },
            summary: { total_cost: 4.5 },
          },
        },
      }),
    },
    {
      name: 'send: image by URL',
      method: 'POST',
      url: graph('messages'),
      valid: send(
        { attachment: { type: 'image', payload: { url: 'https://bank.example/a.png', is_reusable: false } } },
        { notification_type: 'REGULAR' },
      ),
    },
    {
      name: 'messenger profile',
      method: 'POST',
      url: graph('messenger_profile'),
      valid: () => ({
        get_started: { payload: 'GS' },
        greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}' }],
        ice_breakers: [{ question: 'Balance?', payload: 'B' }],
        persistent_menu: [
          {
            locale: 'default',
            composer_input_disabled: false,
            call_to_actions: [
              { type: 'postback', title: 'Balance', payload: 'BAL' },
              { type: 'web_url', title: 'Site', url: 'https://bank.example' },
            ],
          },
        ],
      }),
    },
    {
      name: 'personas',
      method: 'POST',
      url: graph('personas'),
      valid: () => ({ name: 'Dana', profile_picture_url: 'https://bank.example/d.png' }),
    },
    {
      name: 'customer: message',
      method: 'POST',
      url: () => `/api/conversations/${fx.conversationId}/messages`,
      cookie: () => fx.customer.cookie,
      valid: () => ({ text: 'hi there' }),
    },
    {
      name: 'customer: open conversation',
      method: 'POST',
      url: () => '/api/conversations',
      cookie: () => fx.customer.cookie,
      valid: () => ({ page_id: fx.page.page_id }),
    },
    {
      name: 'customer: login',
      method: 'POST',
      url: () => '/api/login',
      valid: () => ({ username: 'poisonpass', password: 'correct horse battery' }),
    },
    {
      name: 'customer: signup',
      method: 'POST',
      url: () => '/api/signup',
      valid: () => ({ username: 'poisonnew', password: 'correct horse battery' }),
    },
    {
      name: 'customer: password',
      method: 'POST',
      url: () => '/api/password',
      cookie: () => passwordCookie,
      valid: () => ({ current_password: 'correct horse battery', new_password: 'correct horse battery' }),
    },
  ];

  /** What a refused request must leave alone: row counts, the page's profile and personas. */
  async function snapshot() {
    const db = hub.ctx.storage.db;
    const profile = await db.selectFrom('messenger_profile').select(['field', 'value']).orderBy('field').execute();
    const personas = await db
      .selectFrom('personas')
      .select(['id', 'name', 'profile_picture_url'])
      .orderBy('id')
      .execute();
    return { counts: await countAll(hub), rest: JSON.stringify({ profile, personas }) };
  }

  async function check(target: Target, json: string, label: string, contentType = 'application/json'): Promise<number> {
    const before = await snapshot();
    const cookie = target.cookie?.();
    const res = await hub.app.inject({
      method: target.method,
      url: target.url(),
      headers: { 'content-type': contentType, ...(cookie === undefined ? {} : { cookie }) },
      payload: json,
    });
    lastResponse = res;
    const after = await snapshot();
    const context = `${target.name}: ${label.slice(0, 160)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
    expect(res.statusCode, context).toBeLessThan(500);
    assertPrototypeClean();
    if (res.statusCode >= 400) {
      expect(changed(before.counts, after.counts), context).toEqual({});
      expect(after.rest, context).toBe(before.rest);
      expect(res.json(), context).toHaveProperty('error');
    }
    return res.statusCode;
  }

  it('the valid requests are accepted (so the sweep starts from requests that go deep)', async () => {
    for (const target of targets) {
      const status = await check(target, JSON.stringify(target.valid()), 'valid');
      expect(status, target.name).toBeLessThan(300);
    }
  });

  it('every string and object field, with every poison: never 5xx, nothing stored when refused', async () => {
    let refused = 0;
    for (const target of targets) {
      for (const { label, json, poison: p } of everyPoisoning(target.valid())) {
        const status = await check(target, json, label);
        if (status >= 400) refused += 1;
        // A NUL or an unpaired surrogate is never stored (text columns would keep U+FFFD, or bytes per dialect): a clear 400.
        if (p.kind !== 'deep') {
          const error = lastResponse?.json().error as { message?: string } | undefined;
          expect(status, `${target.name}: ${label}`).toBe(400);
          expect(error?.message, `${target.name}: ${label}`).toMatch(
            /contains a NUL character|contains an unpaired surrogate \(not valid Unicode\)/,
          );
        }
      }
    }
    expect(refused).toBeGreaterThan(300);
  }, 120_000);

  it('form-encoded Graph calls: the poison inside a JSON-valued field (message={...}) is refused the same way', async () => {
    const poisons: Poison[] = [
      { kind: 'nul', at: 1 },
      { kind: 'high', at: 3 },
      { kind: 'reversed', at: 0 },
      { kind: 'key', char: 'low' },
      { kind: 'deep', depth: 5_000, shape: 'object' },
    ];
    let checked = 0;
    for (const target of targets.filter((t) => t.cookie === undefined && t.url().startsWith('/v25.0/'))) {
      const valid = target.valid();
      for (const [key, value] of Object.entries(valid)) {
        if (typeof value !== 'object' || value === null) continue;
        for (const { path } of fieldPaths(value)) {
          for (const p of poisons) {
            const form = new URLSearchParams();
            for (const [k, v] of Object.entries(valid))
              form.append(
                k,
                k === key
                  ? poisonAt(value as Record<string, unknown>, path, p)
                  : typeof v === 'string'
                    ? v
                    : JSON.stringify(v),
              );
            const status = await check(
              target,
              form.toString(),
              `${key}.${path.join('.')} ← ${JSON.stringify(p)} (form)`,
              'application/x-www-form-urlencoded',
            );
            expect(status, `${target.name}: ${key}.${path.join('.')} ← ${JSON.stringify(p)}`).toBeGreaterThanOrEqual(
              400,
            );
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  }, 120_000);

  it('random fields, positions and depths: never 5xx, nothing stored when refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...targets.keys())
          .chain((i) => poisoned(targets[i]!.valid()).map((json) => [targets[i]!, json] as const)),
        async ([target, json]) => {
          await check(target, json, json.slice(0, 160));
        },
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  }, 120_000);

  it('what was accepted stays readable: messages, conversations, the profile and the webhook payloads', async () => {
    const as = (url: string, cookie?: string) =>
      hub.app.inject({ method: 'GET', url, headers: cookie === undefined ? {} : { cookie } });
    expect(
      (await as(`/api/conversations/${fx.conversationId}/messages?limit=200`, fx.customer.cookie)).statusCode,
    ).toBe(200);
    expect((await as('/api/conversations', fx.customer.cookie)).statusCode).toBe(200);
    expect((await as(`/api/conversations/${fx.conversationId}/profile`, fx.customer.cookie)).statusCode).toBe(200);
    expect(
      (
        await as(
          graph('messenger_profile')().replace('?', '?fields=get_started,greeting,ice_breakers,persistent_menu&'),
        )
      ).statusCode,
    ).toBe(200);
    const outbox = await hub.ctx.storage.db.selectFrom('webhook_outbox').select('payload').execute();
    expect(outbox.length).toBeGreaterThan(0);
    for (const row of outbox) {
      const item = await hub.ctx.storage.vault.openPayload(
        { purpose: 'deliver_to_business', actor: 'test' },
        fx.customer.id,
        row.payload,
      );
      // The bytes a webhook POST carries: ASCII, parseable, the same item back.
      const raw = serializeWebhookBody({ object: 'page', entry: [{ messaging: [item] }] });
      expect(raw).toMatch(/^[\x20-\x7e]*$/);
      expect(JSON.parse(raw).entry[0].messaging[0]).toEqual(item);
    }
  });
});
