/**
 * Row types of every table, for Kysely. Times are epoch milliseconds (bigint in SQL, returned as numbers on both
 * dialects). Content columns (`body`, `payload`) go through `content.ts` so encryption at rest has one place to land.
 */
import type { Generated } from 'kysely';
import type {
  EscalationContactsTable,
  EscalationPoliciesTable,
  PushActionTokensTable,
  PushJobsTable,
  PushMutedTable,
  PushSubscriptionsTable,
  SmsJobsTable,
  SmsPhonesTable,
  SmsSendsTable,
} from './schema-reach.js';

export interface CustomersTable {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  /** Last cursor handed out on this customer's event stream. */
  event_seq: Generated<number>;
  /** Optional profile the customer may share per business (migration 013). */
  last_name: string | null;
  locale: string | null;
  /** UTC offset in hours. */
  timezone: number | null;
  /** The profile picture (base64), sealed with the service key; its media type. */
  picture_enc: string | null;
  picture_type: string | null;
}

/** Which optional profile fields a customer lets a business read (migration 013). */
export interface ProfileSharesTable {
  customer_id: string;
  page_id: string;
  /** JSON array of PROFILE_SHARE_FIELDS. */
  fields: string;
  updated_at: number;
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
  /** Migration 029: the page's picture, sealed in the blob store; its type, version (hash) and size. */
  picture_key: string | null;
  picture_type: string | null;
  picture_version: string | null;
  picture_width: number | null;
  picture_height: number | null;
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
  /** The Standard Webhooks `whsec_` secret, sealed; null while the app has them off (migration 012). */
  std_webhook_secret_enc: string | null;
  created_at: number;
  /** Start of the current run of failed deliveries; null while healthy (migration 003). */
  webhook_failing_since: number | null;
  /** When the 15-minute failure alert fired for the current run (migration 003). */
  webhook_alerted_at: number | null;
  /** When delivery was disabled after failing too long (migration 003). */
  webhook_disabled_at: number | null;
}

export interface PageTokensTable {
  id: string;
  page_id: string;
  app_id: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  /** A name the business gave the token in the console (migration 018). */
  label: string | null;
  /** When the token last authenticated a call, to the minute (migration 018). */
  last_used_at: number | null;
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
  /** Consent category of a proactive update (`notification_category`), else null. */
  notification_category: string | null;
  /** 1 for a proactive update asking a question with postback buttons (features/conversations/answers.ts). */
  awaits_answer: number;
  /** Index of the postback button the customer used first, and when. */
  answered_button: number | null;
  answered_at: number | null;
  /** When the business closed the question unanswered (a later message of its own replying to it). */
  closed_at: number | null;
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
  /** Lease of the worker delivering the row, so workers never claim it twice (migration 003). */
  leased_until: number | null;
  lease_owner: string | null;
}

/** What a page declares it sends, one row per category, with the purpose shown to customers. */
export interface ConsentDeclarationsTable {
  page_id: string;
  category: string;
  purpose: string;
  declared_at: number;
}

/** The append-only consent ledger (features/consent). Never updated or deleted. */
export interface ConsentLedgerTable {
  seq: Generated<number>;
  id: string;
  customer_id: string;
  page_id: string;
  /** `granted` | `changed` | `renewed` | `revoked` | `expired`. */
  event: string;
  /** JSON array of categories the entry concerns. */
  categories: string;
  granted_at: number | null;
  expires_at: number | null;
  /** `linking` | `settings` | `unlink` | `reminder` | `system`. */
  source: string;
  created_at: number;
}

/** Current consent per (customer, page): a projection of the ledger, kept in the same transaction. */
export interface ConsentStateTable {
  customer_id: string;
  page_id: string;
  /** `active` | `expired` | `revoked`. */
  status: string;
  categories: string;
  granted_at: number | null;
  expires_at: number | null;
  last_entry_id: string;
  updated_at: number;
}

/** Signed consent receipts (compact JWS), one per grant, change or renewal. */
export interface ConsentReceiptsTable {
  id: string;
  ledger_entry_id: string;
  customer_id: string;
  page_id: string;
  categories: string;
  issued_at: number;
  jws: string;
}

/** Expiry reminders already posted, one per grant expiry. */
export interface ConsentRemindersTable {
  customer_id: string;
  page_id: string;
  expires_at: number;
  sent_at: number;
  /** SHA-256 of the single-use token the reminder's buttons carry; null for reminders sent before tokens. */
  token_hash: string | null;
  used_at: number | null;
}

/**
 * The hub's JWS signing keys (consent receipts, audit checkpoints). The private JWK is wrapped by the KEK (`kek_id`,
 * migration 014); only keys whose wrap opens under the KEK are trusted (crypto/signing-keys.ts). Rows from before
 * migration 014 (sealed with the service key, `kek_id` null) are re-wrapped at the next start.
 */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_enc: string;
  /** Fingerprint of the KEK that wrapped `private_jwk_enc`; null for rows sealed with the service key before migration 014. */
  kek_id: string | null;
  created_at: number;
  retired_at: number | null;
}

/** Account-linking tokens (stored hashed), each carrying the pending consent grant. */
export interface LinkingTokensTable {
  token_hash: string;
  customer_id: string;
  page_id: string;
  conversation_id: string;
  psid: string;
  categories: string;
  duration_days: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Conversations whose customer linked their account with the business. */
export interface AccountLinksTable {
  conversation_id: string;
  customer_id: string;
  page_id: string;
  linked_at: number;
}

/** A human-agent identity a page sends under (`persona_id`); soft-deleted so history keeps its name. */
export interface PersonasTable {
  id: string;
  page_id: string;
  name: string;
  profile_picture_url: string;
  created_at: number;
  deleted_at: number | null;
}

/** A utility message template of a page (migration 012). `components` is the JSON of the create call. */
export interface MessageTemplatesTable {
  id: string;
  page_id: string;
  name: string;
  language: string;
  status: string;
  rejected_reason: string | null;
  components: string;
  notification_category: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** One Messenger Profile property of a page (`get_started`, `greeting`, …) as JSON. */
export interface MessengerProfileTable {
  page_id: string;
  field: string;
  value: string;
  updated_at: number;
}

/** An uploaded attachment: bytes in the blob store (`blob_key`) or a URL reference, never fetched. */
export interface AttachmentsTable {
  id: string;
  page_id: string;
  app_id: string;
  type: string;
  blob_key: string | null;
  url: string | null;
  content_type: string | null;
  /** The file name in clear: only rows stored before migration 013 whose name was not sealed yet. */
  filename: string | null;
  /** The uploaded file's name, sealed under the file's own key (migration 013; privacy/vault.ts `sealFileName`). */
  filename_enc: string | null;
  size: number | null;
  /** 1 when the business may send it again; 0 for single-use uploads. */
  is_reusable: number;
  /** 1 for a file the customer sent (migration 018; its `app_id` is empty): the page may fetch it, never send it. */
  from_customer: number;
  created_at: number;
  /**
   * The file key wrapped under the page's attachment key (privacy/vault.ts), while the page may send the file: reusable
   * files, and single-use uploads not sent yet. Null for URL references, files that now belong to the conversation they
   * were sent to, and files stored before migration 009 (hub-wide blob key).
   */
  key_enc: string | null;
}

/** The file key of an attachment, wrapped under the key of a conversation it was sent to (erased with it). */
export interface AttachmentKeysTable {
  attachment_id: string;
  conversation_id: string;
  customer_id: string;
  key_enc: string;
  created_at: number;
}

/** A business's request for consent categories, rendered by the hub in the thread (migration 019). */
export interface ConsentRequestsTable {
  id: string;
  customer_id: string;
  page_id: string;
  conversation_id: string;
  /** JSON array of the categories asked for. */
  categories: string;
  /** `business` (POST /me/consent_requests) or `refused_update` (the hub's notice after a refused update). */
  origin: 'business' | 'refused_update';
  created_at: number;
  /** When the customer answered on the hub's surface; null while open. */
  answered_at: number | null;
  answer: 'allowed' | 'declined' | null;
}

/** Where an attachment was sent: lets the customer fetch it, and only that customer. */
export interface MessageAttachmentsTable {
  attachment_id: string;
  conversation_id: string;
  mid: string;
  created_at: number;
}

/** The customer of a conversation is unreachable (account deleted, business blocked): sends answer 551. */
export interface ConversationBlocksTable {
  conversation_id: string;
  reason: 'deleted' | 'blocked';
  created_at: number;
}

/** A human agent of one page (migration 005); replies go out under `persona_id`. */
export interface AgentsTable extends OidcLinked {
  id: string;
  page_id: string;
  username: string;
  display_name: string;
  password_hash: string;
  persona_id: string;
  created_at: number;
  /** Migration 018: the agent's team, role (`agent` | `supervisor`), status (`online` | `away` | `offline`) and capacity (concurrent conversations). */
  team_id: string | null;
  role: Generated<string>;
  status: Generated<string>;
  capacity: Generated<number>;
}

/** Migration 028 (features/sso): a linked provider `sub`; an SSO session's sealed refresh token and last check. */
type OidcLinked = { oidc_subject: string | null };
type SsoSessionColumns = { sso_refresh: string | null; sso_checked_at: number | null };
/** Agent sessions (migration 005), stored as SHA-256 hashes like customer sessions. */
export interface AgentSessionsTable extends SsoSessionColumns {
  id_hash: string;
  agent_id: string;
  created_at: number;
  expires_at: number;
}

/** A conversation in the page inbox (migration 005): since when, and which agent took it. */
export interface InboxThreadsTable {
  conversation_id: string;
  page_id: string;
  queued_at: number;
  agent_id: string | null;
  assigned_at: number | null;
  /** open (waiting) | assigned | snoozed | resolved (migration 018). */
  status: Generated<string>;
  snoozed_until: number | null;
  resolved_at: number | null;
  resolved_by: string | null;
  handover_reason: string | null;
  case_ref: string | null;
  /** The team the hand-over named (migration 018). */
  team_id: string | null;
}

/** Agents' internal notes on a conversation (migration 018): `body` sealed like a message's. */
export interface InboxNotesTable {
  id: string;
  conversation_id: string;
  agent_id: string;
  body: string;
  created_at: number;
}

/** Canned responses (migration 018): a team's, or the page's when `team_id` is null. */
export interface InboxCannedTable {
  id: string;
  page_id: string;
  team_id: string | null;
  title: string;
  text: string;
  created_at: number;
}

/** Teams of a page's inbox (migration 018). */
export interface InboxTeamsTable {
  id: string;
  page_id: string;
  name: string;
  /** 1: waiting conversations go to the team's online agents with capacity, oldest first. */
  auto_assign: number;
  /** JSON business hours (features/inbox/business-hours.ts), or null: always open. */
  hours: string | null;
  created_at: number;
}

/** Every time an agent opened a conversation (migration 005), for the audit log. */
export interface AgentViewsTable {
  id: Generated<number>;
  agent_id: string;
  conversation_id: string;
  viewed_at: number;
}

/** The hash-chained audit log (privacy/audit-log.ts): ids and purposes, never content. */
export interface AuditLogTable {
  seq: number;
  at: number;
  /** `customer:<id>`, `agent:<id>`, `app:<id>`, `admin`, `worker`, `system`. */
  actor: string;
  action: string;
  /** The customer the record is about, for their access log; null for hub-wide records. */
  customer_id: string | null;
  target: string | null;
  purpose: string | null;
  /** JSON object of further ids and counts. */
  details: string;
  prev_hash: string;
  hash: string;
}

/** The audit chain's head: one row, locked by every append so records are ordered across processes. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** Checkpoints of the audit chain signed with the hub's signing key (compact JWS). */
export interface AuditCheckpointsTable {
  seq: number;
  hash: string;
  jws: string;
  created_at: number;
}

/** How far the audit collector has read each followed source (migration 007). */
export interface AuditMarksTable {
  name: string;
  value: string;
}

/**
 * Send API calls leased to processes per page and one-second window (migration 008):
 * `used` never exceeds the limit; `granted` is what the last lease of the row got.
 */
/** Failed password attempts per hashed account or IP key and window (migration 012). */
export interface LoginAttemptsTable {
  /** sha256 of `<scope>:<u|ip>:<value>`. */
  id: string;
  /** Epoch milliseconds of the window's first failure. */
  window_start: number;
  /** Failures (and attempts being verified) in the window. */
  failures: number;
}

export interface SendRateWindowsTable {
  page_id: string;
  /** Epoch milliseconds of the window's first millisecond (a multiple of 1000). */
  window_start: number;
  used: number;
  granted: number;
}

/** An assistant's OAuth client, registered dynamically (RFC 7591): public (PKCE only) or confidential (a voice skill's account linking). */
export interface OAuthClientsTable {
  client_id: string;
  client_name: string;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'client_secret_post';
  /** SHA-256 of the client secret (confidential clients), else null. */
  client_secret_hash: string | null;
  created_at: number;
}

/** A single-use authorization code (SHA-256 hash), bound to client, redirect URI and PKCE challenge. */
export interface OAuthCodesTable {
  code_hash: string;
  client_id: string;
  customer_id: string;
  grant_id: string;
  redirect_uri: string;
  code_challenge: string;
  scope: string;
  expires_at: number;
  used_at: number | null;
  /** The refresh-token family the code's exchange starts: revoked when the code is replayed. */
  family_id: string;
}

/** A rotating refresh token (SHA-256 hash); a reused one revokes its whole family. */
export interface OAuthRefreshTokensTable {
  token_hash: string;
  family_id: string;
  client_id: string;
  customer_id: string;
  grant_id: string;
  scope: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

/** Append-only history of what a customer allowed an assistant, with a signed receipt per grant or change. */
export interface AssistantGrantLedgerTable {
  seq: Generated<number>;
  id: string;
  grant_id: string;
  customer_id: string;
  client_id: string;
  event: 'granted' | 'changed' | 'revoked';
  page_ids: string;
  categories: string;
  can_act: number;
  source: 'authorize' | 'settings';
  receipt_jws: string | null;
  created_at: number;
}

/** The current grant of each (customer, assistant) pair: the projection of the ledger. */
export interface AssistantGrantsTable {
  id: string;
  customer_id: string;
  client_id: string;
  status: 'active' | 'revoked';
  page_ids: string;
  categories: string;
  can_act: number;
  granted_at: number;
  /** A grant lasts a year from its last grant or change, like a business consent; then its tokens stop working. */
  expires_at: number;
  updated_at: number;
  last_entry_id: string;
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
  personas: PersonasTable;
  message_templates: MessageTemplatesTable;
  messenger_profile: MessengerProfileTable;
  profile_shares: ProfileSharesTable;
  attachments: AttachmentsTable;
  message_attachments: MessageAttachmentsTable;
  attachment_keys: AttachmentKeysTable;
  conversation_blocks: ConversationBlocksTable;
  consent_declarations: ConsentDeclarationsTable;
  consent_ledger: ConsentLedgerTable;
  consent_state: ConsentStateTable;
  consent_receipts: ConsentReceiptsTable;
  consent_reminders: ConsentRemindersTable;
  consent_requests: ConsentRequestsTable;
  signing_keys: SigningKeysTable;
  linking_tokens: LinkingTokensTable;
  account_links: AccountLinksTable;
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
  inbox_threads: InboxThreadsTable;
  inbox_teams: InboxTeamsTable;
  inbox_notes: InboxNotesTable;
  inbox_canned: InboxCannedTable;
  agent_views: AgentViewsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_marks: AuditMarksTable;
  send_rate_windows: SendRateWindowsTable;
  login_attempts: LoginAttemptsTable;
  oauth_clients: OAuthClientsTable;
  oauth_codes: OAuthCodesTable;
  oauth_refresh_tokens: OAuthRefreshTokensTable;
  assistant_grant_ledger: AssistantGrantLedgerTable;
  assistant_grants: AssistantGrantsTable;
  push_subscriptions: PushSubscriptionsTable;
  push_muted: PushMutedTable;
  push_jobs: PushJobsTable;
  push_action_tokens: PushActionTokensTable;
  sms_phones: SmsPhonesTable;
  sms_jobs: SmsJobsTable;
  sms_sends: SmsSendsTable;
  escalation_policies: EscalationPoliciesTable;
  escalation_contacts: EscalationContactsTable;
  organisations: OrganisationsTable;
  org_members: OrgMembersTable;
  org_sessions: OrgSessionsTable;
  org_invites: OrgInvitesTable;
  org_pages: OrgPagesTable;
  webhook_attempts: WebhookAttemptsTable;
}

/** One webhook POST as the console's delivery log shows it (migration 018). */
export interface WebhookAttemptsTable {
  id: string;
  app_id: string;
  at: number;
  /** `delivery` (the worker) or `test` (the console's test event). */
  kind: 'delivery' | 'test';
  /** Outbox ids the POST carried (null for a test event). */
  first_event_id: number | null;
  last_event_id: number | null;
  events: number;
  /** 1 for the first try of the batch's head, then 2, 3… */
  attempt: number;
  /** 1 when the business answered 2xx. */
  ok: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  /** The first bytes of the business's answer. */
  response_snippet: string;
}

/** A business using the console (features/console). */
export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface OrgMembersTable extends OidcLinked {
  id: string;
  org_id: string;
  /** Lower case; unique across organisations (sign-in is by username alone). */
  username: string;
  password_hash: string;
  role: 'owner' | 'developer' | 'agent-admin' | 'viewer';
  created_at: number;
}

export interface OrgSessionsTable extends SsoSessionColumns {
  /** sha256 of the session secret in the cookie. */
  id_hash: string;
  member_id: string;
  created_at: number;
  expires_at: number;
}

export interface OrgInvitesTable {
  /** sha256 of the one-time code. */
  code_hash: string;
  id: string;
  org_id: string;
  role: OrgMembersTable['role'];
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  used_by: string | null;
}

/** Which organisation owns a page (pages created by the CLI before the console have none). */
export interface OrgPagesTable {
  page_id: string;
  org_id: string;
}
