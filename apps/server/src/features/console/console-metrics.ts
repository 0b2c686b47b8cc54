/**
 * Per-page metrics in the console, read from the counters `/metrics` exposes (this hub
 * process, since it started): messages sent, Send API refusals by error, consent refusals
 * by reason, webhook POSTs with their latency percentiles. Counts and durations only.
 */
import type { HubContext } from '../../context.js';
import type { ConsolePages } from './console-pages.js';
import type { Member } from './members.js';

export interface PageMetrics {
  sends: number;
  errors: Record<string, number>;
  consent_refusals: Record<string, number>;
  webhook: { posts: number; failed: number; p50_ms: number | null; p99_ms: number | null };
  /** When the counters started (this hub process). */
  since: string;
}

const STARTED_AT = new Date().toISOString();

export class ConsoleMetrics {
  readonly #ctx: HubContext;
  readonly #pages: ConsolePages;

  constructor(ctx: HubContext, pages: ConsolePages) {
    this.#ctx = ctx;
    this.#pages = pages;
  }

  async get(member: Member, pageId: string): Promise<PageMetrics> {
    const page = await this.#pages.get(member, pageId);
    const m = this.#ctx.metrics;
    const mine = <L extends { page_id?: string | number }>(v: { labels: L }) => v.labels.page_id === page.id;
    const sends = (await m.pageSends.get()).values.filter(mine).reduce((n, v) => n + v.value, 0);
    const errors: Record<string, number> = {};
    for (const v of (await m.pageSendErrors.get()).values.filter(mine))
      errors[String(v.labels.code)] = (errors[String(v.labels.code)] ?? 0) + v.value;
    const refusals: Record<string, number> = {};
    for (const v of (await m.consentRefusals.get()).values.filter(mine))
      refusals[String(v.labels.reason)] = (refusals[String(v.labels.reason)] ?? 0) + v.value;

    // Cumulative buckets per result; summed over results, per upper bound.
    const buckets = new Map<number, number>();
    let posts = 0;
    let failed = 0;
    for (const v of (await m.webhookLatency.get()).values.filter(mine)) {
      if (v.metricName?.endsWith('_bucket')) {
        const raw = (v.labels as Record<string, string | number | undefined>)['le'];
        const le = raw === '+Inf' ? Number.POSITIVE_INFINITY : Number(raw);
        buckets.set(le, (buckets.get(le) ?? 0) + v.value);
      } else if (v.metricName?.endsWith('_count')) {
        posts += v.value;
        if (v.labels.result === 'failure') failed += v.value;
      }
    }
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    /** The smallest bucket bound holding the quantile (an upper estimate), in ms. */
    const quantile = (q: number): number | null => {
      if (posts === 0) return null;
      const bound = bounds.find((b) => (buckets.get(b) ?? 0) >= q * posts);
      return bound === undefined || !Number.isFinite(bound) ? null : Math.round(bound * 1000);
    };
    return {
      sends,
      errors,
      consent_refusals: refusals,
      webhook: { posts, failed, p50_ms: quantile(0.5), p99_ms: quantile(0.99) },
      since: STARTED_AT,
    };
  }
}
