/** The shop's storefront: pick items, enter the one-time code from chat, order. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { esc, page } from '../common/html.js';
import { formatMoney } from '../common/money.js';
import type { Orders, ReceiptOutcome } from './orders.js';
import { PRODUCTS, SHIPPING_MINOR, SHOP_CURRENCY } from './schema.js';

const OrderFormSchema = z.record(z.string(), z.string().max(100));
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
};

function storefront(code: string, error?: string): string {
  const rows = PRODUCTS.map(
    (p) =>
      `<tr><td><strong>${esc(p.title)}</strong><br><span class="note">${esc(p.subtitle)}</span></td><td>${formatMoney(p.priceMinor, SHOP_CURRENCY)}</td>
       <td><input aria-label="Quantity of ${esc(p.title)}" type="text" inputmode="numeric" name="qty_${p.sku}" value="0" size="2"></td></tr>`,
  ).join('');
  return page(
    'Sandbox Shop',
    `<h1>Sandbox Shop</h1>${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
     <form method="post" action="/order"><table>${rows}</table>
     <p class="note">Shipping ${formatMoney(SHIPPING_MINOR, SHOP_CURRENCY)}. Prices include VAT.</p>
     <label for="code">Your one-time code from the Sandbox Shop chat</label>
     <input id="code" name="code" type="text" value="${esc(code)}" autocomplete="off" required>
     <button class="primary" type="submit">Order</button></form>
     <p class="note">No code? Send any message to Sandbox Shop in Confide and it replies with one.</p>`,
    '#8a3ffc',
  );
}

/** What the thank-you page says about the receipt. */
const RECEIPT_NOTE: Record<ReceiptOutcome, string> = {
  sent: 'Your receipt is in your Sandbox Shop chat; shipping updates follow there.',
  asked:
    'Receipts are off for Sandbox Shop. We asked in your Sandbox Shop chat whether we may send you receipts and shipping updates: tap Allow there to get them.',
  refused: 'Receipts are off for Sandbox Shop. You can allow receipts and shipping updates in Confide, under Privacy.',
  failed: 'We could not send your receipt just now; your order is placed all the same.',
};

export function shopRoutes(orders: Orders) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/', async (request, reply) => {
      const code =
        typeof (request.query as Record<string, unknown>)['code'] === 'string'
          ? ((request.query as Record<string, string>)['code'] ?? '')
          : '';
      return reply.headers(HEADERS).send(storefront(code.slice(0, 16)));
    });
    app.post('/order', async (request, reply) => {
      const form = OrderFormSchema.safeParse(request.body);
      if (!form.success) return reply.code(400).headers(HEADERS).send(storefront('', 'That order form was not valid.'));
      const quantities: Record<string, number> = {};
      for (const p of PRODUCTS) quantities[p.sku] = Number.parseInt(form.data[`qty_${p.sku}`] ?? '0', 10) || 0;
      const code = form.data['code'] ?? '';
      const order = await orders.place(code, quantities);
      if (order === undefined) {
        return reply
          .code(400)
          .headers(HEADERS)
          .send(storefront(code, 'Pick at least one item and enter a valid, unused code from the chat.'));
      }
      return reply.headers(HEADERS).send(
        page(
          'Sandbox Shop · Thank you',
          `<h1>Thank you!</h1><p>Order <strong>${esc(order.id)}</strong>, ${formatMoney(order.total_minor, order.currency)}.</p>
           <p>${RECEIPT_NOTE[order.receipt]}</p><p><a href="/">Back to the shop</a></p>`,
          '#8a3ffc',
        ),
      );
    });
  };
}
