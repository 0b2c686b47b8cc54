/**
 * The customer's privacy API (`/api/privacy/…`), consent part: what each business may see
 * and send, consent grants, unlinking, the ledger and signed receipts. The hub validates
 * against these schemas and the web app builds against them.
 */
import { z } from 'zod';
import { PageSummarySchema } from '../chat/customer-api.js';

/** Every category a page may declare and a customer may grant. */
export const CONSENT_CATEGORIES = [
  'balances',
  'transactions',
  'fraud_alerts',
  'receipts',
  'shipping',
  'events',
] as const;
export type ConsentCategory = (typeof CONSENT_CATEGORIES)[number];

/** Longest consent grant, in days. */
export const MAX_CONSENT_DURATION_DAYS = 365;

export const ConsentCategorySchema = z.enum(CONSENT_CATEGORIES);

export const ConsentStatusSchema = z.enum(['none', 'active', 'expired', 'revoked']);
export type ConsentStatus = z.infer<typeof ConsentStatusSchema>;

export const ConsentViewSchema = z.object({
  status: ConsentStatusSchema,
  categories: z.array(z.string()),
  granted_at: z.number().nullable(),
  expires_at: z.number().nullable(),
});
export type ConsentView = z.infer<typeof ConsentViewSchema>;

export const ReceiptSummarySchema = z.object({
  id: z.string(),
  issued_at: z.number(),
  categories: z.array(z.string()),
});

/** One business as the privacy center shows it (`GET /api/privacy/businesses`). */
export const PrivacyBusinessSchema = z.object({
  page: PageSummarySchema,
  conversation_id: z.string().nullable(),
  linked: z.boolean(),
  linked_at: z.number().nullable(),
  declared: z.array(z.object({ category: z.string(), purpose: z.string() })),
  consent: ConsentViewSchema,
  receipts: z.array(ReceiptSummarySchema),
});
export type PrivacyBusiness = z.infer<typeof PrivacyBusinessSchema>;

export const PrivacyBusinessListSchema = z.object({ data: z.array(PrivacyBusinessSchema) });

/** Body of `PUT /api/privacy/businesses/:pageId/consent`. */
export const SetConsentBodySchema = z.object({
  categories: z.array(ConsentCategorySchema).max(CONSENT_CATEGORIES.length),
  duration_days: z.number().int().min(1).max(MAX_CONSENT_DURATION_DAYS).optional(),
});
export type SetConsentBody = z.infer<typeof SetConsentBodySchema>;

/** Optional body of `POST /api/privacy/businesses/:pageId/consent/renew`. */
export const RenewConsentBodySchema = z
  .object({ duration_days: z.number().int().min(1).max(MAX_CONSENT_DURATION_DAYS).optional() })
  .optional();

/** Optional body of `POST /api/privacy/businesses/:pageId/unlink`. */
export const UnlinkBodySchema = z.object({ erase_history: z.boolean().optional() }).nullish();
export type UnlinkBody = z.infer<typeof UnlinkBodySchema>;

export const PageIdParamsSchema = z.object({ pageId: z.string().min(1).max(64) });
export const ReceiptIdParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** One entry of the consent ledger (`GET /api/privacy/ledger`). */
export const LedgerEntrySchema = z.object({
  id: z.string(),
  page_id: z.string(),
  page_name: z.string().nullable(),
  event: z.enum(['granted', 'changed', 'renewed', 'revoked', 'expired']),
  categories: z.array(z.string()),
  granted_at: z.number().nullable(),
  expires_at: z.number().nullable(),
  source: z.enum(['linking', 'settings', 'unlink', 'reminder', 'system']),
  created_at: z.number(),
});
export type LedgerEntryView = z.infer<typeof LedgerEntrySchema>;
export const LedgerListSchema = z.object({ data: z.array(LedgerEntrySchema) });

/** A signed consent receipt (`GET /api/privacy/receipts/:id`). */
export const ReceiptSchema = z.object({
  id: z.string(),
  page_id: z.string(),
  ledger_entry_id: z.string(),
  issued_at: z.number(),
  categories: z.array(z.string()),
  /** The compact JWS; verify it against `/.well-known/jwks.json`. */
  jws: z.string(),
});
export type Receipt = z.infer<typeof ReceiptSchema>;
