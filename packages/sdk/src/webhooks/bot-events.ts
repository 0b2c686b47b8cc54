/**
 * @module webhooks/bot-events
 * The event names a {@link Bot} routes to and what each handler receives.
 */
import type {
  AccountLinkingEvent,
  ApprovalEvent,
  DeliveryEvent,
  EchoEvent,
  HandoverEvent,
  IncomingMessageEvent,
  MessageTemplateStatusUpdate,
  MessagingFeedbackEvent,
  OptinEvent,
  PostbackEvent,
  ReadEvent,
  WebhookEvent,
} from '@confide/protocol';

/** A message that answers a quick reply. */
export type QuickReplyEvent = IncomingMessageEvent & {
  message: IncomingMessageEvent['message'] & { quick_reply: { payload: string } };
};
/** `account_linking` with `status: "linked"`. */
export type AccountLinkedEvent = AccountLinkingEvent & { account_linking: { status: 'linked' } };
/** `account_linking` with `status: "unlinked"`. */
export type AccountUnlinkedEvent = AccountLinkingEvent & { account_linking: { status: 'unlinked' } };

/** What each `on*` handler receives. */
export interface BotEventMap {
  message: IncomingMessageEvent;
  quick_reply: QuickReplyEvent;
  postback: PostbackEvent;
  account_linked: AccountLinkedEvent;
  account_unlinked: AccountUnlinkedEvent;
  handover: HandoverEvent;
  delivery: DeliveryEvent;
  read: ReadEvent;
  echo: EchoEvent;
  optin: OptinEvent;
  /** Any known item that arrived in `standby[]` (another app owns the thread). */
  standby: WebhookEvent;
  /** A utility message template was approved or rejected (`entry[].changes[]`, field `message_template_status_update`). */
  template_status: MessageTemplateStatusUpdate;
  /** A decision on an approval request (`approvals` field). */
  approval: ApprovalEvent;
  /** The customer answered a feedback question, e.g. the inbox's 1–5 satisfaction question (`messaging_feedback` field). */
  feedback: MessagingFeedbackEvent;
  /** An item the SDK does not know (reactions, referrals…), unparsed. */
  unknown: unknown;
}
/** Names accepted by {@link Bot.on}. */
export type BotEventName = keyof BotEventMap;
