import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAGE_INBOX_APP_ID } from '@confide/sdk';
import { bankHarness, type Harness } from '../../../test/bank-harness.js';
import { postbackEvent, quickReplyEvent, textEvent } from '../../../test/fake-hub.js';

const ALICE = 'psid-alice';
let h: Harness;
beforeEach(async () => {
  h = await bankHarness();
});
afterEach(() => h.bank.close());

const lastSend = () => h.hub.sends().at(-1)?.body;
const lastText = (): string => lastSend()?.message?.text ?? '';

describe('bank bot routing', () => {
  it('answers unknown text with help, never silence', async () => {
    expect(await h.deliver(textEvent(ALICE, 'what is the meaning of life'))).toBe(200);
    expect(lastText()).toMatch(/^Sorry, I didn't get that\. I can help with/);
    expect(lastSend().message.quick_replies.map((q: { payload: string }) => q.payload)).toContain('CMD:balance');
    expect(lastSend().messaging_type).toBe('RESPONSE');
  });

  it('asks an unlinked customer to log in with an account_link button', async () => {
    await h.deliver(textEvent(ALICE, 'balance please'));
    const payload = lastSend().message.attachment.payload;
    expect(payload.template_type).toBe('button');
    expect(payload.buttons).toEqual([{ type: 'account_link', url: 'http://bank.test/link' }]);
  });

  it('greets after linking and shows balances and transactions', async () => {
    await h.link(ALICE, 'cus_alice');
    expect(lastText()).toContain('Hi Alice, your Sandbox Bank account is linked');
    await h.deliver(textEvent(ALICE, 'Balance'));
    // One numbering: a card account is shown with its card's number, as in card messages.
    expect(lastText()).toContain('Everyday Checking (•••• 4021): €2,450.00 available');
    expect(lastText()).toContain('Sandbox Mastercard (•••• 7315): €420.00 owed, €2,580.00 to spend');
    await h.deliver(postbackEvent(ALICE, 'Recent transactions', 'CMD:transactions'));
    expect(lastText()).toMatch(/^Recent transactions \(Berlin time\):\n• \d{1,2} \w{3} \d{4}, \d{2}:\d{2} · /);
    expect(lastText()).toContain('•••• 4821');
  });

  it('pages transactions with More, dates them with the year and Berlin time, and labels declined payments', async () => {
    await h.link(ALICE, 'cus_alice');
    const base = Date.UTC(2030, 0, 2, 13, 5);
    await h.bank.db.deleteFrom('transactions').execute();
    for (let i = 0; i < 10; i++) {
      await h.bank.db
        .insertInto('transactions')
        .values({
          id: `txn_t${i}`,
          account_id: 'acc_alice_chk',
          card_id: 'card_alice_debit',
          amount_minor: -(1000 + i),
          currency: 'EUR',
          status: i === 9 ? 'rejected' : 'booked',
          supersedes: null,
          merchant_name: `Shop ${i}`,
          mcc: '5411',
          merchant_country: 'DE',
          terminal_id: 't1',
          card_present: 1,
          occurred_at: base + i * 60_000,
          booked_at: base,
          scenario: 'normal',
        })
        .execute();
    }
    await h.deliver(postbackEvent(ALICE, 'Recent transactions', 'CMD:transactions'));
    const first = lastSend().message;
    const lines = (first.text as string).split('\n');
    expect(lines).toHaveLength(9);
    // Newest first; 13:14 UTC is 14:14 in Berlin in January.
    expect(lines[1]).toBe('• 2 Jan 2030, 14:14 · Shop 9 · €10.09 declined, not charged · •••• 4821');
    expect(lines[2]).toBe('• 2 Jan 2030, 14:13 · Shop 8 · −€10.08 · •••• 4821');
    expect(first.quick_replies).toEqual([{ content_type: 'text', title: 'More', payload: 'TXNS:8' }]);
    await h.deliver(quickReplyEvent(ALICE, 'More', 'TXNS:8'));
    expect(lastText().split('\n')).toEqual([
      'Transactions 9–10 (Berlin time):',
      '• 2 Jan 2030, 14:06 · Shop 1 · −€10.01 · •••• 4821',
      '• 2 Jan 2030, 14:05 · Shop 0 · −€10.00 · •••• 4821',
    ]);
    expect(lastSend().message.quick_replies).toBeUndefined();
  });

  it('locks and unlocks a card from the cards menu and by text', async () => {
    await h.link(ALICE, 'cus_alice');
    await h.deliver(postbackEvent(ALICE, 'Lock / unlock a card', 'CMD:cards'));
    const replies = lastSend().message.quick_replies.map((q: { payload: string }) => q.payload);
    expect(replies).toEqual(['LOCK:card_alice_credit', 'LOCK:card_alice_debit']);
    await h.deliver(quickReplyEvent(ALICE, 'Lock •••• 4821', 'LOCK:card_alice_debit'));
    expect((await h.bank.ledger.card('card_alice_debit'))?.status).toBe('locked');
    expect(lastText()).toBe('Card •••• 4821 is locked.');
    await h.deliver(textEvent(ALICE, 'unlock card'));
    expect((await h.bank.ledger.card('card_alice_debit'))?.status).toBe('active');
    expect(lastText()).toBe('Card •••• 4821 is unlocked.');
  });

  it('will not lock a card that belongs to someone else', async () => {
    await h.link(ALICE, 'cus_alice');
    await h.deliver(quickReplyEvent(ALICE, 'Lock', 'LOCK:card_bob_debit'));
    expect((await h.bank.ledger.card('card_bob_debit'))?.status).toBe('active');
    expect(lastText()).toBe("That card isn't one of yours.");
  });

  it('sets and clears the low-balance alert threshold', async () => {
    await h.link(ALICE, 'cus_alice');
    await h.deliver(textEvent(ALICE, 'set alert €150'));
    expect((await h.bank.ledger.account('acc_alice_chk'))?.lowBalanceThresholdMinor).toBe(15_000);
    expect(lastText()).toContain('below €150.00');
    await h.deliver(textEvent(ALICE, 'alert off'));
    expect((await h.bank.ledger.account('acc_alice_chk'))?.lowBalanceThresholdMinor).toBeNull();
    await h.deliver(postbackEvent(ALICE, 'Low-balance alert', 'CMD:threshold'));
    expect(lastSend().message.quick_replies.map((q: { payload: string }) => q.payload)).toEqual([
      'THRESHOLD:5000',
      'THRESHOLD:10000',
      'THRESHOLD:25000',
      'THRESHOLD:off',
    ]);
  });

  it('hands the conversation to the inbox when asked for an agent', async () => {
    await h.deliver(textEvent(ALICE, 'I want to talk to a human'));
    const handover = h.hub.requests.at(-1);
    expect(handover?.path).toBe('/me/pass_thread_control');
    expect(handover?.body).toEqual({
      recipient: { id: ALICE },
      target_app_id: PAGE_INBOX_APP_ID,
      metadata: 'customer asked for an agent',
    });
  });

  it('offers an account_unlink button to a linked customer', async () => {
    await h.link(ALICE, 'cus_alice');
    await h.deliver(textEvent(ALICE, 'unlink'));
    expect(lastSend().message.attachment.payload.buttons).toEqual([{ type: 'account_unlink' }]);
  });

  it('forgets the link on account_unlinked', async () => {
    await h.link(ALICE, 'cus_alice');
    await h.deliver({
      sender: { id: ALICE },
      recipient: { id: 'PAGE_1' },
      timestamp: Date.now(),
      account_linking: { status: 'unlinked' },
    });
    expect(await h.bank.links.customerOf(ALICE)).toBeUndefined();
  });

  it('rejects an account_linking webhook whose code it never minted (the hub aborts the link)', async () => {
    const status = await h.deliver({
      sender: { id: ALICE },
      recipient: { id: 'PAGE_1' },
      timestamp: Date.now(),
      account_linking: { status: 'linked', authorization_code: 'forged' },
    });
    expect(status).toBe(500);
    expect(await h.bank.links.customerOf(ALICE)).toBeUndefined();
  });

  it('rejects a code presented for a different PSID', async () => {
    const code = await h.bank.links.mintCode('psid-bob', 'cus_bob', h.clock.now);
    const status = await h.deliver({
      sender: { id: ALICE },
      recipient: { id: 'PAGE_1' },
      timestamp: Date.now(),
      account_linking: { status: 'linked', authorization_code: code },
    });
    expect(status).toBe(500);
    expect(await h.bank.links.customerOf(ALICE)).toBeUndefined();
  });
});

describe('persistent menu', () => {
  it('fits Messenger limits (titles ≤ 20 characters) and points Log In at the bank', async () => {
    const { bankMessengerProfile } = await import('../menu.js');
    const profile = bankMessengerProfile('http://bank.test/link');
    const titles = (profile.persistent_menu?.[0]?.call_to_actions ?? []).map((c) => (c as { title: string }).title);
    expect(titles).toHaveLength(6);
    for (const title of titles) expect(title.length).toBeLessThanOrEqual(20);
    expect(profile.account_linking_url).toBe('http://bank.test/link');
  });
});
