/** Audit records of single sign-on that belong to no account yet: refused callbacks. */
import type { HubContext } from '../../context.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { isSecurityEvent, type SsoError } from './errors.js';
import type { SsoSurface } from './settings.js';

/** Audits a refused callback that looks like an attack or a misconfiguration (nothing else is written). */
export async function auditRefusal(ctx: HubContext, surface: SsoSurface, error: SsoError): Promise<void> {
  if (!isSecurityEvent(error.reason)) return;
  await ctx.storage.writes.run(({ db }) =>
    appendAudit(db, {
      at: ctx.now(),
      actor: `sso:${surface}`,
      action: 'sso.refused',
      details: { surface, reason: error.reason },
    }),
  );
}
