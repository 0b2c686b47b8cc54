import { StreamCloseCode } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, openStream } from './stream';

describe('backoffDelay', () => {
  it('doubles from 250–500 ms and caps at 15 s, jittered within the upper half', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 0)).toBe(7500);
    expect(backoffDelay(20, () => 1)).toBe(15000);
  });
});

/** A stand-in for the browser's WebSocket: the test opens and closes it by hand. */
class FakeWebSocket {
  static readonly OPEN = 1;
  static readonly made: FakeWebSocket[] = [];
  readyState = 0;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeWebSocket.made.push(this);
  }
  send(): void {}
  close(): void {}
  serverCloses(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe('openStream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.made.length = 0;
    vi.stubGlobal('WebSocket', FakeWebSocket);
    vi.stubGlobal('location', { protocol: 'http:', host: 'hub.test' });
    vi.stubGlobal('window', { addEventListener: () => undefined, removeEventListener: () => undefined });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('reconnects after an ordinary drop', () => {
    const statuses: string[] = [];
    const handle = openStream({ onFrame: () => undefined, onStatus: (s) => statuses.push(s) });
    FakeWebSocket.made[0]?.serverCloses(1006);
    vi.advanceTimersByTime(20_000);
    expect(FakeWebSocket.made).toHaveLength(2);
    expect(statuses).toEqual(['connecting', 'reconnecting']);
    handle.close();
  });

  it('stops for good and reports the ended session on a 4401 close', () => {
    const statuses: string[] = [];
    const ended = vi.fn();
    openStream({ onFrame: () => undefined, onStatus: (s) => statuses.push(s), onSessionEnded: ended });
    FakeWebSocket.made[0]?.serverCloses(StreamCloseCode.SESSION_ENDED);
    vi.advanceTimersByTime(60_000);
    expect(ended).toHaveBeenCalledOnce();
    expect(FakeWebSocket.made).toHaveLength(1);
    expect(statuses).toEqual(['connecting']);
  });
});
