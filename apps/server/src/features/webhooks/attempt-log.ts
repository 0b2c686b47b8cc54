/**
 * The webhook attempt log: one row per POST to a business (the worker's deliveries and the
 * console's test events) with its outcome, latency, status code and the first characters
 * of the answer, for the console's delivery log. Rows older than a week are pruned as new
 * ones are written.
 */
import type { Kysely } from 'kysely';
import { newSortableId } from '../../crypto/tokens.js';
import type { Database, WebhookAttemptsTable } from '../../storage/schema.js';
import type { PostWebhookResult } from './post-webhook.js';

export const ATTEMPT_RETENTION_MS = 7 * 24 * 3_600_000;

export interface AttemptInput {
  appId: string;
  kind: WebhookAttemptsTable['kind'];
  now: number;
  /** Outbox ids carried, in order (empty for a test event). */
  eventIds: number[];
  attempt: number;
  result: PostWebhookResult;
}

/** Records one attempt (in the caller's transaction) and prunes the app's old ones. */
export async function recordAttempt(db: Kysely<Database>, input: AttemptInput): Promise<void> {
  const { result } = input;
  await db
    .insertInto('webhook_attempts')
    .values({
      id: newSortableId('wa', 12, input.now),
      app_id: input.appId,
      at: input.now,
      kind: input.kind,
      first_event_id: input.eventIds[0] ?? null,
      last_event_id: input.eventIds.at(-1) ?? null,
      events: input.eventIds.length,
      attempt: input.attempt,
      ok: result.ok ? 1 : 0,
      status_code: result.status,
      latency_ms: result.latencyMs,
      error: result.ok ? null : result.error.slice(0, 500),
      response_snippet: result.snippet,
    })
    .execute();
  await db
    .deleteFrom('webhook_attempts')
    .where('app_id', '=', input.appId)
    .where('at', '<', input.now - ATTEMPT_RETENTION_MS)
    .execute();
}
