/**
 * PostgreSQL outage without stopping the shared server: a hub reaches PostgreSQL through
 * a TCP proxy the test cuts during a Send API load. While cut, the hub answers 503 (Graph
 * code 2) quickly instead of crashing or hanging; once restored it recovers by itself;
 * every acknowledged write is there, and no message was written without its stream event
 * and webhook event.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createHub, type Hub } from '../../src/hub.js';
import { buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';
import { createPage } from '../helpers.js';
import { createSharedSchema, type SharedSchema } from '../scale/scale-helpers.js';
import { FaultProxy, type ProxyState } from './fault-proxy.js';

const PG_PORT = Number(
  new URL(process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test').port || 5432,
);

interface Outcome {
  status: number;
  code: number | undefined;
  /** Proxy state when the request was issued and when it was answered. */
  issued: ProxyState;
  answered: ProxyState;
  mid?: string;
  cause?: string;
}

describe('PostgreSQL outage through a TCP proxy', () => {
  let schema: SharedSchema | undefined;
  let proxy: FaultProxy | undefined;
  let hub: Hub | undefined;
  const causes = new Map<string, string>();
  afterEach(async () => {
    proxy?.set('open');
    await hub?.close();
    await proxy?.close();
    await schema?.drop();
    hub = undefined;
    proxy = undefined;
    schema = undefined;
  });

  async function setup(): Promise<{ hub: Hub; proxy: FaultProxy; fx: GraphFixture }> {
    schema = await createSharedSchema();
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: PG_PORT });
    const url = new URL(schema.url);
    url.port = String(proxy.port);
    const config = loadConfig(
      // No worker: outbox rows stay put, so "one webhook event per message" is countable.
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: '0',
        DATABASE_URL: url.toString(),
        SERVICES: 'api,realtime',
        SEND_RATE_LIMIT_PER_PAGE: '100000',
        DATABASE_QUERY_TIMEOUT_MS: '3000',
      },
      () => undefined,
    );
    hub = await createHub(config);
    // The cause of each failed request, so an unexpected answer names it.
    hub.app.addHook('onError', async (request, _reply, err) => {
      causes.set(request.id, `${(err as { code?: string }).code ?? ''} ${err.message}`);
    });
    const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/unused', verifyToken: 'v' });
    const fx = await buildGraphFixture(hub, { page });
    return { hub, proxy, fx };
  }

  /** Send API load from `workers` loops until `stop()`; bounded in count per worker. */
  function load(h: Hub, p: FaultProxy, fx: GraphFixture, workers = 8) {
    const outcomes: Outcome[] = [];
    let stopped = false;
    const loops = Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !stopped && i < 4_000; i++) {
        const issued = p.state;
        const res = await h.app.inject({
          method: 'POST',
          url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
          payload: { recipient: { id: fx.psid }, messaging_type: 'RESPONSE', message: { text: `w${w}-${i}` } },
        });
        const body = res.json();
        const cause = causes.get(String(res.headers['x-request-id']));
        outcomes.push({
          status: res.statusCode,
          code: body.error?.code,
          issued,
          answered: p.state,
          ...(res.statusCode === 200 ? { mid: body.message_id } : {}),
          ...(cause === undefined || res.statusCode === 503 ? {} : { cause }),
        });
        // Failing fast is the point; do not spin on it.
        if (res.statusCode !== 200) await new Promise((r) => setTimeout(r, 5));
      }
    });
    return {
      outcomes,
      acked: () => outcomes.flatMap((o) => (o.mid === undefined ? [] : [o.mid])),
      async stop() {
        stopped = true;
        await Promise.all(loops);
      },
    };
  }

  async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await predicate())) await new Promise((r) => setTimeout(r, 10));
  }

  async function checkStored(h: Hub, acked: string[]): Promise<void> {
    const stored = new Set((await h.ctx.storage.db.selectFrom('messages').select('mid').execute()).map((r) => r.mid));
    expect(acked.filter((m) => !stored.has(m))).toEqual([]);
    // Each message committed together with its stream event and its webhook event.
    const orphans = await sql<{ n: number }>`
      select count(*)::int as n from messages m
      where (select count(*) from customer_events e where e.ref = m.mid) <> 1
         or (select count(*) from webhook_outbox o where o.conversation_id = m.conversation_id) = 0`.execute(
      h.ctx.storage.db,
    );
    expect(orphans.rows[0]?.n).toBe(0);
    const counts = await sql<{ messages: number; events: number; outbox: number }>`
      select (select count(*)::int from messages) as messages,
             (select count(*)::int from customer_events where type = 'message') as events,
             (select count(*)::int from webhook_outbox) as outbox`.execute(h.ctx.storage.db);
    expect(counts.rows[0]?.events).toBe(counts.rows[0]?.messages);
    expect(counts.rows[0]?.outbox).toBe(counts.rows[0]?.messages);
  }

  it('answers 503 while the connection is reset, recovers by itself, keeps every acknowledged write', async () => {
    const { hub: h, proxy: p, fx } = await setup();
    const run = load(h, p, fx);
    await until(() => run.acked().length >= 100);

    p.set('reset');
    const cutAt = run.outcomes.length;
    await until(() => run.outcomes.slice(cutAt).filter((o) => o.issued === 'reset').length >= 40);
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);

    p.set('open');
    const restoredAt = run.acked().length;
    await until(() => run.acked().length >= restoredAt + 100);
    await run.stop();
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    const whileCut = run.outcomes.filter((o) => o.issued === 'reset' && o.answered === 'reset');
    expect(whileCut.length).toBeGreaterThanOrEqual(40);
    // Every answer was a success or a transient "unavailable": never a 500, a 4xx or a crash.
    const unexpected = run.outcomes.filter((o) => o.status !== 200 && !(o.status === 503 && o.code === 2));
    expect(unexpected).toEqual([]);
    expect(whileCut.every((o) => o.status === 503)).toBe(true);
    await checkStored(h, run.acked());
    process.stdout.write(
      `pg reset: ${run.acked().length} acknowledged, ${run.outcomes.filter((o) => o.status === 503).length} answered 503\n`,
    );
  }, 60_000);

  // A silent link (no reset) would otherwise wait for the kernel's TCP timeout (~15 min);
  // DATABASE_QUERY_TIMEOUT_MS bounds every query, and a connection whose query timed out is
  // closed (storage/pg-pool.ts) instead of going back to the pool stuck behind that query, so
  // the hub recovers as soon as the link is back.
  it('answers (not hangs) while the link is a black hole, and recovers when it comes back', async () => {
    const { hub: h, proxy: p, fx } = await setup();
    const run = load(h, p, fx, 4);
    await until(() => run.acked().length >= 50);

    p.set('blackhole');
    const cutAt = run.outcomes.length;
    // Liveness, not speed: requests issued into the black hole get an answer at all.
    const answered = until(() => run.outcomes.slice(cutAt).filter((o) => o.issued === 'blackhole').length >= 4);
    const bound = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref());
    const result = await Promise.race([answered.then(() => 'answered' as const), bound]);
    const stuck = run.outcomes.slice(cutAt);
    p.set('open');
    expect(result, `answers after the black hole: ${JSON.stringify(stuck.slice(0, 5))}`).toBe('answered');
    expect(
      run.outcomes
        .slice(cutAt)
        .filter((o) => o.issued === 'blackhole')
        .every((o) => o.status === 503 && o.code === 2),
    ).toBe(true);

    const restoredAt = run.acked().length;
    const restoredTime = Date.now();
    await until(() => run.acked().length > restoredAt);
    const firstAckMs = Date.now() - restoredTime;
    await until(() => run.acked().length >= restoredAt + 50);
    const fiftyAcksMs = Date.now() - restoredTime;
    await run.stop();
    process.stdout.write(
      `pg black hole: first acknowledged write ${firstAckMs} ms after the link came back, 50 in ${fiftyAcksMs} ms\n`,
    );
    // Prompt: well within one query timeout (3 s), even on a loaded machine.
    expect(firstAckMs).toBeLessThan(3_000);
    await checkStored(h, run.acked());
  }, 60_000);
});
