import { PlatformError } from '@confide/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { LeasedRateLimiter } from './leased-rate-limit.js';
import { TokenBucketLimiter } from './rate-limit.js';
import { SqlRateWindowStore, type RateWindowStore } from './rate-window-store.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** The store's contract in memory: one counter per (page, window); a lease never passes the limit. */
class FakeStore implements RateWindowStore {
  readonly used = new Map<string, number>();
  leases: Array<{ pageId: string; windowStart: number; want: number; granted: number }> = [];
  sweeps: number[] = [];
  latencyMs = 0;
  failNext: Error | undefined;

  async lease(pageId: string, windowStart: number, want: number, limit: number): Promise<number> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.failNext !== undefined) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    const key = `${pageId}@${windowStart}`;
    const used = this.used.get(key) ?? 0;
    const granted = Math.max(0, Math.min(want, limit - used));
    this.used.set(key, used + granted);
    this.leases.push({ pageId, windowStart, want, granted });
    return granted;
  }

  async sweep(before: number): Promise<void> {
    this.sweeps.push(before);
    for (const key of this.used.keys()) if (Number(key.split('@')[1]) < before) this.used.delete(key);
  }
}

async function outcome(p: Promise<void>): Promise<'ok' | number> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof PlatformError) return err.spec.code;
    throw err;
  }
}

describe('LeasedRateLimiter', () => {
  it('leases blocks of limit/20 and spends them without a round trip per call', async () => {
    const store = new FakeStore();
    const limiter = new LeasedRateLimiter(store, 300);
    for (let i = 0; i < 45; i++) await limiter.take('p1', T0 + i);
    expect(store.leases.map((l) => l.want)).toEqual([15, 15, 15]);
    expect(store.used.get(`p1@${T0}`)).toBe(45);
  });

  it('answers 613 with retry-after 1 once the window is used up, without asking the store again', async () => {
    const store = new FakeStore();
    const limiter = new LeasedRateLimiter(store, 5);
    for (let i = 0; i < 5; i++) await limiter.take('p1', T0 + 100);
    const err = await limiter.take('p1', T0 + 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).spec.code).toBe(613);
    expect((err as PlatformError).headers).toEqual({ 'retry-after': '1' });
    const leases = store.leases.length;
    expect(await outcome(limiter.take('p1', T0 + 999))).toBe(613);
    expect(store.leases).toHaveLength(leases);
    // The next second is a new window; other pages have their own.
    expect(await outcome(limiter.take('p1', T0 + 1000))).toBe('ok');
    expect(await outcome(limiter.take('p2', T0 + 999))).toBe('ok');
  });

  it('never lets two processes sharing a store accept more than the limit in a window', async () => {
    const store = new FakeStore();
    store.latencyMs = 1;
    const a = new LeasedRateLimiter(store, 100);
    const b = new LeasedRateLimiter(store, 100);
    const calls = Array.from({ length: 300 }, (_, i) => outcome((i % 2 === 0 ? a : b).take('p1', T0 + (i % 1000))));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === 'ok')).toHaveLength(100);
    expect(results.filter((r) => r === 613)).toHaveLength(200);
    expect(store.used.get(`p1@${T0}`)).toBe(100);
  });

  it('coalesces concurrent callers into one lease sized for them', async () => {
    const store = new FakeStore();
    store.latencyMs = 5;
    const limiter = new LeasedRateLimiter(store, 1000);
    await Promise.all(Array.from({ length: 120 }, () => limiter.take('p1', T0)));
    expect(store.leases.length).toBeLessThanOrEqual(3);
    expect(store.used.get(`p1@${T0}`)).toBeGreaterThanOrEqual(120);
  });

  it('passes a store failure to the caller and leases again on the next call', async () => {
    const store = new FakeStore();
    const limiter = new LeasedRateLimiter(store, 300);
    store.failNext = new Error('database unavailable');
    await expect(limiter.take('p1', T0)).rejects.toThrow('database unavailable');
    await expect(limiter.take('p1', T0)).resolves.toBeUndefined();
  });

  it('charges a call stamped in the window before the one held to its own window', async () => {
    const store = new FakeStore();
    const limiter = new LeasedRateLimiter(store, 40);
    // Two leases of 2 in the first second, 3 spent; the next second opens.
    for (let i = 0; i < 3; i++) await limiter.take('p1', T0 + 990 + i);
    await limiter.take('p1', T0 + 1000);
    // A transaction that began in the first second takes its token late: the one left of it.
    await limiter.take('p1', T0 + 999);
    expect(store.used.get(`p1@${T0}`)).toBe(4);
    // None left in this process: one more call is leased from the first window itself.
    await limiter.take('p1', T0 + 999);
    expect(store.used.get(`p1@${T0}`)).toBe(5);
    expect(store.leases.at(-1)).toMatchObject({ windowStart: T0, want: 1, granted: 1 });
    // Used up elsewhere: refused, although the current window has tokens.
    store.used.set(`p1@${T0}`, 40);
    expect(await outcome(limiter.take('p1', T0 + 999))).toBe(613);
    expect(await outcome(limiter.take('p1', T0 + 1001))).toBe('ok');
    expect(store.used.get(`p1@${T0 + 1000}`)).toBe(2);
  });

  it('sweeps windows older than 10 s at most once a minute', async () => {
    const store = new FakeStore();
    const limiter = new LeasedRateLimiter(store, 300);
    await limiter.take('p1', T0);
    await limiter.take('p1', T0 + 30_000);
    await limiter.take('p1', T0 + 61_000);
    expect(store.sweeps).toEqual([T0 - 10_000, T0 + 61_000 - 10_000]);
    expect(store.used.has(`p1@${T0}`)).toBe(false);
  });
});

describe('TokenBucketLimiter (embedded SQLite: one process)', () => {
  it('allows a burst of one second, then refills continuously', async () => {
    const limiter = new TokenBucketLimiter(10);
    for (let i = 0; i < 10; i++) await limiter.take('p1', T0);
    expect(await outcome(limiter.take('p1', T0))).toBe(613);
    expect(await outcome(limiter.take('p1', T0 + 100))).toBe('ok');
    expect(await outcome(limiter.take('p1', T0 + 100))).toBe(613);
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: SqlRateWindowStore`, () => {
    let hub: TestHub | undefined;
    afterEach(async () => {
      await hub?.dispose();
      hub = undefined;
    });

    it('grants what is left of the window in one statement, then nothing', async () => {
      hub = await buildTestHub({ dialect });
      const store = new SqlRateWindowStore(hub.ctx.storage.db);
      expect(await store.lease('p1', T0, 4, 10)).toBe(4);
      expect(await store.lease('p1', T0, 4, 10)).toBe(4);
      expect(await store.lease('p1', T0, 4, 10)).toBe(2);
      expect(await store.lease('p1', T0, 4, 10)).toBe(0);
      expect(await store.lease('p1', T0 + 1000, 4, 10)).toBe(4);
      expect(await store.lease('p2', T0, 20, 10)).toBe(10);
      const rows = await hub.ctx.storage.db
        .selectFrom('send_rate_windows')
        .select(['page_id', 'window_start', 'used'])
        .orderBy('page_id')
        .orderBy('window_start')
        .execute();
      expect(rows).toEqual([
        { page_id: 'p1', window_start: T0, used: 10 },
        { page_id: 'p1', window_start: T0 + 1000, used: 4 },
        { page_id: 'p2', window_start: T0, used: 10 },
      ]);
    });

    it('never grants more than the limit to racing leases', async () => {
      hub = await buildTestHub({ dialect });
      const store = new SqlRateWindowStore(hub.ctx.storage.db);
      const granted = await Promise.all(Array.from({ length: 40 }, () => store.lease('p1', T0, 3, 50)));
      expect(granted.reduce((a, b) => a + b, 0)).toBe(50);
      expect(granted.every((g) => g >= 0 && g <= 3)).toBe(true);
    });

    it('sweeps old windows only', async () => {
      hub = await buildTestHub({ dialect });
      const store = new SqlRateWindowStore(hub.ctx.storage.db);
      await store.lease('p1', T0, 1, 10);
      await store.lease('p1', T0 + 20_000, 1, 10);
      await store.sweep(T0 + 10_000);
      const rows = await hub.ctx.storage.db.selectFrom('send_rate_windows').select('window_start').execute();
      expect(rows).toEqual([{ window_start: T0 + 20_000 }]);
    });
  });
}
