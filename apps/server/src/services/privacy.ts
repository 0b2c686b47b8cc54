/**
 * Assembles the privacy service with the features' hooks (privacy/hooks.ts): privacy/
 * imports no feature, so the features that hold a customer's data register their part in
 * erasure, export, retention and the operator commands here.
 */
import type { HubContext } from '../context.js';
import { attachmentPrivacyHooks } from '../features/attachments/privacy-hooks.js';
import { conversationPrivacyHooks } from '../features/conversations/privacy-hooks.js';
import { customerPrivacyHooks } from '../features/customers/privacy-hooks.js';
import { realtimePrivacyHooks } from '../features/realtime/privacy-hooks.js';
import { openWitness, type AuditWitness } from '../privacy/audit-witness.js';
import { Privacy } from '../privacy/privacy.js';
import type { BlobStore } from '../storage/blob-store.js';

/** The hub's privacy service; `witness` defaults to AUDIT_WITNESS or DATA_DIR/audit-witness.jsonl. */
export function assemblePrivacy(ctx: HubContext, blobs: BlobStore, witness?: AuditWitness): Privacy {
  return new Privacy(ctx, {
    witness: witness ?? openWitness(ctx.config.AUDIT_WITNESS, ctx.config.DATA_DIR, false),
    hooks: [
      attachmentPrivacyHooks(ctx, blobs),
      realtimePrivacyHooks(ctx.bus),
      customerPrivacyHooks(ctx.storage.db),
      conversationPrivacyHooks(ctx.storage.db),
    ],
  });
}
