import { z } from 'zod';

/**
 * The customer's own profile (`GET|PUT /api/profile`) and what they share with each business
 * (`/api/privacy/…/profile-sharing`). A business always knows the customer's username as
 * `first_name`; it reads the fields below on `GET /{psid}` only for the fields the customer
 * shared with it, and only once the customer has filled them in.
 */
export const PROFILE_SHARE_FIELDS = ['last_name', 'profile_pic', 'locale', 'timezone'] as const;
export type ProfileShareField = (typeof PROFILE_SHARE_FIELDS)[number];

export const CustomerProfileSchema = z.object({
  username: z.string(),
  last_name: z.string().nullable(),
  /** Messenger-style locale, e.g. `de_DE`. */
  locale: z.string().nullable(),
  /** Offset from UTC in hours (-12 … 14, quarters allowed), as Messenger reports it. */
  timezone: z.number().nullable(),
  /** A picture was uploaded (`PUT /api/profile/picture`, PNG, JPEG or WebP, at most 256 KB). */
  has_picture: z.boolean(),
});
/** Largest profile picture, in bytes. */
export const MAX_PROFILE_PICTURE_BYTES = 256 * 1024;
/** Media types a profile picture may have. */
export const PROFILE_PICTURE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type CustomerProfile = z.infer<typeof CustomerProfileSchema>;

/** Fields absent from the body are left as they are; null clears one. */
export const UpdateCustomerProfileBodySchema = z
  .object({
    last_name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\p{C}<>]+$/u, 'must be printable text')
      .nullable()
      .optional(),
    locale: z
      .string()
      .regex(/^[a-z]{2}_[A-Z]{2}$/, 'must be a locale such as de_DE')
      .nullable()
      .optional(),
    timezone: z
      .number()
      .min(-12)
      .max(14)
      .refine((n) => Number.isInteger(n * 4), 'must be a whole number of quarter hours')
      .nullable()
      .optional(),
  })
  .strict();
export type UpdateCustomerProfileBody = z.infer<typeof UpdateCustomerProfileBodySchema>;

export const ProfileSharingSchema = z.object({ page_id: z.string(), fields: z.array(z.enum(PROFILE_SHARE_FIELDS)) });
export type ProfileSharing = z.infer<typeof ProfileSharingSchema>;
export const ProfileSharingListSchema = z.object({ data: z.array(ProfileSharingSchema) });
export const SetProfileSharingBodySchema = z
  .object({ fields: z.array(z.enum(PROFILE_SHARE_FIELDS)).max(PROFILE_SHARE_FIELDS.length) })
  .strict();
