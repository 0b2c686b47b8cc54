/**
 * The customer's privacy API (`/api/privacy/…`, `/api/account`), data part: deleting the
 * account, the access log (who opened what, for which purpose) and the export.
 */
import { z } from 'zod';
import type { MessageBody } from '../chat/message-body.js';

/** Body of `DELETE /api/account`: the password confirms the deletion. */
export const DeleteAccountBodySchema = z.object({ password: z.string().min(1).max(1024) });
export type DeleteAccountBody = z.infer<typeof DeleteAccountBodySchema>;

/** Query of `GET /api/privacy/access-log`. */
export const AccessLogQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** One line of the customer's access log: ids, actions and purposes only, never content. */
export const AccessLogEntrySchema = z.object({
  seq: z.number(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  purpose: z.string().nullable(),
});
export type AccessLogEntry = z.infer<typeof AccessLogEntrySchema>;
export const AccessLogListSchema = z.object({ data: z.array(AccessLogEntrySchema) });

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

/** The customer's export (`GET /api/privacy/export`, `confide customer export`). */
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
