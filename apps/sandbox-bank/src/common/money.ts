/**
 * Money is an integer count of minor units (cents) everywhere inside the sandboxes; it
 * becomes a string only for display and a JSON number only where the Messenger wire
 * format demands one (receipt templates).
 */

const SYMBOLS: Readonly<Record<string, string>> = { EUR: '€', USD: '$', GBP: '£' };

/** Formats minor units, e.g. `formatMoney(-123456, 'EUR')` → `-€1,234.56`. */
export function formatMoney(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Money must be integer minor units, got ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const units = Math.trunc(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(abs % 100).padStart(2, '0');
  const symbol = SYMBOLS[currency];
  return symbol === undefined ? `${sign}${units}.${cents} ${currency}` : `${sign}${symbol}${units}.${cents}`;
}

/**
 * Parses a customer-typed amount ("250", "250.5", "€1,000.00") into minor units.
 * @returns undefined when the text is not a non-negative amount with at most two decimals.
 */
export function parseMoney(text: string): number | undefined {
  const cleaned = text.replace(/[€$£,\s]/g, '');
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (match === null) return undefined;
  const [, units = '0', cents = ''] = match;
  return Number(units) * 100 + Number(cents.padEnd(2, '0'));
}

/** Minor units as the decimal number a Messenger receipt template carries (wire boundary only). */
export function toWireAmount(minor: number): number {
  return Number(`${Math.trunc(minor / 100)}.${String(Math.abs(minor % 100)).padStart(2, '0')}`);
}
