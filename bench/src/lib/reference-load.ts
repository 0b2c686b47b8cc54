/** Reference loads, measured once per run and shared by the scenarios that compare with them. */
import type { HttpLoadResult } from '../load/jobs.js';
import type { RunContext } from '../scenarios/types.js';
import { withWorkers } from './load-worker.js';
import { startBareHttp } from './references.js';

/**
 * The same closed-loop load (one small JSON POST per request) against a Fastify route
 * that does nothing.
 */
export function measureBareHttp(
  ctx: RunContext,
  connections: number,
  body = '{"text":"Can I raise my card limit? #$SEQ"}',
  contentType = 'application/json',
): Promise<HttpLoadResult> {
  return ctx.reference(`bare-http:${connections}:${contentType}:${body.length}`, async () => {
    ctx.log(`  reference: bare Fastify route, ${connections} connections`);
    const ref = await startBareHttp();
    try {
      return await withWorkers(1, async ([w]) => {
        if (w === undefined) throw new Error('no worker');
        return w.run({
          kind: 'http-load',
          port: ref.port,
          requests: [{ method: 'POST', path: '/ref', headers: { 'content-type': contentType }, body }],
          connections,
          warmupMs: ctx.warmupMs,
          durationMs: ctx.durationMs,
          okStatus: 200,
        });
      });
    } finally {
      await ref.stop();
    }
  });
}
