/** An in-memory sandbox bank wired to a {@link fakeHub}, with a controllable clock. */
import { pino } from 'pino';
import { loadBankConfig } from '../src/bank/config.js';
import { createBank, type SandboxBank } from '../src/bank/server.js';
import { APP_SECRET, VERIFY_TOKEN, fakeHub, linkedEvent, signedWebhook, type FakeHub } from './fake-hub.js';

export interface Harness {
  bank: SandboxBank;
  hub: FakeHub;
  clock: { now: number };
  /** Delivers webhook items and waits for deferred work; returns the HTTP status. */
  deliver(...messaging: object[]): Promise<number>;
  /** Links a PSID to a bank customer the way the log-in page and webhook do. */
  link(psid: string, customerId: string, categories?: string[]): Promise<void>;
}

export async function bankHarness(env: Record<string, string> = {}): Promise<Harness> {
  const hub = fakeHub();
  const clock = { now: Date.UTC(2026, 10, 23, 12, 0, 0) };
  const config = loadBankConfig([], {
    BANK_HUB_URL: 'http://hub.test',
    BANK_PAGE_TOKEN: 'EAAC-test-page-token-0123456789',
    BANK_APP_SECRET: APP_SECRET,
    BANK_VERIFY_TOKEN: VERIFY_TOKEN,
    BANK_SIM_RATE: '0',
    BANK_PUBLIC_URL: 'http://bank.test',
    BANK_LOG_LEVEL: 'silent',
    ...env,
  });
  const bank = await createBank(config, {
    memory: true,
    fetch: hub.fetch,
    now: () => clock.now,
    log: pino({ level: 'silent' }),
  });
  const deliver = async (...messaging: object[]) => {
    const res = await bank.app.inject(signedWebhook(messaging));
    await bank.idle();
    return res.statusCode;
  };
  return {
    bank,
    hub,
    clock,
    deliver,
    async link(psid, customerId, categories) {
      const code = await bank.links.mintCode(psid, customerId, clock.now);
      const status = await deliver(linkedEvent(psid, code, categories));
      if (status !== 200) throw new Error(`linking webhook answered ${status}`);
    },
  };
}
