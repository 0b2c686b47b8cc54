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

export const ConsoleMemberSchema = z.object({ id: z.string(), username: z.string(), role: OrgRoleSchema, created_at: z.number() });
export type ConsoleMember = z.infer<typeof ConsoleMemberSchema>;

export const ConsoleOrgSchema = z.object({ id: z.string(), name: z.string() });

export const ConsoleSessionSchema = z.object({ member: ConsoleMemberSchema, organisation: ConsoleOrgSchema });
export type ConsoleSession = z.infer<typeof ConsoleSessionSchema>;

/** Self-service sign-up (CONSOLE_SIGNUP=true): a new organisation and its owner. */
export const ConsoleSignUpBodySchema = z.object({ organisation: DisplayNameSchema, username: UsernameSchema, password: PasswordSchema }).strict();
export type ConsoleSignUpBody = z.infer<typeof ConsoleSignUpBodySchema>;

export const ConsoleReauthBodySchema = z.object({ password: z.string().min(1).max(256) }).strict();

export const ConsoleInviteBodySchema = z.object({ role: OrgRoleSchema }).strict();
/** The invite as its creator sees it once: the code is never shown again. */
export const ConsoleInviteSchema = z.object({ id: z.string(), role: OrgRoleSchema, code: z.string(), expires_at: z.number() });
export type ConsoleInvite = z.infer<typeof ConsoleInviteSchema>;

export const ConsoleAcceptInviteBodySchema = z.object({ code: z.string().min(1).max(128), username: UsernameSchema, password: PasswordSchema }).strict();

export const ConsoleMembersSchema = z.object({ data: z.array(ConsoleMemberSchema) });

export const ConsoleCreatePageBodySchema = z.object({ name: DisplayNameSchema, category: PageCategorySchema }).strict();

export const ConsolePageSchema = z.object({ id: z.string(), name: z.string(), category: PageCategorySchema, app_id: z.string() });
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
