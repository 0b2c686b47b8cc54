import { describe, expect, it } from 'vitest';
import { buildEnvelope } from './envelope.js';

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
