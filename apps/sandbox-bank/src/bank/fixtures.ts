/**
 * The bank's demo customers (alice, bob): accounts with balances, cards by id and last
 * four only, and 30 days of everyday card history so the fraud rules have a baseline.
 * Seeding is idempotent and deterministic for a given seed and time.
 */
import type { Kysely } from 'kysely';
import { hashPassword, newId } from '../common/ids.js';
import { deriveSeed, mulberry32 } from '../common/prng.js';
import type { AccountKind, BankDatabase } from './schema.js';
import { EVERYDAY_MERCHANTS, COMPROMISED_TERMINAL, terminalId } from './simulator/merchants.js';
import { everydayAmount } from './simulator/simulator.js';

interface FixtureAccount {
  id: string;
  kind: AccountKind;
  name: string;
  mask: string;
  bookedMinor: number;
  creditLimitMinor?: number;
  card?: { id: string; last4: string; network: string };
}

/** A demo customer: the bank's own credentials, never the hub's. */
export interface FixtureCustomer {
  id: string;
  username: string;
  password: string;
  displayName: string;
  homeCountry: string;
  currency: string;
  typicalMinor: number;
  accounts: FixtureAccount[];
}

export const BANK_DEMO_CUSTOMERS: readonly FixtureCustomer[] = [
  {
    id: 'cus_alice',
    username: 'alice',
    password: 'alice-bank-pass',
    displayName: 'Alice',
    homeCountry: 'DE',
    currency: 'EUR',
    typicalMinor: 3_500,
    accounts: [
      {
        id: 'acc_alice_chk',
        kind: 'checking',
        name: 'Everyday Checking',
        mask: '••4021',
        bookedMinor: 245_000,
        card: { id: 'card_alice_debit', last4: '4821', network: 'Visa Debit' },
      },
      { id: 'acc_alice_sav', kind: 'savings', name: 'Rainy Day Savings', mask: '••7719', bookedMinor: 1_250_000 },
      {
        id: 'acc_alice_cc',
        kind: 'card',
        name: 'Sandbox Mastercard',
        mask: '••3307',
        bookedMinor: -42_000,
        creditLimitMinor: 300_000,
        card: { id: 'card_alice_credit', last4: '7315', network: 'Mastercard' },
      },
    ],
  },
  {
    id: 'cus_bob',
    username: 'bob',
    password: 'bob-bank-pass',
    displayName: 'Bob',
    homeCountry: 'FR',
    currency: 'EUR',
    typicalMinor: 6_000,
    accounts: [
      {
        id: 'acc_bob_chk',
        kind: 'checking',
        name: 'Everyday Checking',
        mask: '••5530',
        bookedMinor: 89_000,
        card: { id: 'card_bob_debit', last4: '1190', network: 'Visa Debit' },
      },
      {
        id: 'acc_bob_cc',
        kind: 'card',
        name: 'Sandbox Mastercard',
        mask: '••9011',
        bookedMinor: -12_000,
        creditLimitMinor: 200_000,
        card: { id: 'card_bob_credit', last4: '5562', network: 'Mastercard' },
      },
    ],
  },
];

const DAY_MS = 86_400_000;

/** Inserts the demo customers unless present. @returns true when it seeded. */
export async function seedBank(db: Kysely<BankDatabase>, options: { seed: number; now: number }): Promise<boolean> {
  const existing = await db.selectFrom('customers').select('id').limit(1).executeTakeFirst();
  if (existing !== undefined) return false;
  const { seed, now } = options;
  await db.transaction().execute(async (trx) => {
    for (const c of BANK_DEMO_CUSTOMERS) {
      await trx
        .insertInto('customers')
        .values({
          id: c.id,
          username: c.username,
          display_name: c.displayName,
          password_hash: hashPassword(c.password),
          home_country: c.homeCountry,
          created_at: now,
        })
        .execute();
      for (const a of c.accounts) {
        await trx
          .insertInto('accounts')
          .values({
            id: a.id,
            customer_id: c.id,
            kind: a.kind,
            name: a.name,
            currency: c.currency,
            display_mask: a.mask,
            booked_minor: a.bookedMinor,
            credit_limit_minor: a.creditLimitMinor ?? null,
            low_balance_threshold_minor: a.kind === 'checking' ? 20_000 : null,
            low_balance_notified: 0,
            created_at: now,
          })
          .execute();
        if (a.card === undefined) continue;
        await trx
          .insertInto('cards')
          .values({
            id: a.card.id,
            customer_id: c.id,
            account_id: a.id,
            last4: a.card.last4,
            network: a.card.network,
            status: 'active',
            lock_reason: null,
            locked_at: null,
          })
          .execute();
        // 30 days of everyday history, already booked (the opening balance includes it).
        const rng = mulberry32(deriveSeed(seed, a.card.id));
        for (let day = 30; day >= 1; day--) {
          const merchant = rng.pick(EVERYDAY_MERCHANTS);
          const at = now - day * DAY_MS + rng.int(8 * 3_600_000, 20 * 3_600_000);
          await trx
            .insertInto('transactions')
            .values({
              id: newId('txn'),
              account_id: a.id,
              card_id: a.card.id,
              amount_minor: -everydayAmount(rng, c.typicalMinor),
              currency: c.currency,
              status: 'booked',
              supersedes: null,
              merchant_name: merchant.name,
              mcc: merchant.mcc,
              merchant_country: merchant.country ?? c.homeCountry,
              terminal_id: terminalId(merchant, rng.int(1, 3)),
              card_present: merchant.cardPresent ? 1 : 0,
              occurred_at: at,
              booked_at: at,
              scenario: 'history',
            })
            .execute();
        }
      }
    }
    await trx
      .insertInto('compromised_terminals')
      .values({ terminal_id: COMPROMISED_TERMINAL.terminalId, reason: 'skimmer found by the acquirer', since: now })
      .execute();
  });
  return true;
}
