/**
 * The simulator's merchants. Everyday merchants sit in the customer's home country and
 * use terminals 01–03; scenario merchants exist only to stage the fraud patterns of
 * reference §7.4 / §7.5 (Fraud Detection Handbook scenarios).
 */

/** A merchant; `country` null means "the customer's home country". */
export interface Merchant {
  key: string;
  name: string;
  mcc: string;
  country: string | null;
  cardPresent: boolean;
}

/** Everyday spending. None is risky, foreign or on the compromised-terminal list. */
export const EVERYDAY_MERCHANTS: readonly Merchant[] = [
  { key: 'BAKERY', name: 'Bäckerei Sonnenschein', mcc: '5462', country: null, cardPresent: true },
  { key: 'FRESHMART', name: 'FreshMart Supermarket', mcc: '5411', country: null, cardPresent: true },
  { key: 'TRANSIT', name: 'City Transit', mcc: '4111', country: null, cardPresent: true },
  { key: 'CAFELUNA', name: 'Café Luna', mcc: '5814', country: null, cardPresent: true },
  { key: 'PHARMA', name: 'Pharmacy Plus', mcc: '5912', country: null, cardPresent: true },
  { key: 'BOOKNOOK', name: 'BookNook', mcc: '5942', country: null, cardPresent: true },
  { key: 'FUELNORD', name: 'Fuel Station Nord', mcc: '5541', country: null, cardPresent: true },
  { key: 'STREAMFLIX', name: 'StreamFlix', mcc: '4899', country: null, cardPresent: false },
  { key: 'RIDENOW', name: 'RideNow', mcc: '4121', country: null, cardPresent: false },
];

/** Amount anomaly: a big-ticket purchase far above the customer's usual spend. */
export const ANOMALY_MERCHANT: Merchant = {
  key: 'MEGATECH',
  name: 'MegaTech Electronics',
  mcc: '5732',
  country: null,
  cardPresent: true,
};
/** Card-not-present burst: small test charges, then large ones. */
export const CNP_MERCHANT: Merchant = {
  key: 'GADGETHUB',
  name: 'GadgetHub Online',
  mcc: '5732',
  country: null,
  cardPresent: false,
};
/** Risky merchant category (quasi-cash / crypto). */
export const RISKY_MERCHANT: Merchant = {
  key: 'COINFLASH',
  name: 'CoinFlash Exchange',
  mcc: '6051',
  country: null,
  cardPresent: false,
};
/** New country: everyday purchases abroad. */
export const FOREIGN_MERCHANTS: readonly Merchant[] = [
  { key: 'MERCADO', name: 'Mercado Central', mcc: '5411', country: 'BR', cardPresent: true },
  { key: 'NIGHTMKT', name: 'Chatuchak Night Market', mcc: '5999', country: 'TH', cardPresent: true },
  { key: 'ELECTRO', name: 'Lagos Electro Mart', mcc: '5732', country: 'NG', cardPresent: true },
];
/** The skimmed terminal of the compromised-terminal scenario (seeded into the bank's watch list). */
export const COMPROMISED_TERMINAL = { merchant: EVERYDAY_MERCHANTS[6] as Merchant, terminalId: 'T-FUELNORD-07' };

/** Terminal id of a merchant's n-th terminal, e.g. `T-BAKERY-02`. */
export function terminalId(merchant: Merchant, n: number): string {
  return `T-${merchant.key}-${String(n).padStart(2, '0')}`;
}
