/**
 * Orders of the sandbox shop: a one-time code (shown in chat) identifies the customer's
 * PSID at checkout; paying sends a receipt, and each delivery step a shipping update, both
 * as utility messages (templates.ts) under the customer's consent.
 */
import type { Kysely, Selectable } from 'kysely';
import { randomInt } from 'node:crypto';
import { formatMoney } from '../common/money.js';
import type { ProactiveSender } from '../common/proactive.js';
import { ORDER_STEPS, PRODUCTS, SHIPPING_MINOR, SHOP_CURRENCY, type OrdersTable, type ShopDatabase } from './schema.js';
import { receiptUpdate, shippingUpdate } from './templates.js';

export type Order = Selectable<OrdersTable>;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_TTL_MS = 15 * 60_000;

export interface OrdersDeps {
  db: Kysely<ShopDatabase>;
  sender: ProactiveSender;
  now: () => number;
  /** Time between delivery steps. */
  stepMs: number;
  /**
   * Asks the customer, through the hub's consent card, for categories a refused update
   * needed; true when the card was posted (false: asked today already, or it failed).
   */
  askConsent?: (psid: string, categories: string[]) => Promise<boolean>;
}

/** What became of an order's receipt: sent, refused and asked for in the chat, or refused (asked before) / failed. */
export type ReceiptOutcome = 'sent' | 'asked' | 'refused' | 'failed';

export class Orders {
  readonly #d: OrdersDeps;

  constructor(deps: OrdersDeps) {
    this.#d = deps;
  }

  /** A fresh one-time code for the PSID (8 characters, 15 minutes). */
  async issueCode(psid: string): Promise<string> {
    const code = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const now = this.#d.now();
    await this.#d.db
      .insertInto('shop_codes')
      .values({ code, psid, created_at: now, expires_at: now + CODE_TTL_MS })
      .execute();
    return code;
  }

  /**
   * Places an order for the customer behind a one-time code and sends its receipt; when the
   * customer has not allowed receipts, asks for receipts and shipping updates in the chat.
   * @returns undefined for a bad code or an empty cart.
   */
  async place(
    code: string,
    quantities: Readonly<Record<string, number>>,
  ): Promise<(Order & { receipt: ReceiptOutcome }) | undefined> {
    const { db, now } = this.#d;
    const items = PRODUCTS.flatMap((p) => {
      const qty = Math.trunc(quantities[p.sku] ?? 0);
      return qty > 0 && qty <= 20 ? [{ sku: p.sku, qty }] : [];
    });
    if (items.length === 0) return undefined;
    const at = now();
    const row = await db
      .deleteFrom('shop_codes')
      .where('code', '=', code.trim().toUpperCase())
      .where('expires_at', '>', at)
      .returning('psid')
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const subtotal = items.reduce(
      (sum, i) => sum + (PRODUCTS.find((p) => p.sku === i.sku)?.priceMinor ?? 0) * i.qty,
      0,
    );
    const order: Order = {
      id: `SB-${at.toString(36).toUpperCase()}-${randomInt(1_000, 9_999)}`,
      psid: row.psid,
      items: JSON.stringify(items),
      subtotal_minor: subtotal,
      shipping_minor: SHIPPING_MINOR,
      total_minor: subtotal + SHIPPING_MINOR,
      currency: SHOP_CURRENCY,
      status: 'paid',
      created_at: at,
      next_step_at: at + this.#d.stepMs,
    };
    await db.insertInto('orders').values(order).execute();
    const sent = await this.#d.sender.send(order.psid, receiptUpdate(order), { context: `receipt:${order.id}` });
    let receipt: ReceiptOutcome = sent.status;
    if (
      sent.status === 'refused' &&
      this.#d.askConsent !== undefined &&
      (await this.#d.askConsent(order.psid, ['receipts', 'shipping']))
    )
      receipt = 'asked';
    return { ...order, receipt };
  }

  /** Moves every due order one delivery step on and announces it. @returns how many moved. */
  async advance(): Promise<number> {
    const { db, now, sender, stepMs } = this.#d;
    const at = now();
    const due = await db
      .selectFrom('orders')
      .selectAll()
      .where('next_step_at', '<=', at)
      .orderBy('next_step_at')
      .execute();
    for (const order of due) {
      const next = ORDER_STEPS[ORDER_STEPS.indexOf(order.status) + 1];
      if (next === undefined || next === 'paid') continue;
      await db
        .updateTable('orders')
        .set({ status: next, next_step_at: next === 'delivered' ? null : at + stepMs })
        .where('id', '=', order.id)
        .execute();
      await sender.send(order.psid, shippingUpdate(order, next), { context: `shipping:${order.id}:${next}` });
    }
    return due.length;
  }

  /** The PSID's latest orders. */
  recent(psid: string): Promise<Order[]> {
    return this.#d.db
      .selectFrom('orders')
      .selectAll()
      .where('psid', '=', psid)
      .orderBy('created_at', 'desc')
      .limit(5)
      .execute();
  }
}

export const orderLine = (o: Order): string =>
  `• ${o.id}: ${formatMoney(o.total_minor, o.currency)}, ${o.status.replace(/_/g, ' ')}`;
