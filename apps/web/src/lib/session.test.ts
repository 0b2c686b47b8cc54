import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { RECHECK_MS, sessionChecks } from './session';

const gone = () => new ApiError('UNAUTHENTICATED', 'Log in first', 401);
const offline = () => new ApiError('NETWORK', 'Network unavailable', 0);

const setup = (me: () => Promise<string>, logOut: () => Promise<unknown> = async () => undefined) => {
  const seen: (string | null)[] = [];
  return { seen, checks: sessionChecks({ me, logOut }, (who) => void seen.push(who)) };
};

describe('sessionChecks', () => {
  afterEach(() => vi.useRealTimers());

  it('check stores who is signed in, or null on a 401', async () => {
    const ok = setup(async () => 'ada');
    await ok.checks.check();
    expect(ok.seen).toEqual(['ada']);
    const out = setup(() => Promise.reject(gone()));
    await out.checks.check();
    expect(out.seen).toEqual([null]);
  });

  it('check asks again after a network failure instead of signing out', async () => {
    vi.useFakeTimers();
    const me = vi.fn<() => Promise<string>>().mockRejectedValueOnce(offline()).mockResolvedValueOnce('ada');
    const { seen, checks } = setup(me);
    await checks.check();
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    expect(seen).toEqual(['ada']);
    expect(me).toHaveBeenCalledTimes(2);
  });

  it('verify signs out on a 401 only, and never retries', async () => {
    vi.useFakeTimers();
    const me = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(offline())
      .mockResolvedValueOnce('ada')
      .mockRejectedValueOnce(gone());
    const { seen, checks } = setup(me);
    await checks.verify();
    await checks.verify();
    await vi.advanceTimersByTimeAsync(RECHECK_MS * 2);
    expect(seen).toEqual([]);
    await checks.verify();
    expect(seen).toEqual([null]);
    expect(me).toHaveBeenCalledTimes(3);
  });

  it('logOut signs out locally even when the hub cannot be reached', async () => {
    const { seen, checks } = setup(
      async () => 'ada',
      () => Promise.reject(offline()),
    );
    await checks.logOut();
    expect(seen).toEqual([null]);
  });
});
