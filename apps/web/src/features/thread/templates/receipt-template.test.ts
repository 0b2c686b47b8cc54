import { describe, expect, it } from 'vitest';
import { taxIncluded } from './receipt-template';

describe('taxIncluded', () => {
  it('is true only when the lines add up to the total without the tax', () => {
    // Sandbox Shop: prices include 19 % VAT.
    expect(taxIncluded({ subtotal: 24, shipping_cost: 4.95, total_tax: 3.83, total_cost: 28.95 }, [])).toBe(true);
    // US style: tax added on top.
    expect(taxIncluded({ subtotal: 50, shipping_cost: 5, total_tax: 4.4, total_cost: 59.4 }, [])).toBe(false);
    expect(taxIncluded({ subtotal: 12.5, shipping_cost: 2.5, total_tax: 0, total_cost: 15 }, [])).toBe(false);
    expect(
      taxIncluded({ subtotal: 30, shipping_cost: 0, total_tax: 4.79, total_cost: 25 }, [{ name: 'Coupon', amount: 5 }]),
    ).toBe(true);
  });
});
