/** Operational endpoints: liveness/readiness and Prometheus metrics. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HubContext } from '../../context.js';
import { safeEqual } from '../../crypto/tokens.js';

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

    const access = metricsAccess(ctx.config);
    if (access === 'off') return;
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (access !== 'open' && !hasBearer(request, access)) {
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ error: 'metrics require a bearer token' });
      }
      return sendMetrics(ctx, reply);
    });
  };
}

/**
 * Who may read /metrics: with METRICS_TOKEN, holders of that bearer token; without it,
 * anyone outside production (local tools, the benchmark) and nobody in production.
 */
export function metricsAccess(config: HubContext['config']): 'open' | 'off' | { token: string } {
  if (config.METRICS_TOKEN !== undefined) return { token: config.METRICS_TOKEN };
  return config.NODE_ENV === 'production' ? 'off' : 'open';
}

function hasBearer(request: FastifyRequest, access: { token: string }): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] !== undefined && safeEqual(match[1], access.token);
}

async function sendMetrics(ctx: HubContext, reply: FastifyReply): Promise<string> {
  const { batches, jobs, retries } = ctx.storage.writes.stats;
  reply.header('content-type', ctx.metrics.registry.contentType);
  reply.header('cache-control', 'no-store');
  const extra = `# HELP confide_write_batches_total Group-commit transactions\n# TYPE confide_write_batches_total counter\nconfide_write_batches_total ${batches}\n# HELP confide_write_jobs_total Writes committed through group commit\n# TYPE confide_write_jobs_total counter\nconfide_write_jobs_total ${jobs}\n# HELP confide_write_retries_total Writes run again after a lost deadlock or serialization conflict\n# TYPE confide_write_retries_total counter\nconfide_write_retries_total ${retries}\n# HELP confide_write_concurrency Group-commit transactions in flight at most\n# TYPE confide_write_concurrency gauge\nconfide_write_concurrency ${ctx.storage.writes.concurrency}\n`;
  return (await ctx.metrics.registry.metrics()) + extra;
}
