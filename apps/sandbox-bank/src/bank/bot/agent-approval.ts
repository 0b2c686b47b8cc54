/**
 * The other way to unlock a card locked for fraud: the bank's people approve it in the inbox.
 * Four-eyes: a `card_unlock` approval request is decided by a supervisor; the hub delivers the
 * decision as an `approvals` webhook event (`applyApprovalDecision`), and only an approved
 * decision unlocks the card. An agent handing the conversation back with the note
 * "approve unlock" (optionally the card's last four digits, delivered as the metadata of
 * `pass_thread_control` from the page inbox) no longer unlocks anything by itself: it raises
 * the request (`platform.approvals.request`). Only a note from the inbox counts.
 */
import { PAGE_INBOX_APP_ID, type ApprovalEvent, type HandoverEvent, type Platform } from '@confide/sdk';
import type { Logger } from 'pino';
import { maskedCard } from '../../common/pan.js';
import { FRAUD_LOCKS, isFraudLock, type FraudCases } from '../fraud/cases.js';
import type { Ledger } from '../ledger.js';
import type { Links } from '../linking/links.js';

const APPROVAL = /\bapproved?\s+unlock\b/i;
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Turns an agent's "approve unlock" hand-back into a `card_unlock` approval request for a
 * supervisor; the card stays locked until an approved decision arrives.
 * @returns whether a request was raised.
 */
export async function applyAgentApproval(deps: Deps, event: HandoverEvent): Promise<boolean> {
  if (!('pass_thread_control' in event)) return false;
  const { previous_owner_app_id: from, metadata } = event.pass_thread_control;
  if (metadata === undefined || !APPROVAL.test(metadata)) return false;
  const psid = event.sender.id;
  if (String(from) !== String(PAGE_INBOX_APP_ID)) {
    deps.log.warn({ psid, from }, 'unlock approval ignored: not from the page inbox');
    return false;
  }
  const card = await unlockableCard(deps, psid, /\b(\d{4})\b/.exec(metadata)?.[1]);
  if (card === undefined) return false;
  try {
    const { id } = await deps.platform.approvals.request({
      psid,
      kind: 'card_unlock',
      summary: `Unlock card ${maskedCard(card.last4)} (an agent asked when handing back)`,
      details: { card_last4: card.last4 },
    });
    const fc = await deps.cases.latestCaseOf(card.id);
    if (fc !== undefined)
      await deps.cases.note(fc.id, 'agent:inbox', `card unlock asked; awaiting a supervisor (${id})`);
    deps.log.info({ psid, card: card.id, approval: id }, 'card unlock approval requested');
  } catch (err) {
    deps.log.warn({ psid, err: errText(err) }, 'could not request the unlock approval');
    return false;
  }
  await deps.platform.messages
    .sendText(psid, `A supervisor will review unlocking card ${maskedCard(card.last4)}; we'll tell you here.`)
    .catch((err: unknown) => deps.log.warn({ err: errText(err) }, 'send failed'));
  return true;
}

/**
 * A supervisor's decision on a `card_unlock` request (`details.card_last4` names the card; without
 * it the customer's one fraud-locked card). A rejection leaves the card locked and tells the customer.
 * @returns whether a card was unlocked.
 */
export async function applyApprovalDecision(deps: Deps, event: ApprovalEvent): Promise<boolean> {
  const { approval } = event;
  if (approval.kind !== 'card_unlock') return false;
  const psid = event.sender.id;
  deps.log.info({ psid, approval: approval.id, status: approval.status }, 'approval decision');
  if (approval.status === 'approved') {
    const digits = approval.details['card_last4'];
    const note = `card unlock approved by ${approval.decided_by.name} (four-eyes, ${approval.id})`;
    return unlockApproved(deps, psid, typeof digits === 'string' ? digits : undefined, note);
  }
  await deps.platform.messages
    .sendText(psid, 'Our team reviewed your card unlock and could not approve it: the card stays locked for now.')
    .catch((err: unknown) => deps.log.warn({ err: errText(err) }, 'send failed'));
  return false;
}

type Deps = { platform: Platform; ledger: Ledger; links: Links; cases: FraudCases; log: Logger };

/** The one card locked for fraud (not under review) that `digits` names, if exactly one matches. */
async function unlockableCard(deps: Deps, psid: string, digits: string | undefined) {
  const customerId = await deps.links.customerOf(psid);
  if (customerId === undefined) return undefined;
  // Cards still under review wait for the customer's answer; the others can be approved.
  const locked = (await deps.ledger.cards(customerId)).filter(
    (c) => isFraudLock(c.lock_reason) && c.lock_reason !== FRAUD_LOCKS.review,
  );
  const chosen = digits === undefined ? locked : locked.filter((c) => c.last4 === digits);
  if (chosen.length !== 1) {
    deps.log.warn(
      { psid, candidates: locked.length, digits },
      'unlock approval ignored: no single fraud-locked card matches',
    );
    return undefined;
  }
  return chosen[0];
}

async function unlockApproved(deps: Deps, psid: string, digits: string | undefined, caseNote: string) {
  const card = await unlockableCard(deps, psid, digits);
  if (card === undefined) return false;
  await deps.ledger.unlockCard(card.id);
  const fc = await deps.cases.latestCaseOf(card.id);
  if (fc !== undefined) await deps.cases.note(fc.id, 'agent:inbox', caseNote);
  deps.log.info({ psid, card: card.id }, 'card unlocked on an approved decision');
  await deps.platform.messages
    .sendText(psid, `Our team approved unlocking card ${maskedCard(card.last4)}: it works again.`)
    .catch((err: unknown) => deps.log.warn({ err: errText(err) }, 'could not confirm the approved unlock in chat'));
  return true;
}
