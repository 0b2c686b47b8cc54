/** The lease a webhook worker keeps on the batch it is delivering (worker.ts). */
import type { HubContext } from '../../context.js';
import { renewLease, type ClaimedBatch } from './delivery-store.js';

/** A batch's lease kept alive by the worker delivering it. */
export interface LeaseHold {
  /** Aborted when a renewal finds the lease taken by another worker. */
  readonly signal: AbortSignal;
  /** Stops renewing (after the outcome is recorded). */
  release(): Promise<void>;
}

/**
 * Renews the batch's lease every third of `WEBHOOK_LEASE_MS`: two missed renewals (a slow
 * database, a busy event loop) still keep it. A renewal that finds the lease gone means
 * this process stalled past it and another worker owns the batch now: the POST is aborted.
 */
export function holdLease(ctx: HubContext, batch: ClaimedBatch): LeaseHold {
  const { config, storage, log } = ctx;
  const lost = new AbortController();
  let renewing: Promise<void> | null = null;
  const renew = async () => {
    try {
      const held = await storage.writes.run((tx) => renewLease(tx, batch, ctx.now() + config.WEBHOOK_LEASE_MS));
      if (!held && !lost.signal.aborted) {
        log.warn(
          { appId: batch.appId, pageId: batch.pageId },
          'webhook lease lost to another worker; leaving the batch to it',
        );
        lost.abort();
      }
    } catch (err) {
      log.debug({ err, appId: batch.appId }, 'webhook lease renewal failed; trying again at the next beat');
    }
  };
  const timer = setInterval(
    () => {
      renewing ??= renew().finally(() => (renewing = null));
    },
    Math.max(1, Math.floor(config.WEBHOOK_LEASE_MS / 3)),
  );
  timer.unref();
  return {
    signal: lost.signal,
    async release() {
      clearInterval(timer);
      await renewing;
    },
  };
}
