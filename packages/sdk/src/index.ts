/**
 * @module @confide/sdk
 * Bank-facing SDK for the Confide Platform API (wire-compatible with Messenger's):
 * resource clients over a link-based transport, typed errors, signed webhooks and a Bot router.
 */
export { Platform, type PlatformOptions } from './platform.js';
export {
  PlatformApiError,
  PlatformNetworkError,
  WebhookPayloadError,
  WebhookSignatureError,
  WebhookVerificationError,
  isPlatformApiError,
  type PlatformApiErrorOptions,
  type WebhookVerificationFailure,
} from './errors.js';

export {
  HttpTransport,
  DEFAULT_API_VERSION,
  computeAppSecretProof,
  type HttpTransportOptions,
} from './transport/http-transport.js';
export {
  composeLinks,
  type HttpMethod,
  type Link,
  type LinkNext,
  type PlatformRequest,
  type PlatformResponse,
  type QueryParams,
} from './transport/link.js';
export { retryLink, isTransientError, type RetryLinkOptions } from './transport/retry-link.js';
export { loggerLink, type LogEntry, type LoggerLinkOptions } from './transport/logger-link.js';

export { MessagesClient } from './clients/messages-client.js';
export { AttachmentsClient, type UploadInput, type UploadResponse } from './clients/attachments-client.js';
export {
  ProfileClient,
  type MessengerProfile,
  type MessengerProfileField,
  type UserProfile,
} from './clients/profile-client.js';
export { LinkingClient } from './clients/linking-client.js';
export { ConsentClient, type ConsentRequestResponse } from './clients/consent-client.js';
export { TranscriptsClient, type TranscriptOptions } from './clients/transcripts-client.js';
export {
  HandoverClient,
  PAGE_INBOX_APP_ID,
  type HandoverResponse,
  type SecondaryReceiver,
} from './clients/handover-client.js';
export {
  TemplatesClient,
  type CreateMessageTemplateResponse,
  type LibraryFilters,
  type LibraryTemplate,
  type MessageTemplate,
  type MessageTemplateInput,
  type TemplateListFilters,
  type TemplateStatus,
  type UtilityButtonParameter,
  type UtilityParameters,
  type UtilitySendOptions,
} from './clients/templates-client.js';
export type * from './clients/message-types.js';
export { ApprovalsClient, type ApprovalRequestInput } from './clients/approvals-client.js';

export { verifyWebhook, handleVerification, type QuerySource } from './webhooks/verify-webhook.js';
export {
  Bot,
  type AccountLinkedEvent,
  type AccountUnlinkedEvent,
  type BotContext,
  type BotEventMap,
  type BotEventName,
  type BotHandler,
  type BotOptions,
  type DispatchResult,
  type QuickReplyEvent,
} from './webhooks/bot.js';
export { DEFAULT_DEDUPE_OPTIONS, type DedupeOptions } from './webhooks/dedupe.js';
export {
  handleWebhookRequest,
  type WebhookHandlerOptions,
  type WebhookRequest,
  type WebhookResponse,
} from './webhooks/handle-request.js';
export { createNodeHandler, type NodeRequestLike, type NodeResponseLike } from './webhooks/node-adapter.js';
export { expressWebhook, type ExpressRequestLike } from './webhooks/express-adapter.js';
export {
  fastifyWebhook,
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type FastifyWebhookOptions,
} from './webhooks/fastify-adapter.js';
export { fetchWebhookHandler } from './webhooks/fetch-adapter.js';

// Webhook event types live in @confide/protocol; re-exported so bots need one import.
export type {
  AccountLinkingEvent,
  ApprovalDecision,
  ApprovalEvent,
  MessagingFeedbackEvent,
  ApprovalKind,
  AppRolesEvent,
  DeliveryEvent,
  EchoEvent,
  HandoverEvent,
  IncomingMessageEvent,
  OptinEvent,
  PassThreadControlEvent,
  PostbackEvent,
  ReadEvent,
  RequestThreadControlEvent,
  SignatureAlgorithm,
  SignatureFailureReason,
  TakeThreadControlEvent,
  WebhookEnvelope,
  WebhookEvent,
} from '@confide/protocol';
