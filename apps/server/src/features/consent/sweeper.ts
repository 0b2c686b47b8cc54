/**
 * The worker's periodic consent sweep: records `expired` for lapsed grants and posts
 * expiry reminders. Enforcement never waits for it (sends are judged against the clock);
 * it keeps the ledger and the customer informed. Runs from app start until close.
 */
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';
import type { Consents } from './consents.js';

export function consentSweeper(ctx: HubContext, consents: Consents) {
  return async (app: FastifyInstance): Promise<void> => {
    const every = ctx.config.CONSENT_SWEEP_MS;
    if (every === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    const tick = () => {
      if (running !== undefined) return;
      running = consents
        .sweep()
        .then(
          (r) => {
            if (r.expired + r.reminded > 0) ctx.log.info(r, 'consent sweep');
          },
          (err: unknown) => ctx.log.warn({ err }, 'consent sweep failed; will retry'),
        )
        .finally(() => (running = undefined));
    };
    app.addHook('onReady', async () => {
      timer = setInterval(tick, every);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
  };
}
