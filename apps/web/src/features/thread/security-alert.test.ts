import { describe, expect, it } from 'vitest';
import { parseAlertText } from './security-alert';

describe('parseAlertText', () => {
  it('splits the heading, labelled fields (a purchase into amount and merchant) and other lines', () => {
    const parsed = parseAlertText(
      'Security check FC-7K2Q9M\nPurchase: €1,249.00 at MegaTech Electronics (DE)\nCard: •••• 4821\nWhy: Far above usual.\nWas this you?',
    );
    expect(parsed).toEqual({
      title: 'Security check FC-7K2Q9M',
      fields: [
        ['Amount', '€1,249.00'],
        ['Merchant', 'MegaTech Electronics (DE)'],
        ['Card', '•••• 4821'],
      ],
      lines: ['Why: Far above usual.', 'Was this you?'],
    });
  });

  it('keeps plain text as lines', () => {
    expect(parseAlertText('We declined it.')).toEqual({ title: undefined, fields: [], lines: ['We declined it.'] });
  });
});
