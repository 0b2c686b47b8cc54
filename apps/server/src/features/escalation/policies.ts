/**
 * One escalation policy per notification category, set by the page within limits the hub
 * enforces: how long an update may stay unread (app open) before it is pushed, how long a
 * question may stay unanswered before it is texted, and how many contacts at most, counted per
 * case from what was actually sent (contacts.ts: the in-app message, the push, each text). Only fraud alerts may
 * ever be texted; balances and other updates stop at push. Without a policy, the hub's
 * defaults apply (PUSH_UNREAD_AFTER_MS, SMS_AFTER_MS).
 */
import { PlatformError } from '@confide/protocol';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { HubContext } from '../../context.js';
import type { Database } from '../../storage/schema.js';
import { CONSENT_CATEGORIES } from '../consent/categories.js';
import { SMS_CATEGORIES } from '../sms/schedule.js';

export interface EscalationPolicy {
  category: string;
  push_after_ms: number;
  sms_after_ms: number | null;
  max_contacts: number;
}

/** The hub's limits. */
export const LIMITS = {
  pushAfterMs: { min: 0, max: 10 * 60_000 },
  smsAfterMs: { min: 60_000, max: 24 * 3_600_000 },
  maxContacts: { min: 1, max: 3 },
} as const;

/** `POST /{page}/notification_policies` (seconds on the wire, like Graph's other durations). */
export const PolicyRequestSchema = z
  .object({
    category: z.enum(CONSENT_CATEGORIES),
    push_after_seconds: z.coerce
      .number()
      .int()
      .min(LIMITS.pushAfterMs.min / 1000)
      .max(LIMITS.pushAfterMs.max / 1000),
    sms_after_seconds: z.coerce
      .number()
      .int()
      .min(LIMITS.smsAfterMs.min / 1000)
      .max(LIMITS.smsAfterMs.max / 1000)
      .nullable()
      .default(null),
    max_contacts: z.coerce.number().int().min(LIMITS.maxContacts.min).max(LIMITS.maxContacts.max),
  })
  .strict();
export type PolicyRequest = z.infer<typeof PolicyRequestSchema>;

/** The policy that applies without one set by the page. */
export function defaultPolicy(
  config: Pick<Config, 'PUSH_UNREAD_AFTER_MS' | 'SMS_AFTER_MS'>,
  category: string,
): EscalationPolicy {
  const sms = SMS_CATEGORIES.includes(category);
  return {
    category,
    push_after_ms: config.PUSH_UNREAD_AFTER_MS,
    sms_after_ms: sms ? config.SMS_AFTER_MS : null,
    max_contacts: sms ? 3 : 2,
  };
}

/** The policy of a page's category (its own, else the default). */
export async function policyFor(
  db: Kysely<Database>,
  config: Config,
  pageId: string,
  category: string,
): Promise<EscalationPolicy> {
  const row = await db
    .selectFrom('escalation_policies')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('category', '=', category)
    .executeTakeFirst();
  if (row === undefined) return defaultPolicy(config, category);
  return {
    category,
    push_after_ms: Number(row.push_after_ms),
    sms_after_ms: row.sms_after_ms === null ? null : Number(row.sms_after_ms),
    max_contacts: Number(row.max_contacts),
  };
}

export class EscalationPolicies {
  readonly #ctx: HubContext;

  constructor(ctx: HubContext) {
    this.#ctx = ctx;
  }

  /** Every category's policy for the page: its own where set, else the default. */
  async list(pageId: string): Promise<EscalationPolicy[]> {
    return Promise.all(CONSENT_CATEGORIES.map((c) => policyFor(this.#ctx.storage.db, this.#ctx.config, pageId, c)));
  }

  /**
   * Sets a category's policy.
   * @throws PlatformError `INVALID_PARAMETER` when it asks for texts in a category that may not be
   *   texted, a text without room for it (max_contacts < 3), or a text before the push.
   */
  async set(pageId: string, input: PolicyRequest): Promise<EscalationPolicy> {
    const smsAfterMs = input.sms_after_seconds === null ? null : input.sms_after_seconds * 1000;
    const pushAfterMs = input.push_after_seconds * 1000;
    if (smsAfterMs !== null && !SMS_CATEGORIES.includes(input.category)) {
      throw invalid(
        'sms_after_seconds',
        `${input.category} may not be texted: only ${SMS_CATEGORIES.join(', ')} reach a phone by SMS`,
      );
    }
    if (smsAfterMs !== null && input.max_contacts < 3)
      throw invalid('max_contacts', 'a text is the third contact: max_contacts must be 3 with sms_after_seconds');
    if (smsAfterMs !== null && smsAfterMs < pushAfterMs)
      throw invalid(
        'sms_after_seconds',
        'the text comes after the push: sms_after_seconds must be at least push_after_seconds',
      );
    const policy: EscalationPolicy = {
      category: input.category,
      push_after_ms: pushAfterMs,
      sms_after_ms: smsAfterMs,
      max_contacts: input.max_contacts,
    };
    const now = this.#ctx.now();
    await this.#ctx.storage.writes.run(async (tx) => {
      await tx.db
        .deleteFrom('escalation_policies')
        .where('page_id', '=', pageId)
        .where('category', '=', input.category)
        .execute();
      await tx.db
        .insertInto('escalation_policies')
        .values({
          page_id: pageId,
          category: input.category,
          push_after_ms: pushAfterMs,
          sms_after_ms: smsAfterMs,
          max_contacts: input.max_contacts,
          updated_at: now,
        })
        .execute();
    });
    return policy;
  }
}

const invalid = (field: string, message: string) =>
  new PlatformError('INVALID_PARAMETER', { message: `Param ${field}: ${message}`, detail: { field } });

/** The wire form (seconds). */
export const presentPolicy = (p: EscalationPolicy) => ({
  category: p.category,
  push_after_seconds: p.push_after_ms / 1000,
  sms_after_seconds: p.sms_after_ms === null ? null : p.sms_after_ms / 1000,
  max_contacts: p.max_contacts,
});
