/**
 * Feeds the audit log from what the hub already records durably, without touching the
 * features that record it: new consent-ledger entries, agent views, page tokens issued
 * and revoked, and webhook settings (URL, fields, status) of every app. Each source is
 * read past a mark kept in `audit_marks`, inside the same transaction as the audit
 * records it produces, so every source row is audited exactly once, even with several
 * hub processes. Limits (docs/privacy.md): records appear within one sweep interval, and
 * two webhook-setting changes between two sweeps are seen as one.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../storage/schema.js';
import { appendAudit, type AuditAction } from './audit-log.js';

const BATCH = 500;

/** Runs one sweep in the caller's transaction; returns how many records it appended. */
export async function collectAudit(db: Transaction<Database>, now: number): Promise<number> {
  // Lock the chain head first, so two processes never sweep the same rows.
  await db
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 0) }))
    .where('id', '=', 1)
    .execute();
  const marks = new Map((await db.selectFrom('audit_marks').selectAll().execute()).map((m) => [m.name, m.value]));
  let written = 0;

  const ledgerMark = Number(marks.get('consent_ledger') ?? 0);
  const ledger = await db
    .selectFrom('consent_ledger')
    .selectAll()
    .where('seq', '>', ledgerMark)
    .orderBy('seq')
    .limit(BATCH)
    .execute();
  for (const e of ledger) {
    await appendAudit(db, {
      at: now,
      actor: e.source === 'system' || e.source === 'reminder' ? 'system' : `customer:${e.customer_id}`,
      action: `consent.${e.event}` as AuditAction,
      customerId: e.customer_id,
      target: `page:${e.page_id}`,
      details: { ledger_entry: e.id, categories: e.categories, source: e.source, recorded_at: Number(e.created_at) },
    });
    written += 1;
  }
  if (ledger.length > 0) await setMark(db, 'consent_ledger', String(ledger.at(-1)?.seq));

  const viewMark = Number(marks.get('agent_views') ?? 0);
  const views = await db
    .selectFrom('agent_views as v')
    .leftJoin('conversations as c', 'c.id', 'v.conversation_id')
    .select(['v.id', 'v.agent_id', 'v.conversation_id', 'v.viewed_at', 'c.customer_id'])
    .where('v.id', '>', viewMark)
    .orderBy('v.id')
    .limit(BATCH)
    .execute();
  for (const v of views) {
    await appendAudit(db, {
      at: now,
      actor: `agent:${v.agent_id}`,
      action: 'agent.view',
      customerId: v.customer_id,
      target: `conversation:${v.conversation_id}`,
      purpose: 'agent_support',
      details: { viewed_at: Number(v.viewed_at) },
    });
    written += 1;
  }
  if (views.length > 0) await setMark(db, 'agent_views', String(views.at(-1)?.id));

  const tokens = await db
    .selectFrom('page_tokens')
    .select(['id', 'page_id', 'app_id', 'created_at', 'revoked_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const [createdAt, createdId] = JSON.parse(marks.get('tokens_created') ?? '[0,""]') as [number, string];
  const [revokedAt, revokedId] = JSON.parse(marks.get('tokens_revoked') ?? '[0,""]') as [number, string];
  const after = (t: number, id: string, markT: number, markId: string) => t > markT || (t === markT && id > markId);
  const created = tokens.filter((t) => after(Number(t.created_at), t.id, createdAt, createdId));
  for (const t of created) {
    await appendAudit(db, {
      at: now,
      actor: 'admin',
      action: 'token.created',
      target: `page:${t.page_id}`,
      details: { token_id: t.id, app_id: t.app_id, created_at: Number(t.created_at) },
    });
    written += 1;
  }
  const last = created.at(-1);
  if (last !== undefined) await setMark(db, 'tokens_created', JSON.stringify([Number(last.created_at), last.id]));
  const revoked = tokens
    .filter((t) => t.revoked_at !== null && after(Number(t.revoked_at), t.id, revokedAt, revokedId))
    .sort((a, b) => Number(a.revoked_at) - Number(b.revoked_at) || a.id.localeCompare(b.id));
  for (const t of revoked) {
    await appendAudit(db, {
      at: now,
      actor: 'admin',
      action: 'token.revoked',
      target: `page:${t.page_id}`,
      details: { token_id: t.id, revoked_at: Number(t.revoked_at) },
    });
    written += 1;
  }
  const lastRevoked = revoked.at(-1);
  if (lastRevoked !== undefined)
    await setMark(db, 'tokens_revoked', JSON.stringify([Number(lastRevoked.revoked_at), lastRevoked.id]));

  const apps = await db
    .selectFrom('apps')
    .select(['id', 'page_id', 'webhook_url', 'subscribed_fields', 'webhook_status'])
    .orderBy('id')
    .execute();
  for (const a of apps) {
    // A fingerprint, so the audit log never stores the URL itself (it may embed credentials).
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([a.webhook_url, a.subscribed_fields, a.webhook_status]))
      .digest('hex')
      .slice(0, 16);
    const name = `webhook:${a.id}`;
    if (marks.get(name) === fingerprint) continue;
    await appendAudit(db, {
      at: now,
      actor: 'admin',
      action: 'webhook.config',
      target: `page:${a.page_id}`,
      details: {
        app_id: a.id,
        url_set: a.webhook_url !== null,
        fields: a.subscribed_fields,
        status: a.webhook_status,
        fingerprint,
      },
    });
    await setMark(db, name, fingerprint);
    written += 1;
  }
  return written;
}

async function setMark(db: Transaction<Database>, name: string, value: string): Promise<void> {
  await db
    .insertInto('audit_marks')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}
