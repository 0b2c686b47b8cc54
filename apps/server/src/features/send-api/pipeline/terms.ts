/**
 * The terms of a send: what the thread-owner, window and consent steps judge. A message
 * takes them from its request; a sender action has only its persona; a utility template
 * send learns its consent category from the template (features/templates/fill-template.ts).
 */
import type { MessageTag, MessagingType } from '@confide/protocol';
import type { SendCommand } from './parse-send.js';

export interface SendTerms {
  kind: 'message' | 'action';
  messagingType?: MessagingType | 'UTILITY';
  tag?: MessageTag | undefined;
  /** The notification category of a proactive update (`notification_category`, or the template's). */
  category?: string | undefined;
  personaId: string | undefined;
  /** A utility send's template name (in a consent refusal's detail). */
  template?: string;
}

/** The terms a parsed command states by itself (a utility send's category comes later, from its template). */
export function termsOf(cmd: Exclude<SendCommand, { kind: 'utility' }>): SendTerms {
  if (cmd.kind === 'action') return { kind: 'action', personaId: cmd.personaId };
  return {
    kind: 'message',
    messagingType: cmd.messagingType,
    tag: cmd.tag,
    category: cmd.category,
    personaId: cmd.personaId,
  };
}
