import { describe, expect, it } from 'vitest';
import { groupAccessLog, type AccessLogEntry } from './access-log-groups';

const at = (day: number, hour: number, minute = 0) => new Date(2026, 11, day, hour, minute).getTime();
let seq = 0;
const entry = (
  t: number,
  actor: string,
  purpose: string | null,
  target: string | null = 'conversation:c_bank',
  action = 'content.access',
): AccessLogEntry => ({
  seq: ++seq,
  at: t,
  actor,
  action,
  target,
  purpose,
});

describe('groupAccessLog', () => {
  it('groups by day and business, counts identical accesses, and says each purpose in words', () => {
    const names: Record<string, string> = { c_bank: 'Acme Bank', c_shop: 'Sandbox Shop' };
    const groups = groupAccessLog(
      [
        entry(at(7, 10, 40), 'customer:u1', 'deliver_to_customer'),
        entry(at(7, 9, 12), 'customer:u1', 'deliver_to_customer'),
        entry(at(7, 9, 5), 'app:42', 'deliver_to_business'),
        entry(at(7, 8, 0), 'agent:a1', 'agent_support', 'conversation:c_shop'),
        entry(at(6, 22, 0), 'customer:u1', null, null, 'customer.export'),
        entry(at(6, 21, 0), 'worker', 'deliver_to_business', 'conversation:c_gone'),
        entry(at(7, 7, 0), 'customer:u1', null, 'page:p_bank', 'consent.granted'),
      ],
      (t) => (t.kind === 'page' ? { p_bank: 'Acme Bank' }[t.id] : names[t.id]),
    );
    expect(groups.map((g) => [g.day, g.business])).toEqual([
      ['2026-12-07', 'Acme Bank'],
      ['2026-12-07', 'Sandbox Shop'],
      ['2026-12-06', 'A business you no longer talk to'],
      ['2026-12-06', 'Confide'],
    ]);
    expect(groups[0]?.lines).toEqual([
      { text: 'Your messages were opened for you to read', count: 2, first: at(7, 9, 12), last: at(7, 10, 40) },
      { text: 'Your messages were sent on to Acme Bank', count: 1, first: at(7, 9, 5), last: at(7, 9, 5) },
      { text: 'You allowed Acme Bank to send you updates', count: 1, first: at(7, 7, 0), last: at(7, 7, 0) },
    ]);
    expect(groups[1]?.lines[0]?.text).toBe('An agent of Sandbox Shop read the conversation to help you');
    expect(groups[3]?.lines[0]?.text).toBe('You downloaded your data');
  });
});
