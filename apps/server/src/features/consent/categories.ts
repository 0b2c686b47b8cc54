/**
 * The closed vocabulary of consent: the categories of proactive update a customer can
 * allow, grouped by the message tag that carries them, and the purposes a grant may
 * serve. Advertising and sharing are not representable.
 */

import { CONSENT_CATEGORIES, MAX_CONSENT_DURATION_DAYS, type ConsentCategory } from '@confide/protocol';

/** Message tag → the categories it may carry. */
export const TAG_GROUPS = {
  ACCOUNT_UPDATE: ['balances', 'transactions', 'fraud_alerts'],
  POST_PURCHASE_UPDATE: ['receipts', 'shipping'],
  CONFIRMED_EVENT_UPDATE: ['events'],
} as const;

/** A tag that needs the customer's consent (a proactive update outside the window). */
export type ProactiveTag = keyof typeof TAG_GROUPS;

/** Every category a page may declare and a customer may grant (part of the privacy API: @confide/protocol). */
export { CONSENT_CATEGORIES, type ConsentCategory } from '@confide/protocol';

/**
 * The only purposes a grant can serve (banking-and-privacy.md §1 invariant 2). There is
 * deliberately no `advertising`, `marketing` or `sharing` entry.
 */
export const CONSENT_PURPOSES = ['notifications', 'account_management'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Longest grant, and the default when the customer does not choose one. */
export const MAX_DURATION_DAYS = MAX_CONSENT_DURATION_DAYS;
export const DEFAULT_DURATION_DAYS = 365;
export const DAY_MS = 86_400_000;

export function isProactiveTag(tag: string): tag is ProactiveTag {
  return Object.hasOwn(TAG_GROUPS, tag);
}

export function isConsentCategory(value: string): value is ConsentCategory {
  return (CONSENT_CATEGORIES as readonly string[]).includes(value);
}

/** Categories in canonical order, without duplicates (so stored sets compare equal). */
export function normalizeCategories(categories: readonly string[]): ConsentCategory[] {
  const set = new Set(categories);
  return CONSENT_CATEGORIES.filter((c) => set.has(c));
}
