import { afterEach, describe, expect, it } from 'vitest';
import { bankHarness, type Harness } from '../../test/bank-harness.js';
import { BANK_TEMPLATES } from './templates.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.bank.close();
  h = undefined;
});

describe('the bank’s utility templates', () => {
  it('one template per kind of update, each under a category the bank declares; healthy only once they are approved', async () => {
    expect(new Set(BANK_TEMPLATES.map((t) => t.notification_category))).toEqual(
      new Set(['fraud_alerts', 'transactions', 'balances']),
    );
    h = await bankHarness();
    expect((await h.bank.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
    await h.link('psid-alice', 'cus_alice');
    await h.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    expect((await h.bank.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(h.hub.sends().filter((r) => r.raw.tag !== undefined)).toEqual([]);
  });

  it('a low-balance and a transaction update fill their templates as the bank’s texts', async () => {
    h = await bankHarness({ BANK_NOTIFY_TRANSACTIONS: 'true' });
    await h.link('psid-alice', 'cus_alice');
    await h.bank.db.updateTable('accounts').set({ low_balance_threshold_minor: 10_000_000 }).execute();
    await h.bank.processor.authorize({
      ref: 't-1',
      cardId: 'card_alice_debit',
      customerId: 'cus_alice',
      amountMinor: 1_250,
      currency: 'EUR',
      merchantName: 'Café Luna',
      mcc: '5814',
      merchantCountry: 'DE',
      terminalId: 'T-CAFELUNA-01',
      cardPresent: true,
      occurredAt: h.clock.now,
      scenario: 'normal',
    });
    const texts = h.hub
      .sends()
      .filter((r) => r.body.messaging_type === 'UTILITY')
      .map((r) => [r.body.notification_category, r.body.message.attachment.payload.text]);
    expect(texts).toEqual([
      [
        'transactions',
        'Sandbox Bank card •••• 4821 was used for €12.50 at Café Luna (DE), and the payment is pending.',
      ],
      [
        'balances',
        expect.stringMatching(
          /^Heads up: .+ \(.+\) is down to €[\d,.]+, below your low-balance alert of €100,000\.00\.$/,
        ),
      ],
    ]);
  });
});
