/** Request schemas of the push routes (customer API). */
import { z } from 'zod';
import { CONSENT_CATEGORIES } from '../consent/categories.js';

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what}: must be base64url`)
    .refine((v) => Buffer.from(v, 'base64url').length === bytes, `${what}: must be ${bytes} bytes`);

/** The browser's `PushSubscription.toJSON()`, plus a short device name for the privacy center. */
export const PushSubscriptionBodySchema = z
  .object({
    endpoint: z.string().url().max(1024),
    expirationTime: z.number().nullable().optional(),
    keys: z.object({ p256dh: base64url(65, 'keys.p256dh'), auth: base64url(16, 'keys.auth') }).strict(),
    device: z.string().trim().min(1).max(60).optional(),
  })
  .strict();
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBodySchema>;

export const PushMuteBodySchema = z
  .object({
    page_id: z.string().min(1).max(64),
    category: z.enum(CONSENT_CATEGORIES),
    /** false: this business's category is not pushed (it still arrives in the app). */
    push: z.boolean(),
  })
  .strict();

export const SubscriptionIdParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** A notification button pressed: the token from the push, the question it names, and which button. */
export const PushAnswerBodySchema = z
  .object({
    token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'token: not a push action token'),
    message_mid: z.string().min(1).max(64),
    button: z.number().int().min(0).max(12),
  })
  .strict();
