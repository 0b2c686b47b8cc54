/**
 * Step 1 — parse and validate a Send API request into a command. Enforces: `message`
 * and `sender_action` never together (100/2018014); the Send API schema (recipient PSID,
 * text and metadata lengths, quick replies, templates, buttons); `messaging_type` required
 * except for sender actions; `tag` required for MESSAGE_TAG; account-link URLs on HTTPS.
 */
import {
  isAllowedAccountLinkUrl,
  PlatformError,
  SendMessageRequestSchema,
  type Button,
  type MessageTag,
  type MessagingType,
  type OutgoingMessage,
  type SenderAction,
} from '@confide/protocol';
import { parseParams } from '../../../http/graph-request.js';
import { assertNotRecurringNotification } from '../../graph/retired.js';

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
  | { kind: 'action'; psid: string; action: SenderAction; personaId: string | undefined };

export function parseSendRequest(params: Record<string, unknown>, options: { allowLoopbackHttp: boolean }): SendCommand {
  if (params['message'] !== undefined && params['sender_action'] !== undefined) throw new PlatformError('MESSAGE_AND_ACTION');
  assertNotRecurringNotification(params);
  const req = parseParams(SendMessageRequestSchema, params);
  const psid = req.recipient.id;
  if (req.sender_action !== undefined) return { kind: 'action', psid, action: req.sender_action, personaId: req.persona_id };
  if (req.message === undefined) throw invalid('param message or sender_action is required', 'message');
  // Meta documents messaging_type as required, but its reference bots omit it and Graph accepts
  // them as replies: a missing type is RESPONSE (inside the 24-hour window, as any response).
  const messagingType = req.messaging_type ?? 'RESPONSE';
  if (messagingType === 'MESSAGE_TAG' && req.tag === undefined) throw invalid('param tag is required when messaging_type is MESSAGE_TAG', 'tag');
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

/** `account_link` buttons must point at HTTPS (loopback HTTP allowed outside production). */
function assertAccountLinkUrls(message: OutgoingMessage, allowLoopbackHttp: boolean): void {
  const attachment = message.attachment;
  if (attachment === undefined || attachment.type !== 'template') return;
  const payload = attachment.payload;
  const buttons: Button[] =
    payload.template_type === 'button' ? payload.buttons : payload.template_type === 'generic' ? payload.elements.flatMap((e) => e.buttons ?? []) : [];
  for (const button of buttons) {
    if (button.type === 'account_link' && !isAllowedAccountLinkUrl(button.url, allowLoopbackHttp)) {
      throw invalid('param url of an account_link button must use https', 'message.attachment.payload.buttons.url');
    }
  }
}

function invalid(message: string, param: string): PlatformError {
  return new PlatformError('INVALID_PARAMETER', { message, detail: { param } });
}
