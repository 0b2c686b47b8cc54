/**
 * customer-send: customers post messages through the customer API
 * (`POST /api/conversations/:id/messages`), one per request over 64 keep-alive
 * connections, each holding its stream open. The same write path as the Send API
 * (recordMessage under group commit, frame to the WebSocket), reached with a session
 * cookie instead of a page token; it carries the Send API's targets for comparison.
 */
import { loadNote, messageLoad } from '../lib/message-load.js';
import { measureBareHttp } from '../lib/reference-load.js';
import type { Scenario } from './types.js';

const CONNECTIONS = 64;

export const customerSend: Scenario = {
  name: 'customer-send',
  description: 'Customer API send, 64 keep-alive connections, senders connected by WebSocket',
  byDefault: false,
  unavailable: () => null,
  async run(ctx) {
    const m = await messageLoad(ctx, {
      scenario: 'customer-send',
      postgres: ctx.postgres,
      connections: CONNECTIONS,
      recipients: CONNECTIONS,
      requests: (fx) =>
        fx.customers.map((c) => ({
          method: 'POST',
          path: `/api/conversations/${c.conversationId}/messages`,
          headers: { cookie: c.cookie, 'content-type': 'application/json' },
          body: '{"text":"Can I raise my card limit? #$SEQ"}',
        })),
      okStatus: 201,
    });
    const ref = await measureBareHttp(ctx, CONNECTIONS);
    return {
      rows: [
        {
          scenario: 'customer-send',
          metric: 'throughput',
          unit: 'msg/s',
          measured: m.load.mps,
          target: { op: '>=', value: 10_000 },
          reference: ref.mps,
          note: loadNote(m),
        },
        {
          scenario: 'customer-send',
          metric: 'p99 latency',
          unit: 'ms',
          measured: m.load.latency.p99,
          target: { op: '<=', value: 25 },
          reference: ref.latency.p99,
        },
      ],
      details: { ...m, reference: ref },
    };
  },
};
