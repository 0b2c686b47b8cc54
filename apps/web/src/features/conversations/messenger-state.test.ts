import type { ChatMessage, Conversation } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import {
  activeQuickReplies,
  addMessage,
  addPage,
  applyFrame,
  deliveryState,
  initialState,
  mergeMessages,
  setConversations,
  sortedConversations,
  unreadConversations,
} from './messenger-state';

const msg = (
  mid: string,
  at: number,
  direction: 'in' | 'out' = 'out',
  conversation_id = 'c1',
  extra: Partial<ChatMessage['body']> = {},
): ChatMessage => ({
  mid,
  conversation_id,
  direction,
  created_at: at,
  body: { text: mid, ...extra },
});

const conv = (id: string, over: Partial<Conversation> = {}): Conversation => ({
  id,
  page: { id: `p-${id}`, name: `Page ${id}`, category: 'bank', description: '', privacy_policy_url: null },
  created_at: 1,
  last_message: null,
  unread_count: 0,
  page_delivered_watermark: 0,
  page_read_watermark: 0,
  customer_read_watermark: 0,
  ...over,
});

describe('mergeMessages', () => {
  it('keeps one message per mid, oldest first', () => {
    const merged = mergeMessages([msg('a', 10), msg('b', 20)], [msg('b', 20), msg('c', 15), msg('a', 10)]);
    expect(merged.map((m) => m.mid)).toEqual(['a', 'c', 'b']);
  });

  it('keeps the hub order for messages of the same millisecond', () => {
    expect(mergeMessages([msg('c', 10), msg('d', 10)], [msg('a', 10), msg('b', 10)], true).map((m) => m.mid)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(mergeMessages([msg('a', 10)], [msg('b', 10)]).map((m) => m.mid)).toEqual(['a', 'b']);
  });

  it('returns the same array when nothing is new (no re-render)', () => {
    const list = [msg('a', 10)];
    expect(mergeMessages(list, [msg('a', 10)])).toBe(list);
  });
});

describe('stream frames', () => {
  it("settles the customer's pending bubble when its own message arrives before the send answers", () => {
    const pending = (tempId: string, text: string, failed = false) => ({
      tempId,
      conversationId: 'c1',
      text,
      createdAt: 1,
      failed,
    });
    const base = {
      ...setConversations(initialState, [conv('c1')]),
      pending: [pending('t1', 'Balance'), pending('t2', 'Balance'), pending('t3', 'hi', true)],
    };
    const next = applyFrame(
      base,
      { type: 'message' as const, cursor: 1, message: msg('m1', 5, 'in', 'c1', { text: 'Balance' }) },
      true,
    );
    expect(next.pending.map((p) => p.tempId)).toEqual(['t2', 't3']);
    const failedKept = applyFrame(
      next,
      { type: 'message' as const, cursor: 2, message: msg('m2', 6, 'in', 'c1', { text: 'hi' }) },
      true,
    );
    expect(failedKept.pending.map((p) => p.tempId)).toEqual(['t2', 't3']);
    const pageMessage = applyFrame(
      next,
      { type: 'message' as const, cursor: 3, message: msg('m3', 7, 'out', 'c1', { text: 'Balance' }) },
      true,
    );
    expect(pageMessage.pending).toHaveLength(2);
  });

  const loaded = () =>
    addPage(
      setConversations(initialState, [conv('c1')]),
      'c1',
      { data: [msg('m2', 20), msg('m1', 10)], next_cursor: '5' },
      false,
    );

  it('adds a live message once, even if replayed after a reconnect', () => {
    let s = loaded();
    const frame = { type: 'message' as const, cursor: 3, message: msg('m3', 30) };
    s = applyFrame(s, frame, false);
    s = applyFrame(s, frame, false);
    expect(s.threads['c1']?.messages.map((m) => m.mid)).toEqual(['m1', 'm2', 'm3']);
    expect(s.conversations['c1']?.unread_count).toBe(1);
    expect(s.conversations['c1']?.last_message?.mid).toBe('m3');
  });

  it('does not count a message as unread while its conversation is on screen', () => {
    const s = addMessage({ ...loaded(), activeId: 'c1' }, msg('m3', 30), true);
    expect(s.conversations['c1']?.unread_count).toBe(0);
  });

  it('moves page watermarks forward only, a read implying delivery', () => {
    let s = loaded();
    s = applyFrame(
      s,
      { type: 'receipt', cursor: 4, conversation_id: 'c1', side: 'page', kind: 'read', watermark: 50 },
      true,
    );
    s = applyFrame(
      s,
      { type: 'receipt', cursor: 5, conversation_id: 'c1', side: 'page', kind: 'delivery', watermark: 40 },
      true,
    );
    expect(s.conversations['c1']).toMatchObject({ page_read_watermark: 50, page_delivered_watermark: 50 });
  });

  it('clears unread when another tab reads the conversation', () => {
    let s = applyFrame(loaded(), { type: 'message', cursor: 3, message: msg('m3', 30) }, false);
    s = applyFrame(
      s,
      { type: 'receipt', cursor: 4, conversation_id: 'c1', side: 'customer', kind: 'read', watermark: 31 },
      true,
    );
    expect(s.conversations['c1']?.unread_count).toBe(0);
  });

  it('turns typing off when the business message arrives', () => {
    let s = applyFrame(loaded(), { type: 'typing', conversation_id: 'c1', on: true }, true);
    expect(s.typing['c1']).toBe(true);
    s = applyFrame(s, { type: 'message', cursor: 3, message: msg('m3', 30) }, true);
    expect(s.typing['c1']).toBe(false);
  });
});

describe('setConversations', () => {
  it('never rolls back what the stream already added', () => {
    let s = setConversations(initialState, [conv('c1')]);
    s = applyFrame(s, { type: 'message', cursor: 3, message: msg('m3', 30) }, false);
    s = setConversations(s, [conv('c1', { last_message: msg('m2', 20), unread_count: 0, page_read_watermark: 5 })]);
    expect(s.conversations['c1']).toMatchObject({ unread_count: 1, page_read_watermark: 5 });
    expect(s.conversations['c1']?.last_message?.mid).toBe('m3');
  });
});

describe('pagination', () => {
  it('prepends older pages and moves the cursor back; a refreshed newest page keeps it', () => {
    let s = addPage(initialState, 'c1', { data: [msg('m4', 40), msg('m3', 30)], next_cursor: '3' }, false);
    s = addPage(s, 'c1', { data: [msg('m2', 20), msg('m1', 10)], next_cursor: null }, true);
    s = addPage(s, 'c1', { data: [msg('m5', 50), msg('m4', 40)], next_cursor: '4' }, false);
    expect(s.threads['c1']?.messages.map((m) => m.mid)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(s.threads['c1']?.nextCursor).toBeNull();
  });
});

describe('deliveryState', () => {
  it('reads sent, delivered and read from the watermarks', () => {
    const c = conv('c1', { page_delivered_watermark: 20, page_read_watermark: 10 });
    expect(deliveryState(msg('a', 10, 'in'), c)).toBe('read');
    expect(deliveryState(msg('b', 20, 'in'), c)).toBe('delivered');
    expect(deliveryState(msg('c', 21, 'in'), c)).toBe('sent');
  });
});

describe('activeQuickReplies', () => {
  const qr = { quick_replies: [{ content_type: 'text' as const, title: 'Yes', payload: 'Y' }] };

  it('shows them on the last business message only', () => {
    expect(activeQuickReplies([msg('a', 1, 'out', 'c1', qr)], 0)).toBe('a');
    expect(activeQuickReplies([msg('a', 1, 'out', 'c1', qr), msg('b', 2, 'in')], 0)).toBeUndefined();
    expect(activeQuickReplies([msg('a', 1, 'out', 'c1', qr), msg('b', 2, 'out')], 0)).toBeUndefined();
  });

  it('hides them as soon as the customer answers, before the hub confirms', () => {
    expect(activeQuickReplies([msg('a', 1, 'out', 'c1', qr)], 1)).toBeUndefined();
  });
});

describe('sortedConversations', () => {
  it('orders by latest activity', () => {
    const list = sortedConversations({
      a: conv('a', { created_at: 5 }),
      b: conv('b', { last_message: msg('x', 9, 'out', 'b') }),
      c: conv('c', { created_at: 7 }),
    });
    expect(list.map((c) => c.id)).toEqual(['b', 'c', 'a']);
  });
});

describe('unreadConversations', () => {
  it('counts conversations with unread messages, not messages', () => {
    const s = setConversations(initialState, [
      conv('a', { unread_count: 3 }),
      conv('b'),
      conv('c', { unread_count: 1 }),
    ]);
    expect(unreadConversations(s)).toBe(2);
    expect(unreadConversations(initialState)).toBe(0);
  });
});

describe('answered questions', () => {
  const question: ChatMessage = {
    ...msg('q', 10),
    notification_category: 'fraud_alerts',
    awaits_answer: true,
    answered_postback: null,
    body: {
      attachment: { type: 'template', payload: { template_type: 'button', text: 'Was this you?', buttons: [] } },
    },
  };
  const tap = (at: number, title = 'No, not me'): ChatMessage => ({
    ...msg(`t${at}`, at, 'in'),
    body: { postback: { title, payload: `P:${title}` }, reply_to: { mid: 'q' } },
  });
  const base = () => {
    const s = addPage(setConversations(initialState, [conv('c1')]), 'c1', { data: [], next_cursor: null }, false);
    return addMessage(s, question, true);
  };

  it('a question counts as awaiting until its button is used, even after newer messages; the first answer stays', () => {
    let s = base();
    expect(s.conversations['c1']?.awaiting_answers).toBe(1);
    s = addMessage(addMessage(s, msg('n1', 20), true), msg('n2', 30), true);
    expect(s.conversations['c1']?.awaiting_answers).toBe(1);
    s = addMessage(s, tap(40), true);
    expect(s.conversations['c1']?.awaiting_answers).toBe(0);
    expect(s.threads['c1']?.messages.find((m) => m.mid === 'q')).toMatchObject({
      awaits_answer: false,
      answered_postback: { title: 'No, not me', answered_at: 40 },
    });
    s = addMessage(s, tap(50, 'Yes, it was me'), true);
    expect(s.conversations['c1']?.awaiting_answers).toBe(0);
    expect(s.threads['c1']?.messages.find((m) => m.mid === 'q')?.answered_postback?.title).toBe('No, not me');
  });

  it('a business message replying to the question closes it', () => {
    let s = base();
    s = addMessage(s, { ...msg('x', 20), body: { text: 'This check expired.', reply_to: { mid: 'q' } } }, true);
    expect(s.conversations['c1']?.awaiting_answers).toBe(0);
    expect(s.threads['c1']?.messages.find((m) => m.mid === 'q')).toMatchObject({
      awaits_answer: false,
      answered_postback: null,
    });
  });
});
