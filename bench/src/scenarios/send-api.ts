/**
 * send-api, send-api-pg and batch: a bank's app sends through the Platform API with its
 * page token, to recipients whose streams are open. One message per request on 64
 * keep-alive connections, or Graph batches of 50 `me/messages` operations.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RequestSpec } from '../load/http-client.js';
import { loadNote, messageLoad } from '../lib/message-load.js';
import { activityNote, HUB_APPLICATION_NAME, samplePgActivity, type PgActivity } from '../lib/pg-activity.js';
import { measureBareHttp } from '../lib/reference-load.js';
import { postgresAvailable, type Fixture } from '../lib/seed.js';
import { cpuPerWriteRow, floorFor } from '../lib/floor-rows.js';
import type { RunContext, Scenario, ScenarioOutcome } from './types.js';

const CONNECTIONS = 64;
const BATCH = 50;
/** Recipients of the batch scenario; connection i sends to the 50 starting at 3i. */
const BATCH_RECIPIENTS = 3 * (CONNECTIONS - 1) + BATCH;
const SEND_BODY = (psid: string) =>
  `{"recipient":{"id":"${psid}"},"messaging_type":"RESPONSE","message":{"text":"Your card limit is now 5,000 EUR #$SEQ"}}`;

/** The Send API exists in this build of the server. */
export function sendApiBuilt(): string | null {
  const routes = fileURLToPath(new URL('../../../apps/server/dist/features/send-api/routes.js', import.meta.url));
  return fs.existsSync(routes) ? null : 'the Send API has not landed (apps/server/dist/features/send-api)';
}

export function sendRequests(fx: Fixture): RequestSpec[] {
  return fx.customers.map((c) => ({
    method: 'POST',
    path: `/v25.0/me/messages?access_token=${fx.pageToken}`,
    headers: { 'content-type': 'application/json' },
    body: SEND_BODY(c.psid),
  }));
}

async function sendApiRun(ctx: RunContext, name: string, postgres: boolean, minRate: number): Promise<ScenarioOutcome> {
  const m = await messageLoad(ctx, {
    scenario: name,
    postgres,
    connections: CONNECTIONS,
    recipients: CONNECTIONS,
    requests: sendRequests,
    prime: sendRequests,
    okStatus: 200,
    // On PostgreSQL, what the hub's backends do during the load (lib/pg-activity.ts).
    ...(postgres ? { hubEnv: { PGAPPNAME: HUB_APPLICATION_NAME }, observe: () => samplePgActivity() } : {}),
  });
  const ref = await measureBareHttp(ctx, CONNECTIONS, SEND_BODY('7000000000000000'));
  const floor = await floorFor(ctx, postgres, m);
  const pgActivity = m.observed as PgActivity | undefined;
  if (pgActivity !== undefined) ctx.log(`  PostgreSQL activity of the hub's backends: ${JSON.stringify(pgActivity)}`);
  const note = pgActivity === undefined ? loadNote(m) : `${loadNote(m)}; ${activityNote(pgActivity)}`;
  const rows: ScenarioOutcome['rows'] = [
    {
      scenario: name,
      metric: 'throughput',
      unit: 'msg/s',
      measured: m.load.mps,
      target: { op: '>=', value: minRate },
      reference: ref.mps,
      floor: floor.mps,
      note,
    },
  ];
  if (!postgres || name === 'send-api') {
    rows.push({
      scenario: name,
      metric: 'p99 latency',
      unit: 'ms',
      measured: m.load.latency.p99,
      target: { op: '<=', value: 25 },
      reference: ref.latency.p99,
    });
  } else {
    rows.push({
      scenario: name,
      metric: 'p99 latency',
      unit: 'ms',
      measured: m.load.latency.p99,
      target: null,
      reference: ref.latency.p99,
    });
  }
  rows.push(cpuPerWriteRow(name, m, floor));
  return { rows, details: { ...m, reference: ref, floor } };
}

export const sendApi: Scenario = {
  name: 'send-api',
  description: 'Send API, one message per request, 64 keep-alive connections, recipients connected by WebSocket',
  byDefault: true,
  unavailable: sendApiBuilt,
  run: (ctx) => sendApiRun(ctx, 'send-api', ctx.postgres, 10_000),
};

export const sendApiPg: Scenario = {
  name: 'send-api-pg',
  description: 'The send-api scenario on PostgreSQL',
  byDefault: true,
  unavailable: sendApiBuilt,
  async run(ctx) {
    if (!(await postgresAvailable())) throw new Error('PostgreSQL is not reachable (BENCH_DATABASE_URL)');
    return sendApiRun(ctx, 'send-api-pg', true, 5_000);
  },
};

/** A form-encoded Graph batch of 50 sends to 50 distinct recipients. */
export function batchRequests(fx: Fixture): RequestSpec[] {
  return Array.from({ length: CONNECTIONS }, (_, i) => {
    const ops = fx.customers.slice(3 * i, 3 * i + BATCH).map((c) => ({
      method: 'POST',
      relative_url: 'me/messages',
      body: `recipient=${encodeURIComponent(JSON.stringify({ id: c.psid }))}&messaging_type=RESPONSE&message=${encodeURIComponent(JSON.stringify({ text: 'Statement ready' }))}`,
    }));
    return {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${fx.pageToken}&batch=${encodeURIComponent(JSON.stringify(ops))}`,
    };
  });
}

export const batch: Scenario = {
  name: 'batch',
  description: 'Graph batch, 50 Send API operations per request, 64 connections',
  byDefault: true,
  unavailable: sendApiBuilt,
  async run(ctx) {
    const m = await messageLoad(ctx, {
      scenario: 'batch',
      postgres: ctx.postgres,
      connections: CONNECTIONS,
      recipients: BATCH_RECIPIENTS,
      requests: batchRequests,
      prime: sendRequests,
      okStatus: 200,
      // Each successful operation answers {"code":200,…}.
      countInBody: '"code":200',
      // A batch can take seconds: a longer window lets whole batches complete inside it.
      durationMs: Math.max(ctx.durationMs, 20_000),
    });
    const body =
      batchRequests({
        pageId: '',
        appId: '',
        appSecret: '',
        pageToken: 'x'.repeat(68),
        customers: Array.from({ length: BATCH_RECIPIENTS }, (_, i) => ({
          id: '',
          cookie: '',
          conversationId: '',
          psid: String(7e15 + i),
        })),
      })[0]?.body ?? '';
    const ref = await measureBareHttp(ctx, CONNECTIONS, body, 'application/x-www-form-urlencoded');
    const floor = await floorFor(ctx, ctx.postgres, m);
    return {
      rows: [
        {
          scenario: 'batch',
          metric: 'throughput',
          unit: 'msg/s',
          measured: m.load.mps,
          target: { op: '>=', value: 40_000 },
          reference: ref.rps * BATCH,
          floor: floor.mps,
          note: loadNote(m),
        },
        {
          scenario: 'batch',
          metric: 'p99 latency / batch',
          unit: 'ms',
          measured: m.load.latency.p99,
          target: null,
          reference: ref.latency.p99,
          note: `${m.load.ok} batches completed in the window`,
        },
        cpuPerWriteRow('batch', m, floor),
      ],
      details: { ...m, reference: ref, floor },
    };
  },
};
