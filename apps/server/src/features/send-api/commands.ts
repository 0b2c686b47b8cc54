/**
 * Typed sends for senders inside the hub (the agent inbox): the commands the Graph endpoint
 * parses a request into (pipeline/parse-send.ts), built from values instead of a request.
 * They run through the same table of steps as any send (send-steps.ts): thread owner, window
 * and tag, consent, rate limit, then the append.
 */
import { OutgoingMessageSchema, type OutgoingMessage } from '@confide/protocol';
import { z } from 'zod';
import { parseParams } from '../../http/graph-request.js';
import type { SendCommand } from './pipeline/parse-send.js';

/** A text message a person writes under their persona, tagged HUMAN_AGENT (7 days after the customer's last message). */
export function humanAgentText(psid: string, personaId: string, text: string): SendCommand {
  return {
    kind: 'message',
    psid,
    message: textMessage(text),
    messagingType: 'MESSAGE_TAG',
    tag: 'HUMAN_AGENT',
    personaId,
    replyTo: undefined,
    category: undefined,
  };
}

/** typing_on / typing_off under a persona (the 7-day window applies). */
export function typingAction(psid: string, personaId: string, on: boolean): SendCommand {
  return { kind: 'action', psid, action: on ? 'typing_on' : 'typing_off', personaId };
}

const TextMessageSchema = z.object({ message: OutgoingMessageSchema });

/**
 * The Send API's rule for a text (not empty, fewer than 2,000 characters).
 * @throws PlatformError `INVALID_PARAMETER` with the Graph endpoint's text for the same text.
 */
function textMessage(text: string): OutgoingMessage {
  return parseParams(TextMessageSchema, { message: { text } }).message;
}
