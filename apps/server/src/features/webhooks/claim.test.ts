import { describe, expect, it } from 'vitest';
import { partitionByConversation, type PendingRow } from './claim.js';

const NOW = 1_000;
let nextId = 1;
function row(conversation: string, state: Partial<PendingRow> = {}): PendingRow {
  return { id: nextId++, conversation_id: conversation, attempts: 0, next_attempt_at: 0, leased_until: null, ...state };
}
const ids = (batches: PendingRow[][]) => batches.map((b) => b.map((r) => `${r.conversation_id}${r.id}`));

describe('partitionByConversation', () => {
  it('gives each conversation to one batch, in id order, new conversations to the batches in turn', () => {
    nextId = 1;
    const rows = ['a', 'b', 'c', 'a', 'b', 'c', 'a'].map((c) => row(c));
    expect(ids(partitionByConversation(rows, { now: NOW, limit: 10, batches: 2 }))).toEqual([
      ['a1', 'c3', 'a4', 'c6', 'a7'],
      ['b2', 'b5'],
    ]);
  });

  it('skips a conversation from its first row in flight or waiting for a retry, and never takes a later one', () => {
    nextId = 1;
    const rows = [
      row('a', { leased_until: NOW + 1 }), // in flight elsewhere
      row('b'),
      row('c', { next_attempt_at: NOW + 5 }), // backing off
      row('a'),
      row('b'),
      row('c'),
      row('d', { leased_until: NOW }), // lease ran out: claimable again
    ];
    expect(ids(partitionByConversation(rows, { now: NOW, limit: 10, batches: 3 }))).toEqual([['b2', 'b5'], ['d7']]);
  });

  it('stops a conversation whose batch is full, so none of its later rows goes ahead of the ones left', () => {
    nextId = 1;
    const rows = ['a', 'a', 'b', 'a', 'b', 'c', 'c'].map((c) => row(c));
    const planned = partitionByConversation(rows, { now: NOW, limit: 2, batches: 2 });
    expect(ids(planned)).toEqual([
      ['a1', 'a2'],
      ['b3', 'b5'],
    ]);
    // 'a4' is left, and 'c' found every batch full.
  });

  it('returns nothing when every conversation is busy', () => {
    nextId = 1;
    const rows = [row('a', { leased_until: NOW + 1 }), row('a'), row('b', { next_attempt_at: NOW + 1 }), row('b')];
    expect(partitionByConversation(rows, { now: NOW, limit: 5, batches: 4 })).toEqual([]);
  });
});
