/**
 * @module send-api/templates
 * The structured templates Confide renders: button, generic (carousel) and receipt (§4.1–4.3).
 */
import { z } from 'zod';
import { graphBoolean, graphInteger, graphNumber } from './graph-scalars.js';
import { ButtonSchema, DefaultActionSchema } from './buttons.js';
import { HttpUrlSchema, maxChars } from './text.js';

/** Text above 1–3 buttons. */
export const ButtonTemplateSchema = z.object({
  template_type: z.literal('button'),
  text: maxChars(640, 1),
  buttons: z.array(ButtonSchema).min(1).max(3),
});

/** One card of a carousel: a title plus at least one other property. */
export const GenericElementSchema = z
  .object({
    title: maxChars(80, 1),
    subtitle: maxChars(80).optional(),
    image_url: HttpUrlSchema.optional(),
    default_action: DefaultActionSchema.optional(),
    buttons: z.array(ButtonSchema).max(3).optional(),
  })
  .refine(
    (e) =>
      e.subtitle !== undefined ||
      e.image_url !== undefined ||
      e.default_action !== undefined ||
      (e.buttons?.length ?? 0) > 0,
    {
      message: 'at least one property must be set in addition to title',
    },
  );
export type GenericElement = z.infer<typeof GenericElementSchema>;

/** A carousel of up to 10 cards. */
export const GenericTemplateSchema = z.object({
  template_type: z.literal('generic'),
  elements: z.array(GenericElementSchema).min(1).max(10),
  image_aspect_ratio: z.enum(['horizontal', 'square']).optional(),
  sharable: graphBoolean().optional(),
});

const money = graphNumber();

/** An order confirmation. `summary.total_cost` is required; at most 100 line items. */
export const ReceiptTemplateSchema = z.object({
  template_type: z.literal('receipt'),
  recipient_name: maxChars(200, 1),
  merchant_name: maxChars(200).optional(),
  order_number: maxChars(200, 1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  payment_method: maxChars(200, 1),
  order_url: HttpUrlSchema.optional(),
  timestamp: z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).optional(),
  elements: z
    .array(
      z.object({
        title: maxChars(200, 1),
        subtitle: maxChars(200).optional(),
        quantity: graphInteger().optional(),
        price: money,
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/)
          .optional(),
        image_url: HttpUrlSchema.optional(),
      }),
    )
    .max(100)
    .optional(),
  address: z
    .object({
      street_1: maxChars(200, 1),
      street_2: maxChars(200).optional(),
      city: maxChars(100, 1),
      postal_code: maxChars(20, 1),
      state: maxChars(100, 1),
      country: maxChars(100, 1),
    })
    .optional(),
  summary: z.object({
    subtotal: money.optional(),
    shipping_cost: money.optional(),
    total_tax: money.optional(),
    total_cost: money,
  }),
  adjustments: z
    .array(z.object({ name: maxChars(200, 1), amount: money }))
    .max(100)
    .optional(),
  sharable: graphBoolean().optional(),
});

export const TemplatePayloadSchema = z.discriminatedUnion('template_type', [
  ButtonTemplateSchema,
  GenericTemplateSchema,
  ReceiptTemplateSchema,
]);
export type TemplatePayload = z.infer<typeof TemplatePayloadSchema>;
/** A template payload as a sender writes it. */
export type TemplatePayloadInput = z.input<typeof TemplatePayloadSchema>;
export const TEMPLATE_TYPES = ['button', 'generic', 'receipt'] as const;
