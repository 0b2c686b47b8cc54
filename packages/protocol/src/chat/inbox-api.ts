import { z } from 'zod';
import { ChatMessageSchema, MessagePersonaSchema } from './customer-api.js';

/**
 * Agent inbox API (`/inbox/api`) shapes, shared by the hub and the web app. An agent sees
 * only their page's conversations that are in the page inbox, and of the customer only the
 * PSID and the allowed profile fields: never the customer id or other businesses.
 */

/** online: conversations are assigned to them; away and offline: not. */
export const AgentStatusSchema = z.enum(['online', 'away', 'offline']);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const InboxTeamSchema = z.object({ id: z.string(), name: z.string() });

export const InboxAgentSchema = z.object({
  id: z.string(),
  username: z.string(),
  display_name: z.string(),
  page: z.object({ id: z.string(), name: z.string() }),
  team: InboxTeamSchema.nullable(),
  role: z.enum(['agent', 'supervisor']),
  status: AgentStatusSchema,
  /** Conversations assigned at once, at most. */
  capacity: z.number().int(),
});

/** `PUT /inbox/api/me/status`. */
export const AgentStatusBodySchema = z.object({ status: AgentStatusSchema }).strict();
export type InboxAgent = z.infer<typeof InboxAgentSchema>;

export const InboxSessionSchema = z.object({ agent: InboxAgentSchema });

/** The agent a conversation is assigned to, or null while it waits in the queue. */
export const InboxAssigneeSchema = z.object({ id: z.string(), display_name: z.string() }).nullable();
export type InboxAssignee = z.infer<typeof InboxAssigneeSchema>;

/** The customer as the page sees them: PSID and allowed profile fields. */
export const InboxCustomerSchema = z.object({ psid: z.string(), first_name: z.string() });
export type InboxCustomer = z.infer<typeof InboxCustomerSchema>;

/**
 * A message as the agent sees it: the customer's own view of it (templates, buttons and the
 * customer's answer, attachments through the image proxy, system lines), so the inbox renders
 * it with the messenger's components.
 */
export const InboxMessageSchema = ChatMessageSchema.extend({
  tag: z.string().nullable(),
  /** The agent persona a page message was sent under. */
  persona: MessagePersonaSchema.nullable(),
});
export type InboxMessage = z.infer<typeof InboxMessageSchema>;

/** open: waiting for an agent; assigned: an agent has it; snoozed: set aside until `snoozed_until` or the customer writes; resolved: back with the assistant. */
export const InboxStatusSchema = z.enum(['open', 'assigned', 'snoozed', 'resolved']);
export type InboxStatus = z.infer<typeof InboxStatusSchema>;

/** A conversation's SLA timers: when each is due (null: met or none) and which were breached. */
export const InboxSlaStateSchema = z.object({
  first_reply_due_at: z.number().nullable(),
  resolution_due_at: z.number().nullable(),
  breached: z.array(z.enum(['first_reply', 'resolution'])),
});
export type InboxSlaState = z.infer<typeof InboxSlaStateSchema>;

export const InboxQueueItemSchema = z.object({
  conversation_id: z.string(),
  customer: InboxCustomerSchema,
  /** When the conversation was handed over to the page inbox. */
  queued_at: z.number(),
  assigned_agent: InboxAssigneeSchema,
  status: InboxStatusSchema,
  snoozed_until: z.number().nullable(),
  /** Why the conversation was handed over (the `metadata` of the hand-over, or its `reason`), if given. */
  reason: z.string().nullable(),
  /** The team the hand-over named (`metadata` as JSON `{"team": "Fraud", "reason": "…"}`). */
  team: InboxTeamSchema.nullable(),
  last_message: InboxMessageSchema.nullable(),
  /** SLA timers of the conversation's team, when it has targets (inbox-supervision.ts). */
  sla: InboxSlaStateSchema.nullable().optional(),
});
export type InboxQueueItem = z.infer<typeof InboxQueueItemSchema>;

/** The queue, oldest handover first; `now` is the hub's clock, for waiting times. */
export const InboxQueueSchema = z.object({ data: z.array(InboxQueueItemSchema), now: z.number() });
export type InboxQueue = z.infer<typeof InboxQueueSchema>;

export const InboxConversationSchema = InboxQueueItemSchema.omit({ last_message: true }).extend({
  /** Replies (HUMAN_AGENT) are allowed until 7 days after the customer's last message. */
  reply_until: z.number().nullable(),
  /** Set once resolved (the conversation is then read-only until the customer writes again). */
  resolved_at: z.number().nullable(),
  /** The customer's consent to proactive updates from this page. */
  consent: z.object({
    status: z.enum(['none', 'active', 'expired', 'revoked']),
    categories: z.array(z.string()),
    expires_at: z.number().nullable(),
  }),
  messages: z.array(InboxMessageSchema),
  now: z.number(),
});

/** `GET /inbox/api/conversations/:id/state`: the conversation without its messages (no content opened, no view recorded). */
export const InboxConversationStateSchema = InboxConversationSchema.omit({ messages: true });
export type InboxConversationState = z.infer<typeof InboxConversationStateSchema>;
export type InboxConversation = z.infer<typeof InboxConversationSchema>;

export const AgentReplyBodySchema = z.object({ text: z.string().trim().min(1).max(2000) }).strict();

/** "Resolve": an optional note for the assistant, delivered as the `metadata` of its `pass_thread_control` (e.g. an approval). */
export const InboxResolveBodySchema = z.object({ note: z.string().trim().min(1).max(1000).optional() }).strict();
export type InboxResolveBody = z.infer<typeof InboxResolveBodySchema>;

/** Assign or transfer: to an agent of the page, or back to a team's queue (exactly one). */
export const InboxAssignBodySchema = z
  .object({
    agent_id: z.string().min(1).max(64).optional(),
    team_id: z.string().min(1).max(64).optional(),
    /** Stored as an internal note on the conversation (never sent to the customer). */
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((b) => (b.agent_id === undefined) !== (b.team_id === undefined), 'name exactly one of agent_id and team_id');
export type InboxAssignBody = z.infer<typeof InboxAssignBodySchema>;

/** `GET /inbox/api/transfer-targets`: the page's teams and agents (status and open conversations) to transfer to. */
export const InboxTransferTargetsSchema = z.object({
  teams: z.array(z.object({ id: z.string(), name: z.string() })),
  agents: z.array(
    z.object({
      id: z.string(),
      display_name: z.string(),
      team: z.string().nullable(),
      status: AgentStatusSchema,
      load: z.number().int(),
      capacity: z.number().int(),
    }),
  ),
});
export type InboxTransferTargets = z.infer<typeof InboxTransferTargetsSchema>;

/** Variables a canned response may use: the customer's first name and the case reference of the hand-over. */
export const CANNED_VARIABLES = ['first_name', 'case_ref'] as const;

/** `POST /inbox/api/canned` (supervisors): a canned response for their team (or the page). */
export const InboxCannedBodySchema = z
  .object({
    title: z.string().trim().min(1).max(60),
    text: z.string().trim().min(1).max(2000),
    team_id: z.string().max(64).nullable().optional(),
  })
  .strict();
export const InboxCannedSchema = z.object({
  id: z.string(),
  title: z.string(),
  text: z.string(),
  team_id: z.string().nullable(),
});
export type InboxCanned = z.infer<typeof InboxCannedSchema>;
export const InboxCannedListSchema = z.object({ data: z.array(InboxCannedSchema) });
/** A canned response filled in for one conversation, ready to edit and send. */
export const InboxCannedFilledSchema = z.object({ text: z.string() });

/** An internal note: agents of the page see it; the customer never does. */
export const InboxNoteBodySchema = z.object({ text: z.string().trim().min(1).max(2000) }).strict();
export const InboxNoteSchema = z.object({
  id: z.string(),
  text: z.string(),
  created_at: z.number(),
  author: z.object({ id: z.string(), display_name: z.string() }),
});
export type InboxNote = z.infer<typeof InboxNoteSchema>;
export const InboxNoteListSchema = z.object({ data: z.array(InboxNoteSchema) });

/** Snooze: the conversation leaves the queue for `minutes`, or until the customer writes. */
export const InboxSnoozeBodySchema = z
  .object({
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  })
  .strict();
export type InboxSnoozeBody = z.infer<typeof InboxSnoozeBodySchema>;

const DaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/u, 'a day as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real day');

/**
 * The closed view (`GET /inbox/api/closed`): resolved conversations of the page, newest first.
 * `q` matches the customer's first name, the PSID or words of the messages; `from`/`to` are
 * UTC days (inclusive) of the resolve.
 */
export const InboxClosedQuerySchema = z
  .object({
    q: z.string().trim().max(200).optional(),
    from: DaySchema.optional(),
    to: DaySchema.optional(),
  })
  .strict();
export type InboxClosedQuery = z.infer<typeof InboxClosedQuerySchema>;

export const InboxClosedItemSchema = z.object({
  conversation_id: z.string(),
  customer: InboxCustomerSchema,
  resolved_at: z.number(),
  resolved_by: InboxAssigneeSchema,
  /** Where `q` matched: `name`, `psid`, or a message (with a snippet of it). */
  match: z.object({ field: z.enum(['name', 'psid', 'message']), snippet: z.string().nullable() }).nullable(),
});
export type InboxClosedItem = z.infer<typeof InboxClosedItemSchema>;

export const InboxClosedListSchema = z.object({
  data: z.array(InboxClosedItemSchema),
  /** Conversations searched (newest resolved first); messages are searched in at most this many. */
  scanned: z.number(),
  truncated: z.boolean(),
});
export type InboxClosedList = z.infer<typeof InboxClosedListSchema>;
export type AgentReplyBody = z.infer<typeof AgentReplyBodySchema>;

/**
 * The customer's side of a hand-over (`GET /api/conversations/:id/agent`): with the assistant,
 * waiting for a person (with the place in the page's queue), or with an agent (by name).
 */
export const CustomerHandoverSchema = z.object({
  state: z.enum(['assistant', 'waiting', 'with_agent']),
  /** 1 for the next conversation an agent takes; null unless waiting. */
  position: z.number().int().min(1).nullable(),
  agent: z.object({ name: z.string() }).nullable(),
});
export type CustomerHandover = z.infer<typeof CustomerHandoverSchema>;

/** Agent typing (`POST /inbox/api/conversations/:id/typing`): shown to the customer as the page typing. */
export const AgentTypingBodySchema = z.object({ on: z.boolean() }).strict();

/** Why a queue frame was sent. */
export const InboxChangeSchema = z.enum([
  'queued',
  'left',
  'taken',
  'message',
  'snoozed',
  'reopened',
  'note',
  'approval',
  'sla_breached',
]);
export type InboxChange = z.infer<typeof InboxChangeSchema>;

/** Frames on the agent's WebSocket (`/inbox/api/stream`): messages themselves, and hints to re-read the rest. */
export const InboxFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('queue'), change: InboxChangeSchema, conversation_id: z.string() }),
  /** A message in a conversation of the inbox (from the customer, the page or the hub): the message itself, no re-read needed. */
  z.object({ type: z.literal('message'), conversation_id: z.string(), message: InboxMessageSchema }),
  /** Live frames may have been missed (bus reconnect): re-read the queue. */
  z.object({ type: z.literal('resync') }),
]);
export type InboxFrame = z.infer<typeof InboxFrameSchema>;
