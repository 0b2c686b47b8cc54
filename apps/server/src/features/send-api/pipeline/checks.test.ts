/** The window-and-tag and consent steps on their own: what each send may do, and when. */
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../../storage/schema.js';
import { assertSendConsent } from './check-consent.js';
import { assertWindowAndTag, HUMAN_AGENT_WINDOW_MS, STANDARD_WINDOW_MS } from './check-window.js';
import type { SendTerms } from './terms.js';

const NOW = 10 * HUMAN_AGENT_WINDOW_MS;
const wrote = (ago: number | null) => ({ last_customer_message_at: ago === null ? null : NOW - ago });
const refusal = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as { key?: string }).key;
  }
};
const message = (extra: Partial<SendTerms> = {}): SendTerms => ({
  kind: 'message',
  messagingType: 'RESPONSE',
  personaId: undefined,
  ...extra,
});

describe('window and tag', () => {
  it('RESPONSE and UPDATE: within 24 hours of the customer’s last message only', () => {
    for (const messagingType of ['RESPONSE', 'UPDATE'] as const) {
      expect(refusal(() => assertWindowAndTag(wrote(STANDARD_WINDOW_MS), message({ messagingType }), NOW))).toBe('ok');
      expect(refusal(() => assertWindowAndTag(wrote(STANDARD_WINDOW_MS + 1), message({ messagingType }), NOW))).toBe(
        'OUTSIDE_WINDOW',
      );
      expect(refusal(() => assertWindowAndTag(wrote(null), message({ messagingType }), NOW))).toBe('OUTSIDE_WINDOW');
    }
  });

  it('HUMAN_AGENT: 7 days, from a persona only', () => {
    const tagged = { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } as const;
    const agent = message({ ...tagged, personaId: 'persona' });
    expect(refusal(() => assertWindowAndTag(wrote(HUMAN_AGENT_WINDOW_MS), agent, NOW))).toBe('ok');
    expect(refusal(() => assertWindowAndTag(wrote(HUMAN_AGENT_WINDOW_MS + 1), agent, NOW))).toBe('OUTSIDE_WINDOW');
    expect(refusal(() => assertWindowAndTag(wrote(0), message(tagged), NOW))).toBe('INVALID_PARAMETER');
  });

  it('consent tags and utility sends: any time (their consent is the next step)', () => {
    const update = message({ messagingType: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' });
    expect(refusal(() => assertWindowAndTag(wrote(null), update, NOW))).toBe('ok');
    expect(refusal(() => assertWindowAndTag(wrote(null), message({ messagingType: 'UTILITY' }), NOW))).toBe('ok');
  });

  it('sender actions: 24 hours, or 7 days from a persona', () => {
    const action: SendTerms = { kind: 'action', personaId: undefined };
    expect(refusal(() => assertWindowAndTag(wrote(STANDARD_WINDOW_MS + 1), action, NOW))).toBe('OUTSIDE_WINDOW');
    const agent: SendTerms = { kind: 'action', personaId: 'persona' };
    expect(refusal(() => assertWindowAndTag(wrote(STANDARD_WINDOW_MS + 1), agent, NOW))).toBe('ok');
  });
});

describe('consent', () => {
  // A database that fails if read: sends that need no consent never look.
  const untouchable = new Proxy({} as Kysely<Database>, {
    get() {
      throw new Error('the consent step read the database');
    },
  });
  const conv = { id: 'c', customer_id: 'u', page_id: 'p' };

  it('is not read for replies, HUMAN_AGENT or sender actions', async () => {
    await assertSendConsent(untouchable, conv, message(), NOW);
    await assertSendConsent(untouchable, conv, message({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }), NOW);
    await assertSendConsent(untouchable, conv, { kind: 'action', personaId: undefined }, NOW);
  });

  it('is read for consent tags and utility sends', async () => {
    const update = message({ messagingType: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE', category: 'fraud_alerts' });
    await expect(assertSendConsent(untouchable, conv, update, NOW)).rejects.toThrow('read the database');
    const utility = message({ messagingType: 'UTILITY', category: 'receipts', template: 't' });
    await expect(assertSendConsent(untouchable, conv, utility, NOW)).rejects.toThrow('read the database');
  });
});
