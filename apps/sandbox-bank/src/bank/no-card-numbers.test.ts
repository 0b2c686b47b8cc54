import { afterEach, describe, expect, it } from 'vitest';
import { bankHarness, type Harness } from '../../test/bank-harness.js';
import { quickReplyEvent, textEvent } from '../../test/fake-hub.js';
import { findPanLike } from '../common/pan.js';
import { SCENARIOS } from './simulator/simulator.js';

let h: Harness | undefined;
afterEach(() => h?.bank.close());

const TABLES = [
  'customers',
  'accounts',
  'cards',
  'transactions',
  'links',
  'link_codes',
  'alerts',
  'refusals',
  'compromised_terminals',
  'case_events',
  'answer_rejections',
  'card_replacements',
  'step_ups',
] as const;

describe('card numbers never appear', () => {
  it('detects a Luhn-valid test PAN and ignores other digit runs (the scanner itself works)', () => {
    expect(findPanLike('card 4111 1111 1111 1111 used')).toEqual(['4111 1111 1111 1111']);
    expect(findPanLike('id 5555555555554444')).toEqual(['5555555555554444']);
    expect(findPanLike('4111111111111112 1234 20261123')).toEqual([]);
  });

  it('in any bank DB row or outgoing message after linking, simulation, alerts and commands', async () => {
    h = await bankHarness({ BANK_REPLY_TIMEOUT_MS: '1000' });
    await h.link('psid-alice', 'cus_alice');
    await h.link('psid-bob', 'cus_bob');
    h.hub.refuse.add('transactions');
    for (const scenario of SCENARIOS) {
      // Each case blocks its card; unblock between scenarios so every one runs.
      await h.bank.simulator.stage(scenario, 'cus_alice', 'card_alice_credit');
      await h.bank.simulator.stage(scenario, 'cus_bob', 'card_bob_debit');
      h.clock.now += 2_000;
      await h.bank.cases.sweep();
      await h.bank.ledger.unlockCard('card_alice_credit');
      await h.bank.ledger.unlockCard('card_bob_debit');
    }
    for (const text of ['balance', 'transactions', 'cards', 'lock card', 'unlock card', 'alert 100', 'agent', 'hello?'])
      await h.deliver(textEvent('psid-alice', text));
    await h.deliver(quickReplyEvent('psid-bob', 'No, not me', 'FRAUD:no:unknown'));
    h.clock.now += 5_000;
    await h.bank.cases.sweep();

    const rows: unknown[] = [];
    for (const table of TABLES) rows.push(...(await h.bank.db.selectFrom(table).selectAll().execute()));
    expect(rows.length).toBeGreaterThan(100);
    const strings = rows.flatMap((row) =>
      Object.values(row as object).filter((v): v is string => typeof v === 'string'),
    );
    expect(strings.flatMap(findPanLike)).toEqual([]);
    const outgoing = h.hub.sends().map((r) => JSON.stringify(r.body.message));
    expect(outgoing.length).toBeGreaterThan(12);
    expect(outgoing.flatMap(findPanLike)).toEqual([]);
  });

  it('masks a PAN that slips into an outgoing message before it leaves the bank', async () => {
    h = await bankHarness();
    await h.bank.platform.messages.sendText('psid-alice', 'Your card 4111 1111 1111 1111 is ready');
    expect(h.hub.sends().at(-1)?.body.message.text).toBe('Your card •••• 1111 is ready');
  });
});
