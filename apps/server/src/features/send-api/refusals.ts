/**
 * What the page's counters and the customer learn of a message send's outcome: sends and
 * refusals per page and error, consent refusals per category (the console's statistics),
 * and, quietly and once a day per category, the customer's notice of an update refused
 * for want of consent (features/consent/refused-update-notice.ts).
 */
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { noteRefusedUpdate } from '../consent/refused-update-notice.js';

export function countSent(ctx: HubContext, pageId: string): void {
  ctx.metrics.pageSends.inc({ page_id: pageId });
}

export async function countRefusal(
  ctx: HubContext,
  send: { pageId: string; psid: string },
  err: unknown,
): Promise<void> {
  const { pageId } = send;
  ctx.metrics.pageSendErrors.inc({ page_id: pageId, code: err instanceof PlatformError ? err.key : 'INTERNAL' });
  if (!(err instanceof PlatformError) || err.key !== 'CONSENT_REQUIRED') return;
  const detail = err.detail as { missing?: unknown; reason?: unknown } | undefined;
  const missing = Array.isArray(detail?.missing)
    ? detail.missing.filter((c): c is string => typeof c === 'string')
    : [];
  const reason = typeof detail?.reason === 'string' ? detail.reason : 'unknown';
  for (const category of missing.length === 0 ? ['none'] : missing)
    ctx.metrics.consentRefusals.inc({ page_id: pageId, category, reason });
  if (Array.isArray(detail?.missing)) await noteRefusedUpdate(ctx, { pageId, psid: send.psid, categories: missing });
}
