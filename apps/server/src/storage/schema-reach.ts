/**
 * Row types of the tables that reach a customer who is not looking: Web Push (features/push),
 * the SMS fallback (features/sms) and the escalation ladder over both (features/escalation).
 */
import type { Generated } from 'kysely';

/** How a page's updates of one category escalate (migration 020, features/escalation). */
export interface EscalationPoliciesTable {
  page_id: string;
  category: string;
  /** With the app open, how long an update may stay unread before it is pushed. */
  push_after_ms: number;
  /** How long a question may stay unanswered before it is texted; null = never. */
  sms_after_ms: number | null;
  /** Contacts at most, the in-app message included (1: in-app only, 2: and push, 3: and SMS). */
  max_contacts: number;
  updated_at: number;
}

/** A customer's phone for the SMS fallback (migration 019, features/sms). */
export interface SmsPhonesTable {
  id: string;
  customer_id: string;
  /** HMAC-SHA256 of the E.164 number under a key derived from SERVICE_KEY (an inbound text finds its row). */
  phone_hash: string;
  /** The number, sealed with the service key. */
  sealed: string;
  verified_at: number | null;
  /** sha256 of the pending one-time code (with the row id), null once verified. */
  code_hash: string | null;
  code_sent_at: number | null;
  code_attempts: Generated<number>;
  /** 1 after STOP, until START. */
  opted_out: Generated<number>;
  created_at: number;
}

/** A fraud alert to text if still unanswered at `due_at`. */
export interface SmsJobsTable {
  id: string;
  customer_id: string;
  conversation_id: string;
  page_id: string;
  message_mid: string;
  category: string;
  due_at: number;
  attempts: Generated<number>;
  lease_until: Generated<number>;
  created_at: number;
}

/** A text sent about a question: a YES/NO reply answers the latest one still open. */
export interface SmsSendsTable {
  id: string;
  /** The carrier's message id (status callbacks). */
  sid: string | null;
  customer_id: string;
  phone_id: string;
  conversation_id: string;
  page_id: string;
  message_mid: string;
  case_ref: string;
  /** queued, sent, delivered, failed, undelivered… as the carrier reports. */
  status: string;
  sent_at: number;
}

/** Lets a push notification's buttons answer one question, once, for a short time. */
export interface PushActionTokensTable {
  /** sha256 of the token (the token itself only travels inside the encrypted push). */
  token_hash: string;
  customer_id: string;
  conversation_id: string;
  message_mid: string;
  expires_at: number;
  used_at: number | null;
}

/** A device a customer turned Web Push on for (migration 018, features/push). */
export interface PushSubscriptionsTable {
  id: string;
  customer_id: string;
  /** sha256 of the push endpoint: one row per endpoint, found again without opening it. */
  endpoint_hash: string;
  /** The endpoint and its keys (p256dh, auth), sealed with the service key. */
  sealed: string;
  /** What the customer sees in the privacy center ("Chrome on Android"). */
  device: string;
  created_at: number;
  last_push_at: number | null;
}

/** A business's category the customer does not want pushed (the in-app message still arrives). */
export interface PushMutedTable {
  customer_id: string;
  page_id: string;
  category: string;
  created_at: number;
}

/** A push waiting to be decided and sent: one per business message and device. */
export interface PushJobsTable {
  id: string;
  customer_id: string;
  conversation_id: string;
  page_id: string;
  message_mid: string;
  message_at: number;
  subscription_id: string;
  category: string;
  /** `presence`: push at once unless a socket is open; `unread`: push unless read by now. */
  stage: 'presence' | 'unread';
  due_at: number;
  attempts: Generated<number>;
  /** Until when a worker holds it (0: free). */
  lease_until: Generated<number>;
  created_at: number;
}

/**
 * A contact the ladder made about one case (a business message). The in-app message is the
 * first contact and has no row; the pushes of a case to the customer's devices are one contact
 * (step `push`, one row however many devices); every text sent is one (step: the sms_sends id).
 * A step is sent only while 1 + rows < the policy's max_contacts (features/escalation/contacts.ts).
 */
export interface EscalationContactsTable {
  message_mid: string;
  conversation_id: string;
  customer_id: string;
  /** `push` or `sms`. */
  channel: string;
  step: string;
  at: number;
}
