import { WebhookEventSchema } from '@confide/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { items } from '../../test/fixtures.js';
import { DEFAULT_DEDUPE_OPTIONS, DuplicateFilter, dedupeKey } from './dedupe.js';

const handle = async (filter: DuplicateFilter, key: string, ok = true, page = 'p'): Promise<boolean> => {
  const claim = await filter.claim(page, key);
  claim?.settle(ok);
  return claim !== undefined;
};

const keyOf = (item: unknown, standby = false) => dedupeKey(WebhookEventSchema.parse(item), standby);

describe('dedupeKey', () => {
  it('keys customer messages and postbacks by mid, standby copies apart', () => {
    expect(keyOf(items.message)).toBe('m_1');
    expect(keyOf(items.quickReply)).toBe('m_2');
    expect(keyOf(items.postback)).toBe('m_4');
    expect(keyOf(items.message, true)).toBe('standby:m_1');
  });

  it('leaves echoes, watermarks, linking, handover and opt-ins alone', () => {
    for (const item of [
      items.echo,
      items.delivery,
      items.read,
      items.linked,
      items.pass,
      items.appRoles,
      items.optin,
    ]) {
      expect(keyOf(item)).toBeUndefined();
    }
  });
});

describe('DuplicateFilter', () => {
  afterEach(() => vi.useRealTimers());

  it('defaults to 10 000 mids per page for 24 hours', () => {
    expect(DEFAULT_DEDUPE_OPTIONS).toEqual({ maxEntries: 10_000, ttlMs: 86_400_000 });
  });

  it('forgets the oldest mid past maxEntries, per page', async () => {
    const filter = new DuplicateFilter({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) expect(await handle(filter, key)).toBe(true);
    expect(await handle(filter, 'x', true, 'other')).toBe(true);
    expect(filter.size('p')).toBe(2);
    expect(await handle(filter, 'c')).toBe(false);
    expect(await handle(filter, 'b')).toBe(false);
    expect(await handle(filter, 'a')).toBe(true);
    expect(await handle(filter, 'x', true, 'other')).toBe(false);
  });

  it('forgets a mid after ttlMs', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const filter = new DuplicateFilter({ ttlMs: 60_000 });
    expect(await handle(filter, 'a')).toBe(true);
    vi.advanceTimersByTime(59_999);
    expect(await handle(filter, 'a')).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await handle(filter, 'a')).toBe(true);
  });

  it('drops expired mids when it remembers new ones', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const filter = new DuplicateFilter({ ttlMs: 1_000 });
    await handle(filter, 'a');
    await handle(filter, 'b');
    vi.advanceTimersByTime(1_000);
    await handle(filter, 'c');
    expect(filter.size('p')).toBe(1);
  });

  it('does not remember a failed item', async () => {
    const filter = new DuplicateFilter();
    expect(await handle(filter, 'a', false)).toBe(true);
    expect(await handle(filter, 'a')).toBe(true);
    expect(await handle(filter, 'a')).toBe(false);
  });
});
