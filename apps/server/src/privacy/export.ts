/**
 * The customer's export (data portability): profile, conversations with every message and
 * the attachment files sent in them, consents with the ledger and signed receipts, account
 * links, Web Push devices and choices, and the access log — the audit records about them. Message bodies and files are
 * opened for the `customer_export` purpose. Files are embedded (base64) up to
 * EMBED_LIMIT_BYTES in all; past it an entry keeps its metadata and download path only.
 */
import type { MessageBody } from '@confide/protocol';
import { PlatformError } from '@confide/protocol';
import type { HubContext } from '../context.js';
import { attachmentPayload, openCustomerFile } from '../features/attachments/attachments.js';
import type { AttachmentFiles } from './attachment-files.js';
import { ContentErasedError, type Access } from './purposes.js';

/** Most file bytes embedded in one export (the export is built in memory). */
export const EMBED_LIMIT_BYTES = 25 * 1024 * 1024;

/** An attachment sent in a conversation, as exported. */
export interface ExportedAttachment {
  id: string;
  mid: string;
  type: string;
  filename: string | null;
  content_type: string | null;
  size: number | null;
  sent_at: number;
  /** Where the customer's app loads it: the hub's download path, or the business's URL for references. */
  url: string;
  /** The file, base64; null for URL references, files past the embed limit, or files no longer stored. */
  content_base64: string | null;
}

export interface CustomerExport {
  format: 'confide-export-v1';
  exported_at: number;
  profile: {
    id: string;
    username: string;
    created_at: number;
    last_name: string | null;
    locale: string | null;
    timezone: number | null;
    picture: { type: string; content_base64: string } | null;
  };
  /** Which optional profile fields the customer lets each business read. */
  profile_sharing: Array<{ page_id: string; fields: string[] }>;
  conversations: Array<{
    id: string;
    page: { id: string; name: string };
    psid: string;
    created_at: number;
    messages: Array<{
      mid: string;
      direction: 'in' | 'out';
      created_at: number;
      tag: string | null;
      body: MessageBody;
    }>;
    attachments: ExportedAttachment[];
  }>;
  consents: {
    current: Array<{
      page_id: string;
      status: string;
      categories: string[];
      granted_at: number | null;
      expires_at: number | null;
    }>;
    ledger: Array<{
      id: string;
      page_id: string;
      event: string;
      categories: string[];
      source: string;
      created_at: number;
    }>;
    receipts: Array<{ id: string; page_id: string; categories: string[]; issued_at: number; jws: string }>;
  };
  account_links: Array<{ page_id: string; linked_at: number }>;
  /** What the customer allowed their own assistants (features/assistant): the grant ledger with its receipts. */
  assistants: Array<{
    grant_id: string;
    client_id: string;
    event: string;
    page_ids: string[];
    categories: string[];
    act: boolean;
    source: string;
    created_at: number;
    receipt: string | null;
  }>;
  /** Devices with Web Push on, and the businesses' categories kept off push (features/push). */
  push: {
    devices: Array<{ id: string; device: string; created_at: number; last_push_at: number | null }>;
    muted: Array<{ page_id: string; category: string }>;
  };
  /** The phone number for texts, and the texts sent about questions (features/sms). */
  sms: {
    phone: { number: string; verified_at: number | null; texts: 'on' | 'stopped'; created_at: number } | null;
    sent: Array<{ case_ref: string; page_id: string; sent_at: number; status: string }>;
  };
  access_log: Array<{
    seq: number;
    at: number;
    actor: string;
    action: string;
    target: string | null;
    purpose: string | null;
    details: unknown;
  }>;
}

export async function buildExport(
  ctx: HubContext,
  customerId: string,
  access: Access,
  files?: AttachmentFiles,
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
  let embedded = 0;
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
    const sent = await db
      .selectFrom('message_attachments as ma')
      .innerJoin('attachments as a', 'a.id', 'ma.attachment_id')
      .leftJoin('messages as m', 'm.mid', 'ma.mid')
      .select([
        'a.id',
        'a.type',
        'a.filename',
        'a.filename_enc',
        'a.content_type',
        'a.size',
        'a.url',
        'a.blob_key',
        'ma.mid',
        'ma.created_at',
      ])
      .where('ma.conversation_id', '=', c.id)
      .orderBy('ma.created_at')
      .orderBy('m.id')
      .orderBy('a.id')
      .execute();
    const attachments: ExportedAttachment[] = [];
    for (const a of sent) {
      let content: Buffer | undefined;
      let filename = a.filename;
      if (files !== undefined && a.blob_key !== null) {
        // Past the size budget only the name is opened; the file downloads from its path.
        const embed = embedded + Number(a.size ?? 0) <= EMBED_LIMIT_BYTES;
        const file = await openCustomerFile(ctx, files, customerId, a, access, embed).catch((err: unknown) => {
          if (err instanceof ContentErasedError) return undefined;
          throw err;
        });
        content = file?.data;
        filename = file?.name ?? null;
        embedded += content?.length ?? 0;
      }
      attachments.push({
        id: a.id,
        mid: a.mid,
        type: a.type,
        filename,
        content_type: a.content_type,
        size: a.size === null ? null : Number(a.size),
        sent_at: Number(a.created_at),
        url: attachmentPayload(a).url,
        content_base64: content === undefined ? null : content.toString('base64'),
      });
    }
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
