/** The sandbox shop's tables. Money in integer minor units; times in epoch ms. */
import type { RefusalsTableShape } from '../common/refusals.js';

/** Delivery steps after payment, each announced as a `shipping` update. */
export const ORDER_STEPS = ['paid', 'shipped', 'out_for_delivery', 'delivered'] as const;
export type OrderStatus = (typeof ORDER_STEPS)[number];

export interface OrdersTable {
  id: string;
  psid: string;
  /** JSON `[{ sku, qty }]`. */
  items: string;
  subtotal_minor: number;
  shipping_minor: number;
  total_minor: number;
  currency: string;
  status: OrderStatus;
  created_at: number;
  /** When the next delivery step is due; null once delivered. */
  next_step_at: number | null;
}

export interface ShopCodesTable {
  code: string;
  psid: string;
  created_at: number;
  expires_at: number;
}

export interface ShopDatabase {
  orders: OrdersTable;
  shop_codes: ShopCodesTable;
  refusals: RefusalsTableShape;
}

export const SHOP_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE orders (id TEXT PRIMARY KEY, psid TEXT NOT NULL, items TEXT NOT NULL, subtotal_minor INTEGER NOT NULL, shipping_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, next_step_at INTEGER);
  CREATE INDEX orders_due ON orders (next_step_at);
  CREATE TABLE shop_codes (code TEXT PRIMARY KEY, psid TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE refusals (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, psid TEXT NOT NULL, tag TEXT NOT NULL, category TEXT NOT NULL,
    reason TEXT NOT NULL, code INTEGER, subcode INTEGER, context TEXT NOT NULL);
  `, // Receipts and shipping updates are utility templates (common/proactive.ts): a refusal names the template.
  `
  ALTER TABLE refusals ADD COLUMN template TEXT;
  `,
];

/** The catalogue. */
export const PRODUCTS = [
  { sku: 'mug', title: 'Confide mug', subtitle: 'Ceramic, 330 ml', priceMinor: 1_200 },
  { sku: 'hoodie', title: 'Privacy hoodie', subtitle: 'Organic cotton, navy', priceMinor: 4_900 },
  { sku: 'stickers', title: 'Sticker pack', subtitle: 'Ten vinyl stickers', priceMinor: 450 },
  { sku: 'notebook', title: 'Dot-grid notebook', subtitle: 'A5, 120 pages', priceMinor: 990 },
] as const;
export const SHIPPING_MINOR = 495;
export const SHOP_CURRENCY = 'EUR';
