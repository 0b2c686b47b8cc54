/**
 * The bank's utility message templates, one per kind of proactive update, each under the
 * consent category it declares (balances, transactions, fraud_alerts), and the functions
 * that fill them in. Filled in, each reads as the bank's chat texts always did. Parameters
 * never hold a new line (the hub refuses them), so line breaks live in the templates.
 */
import { maskedCard } from '../common/pan.js';
import { formatMoney } from '../common/money.js';
import type { UtilityUpdate } from '../common/proactive.js';
import type { TemplateSpec } from '../common/utility-templates.js';
import { answerProof } from './fraud/case-ref.js';
import type { FraudCase } from './fraud/cases.js';
import type { RuleHit } from './fraud/rules.js';
import type { AccountView, Card, Txn } from './ledger.js';
import { purchaseLine } from './messages.js';

const LANGUAGE = 'en';
const utility = (
  name: string,
  category: string,
  components: TemplateSpec['components'],
): TemplateSpec & { name: string } => ({
  name,
  language: LANGUAGE,
  category: 'UTILITY',
  notification_category: category,
  components,
});
const body = (text: string, ...example: string[]) =>
  example.length === 0 ? { type: 'BODY', text } : { type: 'BODY', text, example: { body_text: [example] } };

/** The fraud check: a question whose two postback buttons carry the case's signed answers. */
export const FRAUD_CHECK = utility('sandbox_fraud_check', 'fraud_alerts', [
  { type: 'HEADER', format: 'TEXT', text: 'Security check {{1}}', example: { header_text: ['FC-7K2Q9M'] } },
  body(
    'Purchase: {{1}}\nCard: {{2}}\nWhy: {{3}}\nWas this you? Until you answer, the payment is on hold and the card is blocked for new payments.',
    '€1,299.00 at MegaTech Electronics (DE)',
    '•••• 4821',
    "€1,299.00 is far above this card's usual spend.",
  ),
  {
    type: 'BUTTONS',
    buttons: [
      // The variable is `<ref>:<mac>`: the answer is fixed by the button, the MAC binds it to the case.
      { type: 'POSTBACK', text: 'Yes, it was me', payload: 'FRAUD:yes:{{1}}' },
      { type: 'POSTBACK', text: 'No, not me', payload: 'FRAUD:no:{{1}}' },
    ],
  },
]);

/** The reminder of an unanswered fraud check. */
export const FRAUD_REMINDER = utility('sandbox_fraud_reminder', 'fraud_alerts', [
  body(
    'Reminder about security check {{1}}: {{2}} on card {{3}} is still on hold. Please answer with the buttons on the check within {{4}}, or we decline the payment and keep the card locked.',
    'FC-7K2Q9M',
    '€1,299.00 at MegaTech Electronics (DE)',
    '•••• 4821',
    '10 minutes',
  ),
]);

/** A fraud check expired unanswered: payment declined, card locked, how to restore it. */
export const FRAUD_EXPIRED = utility('sandbox_fraud_expired', 'fraud_alerts', [
  body(
    `We didn't hear back about security check {{1}}, so we declined {{2}} and card {{3}} stays locked. To restore the card, say "unlock card" and confirm at the Sandbox Bank log-in page, or say "agent".`,
    'FC-7K2Q9M',
    '€1,299.00 at MegaTech Electronics (DE)',
    '•••• 4821',
  ),
]);

/** A fraud check answered on another channel, with its outcome. */
export const FRAUD_CLOSED = utility('sandbox_fraud_closed', 'fraud_alerts', [
  body(
    'Security check {{1}} is closed: it was answered on another channel. {{2}}.',
    'FC-7K2Q9M',
    '€1,299.00 at MegaTech Electronics (DE) is approved and card •••• 4821 is unblocked',
  ),
]);

/** A card payment: pending, or declined on a locked card. */
export const TRANSACTION_NOTICE = utility('sandbox_card_transaction', 'transactions', [
  body(
    'Sandbox Bank card {{1}} was used for {{2}}, and the payment is {{3}}.',
    '•••• 4821',
    '€12.50 at Café Luna (DE)',
    'pending',
  ),
]);

/** The available balance dropped below the customer's low-balance alert. */
export const LOW_BALANCE = utility('sandbox_low_balance', 'balances', [
  body(
    'Heads up: {{1}} ({{2}}) is down to {{3}}, below your low-balance alert of {{4}}.',
    'Everyday checking',
    '•••• 1234',
    '€42.00',
    '€100.00',
  ),
]);

/** Every template the bank sends with. */
export const BANK_TEMPLATES: readonly TemplateSpec[] = [
  FRAUD_CHECK,
  FRAUD_REMINDER,
  FRAUD_EXPIRED,
  FRAUD_CLOSED,
  TRANSACTION_NOTICE,
  LOW_BALANCE,
];

/** The case fields the texts need. */
type CaseView = Pick<FraudCase, 'ref' | 'answer_key'>;

/** Room for the rules' reasons: a parameter holds at most 1024 characters. */
const WHY_MAX = 600;

/** The fraud check of a case: amount, merchant, masked card, the rules' reasons, and the signed answers. */
export function fraudCheckUpdate(fc: CaseView, txn: Txn, card: Card, hits: readonly RuleHit[]): UtilityUpdate {
  let why = hits.map((h) => h.reason).join(' ');
  if (why.length > WHY_MAX) why = `${why.slice(0, WHY_MAX - 1)}…`;
  const ref = fc.ref ?? '';
  const key = fc.answer_key ?? '';
  return {
    template: FRAUD_CHECK.name,
    parameters: {
      header: ref,
      body: [purchaseLine(txn), maskedCard(card.last4), why],
      buttons: [
        { type: 'POSTBACK', payload: answerProof(key, 'yes', ref) },
        { type: 'POSTBACK', payload: answerProof(key, 'no', ref) },
      ],
    },
  };
}

const minutes = (ms: number): string =>
  ms >= 90_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.max(1, Math.round(ms / 1_000))} seconds`;

/** The reminder, with the time left to answer. */
export const fraudReminderUpdate = (fc: CaseView, txn: Txn, card: Card, leftMs: number): UtilityUpdate => ({
  template: FRAUD_REMINDER.name,
  parameters: { body: [fc.ref ?? '', purchaseLine(txn), maskedCard(card.last4), minutes(leftMs)] },
});

/** The expiry notice (sent replying to the check, which closes its question). */
export const fraudExpiredUpdate = (fc: CaseView, txn: Txn, card: Card): UtilityUpdate => ({
  template: FRAUD_EXPIRED.name,
  parameters: { body: [fc.ref ?? '', purchaseLine(txn), maskedCard(card.last4)] },
});

/** Tells the chat that a case was answered on another channel (the alert's question is then closed). */
export const fraudClosedUpdate = (fc: Pick<FraudCase, 'ref' | 'status'>, txn: Txn, card: Card): UtilityUpdate => ({
  template: FRAUD_CLOSED.name,
  parameters: {
    body: [
      fc.ref ?? '',
      fc.status === 'genuine'
        ? `${purchaseLine(txn)} is approved and card ${maskedCard(card.last4)} is unblocked`
        : `${purchaseLine(txn)} was declined, card ${maskedCard(card.last4)} stays blocked and a replacement is on its way`,
    ],
  },
});

/** A `transactions` update about one purchase. */
export const transactionUpdate = (txn: Txn, card: Card): UtilityUpdate => ({
  template: TRANSACTION_NOTICE.name,
  parameters: {
    body: [
      maskedCard(card.last4),
      purchaseLine(txn),
      txn.status === 'rejected' ? 'declined because the card is locked' : 'pending',
    ],
  },
});

/** A `balances` update: the account is below its alert threshold. */
export const lowBalanceUpdate = (account: AccountView): UtilityUpdate => ({
  template: LOW_BALANCE.name,
  parameters: {
    body: [
      account.name,
      account.mask,
      formatMoney(account.availableMinor, account.currency),
      formatMoney(account.lowBalanceThresholdMinor ?? 0, account.currency),
    ],
  },
});
