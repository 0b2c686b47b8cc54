/**
 * Step 1 — parse and validate a Send API request into a command. Enforces: `message`
 * and `sender_action` never together (100/2018014); the Send API schema (recipient PSID,
 * text and metadata lengths, quick replies, templates, buttons); a missing `messaging_type`
 * is RESPONSE; `tag` required for MESSAGE_TAG; account-link URLs on HTTPS. A `message.template`
 * is a utility send (Utility Messages); with `MESSENGER_TAGS=current` the three tags Meta
 * retired on 2026-04-27 answer 100 as Meta does.
 */
import {
  CONSENT_TAGS,
  isAllowedAccountLinkUrl,
  PlatformError,
  SendMessageRequestSchema,
  TemplateMessageSchema,
  type Button,
  type MessageTag,
  type MessagingType,
  type OutgoingMessage,
  type SenderAction,
  type TemplateMessage,
} from '@confide/protocol';
import { parseParams } from '../../../http/graph-request.js';
import { assertNotRecurringNotification } from '../../graph/retired.js';
import { plainTextSend } from './plain-text-send.js';

export type SendCommand =
  | {
      kind: 'message';
      psid: string;
      message: OutgoingMessage;
      messagingType: MessagingType;
      tag: MessageTag | undefined;
      personaId: string | undefined;
      replyTo: string | undefined;
      category: string | undefined;
    }
  | { kind: 'action'; psid: string; action: SenderAction; personaId: string | undefined }
  | {
      kind: 'utility';
      psid: string;
      message: TemplateMessage;
      personaId: string | undefined;
      replyTo: string | undefined;
    };

export interface ParseSendOptions {
  allowLoopbackHttp: boolean;
  /** `MESSENGER_TAGS=legacy`: ACCOUNT_UPDATE, POST_PURCHASE_UPDATE and CONFIRMED_EVENT_UPDATE still work (behind consent). */
  legacyTags: boolean;
}

/** The day Meta started refusing the three update tags (error 100). */
export const TAGS_RETIRED_ON = '2026-04-27';

/** A send whose `message` carries `template`: a utility template by name and language. */
const UtilitySendRequestSchema = SendMessageRequestSchema.omit({ message: true }).extend({
  message: TemplateMessageSchema,
});

export function parseSendRequest(params: Record<string, unknown>, options: ParseSendOptions): SendCommand {
  if (params['message'] !== undefined && params['sender_action'] !== undefined)
    throw new PlatformError('MESSAGE_AND_ACTION');
  assertNotRecurringNotification(params);
  if (isTemplateMessage(params['message'])) return parseUtilitySend(params);
  if (params['messaging_type'] === 'UTILITY')
    throw invalid('param message.template is required when messaging_type is UTILITY', 'message.template');
  return plainTextSend(params) ?? parseWithSchema(params, options);
}

/** A send checked against `SendMessageRequestSchema` (exported for the plain-text fast path's tests). */
export function parseWithSchema(params: Record<string, unknown>, options: ParseSendOptions): SendCommand {
  const req = parseParams(SendMessageRequestSchema, params);
  const psid = req.recipient.id;
  if (req.sender_action !== undefined)
    return { kind: 'action', psid, action: req.sender_action, personaId: req.persona_id };
  if (req.message === undefined) throw invalid('param message or sender_action is required', 'message');
  // Meta documents messaging_type as required, but its reference bots omit it and Graph accepts
  // them as replies: a missing type is RESPONSE (inside the 24-hour window, as any response).
  const messagingType = req.messaging_type ?? 'RESPONSE';
  if (messagingType === 'MESSAGE_TAG' && req.tag === undefined)
    throw invalid('param tag is required when messaging_type is MESSAGE_TAG', 'tag');
  if (messagingType === 'MESSAGE_TAG' && !options.legacyTags) assertTagSupported(req.tag as MessageTag);
  assertAccountLinkUrls(req.message, options.allowLoopbackHttp);
  return {
    kind: 'message',
    psid,
    message: req.message,
    messagingType,
    tag: messagingType === 'MESSAGE_TAG' ? req.tag : undefined,
    personaId: req.persona_id,
    replyTo: req.reply_to?.mid,
    category: req.notification_category,
  };
}

function isTemplateMessage(message: unknown): boolean {
  return (
    message !== null &&
    typeof message === 'object' &&
    !Array.isArray(message) &&
    (message as Record<string, unknown>)['template'] !== undefined
  );
}

/** A utility send: any window, never with a tag (its consent comes from the template's category). */
function parseUtilitySend(params: Record<string, unknown>): SendCommand {
  const message = params['message'] as Record<string, unknown>;
  if (['text', 'attachment', 'attachments'].some((key) => message[key] !== undefined)) {
    throw invalid('param message must contain exactly one of text, attachment, attachments or template', 'message');
  }
  const req = parseParams(UtilitySendRequestSchema, params);
  if (req.messaging_type === 'MESSAGE_TAG') {
    throw invalid(
      'param messaging_type: a template message is sent with messaging_type UTILITY (or without one), not with a tag',
      'messaging_type',
    );
  }
  return {
    kind: 'utility',
    psid: req.recipient.id,
    message: req.message,
    personaId: req.persona_id,
    replyTo: req.reply_to?.mid,
  };
}

/**
 * Meta answers the retired tags with a plain `(#100) Invalid parameter`; the reason and the
 * replacement travel in `error_data` so a developer reading the error knows what to do.
 */
function assertTagSupported(tag: MessageTag): void {
  if (!CONSENT_TAGS.includes(tag)) return;
  throw new PlatformError('INVALID_PARAMETER', {
    detail: {
      param: 'tag',
      reason: `The ${tag} message tag is no longer supported (since ${TAGS_RETIRED_ON}); send proactive updates as utility messages (message.template)`,
    },
  });
}

/** `account_link` buttons must point at HTTPS (loopback HTTP allowed outside production). */
function assertAccountLinkUrls(message: OutgoingMessage, allowLoopbackHttp: boolean): void {
  const attachment = message.attachment;
  if (attachment === undefined || attachment.type !== 'template') return;
  const payload = attachment.payload;
  const buttons: Button[] =
    payload.template_type === 'button'
      ? payload.buttons
      : payload.template_type === 'generic'
        ? payload.elements.flatMap((e) => e.buttons ?? [])
        : [];
  for (const button of buttons) {
    if (button.type === 'account_link' && !isAllowedAccountLinkUrl(button.url, allowLoopbackHttp)) {
      throw invalid('param url of an account_link button must use https', 'message.attachment.payload.buttons.url');
    }
  }
}

function invalid(message: string, param: string): PlatformError {
  return new PlatformError('INVALID_PARAMETER', { message, detail: { param } });
}
