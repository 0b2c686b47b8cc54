/**
 * The timeline's store port: every SQL statement that writes a conversation's timeline (the
 * message rows, the conversation's timestamps, the per-customer event log with its cursors
 * and the webhook outbox) sits behind it, one implementation per dialect
 * (timeline-sqlite.ts, timeline-postgres.ts). The port takes data — a batch of append
 * commands: plain objects whose content is already sealed — and returns data (cursors and
 * the apps that got an outbox row), so an implementation can run elsewhere (a worker
 * thread for SQLite) or write a batch with set-based statements (PostgreSQL).
 *
 * The messaging kernel (src/timeline/) builds the commands; domain code never sees a dialect.
 */
import type { Kysely } from 'kysely';
import type { DeferredResult } from './deferred.js';
import { dialectOf } from './prepared.js';
import type { Database } from './schema.js';
import { postgresTimelineStore } from './timeline-postgres.js';
import { sqliteTimelineStore } from './timeline-sqlite.js';

/** A `messages` row, its body sealed. */
export type MessageRecord = {
  mid: string;
  conversationId: string;
  direction: 'in' | 'out';
  body: string;
  now: number;
  appId: string | null;
  personaId: string | null;
  messagingType: string | null;
  tag: string | null;
  notificationCategory: string | null;
  awaitsAnswer: number;
};

/** A `customer_events` row but its cursor, which the store assigns (the customer's next). */
export type EventRecord = {
  customerId: string;
  conversationId: string;
  type: 'message' | 'receipt' | 'conversation';
  /** A message event refers to its message row (`mid`); other frames carry their JSON in `data`. */
  ref: string | null;
  data: string;
  now: number;
};

/**
 * A webhook event for the apps of a page. The store routes it: every app with a callback URL,
 * only `targetAppId` when given, as `standby` when another app owns the thread, and only to
 * apps subscribed to the (resulting) field. The payload is sealed once for every app.
 * A null payload: not sealed, because the routes read at the start of the transaction gave it
 * no app (`TimelineStore.routesOnWrite`); a store that routes it to an app all the same fails
 * the write (`sealedPayload`), and the batch is written again with every event sealed.
 */
export type OutboxRecord = {
  pageId: string;
  conversationId: string;
  field: string;
  targetAppId: string | null;
  threadOwnerAppId: string | null;
  payload: string | null;
  now: number;
};

/** One append: any of a message (with the conversation's timestamps), a customer event, an outbox event. */
export interface AppendCommand {
  message?: { row: MessageRecord; opensWindow: boolean };
  event?: EventRecord;
  outbox?: OutboxRecord;
}

/** What an append wrote: the event's cursor (null without one), the apps that got an outbox row. */
export interface AppendOutcome {
  seq: number | null;
  apps: string[];
}

/** A set-based batch sent (`TimelineStore.appendBatch`): its outcomes, one per command, once answered. */
export interface BatchWrite {
  outcomes: Promise<AppendOutcome[]>;
}

/** An app of a page as the outbox routing sees it: its callback URL and subscribed fields. */
export interface PageApp {
  id: string;
  webhookUrl: string | null;
  fields: readonly string[];
}

/** A row of `apps` as a read of the pages' apps gives it (`subscribed_fields` is a JSON array). */
export type PageAppRow = { page_id: string; id: string; webhook_url: string | null; subscribed_fields: string };

/**
 * The apps of each page the routing has read, kept for a stretch of a transaction's set-based
 * jobs (timeline-batch.ts `routes`): they change no app, and the stretch ends (the cache is
 * emptied) before any other job runs, since that one may subscribe or create an app.
 */
export type RouteCache = Map<string, readonly PageApp[]>;

/** A persona as a message shows it. */
export interface PersonaRecord {
  id: string;
  name: string;
  profile_picture_url: string;
}

export interface TimelineStore {
  /** Writes the commands in order inside the transaction `db` belongs to; one outcome per command. */
  append(db: Kysely<Database>, batch: readonly AppendCommand[]): Promise<AppendOutcome[]>;
  /**
   * The same as `append`, set-based: each table written once for the whole batch (multi-row
   * inserts, one counter update per customer, one conversation update per conversation), for
   * a group commit's batch (timeline-batch.ts). Cursors follow the batch's order per customer.
   * Throws, writing nothing it can be blamed for alone, when any command cannot be written
   * (a customer without a counter row): the caller rolls back and writes one by one.
   * A store that routes by reading the pages' apps may take them from `routes`, and adds those it reads.
   * `commitFollows`: nothing but COMMIT comes after it in the transaction, so a store that writes
   * the batch in one statement may have COMMIT pipelined behind it (storage/pipelined-commit.ts).
   * Resolves once the statements are sent; `outcomes` settles once they answered, which on the
   * SQLite writer thread is with the transaction's next statement waited for, its COMMIT at the
   * latest (storage/deferred.ts), and rejects when the batch could not be written.
   */
  appendBatch(
    db: Kysely<Database>,
    batch: readonly AppendCommand[],
    routes?: RouteCache,
    options?: { commitFollows?: boolean },
  ): Promise<BatchWrite>;
  /**
   * A store that routes by reading the pages' apps (or, routing in SQL, tells from them which
   * events no app gets: timeline-routes-postgres.ts): the read of the apps of `pageIds`, one
   * deferrable statement (deferred.ts: on the SQLite writer thread and on PostgreSQL it goes with
   * the transaction's next statement); its rows come with `answerOf`. The batch keeps them
   * (timeline-batch.ts `readRoutes`).
   */
  readApps?(db: Kysely<Database>, pageIds: readonly string[]): Promise<DeferredResult<PageAppRow>>;
  /**
   * Whether any app could get a webhook event of this page and field: false only when it is
   * certain none would (the kernel then neither seals nor writes it); true when unsure.
   * The same `routes` as `appendBatch`'s, when the event joins a set-based batch. A promise
   * only when the store must read to answer.
   */
  mayDeliver(
    db: Kysely<Database>,
    outbox: Pick<OutboxRecord, 'pageId' | 'field' | 'targetAppId' | 'threadOwnerAppId'>,
    routes?: RouteCache,
  ): boolean | Promise<boolean>;
  /**
   * The store routes again when it writes, in that statement's snapshot, which may see apps
   * that `routes` (read at the transaction's start) did not: other transactions commit in
   * between (PostgreSQL). An event `mayDeliver` refused is then still handed over, unsealed
   * (`OutboxRecord` payload null), and the write fails should it route it to an app.
   */
  readonly routesOnWrite?: boolean;
  /** The persona a message is sent under (its name and picture go on the customer's frame). */
  persona(db: Kysely<Database>, id: string): Promise<PersonaRecord | undefined>;
  /**
   * The outbox's delivery side: an active app whose queue a worker is about to claim, its row
   * locked for the claim (skipped when another worker holds it); undefined otherwise.
   */
  lockOutboxApp(db: Kysely<Database>, appId: string): Promise<OutboxApp | undefined>;
}

/** An app as the outbox's delivery claims it. */
export interface OutboxApp {
  id: string;
  page_id: string;
  webhook_url: string | null;
  /** The app's secrets, sealed (pages.ts `openWebhookSecrets`): a claim's POSTs need no read of their own. */
  secret_enc: string;
  std_webhook_secret_enc: string | null;
}

/** The implementation for the dialect behind `db`. */
export function timelineStoreOf(db: Kysely<Database>): TimelineStore {
  return dialectOf(db) === 'postgres' ? postgresTimelineStore : sqliteTimelineStore;
}
