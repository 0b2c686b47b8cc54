import { z } from 'zod';

/**
 * Inbox teams in the business console: a page's teams (name, auto-assign, business hours) and
 * which agents are in them, with each agent's capacity. Shared by the hub and the web app.
 */

/** A team's business hours: local "HH:MM" open and close on ISO weekdays in an IANA time zone. */
export const ConsoleBusinessHoursSchema = z
  .object({
    tz: z.string().min(1).max(64),
    open: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM'),
    close: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM'),
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  })
  .strict();
export type ConsoleBusinessHours = z.infer<typeof ConsoleBusinessHoursSchema>;

const TeamNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N} ._-]+$/u, 'letters, digits, spaces, dots, dashes or underscores');

export const ConsoleTeamSchema = z.object({
  id: z.string(),
  name: z.string(),
  auto_assign: z.boolean(),
  hours: ConsoleBusinessHoursSchema.nullable(),
  agent_ids: z.array(z.string()),
});
export type ConsoleTeam = z.infer<typeof ConsoleTeamSchema>;
export const ConsoleTeamsSchema = z.object({ data: z.array(ConsoleTeamSchema) });

export const ConsoleCreateTeamBodySchema = z
  .object({
    name: TeamNameSchema,
    auto_assign: z.boolean().default(true),
    hours: ConsoleBusinessHoursSchema.nullable().default(null),
  })
  .strict();
export type ConsoleCreateTeamBody = z.infer<typeof ConsoleCreateTeamBodySchema>;

/** Fields to change; `hours: null` makes the team always open. */
export const ConsoleUpdateTeamBodySchema = z
  .object({
    name: TeamNameSchema.optional(),
    auto_assign: z.boolean().optional(),
    hours: ConsoleBusinessHoursSchema.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name, auto_assign or hours');
export type ConsoleUpdateTeamBody = z.infer<typeof ConsoleUpdateTeamBodySchema>;

/** An agent's team (null: none) and capacity (conversations at once). */
export const ConsoleAgentPlacementBodySchema = z
  .object({
    team_id: z.string().min(1).max(64).nullable().optional(),
    capacity: z.number().int().min(1).max(50).optional(),
  })
  .strict()
  .refine((b) => b.team_id !== undefined || b.capacity !== undefined, 'team_id or capacity');
export type ConsoleAgentPlacementBody = z.infer<typeof ConsoleAgentPlacementBodySchema>;

export const ConsoleDeletedSchema = z.object({ deleted: z.literal(true) });
