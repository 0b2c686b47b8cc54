/**
 * @module send-api/graph-objects
 * The other Graph endpoints Messenger clients call: Messenger Profile, personas, page
 * subscriptions, the handover protocol and the batch API (reference §2.6, §9).
 */
import { z } from 'zod';
import { graphBoolean } from './graph-scalars.js';
import { PostbackButtonSchema, UrlButtonSchema } from './buttons.js';
import { HttpUrlSchema, maxChars } from './text.js';

/** App id of the built-in page inbox (human agents), as on Messenger. */
export const PAGE_INBOX_APP_ID = '263902037430900';

const locale = z.string().regex(/^(default|[a-z]{2}_[A-Z]{2})$/, 'must be "default" or a locale such as en_US');

/** Persistent-menu item titles may be 30 characters (Meta's limit), not the 20 of message buttons. */
const menuTitle = maxChars(30, 1);

/** Menu items: URL and postback buttons, or (legacy) nested menus. */
const MenuItemSchema = z.union([
  UrlButtonSchema.extend({ title: menuTitle }),
  PostbackButtonSchema.extend({ title: menuTitle }),
  z.object({ type: z.literal('nested'), title: maxChars(30, 1), call_to_actions: z.array(z.unknown()).max(5) }),
]);

const IceBreakerSchema = z.object({ question: maxChars(80, 1), payload: maxChars(1000, 1) });

/** Profile properties, each validated; only the ones present are written. */
export const MessengerProfileSchema = z.object({
  get_started: z.object({ payload: maxChars(1000, 1) }).optional(),
  greeting: z
    .array(z.object({ locale, text: maxChars(160, 1) }))
    .min(1)
    .max(100)
    .optional(),
  persistent_menu: z
    .array(
      z.object({
        locale,
        composer_input_disabled: graphBoolean().optional(),
        disabled_surfaces: z.array(z.string()).optional(),
        call_to_actions: z.array(MenuItemSchema).max(20).optional(),
      }),
    )
    .min(1)
    .max(100)
    .optional(),
  ice_breakers: z
    .union([
      z.array(IceBreakerSchema).min(1).max(4),
      z.array(z.object({ locale, call_to_actions: z.array(IceBreakerSchema).min(1).max(4) })).min(1),
    ])
    .optional(),
  account_linking_url: HttpUrlSchema.optional(),
  whitelisted_domains: z.array(HttpUrlSchema).max(50).optional(),
});
export type MessengerProfile = z.infer<typeof MessengerProfileSchema>;
export const MESSENGER_PROFILE_FIELDS = [
  'get_started',
  'greeting',
  'persistent_menu',
  'ice_breakers',
  'account_linking_url',
  'whitelisted_domains',
] as const;
export type MessengerProfileField = (typeof MESSENGER_PROFILE_FIELDS)[number];

/** `{"result":"success"}`, the Messenger Profile answer. */
export const ResultSuccessSchema = z.object({ result: z.literal('success') });
/** `{"success":true}`, most other writes' answer. */
export const SuccessSchema = z.object({ success: z.literal(true) });

export const CreatePersonaRequestSchema = z.object({ name: maxChars(100, 1), profile_picture_url: HttpUrlSchema });
export type CreatePersonaRequest = z.infer<typeof CreatePersonaRequestSchema>;
export const PersonaSchema = z.object({ id: z.string(), name: z.string(), profile_picture_url: z.string() });
export type Persona = z.infer<typeof PersonaSchema>;

/** Webhook fields a page subscription may list. */
export const SUBSCRIBABLE_FIELDS = [
  'messages',
  'message_echoes',
  'messaging_postbacks',
  'message_deliveries',
  'message_reads',
  'messaging_account_linking',
  'messaging_handovers',
  'messaging_optins',
  'messaging_referrals',
  'messaging_policy_enforcement',
  'message_reactions',
  'message_edits',
  'messaging_feedback',
  'message_template_status_update',
  /** Confide: decisions on four-eyes approval requests (inbox supervisors). */
  'approvals',
  'standby',
] as const;

const recipient = z.object({
  id: z
    .union([z.string().regex(/^\d{1,32}$/, 'must be a page-scoped id'), z.number().int().positive()])
    .transform(String),
});
/**
 * Hand-over `metadata` is free text, often JSON written by a bot (`{"team": "Fraud", …}`); the
 * Graph decoder parses JSON-looking fields, so an object here is turned back into its JSON text.
 */
const metadata = z
  .preprocess((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v), maxChars(1000))
  .optional();

export const PassThreadControlRequestSchema = z.object({
  recipient,
  target_app_id: z
    .union([z.string().regex(/^\d{1,32}$/, 'must be an app id'), z.number().int().positive()])
    .transform(String),
  metadata,
});
export const ThreadControlRequestSchema = z.object({ recipient, metadata });
export type ThreadControlRequest = z.infer<typeof ThreadControlRequestSchema>;
export const ThreadOwnerResponseSchema = z.object({
  data: z.array(z.object({ thread_owner: z.object({ app_id: z.string() }) })),
});

/** One operation of `POST /` with `batch=[…]`. */
export const BatchOperationSchema = z.object({
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(['GET', 'POST', 'DELETE'])),
  relative_url: z.string().min(1).max(4096),
  body: z.string().max(1_000_000).optional(),
  name: z.string().max(128).optional(),
});
export const MAX_BATCH_OPERATIONS = 50;
export const BatchRequestSchema = z.object({
  batch: z.array(BatchOperationSchema).min(1).max(MAX_BATCH_OPERATIONS),
  include_headers: z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]).optional(),
});
/** One answer of a batch: status, headers and the JSON body as a string, as Graph returns them. */
export const BatchResponseItemSchema = z.object({
  code: z.number().int(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  body: z.string(),
});
export type BatchResponseItem = z.infer<typeof BatchResponseItemSchema>;
