/**
 * The webhook attempt log: one row per POST to a business (the worker's deliveries and the
 * console's test events) with its outcome, latency, status code and the first characters
 * of the answer, for the console's delivery log. Rows older than a week are pruned as new
 * ones are written.
 */
import type { Insertable, Kysely } from 'kysely';
import { newSortableId } from '../../crypto/tokens.js';
import { prepare } from '../../storage/prepared.js';
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

type AttemptRow = Required<Insertable<WebhookAttemptsTable>>;
const COLUMNS = [
  'id',
  'app_id',
  'at',
  'kind',
  'first_event_id',
  'last_event_id',
  'events',
  'attempt',
  'ok',
  'status_code',
  'latency_ms',
  'error',
  'response_snippet',
] as const satisfies ReadonlyArray<keyof AttemptRow>;
// Prepared once: a delivery records its attempt on every batch.
const insertAttempt = prepare<AttemptRow>()((db, p) =>
  db.insertInto('webhook_attempts').values(Object.fromEntries(COLUMNS.map((c) => [c, p(c)])) as AttemptRow),
);
const pruneAttempts = prepare<{ appId: string; before: number }>()((db, p) =>
  db.deleteFrom('webhook_attempts').where('app_id', '=', p('appId')).where('at', '<', p('before')),
);

/** Records one attempt (in the caller's transaction) and prunes the app's old ones. */
export async function recordAttempt(db: Kysely<Database>, input: AttemptInput): Promise<void> {
  const { result } = input;
  await insertAttempt.run(db, {
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
  });
  await pruneAttempts.run(db, { appId: input.appId, before: input.now - ATTEMPT_RETENTION_MS });
}
