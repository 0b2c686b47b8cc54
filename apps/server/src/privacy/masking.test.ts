import { describe, expect, it } from 'vitest';
import { luhnValid, maskCardNumbers, maskDeep } from './masking.js';

describe('card-number masking', () => {
  it('masks Luhn-valid 13–19 digit numbers, keeping the last four and the grouping', () => {
    expect(maskCardNumbers('card 4111 1111 1111 1111 blocked')).toBe('card **** **** **** 1111 blocked');
    expect(maskCardNumbers('4111-1111-1111-1111')).toBe('****-****-****-1111');
    expect(maskCardNumbers('5500005555555559')).toBe('************5559');
    expect(maskCardNumbers('amex 378282246310005.')).toBe('amex ***********0005.');
    expect(maskCardNumbers('19 digits 6011000990139420007')).toBe('19 digits ***************0007');
    expect(maskCardNumbers('12 digits 411111111117')).toBe('12 digits 411111111117');
  });

  it('leaves other numbers alone', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(maskCardNumbers('not a card 4111 1111 1111 1112')).toBe('not a card 4111 1111 1111 1112');
    expect(maskCardNumbers('balance 1234.56, ref 123456789012')).toBe('balance 1234.56, ref 123456789012');
    expect(maskCardNumbers('twenty digits 41111111111111111115')).toBe('twenty digits 41111111111111111115');
    expect(maskCardNumbers('double  spaced 4111  1111 1111 1111')).toBe('double  spaced 4111  1111 1111 1111');
  });

  it('never touches ids, even Luhn-valid ones (PSIDs, page and app ids), in a webhook item', () => {
    const item = {
      sender: { id: '4111111111111111' },
      recipient: { id: '5500005555555559' },
      timestamp: 1,
      pass_thread_control: {
        new_owner_app_id: '4111111111111111',
        previous_owner_app_id: '378282246310005',
        metadata: '4111111111111111',
      },
      message: { mid: 'm_4111111111111111', text: 'card 4111111111111111' },
    };
    expect(maskDeep(item)).toEqual({ ...item, message: { mid: 'm_4111111111111111', text: 'card ************1111' } });
  });

  it('masks human text in a message body but not ids, URLs or bot payloads', () => {
    const body = {
      text: 'my card 4111111111111111',
      quick_reply: { payload: 'CARD_4111111111111111' },
      attachment: {
        type: 'template',
        payload: {
          template_type: 'generic',
          elements: [{ title: 'Card 5500 0055 5555 5559', image_url: 'https://x/4111111111111111' }],
        },
      },
    };
    expect(maskDeep(body)).toEqual({
      text: 'my card ************1111',
      quick_reply: { payload: 'CARD_4111111111111111' },
      attachment: {
        type: 'template',
        payload: {
          template_type: 'generic',
          elements: [{ title: 'Card **** **** **** 5559', image_url: 'https://x/4111111111111111' }],
        },
      },
    });
  });
});

describe('log masking', () => {
  it('masks card numbers in messages and fields of log lines, keeping errors intact', async () => {
    const { pino } = await import('pino');
    const { maskingLogOptions } = await import('./log-masking.js');
    const lines: string[] = [];
    const log = pino(maskingLogOptions({ level: 'info' }), { write: (l: string) => void lines.push(l) });
    log.info({ note: 'card 4111 1111 1111 1111', err: new Error('boom') }, 'customer typed 5500005555555559');
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line.msg).toBe('customer typed ************5559');
    expect(line.note).toBe('card **** **** **** 1111');
    expect(line.err.message).toBe('boom');
    expect(lines.join('')).not.toContain('4111 1111 1111 1111');
  });
});
