import { z } from 'zod';
import { PageCategorySchema, PasswordSchema, UsernameSchema } from '../chat/customer-api.js';

/**
 * The business console API (`/console/api`): organisations, members and roles, invites,
 * pages and their credentials. Shared by the hub (validation, OpenAPI) and the web app.
 */

export const ORG_ROLES = ['owner', 'developer', 'agent-admin', 'viewer'] as const;
export const OrgRoleSchema = z.enum(ORG_ROLES);
export type OrgRole = z.infer<typeof OrgRoleSchema>;

/** Names people read: printable, no markup. */
const DisplayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((s) => !/[<>\p{Cc}]/u.test(s), 'no control characters or angle brackets');

export const ConsoleMemberSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: OrgRoleSchema,
  created_at: z.number(),
});
export type ConsoleMember = z.infer<typeof ConsoleMemberSchema>;

export const ConsoleOrgSchema = z.object({ id: z.string(), name: z.string() });

export const ConsoleSessionSchema = z.object({ member: ConsoleMemberSchema, organisation: ConsoleOrgSchema });
export type ConsoleSession = z.infer<typeof ConsoleSessionSchema>;

/** Self-service sign-up (CONSOLE_SIGNUP=true): a new organisation and its owner. */
export const ConsoleSignUpBodySchema = z
  .object({ organisation: DisplayNameSchema, username: UsernameSchema, password: PasswordSchema })
  .strict();
export type ConsoleSignUpBody = z.infer<typeof ConsoleSignUpBodySchema>;

export const ConsoleReauthBodySchema = z.object({ password: z.string().min(1).max(256) }).strict();

export const ConsoleInviteBodySchema = z.object({ role: OrgRoleSchema }).strict();
/** The invite as its creator sees it once: the code is never shown again. */
export const ConsoleInviteSchema = z.object({
  id: z.string(),
  role: OrgRoleSchema,
  code: z.string(),
  expires_at: z.number(),
});
export type ConsoleInvite = z.infer<typeof ConsoleInviteSchema>;

export const ConsoleAcceptInviteBodySchema = z
  .object({ code: z.string().min(1).max(128), username: UsernameSchema, password: PasswordSchema })
  .strict();

export const ConsoleMembersSchema = z.object({ data: z.array(ConsoleMemberSchema) });

export const ConsoleCreatePageBodySchema = z.object({ name: DisplayNameSchema, category: PageCategorySchema }).strict();

export const ConsolePageSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: PageCategorySchema,
  app_id: z.string(),
  /** The page's picture as customers see it (served by the hub), when it has one. */
  picture_url: z.string().optional(),
});
export type ConsolePage = z.infer<typeof ConsolePageSchema>;
export const ConsolePagesSchema = z.object({ data: z.array(ConsolePageSchema) });

/** A page just created: its first token ("initial") is shown this once. */
export const ConsoleCreatedPageSchema = ConsolePageSchema.extend({ page_access_token: z.string() });

export const ConsoleAppSecretSchema = z.object({ app_id: z.string(), app_secret: z.string() });

export const ConsoleTokenSchema = z.object({
  id: z.string(),
  label: z.string().nullable(),
  created_at: z.number(),
  revoked_at: z.number().nullable(),
  /** To the minute; null when never used. */
  last_used_at: z.number().nullable(),
});
export type ConsoleToken = z.infer<typeof ConsoleTokenSchema>;
export const ConsoleTokensSchema = z.object({ data: z.array(ConsoleTokenSchema) });

export const ConsoleCreateTokenBodySchema = z.object({ label: DisplayNameSchema }).strict();
/** A token just created: the only time it is shown. */
export const ConsoleCreatedTokenSchema = z.object({ id: z.string(), label: z.string(), page_access_token: z.string() });

/** A page's webhook subscription as the console shows it. Times are ISO strings. */
export const ConsoleWebhookSchema = z.object({
  page_id: z.string(),
  app_id: z.string(),
  callback_url: z.string().nullable(),
  fields: z.array(z.string()),
  available_fields: z.array(z.string()),
  /** `active`, or `disabled` after failing for WEBHOOK_DISABLE_AFTER_MS. */
  status: z.string(),
  failing_since: z.string().nullable(),
  /** When the failure alert (WEBHOOK_ALERT_AFTER_MS) fired for the current run. */
  alerted_at: z.string().nullable(),
  disabled_at: z.string().nullable(),
  pending: z.number(),
  delivered: z.number(),
  /** The next retry of the queue's head. */
  next_attempt_at: z.string().nullable(),
  last_error: z.string().nullable(),
});
export type ConsoleWebhook = z.infer<typeof ConsoleWebhookSchema>;

export const ConsoleSetWebhookBodySchema = z
  .object({
    url: z.string().min(1).max(2048),
    verify_token: z.string().min(1).max(256),
    fields: z.array(z.string().max(64)).max(32).optional(),
  })
  .strict();

export const ConsoleDeliveryAttemptSchema = z.object({
  id: z.string(),
  at: z.number(),
  kind: z.enum(['delivery', 'test']),
  /** Outbox ids the POST carried (redeliver them with from_event_id/to_event_id); null for a test event. */
  first_event_id: z.number().nullable(),
  last_event_id: z.number().nullable(),
  events: z.number(),
  attempt: z.number(),
  ok: z.boolean(),
  status_code: z.number().nullable(),
  latency_ms: z.number(),
  error: z.string().nullable(),
  /** The first characters of the business's answer. */
  response_snippet: z.string(),
});
export type ConsoleDeliveryAttempt = z.infer<typeof ConsoleDeliveryAttemptSchema>;
export const ConsoleDeliveriesSchema = z.object({ data: z.array(ConsoleDeliveryAttemptSchema) });

export const ConsoleRedeliverBodySchema = z
  .object({
    since: z.number().int().min(0).optional(),
    from_event_id: z.number().int().min(1).optional(),
    to_event_id: z.number().int().min(1).optional(),
  })
  .strict();
export const ConsoleRedeliveredSchema = z.object({ redelivered: z.number() });

export const ConsoleDeclarationsSchema = z.object({
  data: z.array(z.object({ category: z.string(), purpose: z.string() })),
});
/** The purpose customers read on the consent screen: plain text, no markup. */
export const ConsoleDeclareBodySchema = z
  .object({
    purpose: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .refine((s) => !/[<>\p{Cc}]/u.test(s), 'plain text: no angle brackets or control characters'),
  })
  .strict();

/** Consent statistics of a page: counts only, never who. */
export const ConsoleConsentStatsSchema = z.object({
  granted: z.number(),
  revoked: z.number(),
  expired: z.number(),
  by_category: z.array(z.object({ category: z.string(), granted: z.number(), refused_sends: z.number() })),
  refused_sends: z.number(),
  /** Refusals are counted since this time (the hub process's start). */
  refusals_since: z.string(),
});
export type ConsoleConsentStats = z.infer<typeof ConsoleConsentStatsSchema>;

/** A page's Messenger Profile as stored (the Platform API's shape). */
export const ConsoleProfileSchema = z.record(z.string(), z.unknown());

export const ConsolePersonasSchema = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string(), profile_picture_url: z.string() })),
});
export const ConsolePersonaSchema = z.object({ id: z.string(), name: z.string(), profile_picture_url: z.string() });

export const ConsoleAgentSchema = z.object({
  id: z.string(),
  username: z.string(),
  display_name: z.string(),
  persona_id: z.string(),
  created_at: z.number(),
  /** The agent's inbox team (null: none) and how many conversations they take at once. */
  team_id: z.string().nullable(),
  capacity: z.number(),
});
export type ConsoleAgent = z.infer<typeof ConsoleAgentSchema>;
export const ConsoleAgentsSchema = z.object({ data: z.array(ConsoleAgentSchema) });
export const ConsoleCreateAgentBodySchema = z
  .object({ username: UsernameSchema, password: PasswordSchema, display_name: DisplayNameSchema })
  .strict();

/** A page's metrics from the hub's counters (this process, since `since`). */
export const ConsolePageMetricsSchema = z.object({
  sends: z.number(),
  errors: z.record(z.string(), z.number()),
  consent_refusals: z.record(z.string(), z.number()),
  webhook: z.object({
    posts: z.number(),
    failed: z.number(),
    p50_ms: z.number().nullable(),
    p99_ms: z.number().nullable(),
  }),
  since: z.string(),
});
export type ConsolePageMetrics = z.infer<typeof ConsolePageMetricsSchema>;

export * from './teams.js';
