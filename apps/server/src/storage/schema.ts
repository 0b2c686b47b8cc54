/**
 * Row types of every table, for Kysely. Times are epoch milliseconds (bigint in SQL,
 * returned as numbers on both dialects). Content columns (`body`, `payload`) go through
 * `content.ts` so encryption at rest has one place to land.
 */
import type { Generated } from 'kysely';

export interface CustomersTable {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  /** Last cursor handed out on this customer's event stream. */
  event_seq: Generated<number>;
}

export interface SessionsTable {
  id_hash: string;
  customer_id: string;
  created_at: number;
  expires_at: number;
}

export interface PagesTable {
  id: string;
  name: string;
  name_lower: string;
  category: 'bank' | 'merchant';
  description: string;
  privacy_policy_url: string | null;
  created_at: number;
}

export interface AppsTable {
  id: string;
  page_id: string;
  /** The app secret, sealed with the service key (see crypto/secret-box.ts). */
  secret_enc: string;
  webhook_url: string | null;
  verify_token_enc: string | null;
  /** JSON array of subscribed webhook fields. */
  subscribed_fields: string;
  /** `active`, or `disabled` after failing for too long. */
  webhook_status: string;
  created_at: number;
}

export interface PageTokensTable {
  id: string;
  page_id: string;
  app_id: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface ConversationsTable {
  id: string;
  customer_id: string;
  page_id: string;
  psid: string;
  created_at: number;
  last_message_at: number;
  /** Last message from the customer: opens the 24-hour window. */
  last_customer_message_at: number | null;
  customer_delivered_wm: Generated<number>;
  customer_read_wm: Generated<number>;
  page_delivered_wm: Generated<number>;
  page_read_wm: Generated<number>;
  /** App id that controls the thread (handover); null = the page's own app. */
  thread_owner_app_id: string | null;
}

export interface MessagesTable {
  id: Generated<number>;
  mid: string;
  conversation_id: string;
  direction: 'in' | 'out';
  body: string;
  created_at: number;
  app_id: string | null;
  persona_id: string | null;
  messaging_type: string | null;
  tag: string | null;
}

export interface CustomerEventsTable {
  customer_id: string;
  seq: number;
  conversation_id: string;
  type: 'message' | 'receipt' | 'conversation';
  /** mid for message events. */
  ref: string | null;
  /** JSON with non-content data (watermarks, change kind). */
  data: string;
  created_at: number;
}

export interface WebhookOutboxTable {
  id: Generated<number>;
  app_id: string;
  page_id: string;
  conversation_id: string;
  field: string;
  /** The `messaging[]` item, sealed like message bodies. */
  payload: string;
  created_at: number;
  attempts: Generated<number>;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

export interface Database {
  customers: CustomersTable;
  sessions: SessionsTable;
  pages: PagesTable;
  apps: AppsTable;
  page_tokens: PageTokensTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  customer_events: CustomerEventsTable;
  webhook_outbox: WebhookOutboxTable;
}
