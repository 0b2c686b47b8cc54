import { serializeWebhookBody } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { buildEnvelope, serializeEnvelope } from './envelope.js';

describe('buildEnvelope', () => {
  it('keeps outbox order, grouping consecutive events of one page and kind into an entry', () => {
    const item = (n: number) => ({ n });
    const body = buildEnvelope(
      [
        { pageId: 'p1', field: 'messages', item: item(1) },
        { pageId: 'p1', field: 'messaging_postbacks', item: item(2) },
        { pageId: 'p1', field: 'standby', item: item(3) },
        { pageId: 'p1', field: 'standby', item: item(4) },
        { pageId: 'p1', field: 'messages', item: item(5) },
      ],
      42,
    );
    expect(body).toEqual({
      object: 'page',
      entry: [
        { id: 'p1', time: 42, messaging: [item(1), item(2)] },
        { id: 'p1', time: 42, standby: [item(3), item(4)] },
        { id: 'p1', time: 42, messaging: [item(5)] },
      ],
    });
  });
});

describe('serializeEnvelope', () => {
  it('writes the bytes serializeWebhookBody writes of buildEnvelope, from the items’ JSON texts', () => {
    const events = [
      { pageId: 'p1', field: 'messages', item: { message: { text: 'Grüße, 👋 \u2028 "q" \\' }, n: 1 } },
      { pageId: 'p1', field: 'messaging_postbacks', item: { postback: { payload: 'ä' }, 10: null } },
      { pageId: 'p1', field: 'standby', item: { message: { text: '香港' } } },
      { pageId: 'p1', field: 'message_template_status_update', item: { event: 'APPROVED', reason: 'ok €' } },
      { pageId: 'p2', field: 'message_template_status_update', item: { event: 'REJECTED' } },
      { pageId: 'p2', field: 'messages', item: { message: { text: 'plain' } } },
    ];
    const json = events.map((e) => ({ pageId: e.pageId, field: e.field, json: JSON.stringify(e.item) }));
    const raw = serializeEnvelope(json, 1_733_000_000_123);
    expect(raw).toBe(serializeWebhookBody(buildEnvelope(events, 1_733_000_000_123)));
    expect(raw).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(raw)).toEqual(buildEnvelope(events, 1_733_000_000_123));
  });
});
