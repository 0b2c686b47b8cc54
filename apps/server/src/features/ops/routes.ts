/** Operational endpoints: liveness/readiness and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';

export function opsRoutes(ctx: HubContext, isDraining: () => boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
      if (isDraining()) return reply.status(503).send({ status: 'draining' });
      try {
        await ctx.storage.ping();
      } catch {
        return reply.status(503).send({ status: 'unavailable', database: 'down' });
      }
      return { status: 'ok', database: ctx.storage.dialect };
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const { batches, jobs } = ctx.storage.writes.stats;
      reply.header('content-type', ctx.metrics.registry.contentType);
      const extra = `# HELP confide_write_batches_total Group-commit transactions\n# TYPE confide_write_batches_total counter\nconfide_write_batches_total ${batches}\n# HELP confide_write_jobs_total Writes committed through group commit\n# TYPE confide_write_jobs_total counter\nconfide_write_jobs_total ${jobs}\n`;
      return (await ctx.metrics.registry.metrics()) + extra;
    });
  };
}
