/**
 * Four-eyes card unlock at the bank: a card locked for fraud unlocks on an approved
 * `card_unlock` decision from the hub (`approvals` webhook), names the card by its last four
 * digits, and stays locked on a rejection or another kind of decision.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankHarness, type Harness } from '../../../test/bank-harness.js';
import { postbackEvent } from '../../../test/fake-hub.js';

const ALICE = 'psid-alice';
let h: Harness;
beforeEach(async () => {
  h = await bankHarness({ BANK_REPLY_TIMEOUT_MS: '60000', BANK_REMIND_AFTER_MS: '30000' });
  await h.link(ALICE, 'cus_alice');
});
afterEach(() => h.bank.close());

const decision = (status: 'approved' | 'rejected', details: Record<string, string>, kind = 'card_unlock') => ({
  sender: { id: ALICE },
  recipient: { id: 'PAGE_1' },
  timestamp: h.clock.now,
  approval: {
    id: `apr_${status}_${kind}`,
    kind,
    status,
    details,
    note: 'Called the customer back',
    decided_at: h.clock.now,
    decided_by: { name: 'Rosa' },
    requested_by: 'agent',
  },
});
const lastText = (): string => h.hub.sends().at(-1)?.body.message.text ?? '';

describe('four-eyes card unlock', () => {
  it('unlocks a fraud-locked card only on an approved card_unlock decision', async () => {
    await h.bank.simulator.stage('new_country', 'cus_alice', 'card_alice_debit');
    const alert = h.hub.sends().find((r) => r.body.notification_category === 'fraud_alerts');
    const no = alert?.body.message.attachment.payload.buttons[1];
    await h.deliver(postbackEvent(ALICE, no.title, no.payload));
    const locked = { status: 'locked', lock_reason: 'fraud_confirmed' };
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject(locked);
    await h.deliver(decision('approved', { card_last4: '4821' }, 'limit_raise'));
    await h.deliver(decision('rejected', { card_last4: '4821' }));
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject(locked);
    expect(lastText()).toContain('could not approve it');
    await h.deliver(decision('approved', { card_last4: '7315' }));
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject(locked);
    await h.deliver(decision('approved', { card_last4: '4821' }));
    expect(await h.bank.ledger.card('card_alice_debit')).toMatchObject({ status: 'active', lock_reason: null });
    expect(lastText()).toContain('Our team approved unlocking card •••• 4821');
  });
});
