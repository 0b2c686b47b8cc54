/**
 * What the bank says in chat, as pure functions: replies about cases, balances,
 * transactions (its proactive updates are utility templates, templates.ts). Cards appear
 * only as `•••• 1234`; messages carry no links (reference §7.2 safety rules).
 */
import type { QuickReply } from '@confide/sdk';
import { formatMoney } from '../common/money.js';
import { maskedCard } from '../common/pan.js';
import type { FraudCase } from './fraud/cases.js';
import type { AccountView, Card, Txn } from './ledger.js';

/** `14:02 UTC, 23 Nov 2026` (for channels without the customer's time zone). */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${d.toISOString().slice(11, 16)} UTC, ${d.getUTCDate()} ${month} ${d.getUTCFullYear()}`;
}

/** `€1,299.00 at MegaTech Electronics (DE)`. */
export const purchaseLine = (txn: Txn): string =>
  `${formatMoney(-txn.amount_minor, txn.currency)} at ${txn.merchant_name} (${txn.merchant_country})`;

/** The case fields the chat texts need. */
type CaseView = Pick<FraudCase, 'ref' | 'answer_key'>;

export const genuineText = (fc: CaseView, txn: Txn, card: Card): string =>
  `Thanks, security check ${fc.ref} is closed: ${purchaseLine(txn)} is approved and card ${maskedCard(card.last4)} is unblocked. ` +
  `If the merchant asked you to pay again, you can retry now.`;

export const fraudReportedText = (fc: CaseView, txn: Txn, card: Card): string =>
  `Thanks for telling us (security check ${fc.ref}). We declined ${purchaseLine(txn)}, so it will not be charged, and card ${maskedCard(card.last4)} stays blocked. ` +
  `A replacement card is on its way. A member of our fraud team will take over this chat now.`;

/** What a second answer to a settled case is told. */
export function caseOutcomeText(fc: Pick<FraudCase, 'ref' | 'status'>, txn: Txn, card: Card): string {
  switch (fc.status) {
    case 'genuine':
      return `Security check ${fc.ref} is already closed: you confirmed ${purchaseLine(txn)}, and card ${maskedCard(card.last4)} was unblocked. Nothing changed.`;
    case 'fraud':
      return `Security check ${fc.ref} is already closed: you reported ${purchaseLine(txn)} as fraud. The payment was declined, card ${maskedCard(card.last4)} stays blocked and a replacement is on its way. Nothing changed.`;
    case 'expired':
      return `Security check ${fc.ref} expired without an answer, so ${purchaseLine(txn)} was declined and card ${maskedCard(card.last4)} is locked. Nothing changed now. To restore the card, say "unlock card" and confirm at the Sandbox Bank log-in page, or say "agent".`;
    default:
      return `Security check ${fc.ref} is closed. Nothing changed.`;
  }
}

export const lockedByCustomerText = (card: Card): string =>
  `Card ${maskedCard(card.last4)} is locked. Say "unlock card" whenever you want it back.`;

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

/** Transactions per message; "More" shows the next ones. */
export const TRANSACTIONS_PAGE = 8;

/** The bank's local time: Sandbox Bank is a euro bank in Berlin. */
export const BANK_TIME_ZONE = 'Europe/Berlin';
const stamp = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: BANK_TIME_ZONE,
});

/**
 * One page of transactions, newest first: "• 4 Dec 2026, 14:05 · Cafe Lumen · −€12.00 · •••• 4821".
 * A declined payment shows its amount unsigned and says it was not charged; a pending one says so.
 */
export function transactionsText(rows: readonly (Txn & { last4: string | null })[], offset = 0): string {
  if (rows.length === 0) return offset === 0 ? 'No transactions yet.' : 'No older transactions.';
  const lines = rows.map((t) => {
    const card = t.last4 === null ? '' : ` · ${maskedCard(t.last4)}`;
    const amount =
      t.status === 'rejected'
        ? `${formatMoney(Math.abs(t.amount_minor), t.currency)} declined, not charged`
        : `${formatMoney(t.amount_minor, t.currency).replace(/^-/, '−')}${t.status === 'pending' ? ' pending' : ''}`;
    return `• ${stamp.format(new Date(t.occurred_at))} · ${t.merchant_name} · ${amount}${card}`;
  });
  const title = offset === 0 ? 'Recent transactions' : `Transactions ${offset + 1}–${offset + rows.length}`;
  return [`${title} (Berlin time):`, ...lines].join('\n');
}

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
