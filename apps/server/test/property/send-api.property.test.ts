/**
 * Property: whatever arrives at `POST /v25.0/me/messages` (JSON, form-urlencoded or
 * multipart; nested junk, wrong types, huge strings, unicode, `__proto__` keys), the hub
 * never answers 5xx, and a rejected request writes nothing: messages, customer_events,
 * webhook_outbox and the rest keep their row counts. An accepted message writes exactly
 * one message, one stream event and one webhook event (the app subscribes to echoes).
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';
import {
  anyString,
  assertPrototypeClean,
  changed,
  countAll,
  junkToJson,
  junkValue,
  mutate,
  NASTY_KEYS,
  objectWith,
  percentEncode,
  poisoned,
  RAW_PERCENT,
} from './junk.js';

const BASE_RUNS = Number(process.env['PROPERTY_RUNS'] ?? 250);

describe.each(DIALECTS)('property: Send API under hostile input (%s)', (dialect) => {
  // PostgreSQL runs half as many cases: the same generators, at a similar suite time.
  const RUNS = dialect === 'sqlite' ? BASE_RUNS : Math.ceil(BASE_RUNS / 2);
  let hub: TestHub;
  let fx: GraphFixture;
  let token: string;

  beforeAll(async () => {
    hub = await buildTestHub({
      dialect,
      clock: testClock(),
      // No worker: the outbox rows stay put, so their count is exact.
      env: { SEND_RATE_LIMIT_PER_PAGE: '1000000', SERVICES: 'api,realtime' },
    });
    const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/unused', verifyToken: 'v' });
    fx = await buildGraphFixture(hub, { page });
    token = fx.page.page_access_token;
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  const valid = () => ({
    recipient: { id: fx.psid },
    messaging_type: 'RESPONSE',
    message: { text: 'hello', quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'Y' }], metadata: 'm' },
  });

  /** Sends one request and checks the invariants; returns the status for coverage stats. */
  async function check(request: { payload: string | Buffer; contentType: string; query?: string }): Promise<number> {
    const before = await countAll(hub);
    const res = await hub.app.inject({
      method: 'POST',
      url: `/v25.0/me/messages?access_token=${token}${request.query ?? ''}`,
      headers: { 'content-type': request.contentType },
      payload: request.payload,
    });
    const after = await countAll(hub);
    const diff = changed(before, after);
    expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
    assertPrototypeClean();
    if (res.statusCode !== 200) {
      expect(diff, `rejected (${res.statusCode}) but wrote: ${res.body.slice(0, 200)}`).toEqual({});
      const error = res.json().error;
      expect(typeof error.code).toBe('number');
      expect(typeof error.message).toBe('string');
    } else if (res.json().message_id !== undefined) {
      expect(diff).toMatchObject({ messages: 1, customer_events: 1, webhook_outbox: 1 });
      expect(diff.conversations).toBeUndefined();
    } else {
      expect(diff.messages).toBeUndefined();
    }
    return res.statusCode;
  }

  it('JSON bodies: junk and mutated valid sends never 5xx and never write partially', async () => {
    const statuses = new Map<number, number>();
    const body = fc.oneof(
      junkValue.map(junkToJson),
      objectWith(['recipient', 'message', 'messaging_type', 'sender_action', 'tag', 'persona_id', 'reply_to']).map(
        junkToJson,
      ),
      fc.constant(null).chain(() => mutate(valid())),
      // NUL, unpaired surrogates or deep nesting in any string or object field of a valid send.
      fc.constant(null).chain(() => poisoned(valid())),
      anyString, // not JSON at all, mostly
      // Beyond BODY_LIMIT (1 MiB): refused before parsing.
      fc.constant(null).map(() => JSON.stringify({ ...valid(), message: { text: 'x'.repeat(1_100_000) } })),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const status = await check({ payload, contentType: 'application/json' });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    // The generators reach both outcomes: some mutations are still valid sends.
    expect([...statuses.keys()].some((s) => s === 200)).toBe(true);
    expect([...statuses.keys()].some((s) => s === 400)).toBe(true);
  }, 60_000);

  it('form-urlencoded bodies: JSON-valued fields, single quotes, repeated keys and junk never 5xx', async () => {
    const field = fc.oneof(
      fc.constantFrom(
        'recipient',
        'message',
        'messaging_type',
        'sender_action',
        'tag',
        'persona_id',
        'access_token',
        'appsecret_proof',
      ),
      fc.constantFrom(...NASTY_KEYS),
      anyString,
      fc.constantFrom('message[text]', 'recipient[id]', '__proto__[polluted]', 'constructor[prototype][polluted]'),
    );
    const value = fc.oneof(
      anyString,
      junkValue.map(junkToJson),
      fc.constantFrom(
        JSON.stringify({ text: 'hi' }),
        "{'text':'single'}",
        'RESPONSE',
        'UPDATE',
        'MESSAGE_TAG',
        'typing_on',
        'mark_seen',
      ),
      // A JSON-valued field carrying the poison as an escape (`\u0000`, `\ud800`) or deep nesting.
      poisoned({ text: 'hi', quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'Y' }] }),
    );
    const form = fc.array(fc.tuple(field, value), { maxLength: 8 }).map((pairs) => {
      const params = new URLSearchParams();
      // A plausible base half of the time, so validation goes deep before failing.
      if (pairs.length % 2 === 0) {
        params.append('recipient', JSON.stringify({ id: fx.psid }));
        params.append('messaging_type', 'RESPONSE');
      }
      for (const [k, v] of pairs) params.append(k, v);
      return params.toString();
    });
    await fc.assert(
      fc.asyncProperty(form, async (payload) => {
        await check({ payload, contentType: 'application/x-www-form-urlencoded' });
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('multipart bodies: junk fields, stray and oversized-name files, truncated parts never 5xx', async () => {
    const part = fc.oneof(
      fc
        .tuple(
          fc.oneof(fc.constantFrom('recipient', 'message', 'messaging_type', 'filedata', ...NASTY_KEYS), anyString),
          fc.oneof(anyString, junkValue.map(junkToJson)),
        )
        .map(([name, value]) => ({ kind: 'field' as const, name, value })),
      fc
        .record({
          name: fc.oneof(fc.constant('filedata'), anyString),
          filename: anyString,
          type: fc.oneof(
            fc.constantFrom('image/png', 'application/pdf', 'text/plain', 'application/x-msdownload', ''),
            anyString,
          ),
          data: fc.uint8Array({ maxLength: 2048 }),
        })
        .map((f) => ({ kind: 'file' as const, ...f })),
    );
    const message = fc.constantFrom(
      JSON.stringify({ attachment: { type: 'image', payload: {} } }),
      JSON.stringify({ attachment: { type: 'file', payload: { is_reusable: true } } }),
      JSON.stringify({ text: 'with a file' }),
    );
    const body = fc
      .record({
        parts: fc.array(part, { maxLength: 6 }),
        message,
        withBase: fc.boolean(),
        truncate: fc.nat({ max: 100 }),
      })
      .map(({ parts, message: m, withBase, truncate }) => {
        const boundary = `----confide${randomBytes(8).toString('hex')}`;
        const chunks: Buffer[] = [];
        const header = (name: string, extra = '') =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '_')}"${extra}\r\n`;
        const all = withBase
          ? [
              { kind: 'field' as const, name: 'recipient', value: JSON.stringify({ id: fx.psid }) },
              { kind: 'field' as const, name: 'messaging_type', value: 'RESPONSE' },
              { kind: 'field' as const, name: 'message', value: m },
              ...parts,
            ]
          : parts;
        for (const p of all) {
          if (p.kind === 'field') chunks.push(Buffer.from(`${header(p.name)}\r\n${p.value}\r\n`));
          else {
            chunks.push(
              Buffer.from(
                `${header(p.name, `; filename="${p.filename.replace(/["\r\n]/g, '_')}"`)}Content-Type: ${p.type.replace(/[\r\n]/g, '') || 'application/octet-stream'}\r\n\r\n`,
              ),
            );
            chunks.push(Buffer.from(p.data), Buffer.from('\r\n'));
          }
        }
        chunks.push(Buffer.from(`--${boundary}--\r\n`));
        let payload = Buffer.concat(chunks);
        // One body in ten is cut short, as a client dying mid-upload would leave it.
        if (truncate < 10) payload = payload.subarray(0, Math.floor((payload.length * truncate) / 10));
        return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
      });
    await fc.assert(
      fc.asyncProperty(body, async (request) => {
        await check(request);
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  it('query strings: junk parameters next to (or instead of) the body never 5xx', async () => {
    const query = fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom('recipient', 'message', 'messaging_type', 'access_token', ...NASTY_KEYS), anyString),
        fc.oneof(anyString, junkValue.map(junkToJson), fc.constantFrom(...RAW_PERCENT)),
      ),
      { maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(query, fc.boolean(), async (pairs, withBody) => {
        const qs = pairs.map(([k, v]) => `&${percentEncode(k)}=${percentEncode(v)}`).join('');
        await check({ payload: withBody ? JSON.stringify(valid()) : '', contentType: 'application/json', query: qs });
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  }, 60_000);

  it('any Content-Type, including malformed ones, never 5xx', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'text/plain',
        'application/xml',
        'multipart/form-data',
        'multipart/form-data; boundary=',
        'multipart/mixed; boundary=x',
        'application/x-www-form-urlencoded; charset=utf-16',
        ';;;',
        'application/*',
      ),
      anyString.map((s) => s.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '') || 'x'),
    );
    await fc.assert(
      fc.asyncProperty(
        contentType,
        fc.oneof(
          junkValue.map(junkToJson),
          fc.constant(null).map(() => JSON.stringify(valid())),
        ),
        async (type, payload) => {
          await check({ payload, contentType: type });
        },
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  }, 60_000);
});
