/**
 * What the bank says in chat, as pure functions: alerts, balances, transactions. Cards
 * appear only as `•••• 1234`; messages carry no links (reference §7.2 safety rules).
 */
import type { OutgoingMessage, QuickReply } from '@confide/sdk';
import { formatMoney } from '../common/money.js';
import { maskedCard } from '../common/pan.js';
import type { RuleHit } from './fraud/rules.js';
import type { AccountView, Card, Txn } from './ledger.js';

/** Quick-reply payloads of a fraud alert: `FRAUD:<answer>:<alert id>`. */
export type FraudAnswer = 'yes' | 'no' | 'lock';
export const fraudPayload = (answer: FraudAnswer, alertId: string): string => `FRAUD:${answer}:${alertId}`;

/** `14:02 UTC, 23 Nov 2026` */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${d.toISOString().slice(11, 16)} UTC, ${d.getUTCDate()} ${month} ${d.getUTCFullYear()}`;
}

const purchaseLine = (txn: Txn): string => `${formatMoney(-txn.amount_minor, txn.currency)} at ${txn.merchant_name} (${txn.merchant_country})`;

export function fraudQuickReplies(alertId: string): QuickReply[] {
  return [
    { content_type: 'text', title: 'Yes, it was me', payload: fraudPayload('yes', alertId) },
    { content_type: 'text', title: 'No, not me', payload: fraudPayload('no', alertId) },
    { content_type: 'text', title: 'Lock card', payload: fraudPayload('lock', alertId) },
  ];
}

/** The fraud alert: merchant, amount, masked card, time, the rules' reasons, and the question. */
export function fraudAlertMessage(alertId: string, txn: Txn, card: Card, hits: readonly RuleHit[]): OutgoingMessage {
  const why = hits.map((h) => `• ${h.reason}`).join('\n');
  const text = [
    'Sandbox Bank fraud check',
    `Purchase: ${purchaseLine(txn)}`,
    `Card: ${maskedCard(card.last4)}`,
    `Time: ${formatTime(txn.occurred_at)}`,
    `Why we're asking:\n${why}`,
    'Was this you?',
  ].join('\n');
  return { text, quick_replies: fraudQuickReplies(alertId) };
}

export function softLockMessage(alertId: string, txn: Txn, card: Card): OutgoingMessage {
  return {
    text: `We didn't hear back about ${purchaseLine(txn)}, so card ${maskedCard(card.last4)} is temporarily locked. If it was you, tap "Yes, it was me" and we'll unlock it.`,
    quick_replies: fraudQuickReplies(alertId),
  };
}

export const genuineText = (txn: Txn, card: Card, unlocked: boolean): string =>
  `Thanks! We've marked ${purchaseLine(txn)} as genuine. Card ${maskedCard(card.last4)} ${unlocked ? 'is unlocked again' : 'stays active'}.`;

export const fraudReportedText = (card: Card): string =>
  `We've locked card ${maskedCard(card.last4)} so no further payments go through (this can be undone). ` +
  `A member of our fraud team will take over this chat now to review the payment and send you a replacement card.`;

export const lockedByCustomerText = (card: Card): string => `Card ${maskedCard(card.last4)} is locked. Say "unlock card" whenever you want it back.`;

export function balancesText(accounts: readonly AccountView[]): string {
  const lines = accounts.map((a) => {
    const label = a.kind === 'card' ? 'owed' : 'available';
    const shown = a.kind === 'card' ? -a.bookedMinor : a.availableMinor;
    return (
      `• ${a.name} (${a.mask}): ${formatMoney(shown, a.currency)} ${label}` +
      (a.kind === 'card' ? `, ${formatMoney(a.availableMinor, a.currency)} to spend` : '')
    );
  });
  return ['Your balances:', ...lines].join('\n');
}

export function transactionsText(rows: readonly (Txn & { last4: string | null })[]): string {
  if (rows.length === 0) return 'No transactions yet.';
  const lines = rows.map((t) => {
    const status = t.status === 'booked' ? '' : ` (${t.status === 'rejected' ? 'declined' : 'pending'})`;
    const card = t.last4 === null ? '' : ` · ${maskedCard(t.last4)}`;
    return `• ${new Date(t.occurred_at).toISOString().slice(5, 10)} ${formatMoney(t.amount_minor, t.currency)} ${t.merchant_name}${card}${status}`;
  });
  return ['Recent transactions:', ...lines].join('\n');
}

export const transactionNoticeText = (txn: Txn, card: Card): string =>
  txn.status === 'rejected'
    ? `Declined: ${purchaseLine(txn)} on card ${maskedCard(card.last4)}, because the card is locked.`
    : `Card ${maskedCard(card.last4)}: ${purchaseLine(txn)}, pending.`;

export const lowBalanceText = (account: AccountView): string =>
  `Heads up: ${account.name} (${account.mask}) is down to ${formatMoney(account.availableMinor, account.currency)}, ` +
  `below your ${formatMoney(account.lowBalanceThresholdMinor ?? 0, account.currency)} alert.`;

export const HELP_TEXT =
  'I can help with: "balance", "transactions", "lock card", "unlock card", "alert 200" (low-balance alert), "agent", "link" and "unlink". ' +
  'Or use the menu.';

export function helpQuickReplies(): QuickReply[] {
  return [
    { content_type: 'text', title: 'Balance', payload: 'CMD:balance' },
    { content_type: 'text', title: 'Transactions', payload: 'CMD:transactions' },
    { content_type: 'text', title: 'Cards', payload: 'CMD:cards' },
    { content_type: 'text', title: 'Talk to an agent', payload: 'CMD:agent' },
  ];
}
