import { describe, expect, it } from 'vitest';
import { CARDS, T0, replayContext } from '../../../test/sim-fixtures.js';
import { replay } from './replay.js';
import { SCENARIOS, TransactionSimulator, type SimEvent } from './simulator.js';

const make = (seed: number, fraudRate = 0.15) =>
  new TransactionSimulator({ seed, cards: CARDS, startAt: T0, intervalMs: 20_000, fraudRate });
const take = (sim: TransactionSimulator, n: number): SimEvent[] => Array.from({ length: n }, () => sim.next());

describe('TransactionSimulator', () => {
  it('yields the same events for the same seed on every run', () => {
    expect(take(make(42), 400)).toEqual(take(make(42), 400));
  });

  it('yields different events for a different seed', () => {
    const a = take(make(42), 100).map((e) =>
      e.kind === 'authorize' ? `${e.purchase.cardId}:${e.purchase.amountMinor}` : 'book',
    );
    const b = take(make(43), 100).map((e) =>
      e.kind === 'authorize' ? `${e.purchase.cardId}:${e.purchase.amountMinor}` : 'book',
    );
    expect(a).not.toEqual(b);
  });

  it('emits events in time order, each purchase pending first and booked later', () => {
    const events = take(make(5), 500);
    for (let i = 1; i < events.length; i++)
      expect((events[i] as SimEvent).at).toBeGreaterThanOrEqual((events[i - 1] as SimEvent).at);
    const authorized = new Map<string, number>();
    for (const e of events) {
      if (e.kind === 'authorize') authorized.set(e.purchase.ref, e.at);
      else expect(authorized.get(e.ref)).toBeLessThan(e.at);
    }
    expect(events.some((e) => e.kind === 'book')).toBe(true);
  });

  it('keeps amounts as positive integer minor units', () => {
    for (const e of take(make(9), 300))
      if (e.kind === 'authorize')
        expect(Number.isSafeInteger(e.purchase.amountMinor) && e.purchase.amountMinor > 0).toBe(true);
  });

  it('stages every scenario over a long run', () => {
    const seen = new Set(
      take(make(11, 0.3), 2_000).flatMap((e) => (e.kind === 'authorize' ? [e.purchase.scenario] : [])),
    );
    expect([...seen].sort()).toEqual([...SCENARIOS, 'normal'].sort());
  });
});

describe('replay through the fraud rules', () => {
  it('produces the same alerts for the same seed, and different ones for another seed', () => {
    const first = replay(make(42), 1_500, replayContext()).alerts;
    const second = replay(make(42), 1_500, replayContext()).alerts;
    const other = replay(make(4242), 1_500, replayContext()).alerts;
    expect(first.length).toBeGreaterThan(5);
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('flags only staged scenarios, never everyday spending', () => {
    const { alerts, events } = replay(make(42, 0.2), 3_000, replayContext());
    expect(events.filter((e) => e.kind === 'authorize' && e.purchase.scenario === 'normal').length).toBeGreaterThan(
      300,
    );
    expect(alerts.filter((a) => a.scenario === 'normal')).toEqual([]);
  });

  it('raises nothing when no fraud is staged', () => {
    expect(replay(make(3, 0), 3_000, replayContext()).alerts).toEqual([]);
  });
});
