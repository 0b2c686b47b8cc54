/** Customer privacy API: request and response shapes (the web app builds against these). */
import { PageSummarySchema } from '@confide/protocol';
import { z } from 'zod';
import { CONSENT_CATEGORIES, MAX_DURATION_DAYS } from './categories.js';

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

export const SetConsentBodySchema = z.object({
  categories: z.array(ConsentCategorySchema).max(CONSENT_CATEGORIES.length),
  duration_days: z.number().int().min(1).max(MAX_DURATION_DAYS).optional(),
});
export type SetConsentBody = z.infer<typeof SetConsentBodySchema>;

export const RenewConsentBodySchema = z
  .object({ duration_days: z.number().int().min(1).max(MAX_DURATION_DAYS).optional() })
  .optional();

export const PageIdParamsSchema = z.object({ pageId: z.string().min(1).max(64) });
export const ReceiptIdParamsSchema = z.object({ id: z.string().min(1).max(64) });

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

export const ReceiptSchema = z.object({
  id: z.string(),
  page_id: z.string(),
  ledger_entry_id: z.string(),
  issued_at: z.number(),
  categories: z.array(z.string()),
  /** The compact JWS; verify it against `/.well-known/jwks.json`. */
  jws: z.string(),
});
