/**
 * Send API limits held by the shared database, not by one process: two hubs on one
 * PostgreSQL schema share each page's rate limit (leased one-second windows) and see the
 * same 24-hour messaging window.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.js';
import { buildGraphFixture, textSend, type GraphFixture } from '../contract/graph-fixtures.js';
import { testClock, type TestClock } from '../helpers.js';
import { buildScaleHub, createSharedSchema, uniquePrefix, type SharedSchema } from './scale-helpers.js';

const DAY = 24 * 3_600_000;

interface Answer {
  status: number;
  code?: number;
  subcode?: number;
  retryAfter?: string;
}

async function send(hub: Hub, fx: GraphFixture, text: string): Promise<Answer> {
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
    payload: textSend(fx.psid, text),
  });
  const error = res.statusCode === 200 ? undefined : (res.json().error as { code: number; error_subcode?: number });
  return {
    status: res.statusCode,
    ...(error === undefined ? {} : { code: error.code }),
    ...(error?.error_subcode === undefined ? {} : { subcode: error.error_subcode }),
    ...(res.headers['retry-after'] === undefined ? {} : { retryAfter: String(res.headers['retry-after']) }),
  };
}

describe('limits shared by hubs on one PostgreSQL schema', () => {
  let schema: SharedSchema;
  const hubs: Hub[] = [];
  beforeEach(async () => {
    schema = await createSharedSchema();
  });
  afterEach(async () => {
    for (const h of hubs.splice(0)) await h.close();
    await schema.drop();
  });

  async function twoHubs(env: Record<string, string>, clock?: TestClock): Promise<[Hub, Hub]> {
    const prefix = uniquePrefix();
    const options = { env: { SERVICES: 'api,realtime', ...env }, ...(clock === undefined ? {} : { now: clock.now }) };
    // One after the other: the first applies the migrations.
    const a = await buildScaleHub(schema.url, prefix, options);
    hubs.push(a);
    const b = await buildScaleHub(schema.url, prefix, options);
    hubs.push(b);
    return [a, b];
  }

  it('accepts at most SEND_RATE_LIMIT_PER_PAGE calls per second across both hubs; the rest get 613', async () => {
    const clock = testClock();
    const [a, b] = await twoHubs({ SEND_RATE_LIMIT_PER_PAGE: '40' }, clock);
    const fx = await buildGraphFixture(a);

    // 60 concurrent calls on each hub, all in the same second: more than the limit on each.
    const answers = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => send(a, fx, `a${i}`).then((r) => ({ hub: 'a', ...r }))),
      ...Array.from({ length: 60 }, (_, i) => send(b, fx, `b${i}`).then((r) => ({ hub: 'b', ...r }))),
    ]);
    const accepted = answers.filter((r) => r.status === 200);
    const limited = answers.filter((r) => r.status !== 200);
    // Both hubs ran out, so neither holds unspent calls: exactly the limit across both. How it
    // splits depends on which hub's calls reach the shared budget first (one may take it all).
    expect(accepted).toHaveLength(40);
    expect(limited.every((r) => r.status === 400 && r.code === 613 && r.retryAfter === '1')).toBe(true);

    // The next second is a new window for both hubs.
    clock.advance(1000);
    expect((await send(a, fx, 'next second on a')).status).toBe(200);
    expect((await send(b, fx, 'next second on b')).status).toBe(200);
  }, 60_000);

  it('keeps every one-second window at or under the limit under a continuous load on both hubs (real clock)', async () => {
    const limit = 40;
    // Several transactions in flight per hub: a call stamped just before a second changes may
    // take its token after the next window opened, and must still count in its own second.
    const [a, b] = await twoHubs({ SEND_RATE_LIMIT_PER_PAGE: String(limit), DATABASE_WRITE_CONCURRENCY: '4' });
    const fx = await buildGraphFixture(a);
    const deadline = Date.now() + 3_000;
    const answers: Answer[] = [];
    await Promise.all(
      [a, a, a, b, b, b].map(async (hub, w) => {
        for (let i = 0; Date.now() < deadline; i++) answers.push(await send(hub, fx, `w${w}-${i}`));
      }),
    );
    const perWindow = await sql<{ window_start: number; n: number }>`
      select (created_at / 1000) * 1000 as window_start, count(*)::int as n
      from messages where direction = 'out' group by 1 order by 1`.execute(a.ctx.storage.db);
    const counts = perWindow.rows.map((r) => r.n);
    process.stdout.write(
      `two hubs, limit ${limit}/s: accepted per window ${JSON.stringify(counts)}, ${answers.filter((r) => r.code === 613).length} answered 613\n`,
    );
    expect(Math.max(...counts)).toBeLessThanOrEqual(limit);
    expect(answers.filter((r) => r.status !== 200).every((r) => r.code === 613)).toBe(true);
    // The load went over the limit (how far depends on the machine: windows are not asserted full).
    expect(answers.some((r) => r.code === 613)).toBe(true);
  }, 60_000);

  it('holds the 24-hour window across hubs: the customer writes on hub A, hub B may answer for 24 hours', async () => {
    const clock = testClock();
    const [a, b] = await twoHubs({}, clock);
    const fx = await buildGraphFixture(a);

    clock.advance(DAY - 60_000);
    expect(await send(b, fx, 'within the window')).toMatchObject({ status: 200 });
    clock.advance(60_001);
    expect(await send(b, fx, 'a day later')).toMatchObject({ status: 400, code: 10, subcode: 2018278 });
    expect(await send(a, fx, 'a day later')).toMatchObject({ status: 400, code: 10, subcode: 2018278 });

    // The customer writes again, now on hub B: hub A may answer.
    const res = await b.app.inject({
      method: 'POST',
      url: `/api/conversations/${fx.conversationId}/messages`,
      headers: { cookie: fx.customer.cookie },
      payload: { text: 'back again' },
    });
    expect(res.statusCode).toBe(201);
    expect(await send(a, fx, 'answer on a')).toMatchObject({ status: 200 });
  }, 60_000);
});
