/**
 * @module webhooks/envelope
 * The webhook POST body: `{ object: "page", entry: [{ id, time, messaging?, standby? }] }`.
 * Entries and items may be batched (§5.2); non-owner apps get items in `standby[]`.
 */
import { z } from 'zod';
import {
  AccountLinkingEventSchema,
  DeliveryEventSchema,
  EchoEventSchema,
  IncomingMessageEventSchema,
  OptinEventSchema,
  PostbackEventSchema,
  ReadEventSchema,
} from './events.js';
import {
  AppRolesEventSchema,
  PassThreadControlEventSchema,
  RequestThreadControlEventSchema,
  TakeThreadControlEventSchema,
} from './handover-events.js';
import { ApprovalEventSchema } from './approval-events.js';
import { MessagingFeedbackEventSchema } from './feedback-events.js';

/** Any item of `messaging[]` / `standby[]` that Confide knows. Echo is tried before message. */
export const WebhookEventSchema = z.union([
  EchoEventSchema,
  IncomingMessageEventSchema,
  PostbackEventSchema,
  DeliveryEventSchema,
  ReadEventSchema,
  AccountLinkingEventSchema,
  OptinEventSchema,
  PassThreadControlEventSchema,
  TakeThreadControlEventSchema,
  RequestThreadControlEventSchema,
  AppRolesEventSchema,
  ApprovalEventSchema,
  MessagingFeedbackEventSchema,
]);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** One page's batch of events. */
export const WebhookEntrySchema = z.object({
  id: z.string(),
  time: z.number(),
  messaging: z.array(WebhookEventSchema).optional(),
  standby: z.array(WebhookEventSchema).optional(),
  /** Page-level events (`message_template_status_update`): `{field, value}` items. */
  changes: z.array(z.object({ field: z.string(), value: z.unknown() })).optional(),
});
export type WebhookEntry = z.infer<typeof WebhookEntrySchema>;

/** The full POST body, every item validated. The hub uses it for what it sends. */
export const WebhookEnvelopeSchema = z.object({
  object: z.literal('page'),
  entry: z.array(WebhookEntrySchema),
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelopeSchema>;

/**
 * The envelope with items left unparsed. Receivers use it so that one event kind they
 * do not know (reactions, referrals, policy enforcement…) does not reject the batch.
 */
export const RawWebhookEnvelopeSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string(),
      time: z.number(),
      messaging: z.array(z.unknown()).optional(),
      standby: z.array(z.unknown()).optional(),
      changes: z.array(z.unknown()).optional(),
    }),
  ),
});
export type RawWebhookEnvelope = z.infer<typeof RawWebhookEnvelopeSchema>;

/** The kinds of {@link WebhookEvent}, named after the item's event key. */
export type WebhookEventKind =
  | 'message'
  | 'echo'
  | 'postback'
  | 'delivery'
  | 'read'
  | 'account_linking'
  | 'optin'
  | 'pass_thread_control'
  | 'take_thread_control'
  | 'request_thread_control'
  | 'app_roles'
  | 'approval'
  | 'messaging_feedback';

/** Names the kind of a parsed item: the one event key it carries (`echo` for `is_echo`). */
export function webhookEventKind(event: WebhookEvent): WebhookEventKind {
  if ('message' in event) return event.message.is_echo === true ? 'echo' : 'message';
  if ('postback' in event) return 'postback';
  if ('delivery' in event) return 'delivery';
  if ('read' in event) return 'read';
  if ('account_linking' in event) return 'account_linking';
  if ('optin' in event) return 'optin';
  if ('pass_thread_control' in event) return 'pass_thread_control';
  if ('take_thread_control' in event) return 'take_thread_control';
  if ('request_thread_control' in event) return 'request_thread_control';
  if ('approval' in event) return 'approval';
  if ('messaging_feedback' in event) return 'messaging_feedback';
  return 'app_roles';
}
