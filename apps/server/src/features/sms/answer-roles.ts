/**
 * Which of a question's buttons a text reply means. A business declares it in the postback
 * payloads, as the fraud alert does: `<TAG>:yes` (optionally `:…` after it, e.g. a case reference
 * and a MAC: `FRAUD:yes:K7Q2MZ:…`) is "yes, it was me", `<TAG>:no…` is "no". A question with exactly
 * one of each can be answered YES/NO by SMS; any other question is texted only to say that it waits
 * in the app, and a YES/NO to it changes nothing. Never the buttons' order or their titles.
 */
import type { MessageBody } from '@confide/protocol';
import { templateButtons } from '../conversations/index.js';

const ROLE = /^[A-Z][A-Z0-9_]{0,31}:(yes|no)(?::|$)/i;

export interface AnswerButton {
  title: string;
  payload: string;
}

/** The question's declared YES and NO postbacks, or null when it does not declare exactly one of each. */
export function answerRoles(body: Pick<MessageBody, 'attachment'>): { yes: AnswerButton; no: AnswerButton } | null {
  const found: Record<'yes' | 'no', AnswerButton[]> = { yes: [], no: [] };
  for (const b of templateButtons(body)) {
    if (b.type !== 'postback' || typeof b.title !== 'string' || typeof b.payload !== 'string') continue;
    const role = ROLE.exec(b.payload)?.[1]?.toLowerCase() as 'yes' | 'no' | undefined;
    if (role !== undefined) found[role].push({ title: b.title, payload: b.payload });
  }
  const [yes] = found.yes;
  const [no] = found.no;
  if (found.yes.length !== 1 || found.no.length !== 1 || yes === undefined || no === undefined) return null;
  return { yes, no };
}
