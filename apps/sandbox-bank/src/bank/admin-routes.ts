/**
 * Demo controls behind a bearer token: stage a fraud scenario for a customer, run the
 * fraud-case sweeper, read the refusals log. Off unless BANK_ADMIN_TOKEN is set.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FraudCases } from './fraud/cases.js';
import type { BankDatabase } from './schema.js';
import type { SimulationDriver } from './simulator/driver.js';
import { SCENARIOS } from './simulator/simulator.js';

const SimulateBodySchema = z.object({
  scenario: z.enum(SCENARIOS),
  customer: z.string().min(1).max(64),
  card: z.string().max(64).optional(),
});

export function adminRoutes(deps: {
  adminToken: string;
  simulator: SimulationDriver;
  cases: FraudCases;
  db: Kysely<BankDatabase>;
}) {
  const expected = Buffer.from(`Bearer ${deps.adminToken}`);
  const authorized = (header: string | undefined): boolean => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/admin/') && !authorized(request.headers.authorization))
        await reply.code(401).send({ error: 'unauthorized' });
    });
    app.post('/admin/simulate', async (request, reply) => {
      const body = SimulateBodySchema.safeParse(request.body);
      if (!body.success) return reply.code(400).send({ error: body.error.issues });
      const customer = body.data.customer.startsWith('cus_') ? body.data.customer : `cus_${body.data.customer}`;
      let result;
      try {
        result = await deps.simulator.stage(body.data.scenario, customer, body.data.card);
      } catch (err) {
        if (err instanceof RangeError) return reply.code(409).send({ error: err.message });
        throw err;
      }
      return {
        txn: result.txn.id,
        status: result.txn.status,
        rules: result.hits,
        alert: result.alert?.id ?? null,
        alert_status: result.alert?.status ?? null,
        case_ref: result.alert?.ref ?? null,
      };
    });
    app.post('/admin/sweep', async () => ({ expired: await deps.cases.sweep() }));
    app.get('/admin/refusals', async () => ({
      data: await deps.db.selectFrom('refusals').selectAll().orderBy('id', 'desc').limit(100).execute(),
    }));
  };
}
