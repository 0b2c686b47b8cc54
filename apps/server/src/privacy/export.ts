/**
 * The customer's export (data portability): profile, conversations with every message and the attachment files
 * sent in them (the attachments feature's hook), consents with the ledger and signed receipts, account links, Web
 * Push devices and choices, and the access log — the audit records about them. Message bodies and files are opened
 * for the `customer_export` purpose. Files are embedded (base64) up to EMBED_LIMIT_BYTES in all; past it an entry
 * keeps its metadata and download path only.
 */
import { PlatformError, type CustomerExport } from '@confide/protocol';
import type { HubContext } from '../context.js';
import type { EmbedBudget, PrivacyHookRegistry } from './hooks.js';
import type { Access } from './purposes.js';

export type { CustomerExport } from '@confide/protocol';

/** Most file bytes embedded in one export (the export is built in memory). */
export const EMBED_LIMIT_BYTES = 25 * 1024 * 1024;

export async function buildExport(
  ctx: HubContext,
  customerId: string,
  access: Access,
  hooks: PrivacyHookRegistry,
): Promise<CustomerExport> {
  const db = ctx.storage.db;
  const customer = await db
    .selectFrom('customers')
    .select(['id', 'username', 'created_at', 'last_name', 'locale', 'timezone', 'picture_enc', 'picture_type'])
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (customer === undefined) throw new PlatformError('NOT_FOUND');
  const convs = await db
    .selectFrom('conversations as c')
    .innerJoin('pages as p', 'p.id', 'c.page_id')
    .select(['c.id', 'c.psid', 'c.created_at', 'p.id as page_id', 'p.name as page_name'])
    .where('c.customer_id', '=', customerId)
    .orderBy('c.created_at')
    .execute();
  const conversations: CustomerExport['conversations'] = [];
  // Files are embedded up to the limit across all conversations (the attachments feature's hook).
  const budget: EmbedBudget = { embedded: 0, limit: EMBED_LIMIT_BYTES };
  for (const c of convs) {
    const rows = await db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', c.id)
      .orderBy('id')
      .execute();
    const messages = [];
    for (const m of rows) {
      messages.push({
        mid: m.mid,
        direction: m.direction,
        created_at: Number(m.created_at),
        tag: m.tag,
        body: await ctx.storage.vault.openMessage(access, customerId, m.body),
      });
    }
    const attachments = await hooks.exportAttachments(customerId, c.id, access, budget);
    conversations.push({
      id: c.id,
      page: { id: c.page_id, name: c.page_name },
      psid: c.psid,
      created_at: Number(c.created_at),
      messages,
      attachments,
    });
  }
  const parse = (s: string) => JSON.parse(s) as string[];
  const current = await db
    .selectFrom('consent_state')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('page_id')
    .execute();
  const ledger = await db
    .selectFrom('consent_ledger')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('seq')
    .execute();
  const receipts = await db
    .selectFrom('consent_receipts')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('issued_at')
    .execute();
  const links = await db
    .selectFrom('account_links')
    .select(['page_id', 'linked_at'])
    .where('customer_id', '=', customerId)
    .orderBy('linked_at')
    .execute();
  const devices = await db
    .selectFrom('push_subscriptions')
    .select(['id', 'device', 'created_at', 'last_push_at'])
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .execute();
  const muted = await db
    .selectFrom('push_muted')
    .select(['page_id', 'category'])
    .where('customer_id', '=', customerId)
    .orderBy('page_id')
    .execute();
  const phone = await db.selectFrom('sms_phones').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  const texts = await db
    .selectFrom('sms_sends')
    .select(['case_ref', 'page_id', 'sent_at', 'status'])
    .where('customer_id', '=', customerId)
    .orderBy('sent_at')
    .execute();
  const audit = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('seq')
    .execute();
  const shares = await db
    .selectFrom('profile_shares')
    .select(['page_id', 'fields'])
    .where('customer_id', '=', customerId)
    .orderBy('page_id')
    .execute();
  const assistants = await db
    .selectFrom('assistant_grant_ledger')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('seq')
    .execute();
  return {
    format: 'confide-export-v1',
    exported_at: ctx.now(),
    profile: {
      id: customer.id,
      username: customer.username,
      created_at: Number(customer.created_at),
      last_name: customer.last_name,
      locale: customer.locale,
      timezone: customer.timezone === null ? null : Number(customer.timezone),
      picture:
        customer.picture_enc === null || customer.picture_type === null
          ? null
          : {
              type: customer.picture_type,
              content_base64: ctx.secrets.open(customer.picture_enc, `profile-picture:${customer.id}`),
            },
    },
    profile_sharing: shares.map((r) => ({ page_id: r.page_id, fields: parse(r.fields) })),
    conversations,
    consents: {
      current: current.map((r) => ({
        page_id: r.page_id,
        status: r.status,
        categories: parse(r.categories),
        granted_at: r.granted_at === null ? null : Number(r.granted_at),
        expires_at: r.expires_at === null ? null : Number(r.expires_at),
      })),
      ledger: ledger.map((r) => ({
        id: r.id,
        page_id: r.page_id,
        event: r.event,
        categories: parse(r.categories),
        source: r.source,
        created_at: Number(r.created_at),
      })),
      receipts: receipts.map((r) => ({
        id: r.id,
        page_id: r.page_id,
        categories: parse(r.categories),
        issued_at: Number(r.issued_at),
        jws: r.jws,
      })),
    },
    account_links: links.map((l) => ({ page_id: l.page_id, linked_at: Number(l.linked_at) })),
    assistants: assistants.map((e) => ({
      grant_id: e.grant_id,
      client_id: e.client_id,
      event: e.event,
      page_ids: parse(e.page_ids),
      categories: parse(e.categories),
      act: e.can_act === 1,
      source: e.source,
      created_at: Number(e.created_at),
      receipt: e.receipt_jws,
    })),
    push: {
      devices: devices.map((d) => ({
        id: d.id,
        device: d.device,
        created_at: Number(d.created_at),
        last_push_at: d.last_push_at === null ? null : Number(d.last_push_at),
      })),
      muted,
    },
    sms: {
      phone:
        phone === undefined
          ? null
          : {
              number: ctx.secrets.open(phone.sealed, `sms_phones:${phone.id}`),
              verified_at: phone.verified_at === null ? null : Number(phone.verified_at),
              texts: phone.opted_out === 1 ? 'stopped' : 'on',
              created_at: Number(phone.created_at),
            },
      sent: texts.map((t) => ({
        case_ref: t.case_ref,
        page_id: t.page_id,
        sent_at: Number(t.sent_at),
        status: t.status,
      })),
    },
    access_log: audit.map((r) => ({
      seq: Number(r.seq),
      at: Number(r.at),
      actor: r.actor,
      action: r.action,
      target: r.target,
      purpose: r.purpose,
      details: JSON.parse(r.details) as unknown,
    })),
  };
}
