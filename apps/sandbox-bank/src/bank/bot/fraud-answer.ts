/**
 * The chat channel of fraud cases: turns a button tap or a typed "yes"/"no" into one
 * call of {@link FraudCases.answer} and tells the customer what happened, including why
 * nothing changed (forged, unknown, someone else's, replayed, expired).
 */
import type { Platform } from '@confide/sdk';
import type { FraudCases } from '../fraud/cases.js';
import type { Links } from '../linking/links.js';
import { caseOutcomeText, fraudReportedText, genuineText } from '../messages.js';
import type { Command } from './commands.js';

const REJECTIONS = {
  malformed:
    'That answer didn\'t come from one of our security checks, so nothing changed. If something looks wrong, say "agent".',
  forged:
    'That answer didn\'t come from one of our security checks, so nothing changed. If something looks wrong, say "agent".',
  unknown: 'I couldn\'t find that security check, so nothing changed. If something looks wrong, say "agent".',
  foreign: 'I couldn\'t find that security check for you, so nothing changed. If something looks wrong, say "agent".',
  none_open: 'There is no open security check to answer right now. Say "help" to see what I can do.',
} as const;

/** Answers a fraud case from chat and replies to the customer. */
export async function answerFromChat(
  deps: { platform: Platform; links: Links; cases: FraudCases },
  psid: string,
  command: Extract<Command, { type: 'fraud_answer' }>,
): Promise<void> {
  const { platform, links, cases } = deps;
  const reply = (text: string) => platform.messages.sendText(psid, text);
  const customerId = await links.customerOf(psid);
  if (command.malformed) {
    await cases
      .answer({
        ref: undefined,
        answer: command.answer,
        channel: 'chat',
        sender: psid,
        customerId: undefined,
        proof: undefined,
      })
      .catch(() => undefined);
    await reply(REJECTIONS.malformed);
    return;
  }
  // A typed answer comes from the customer's own authenticated chat: no button proof, but only for a single open case.
  const typed = command.ref === undefined;
  const result = await cases.answer({
    ref: command.ref,
    answer: command.answer,
    channel: 'chat',
    sender: psid,
    customerId,
    proof: command.proof,
    proofless: typed,
    confirm: async ({ case: fc, txn, card }) => {
      await reply(fc.status === 'genuine' ? genuineText(fc, txn, card) : fraudReportedText(fc, txn, card));
    },
  });
  if (result.ok) return;
  switch (result.reason) {
    case 'replayed':
    case 'expired':
      if (result.case !== undefined && result.txn !== undefined && result.card !== undefined)
        await reply(caseOutcomeText(result.case, result.txn, result.card));
      return;
    case 'ambiguous':
      await reply(
        `You have ${result.open?.length ?? 'several'} open security checks (${(result.open ?? []).map((c) => c.ref).join(', ')}). Please answer each with the buttons on its message.`,
      );
      return;
    default:
      await reply(REJECTIONS[result.reason]);
  }
}
