/**
 * The shop's utility message templates: the receipt (consent category `receipts`) and the
 * shipping update (`shipping`), and the functions that fill them in. The receipt is text:
 * a utility template has a header, a body, a footer and buttons, not a receipt's table.
 */
import { formatMoney } from '../common/money.js';
import type { UtilityUpdate } from '../common/proactive.js';
import type { TemplateSpec } from '../common/utility-templates.js';
import { PRODUCTS, type OrderStatus } from './schema.js';
import type { Order } from './orders.js';

/** The receipt of an order: items, subtotal, shipping, total and VAT as text. */
export const ORDER_RECEIPT: TemplateSpec & { name: string } = {
  name: 'sandbox_order_receipt',
  language: 'en',
  category: 'UTILITY',
  notification_category: 'receipts',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Your Sandbox Shop receipt' },
    {
      type: 'BODY',
      text: 'Thank you for your Sandbox Shop order {{1}}: {{2}}. Subtotal {{3}}, shipping {{4}}, total {{5}} including {{6}} VAT, paid with Sandbox Pay.',
      example: {
        body_text: [['SB-MIDX3Q-4821', '2 × Confide mug (€24.00)', '€24.00', '€4.95', '€28.95', '€3.83']],
      },
    },
    { type: 'FOOTER', text: 'Shipping updates follow in this chat.' },
  ],
};

/** A delivery step of an order. */
export const SHIPPING_UPDATE: TemplateSpec & { name: string } = {
  name: 'sandbox_shipping_update',
  language: 'en',
  category: 'UTILITY',
  notification_category: 'shipping',
  components: [
    {
      type: 'BODY',
      text: 'Your Sandbox Shop order {{1}} has a new status: {{2}}. Thank you for shopping with us.',
      example: { body_text: [['SB-MIDX3Q-4821', 'shipped']] },
    },
  ],
};

/** Every template the shop sends with. */
export const SHOP_TEMPLATES: readonly TemplateSpec[] = [ORDER_RECEIPT, SHIPPING_UPDATE];

/** The receipt of an order: its items, subtotal, shipping, total and the VAT share (prices include 19 % VAT). */
export function receiptUpdate(order: Order): UtilityUpdate {
  const items = JSON.parse(order.items) as { sku: string; qty: number }[];
  const money = (minor: number) => formatMoney(minor, order.currency);
  const lines = items.map((i) => {
    const p = PRODUCTS.find((x) => x.sku === i.sku);
    return `${i.qty} × ${p?.title ?? i.sku} (${money((p?.priceMinor ?? 0) * i.qty)})`;
  });
  const tax = Math.round((order.subtotal_minor * 19) / 119);
  return {
    template: ORDER_RECEIPT.name,
    parameters: {
      body: [
        order.id,
        lines.join(', '),
        money(order.subtotal_minor),
        money(order.shipping_minor),
        money(order.total_minor),
        money(tax),
      ],
    },
  };
}

const STEP_TEXT: Record<Exclude<OrderStatus, 'paid'>, string> = {
  shipped: 'shipped',
  out_for_delivery: 'out for delivery today',
  delivered: 'delivered',
};

/** The shipping update for one delivery step. */
export const shippingUpdate = (order: Pick<Order, 'id'>, step: Exclude<OrderStatus, 'paid'>): UtilityUpdate => ({
  template: SHIPPING_UPDATE.name,
  parameters: { body: [order.id, STEP_TEXT[step]] },
});
