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
    expect(lastText()).toContain('Everyday Checking (••4021): €2,450.00 available');
    expect(lastText()).toContain('Sandbox Mastercard (••3307): €420.00 owed, €2,580.00 to spend');
    await h.deliver(postbackEvent(ALICE, 'Recent transactions', 'CMD:transactions'));
    expect(lastText()).toMatch(/^Recent transactions:\n• /);
    expect(lastText()).toContain('•••• 4821');
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
    expect(handover?.body).toEqual({ recipient: { id: ALICE }, target_app_id: PAGE_INBOX_APP_ID, metadata: 'customer asked for an agent' });
  });

  it('offers an account_unlink button to a linked customer', async () => {
    await h.link(ALICE, 'cus_alice');
    await h.deliver(textEvent(ALICE, 'unlink'));
    expect(lastSend().message.attachment.payload.buttons).toEqual([{ type: 'account_unlink' }]);
  });

  it('forgets the link on account_unlinked', async () => {
    await h.link(ALICE, 'cus_alice');
    await h.deliver({ sender: { id: ALICE }, recipient: { id: 'PAGE_1' }, timestamp: Date.now(), account_linking: { status: 'unlinked' } });
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
