/**
 * @module send-api/message-templates
 * Utility Messages (Meta, 2026): page-owned message templates managed at
 * `/{page-id}/message_templates`, and the Send API shape that fills one in
 * (`message.template` with `name`, `language.code` and `components`). The shapes follow
 * Meta's "Send a utility message" guide (updated 2026-03-13); see docs/platform-api.md.
 */
import { z } from 'zod';
import { maxChars } from './text.js';

/** Longest texts of a template's components (Meta's template limits). */
export const TEMPLATE_LIMITS = {
  name: 512,
  header: 60,
  body: 1024,
  footer: 60,
  buttons: 3,
  buttonText: 20,
  payload: 1000,
  url: 2000,
  /** One filled-in parameter. */
  parameter: 1024,
} as const;

/** Review outcome of a template; Confide reviews on creation, so PENDING is never left standing. */
export const TemplateStatusSchema = z.enum(['PENDING', 'APPROVED', 'REJECTED']);
export type TemplateStatus = z.infer<typeof TemplateStatusSchema>;

/**
 * Why a template was rejected: Meta's codes (`INCORRECT_PARAMS`,
 * `PARAMS_TO_WORD_RATIO_EXCEED_LIMIT`, `TAG_SHOULD_BE_MARKETING`) plus `INVALID_FORMAT`
 * (link shorteners) and `SCAM` (asks for credentials), which Meta's policy forbids too.
 */
export const TemplateRejectionReasonSchema = z.enum([
  'INCORRECT_PARAMS',
  'PARAMS_TO_WORD_RATIO_EXCEED_LIMIT',
  'TAG_SHOULD_BE_MARKETING',
  'INVALID_FORMAT',
  'SCAM',
]);
export type TemplateRejectionReason = z.infer<typeof TemplateRejectionReasonSchema>;

/** Component types are upper case on Meta's create call; lower case is accepted too. */
const upper = <T extends string>(values: readonly [T, ...T[]]) =>
  z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(values));

export const TemplateHeaderComponentSchema = z.object({
  type: upper(['HEADER']),
  format: upper(['TEXT']).default('TEXT'),
  text: maxChars(TEMPLATE_LIMITS.header, 1),
  example: z.object({ header_text: z.array(z.string()).min(1).max(1) }).optional(),
});

export const TemplateBodyComponentSchema = z.object({
  type: upper(['BODY']),
  text: maxChars(TEMPLATE_LIMITS.body, 1),
  example: z.object({ body_text: z.array(z.array(z.string())).min(1) }).optional(),
});

export const TemplateFooterComponentSchema = z.object({
  type: upper(['FOOTER']),
  text: maxChars(TEMPLATE_LIMITS.footer, 1),
});

const buttonText = maxChars(TEMPLATE_LIMITS.buttonText, 1);
/** Sends a `messaging_postbacks` webhook with `payload` (which may hold one `{{n}}` variable). */
export const TemplatePostbackButtonSchema = z.object({
  type: upper(['POSTBACK']),
  text: buttonText,
  payload: maxChars(TEMPLATE_LIMITS.payload, 1),
});
/** Opens `url`, which may end with one `{{1}}` suffix variable filled in at send time. */
export const TemplateUrlButtonSchema = z.object({
  type: upper(['URL']),
  text: buttonText,
  url: maxChars(TEMPLATE_LIMITS.url, 1),
  example: z.object({ url_suffix_example: z.string().min(1) }).optional(),
});
/** Dials `phone_number` (E.164). */
export const TemplatePhoneButtonSchema = z.object({
  type: upper(['PHONE_NUMBER']),
  text: buttonText,
  phone_number: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in E.164 format, e.g. +15105551234'),
});
export const TemplateButtonSchema = z.union([
  TemplatePostbackButtonSchema,
  TemplateUrlButtonSchema,
  TemplatePhoneButtonSchema,
]);
export type TemplateButton = z.infer<typeof TemplateButtonSchema>;

export const TemplateButtonsComponentSchema = z.object({
  type: upper(['BUTTONS']),
  buttons: z.array(TemplateButtonSchema).min(1).max(TEMPLATE_LIMITS.buttons),
});

export const TemplateComponentSchema = z.union([
  TemplateHeaderComponentSchema,
  TemplateBodyComponentSchema,
  TemplateFooterComponentSchema,
  TemplateButtonsComponentSchema,
]);
export type TemplateComponent = z.infer<typeof TemplateComponentSchema>;

/** `name`: lower-case letters, digits and underscores, as Meta requires. */
export const TemplateNameSchema = z
  .string()
  .regex(/^[a-z0-9_]{1,512}$/, 'must be lower-case letters, digits and underscores (at most 512)');
/** A language code such as `en` or `en_US`. */
export const TemplateLanguageSchema = z
  .string()
  .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en or en_US');

/**
 * `POST /{page-id}/message_templates`. `notification_category` is Confide's: the consent
 * category (e.g. `fraud_alerts`) a customer must have allowed before the template reaches
 * them. A clone of a library template (`library_template_name`) takes its components and
 * category from the library; any other template needs both.
 */
export const CreateMessageTemplateRequestSchema = z.object({
  name: TemplateNameSchema,
  language: TemplateLanguageSchema,
  category: upper(['UTILITY']),
  components: z.array(TemplateComponentSchema).min(1).max(4).optional(),
  parameter_format: upper(['POSITIONAL', 'NAMED']).optional(),
  library_template_name: TemplateNameSchema.optional(),
  library_template_body_inputs: z.unknown().optional(),
  library_template_button_inputs: z.unknown().optional(),
  notification_category: z.string().min(1).max(64).optional(),
});
export type CreateMessageTemplateRequest = z.infer<typeof CreateMessageTemplateRequestSchema>;
/** A create body as a sender writes it. */
export type CreateMessageTemplateRequestInput = z.input<typeof CreateMessageTemplateRequestSchema>;

/** The answer to a create: the template id, its review status and category. */
export const CreateMessageTemplateResponseSchema = z.object({
  id: z.string(),
  status: TemplateStatusSchema,
  category: z.literal('UTILITY'),
});
export type CreateMessageTemplateResponse = z.infer<typeof CreateMessageTemplateResponseSchema>;

/** A stored template, as `GET /{page-id}/message_templates` and `GET /{template-id}` answer it. */
export const MessageTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.literal('UTILITY'),
  status: TemplateStatusSchema,
  rejected_reason: z.union([TemplateRejectionReasonSchema, z.literal('NONE')]),
  components: z.array(TemplateComponentSchema),
  parameter_format: z.literal('POSITIONAL'),
  notification_category: z.string(),
  creation_time: z.number(),
  last_updated_time: z.string(),
});
export type MessageTemplate = z.infer<typeof MessageTemplateSchema>;

/** `{data, paging}` of a template listing. */
export const MessageTemplateListSchema = z.object({
  data: z.array(MessageTemplateSchema),
  paging: z.object({ cursors: z.object({ before: z.string(), after: z.string() }) }),
});
export type MessageTemplateList = z.infer<typeof MessageTemplateListSchema>;

// ---- sending ---------------------------------------------------------------------------

const TextParameterSchema = z.object({
  type: z.literal('text'),
  text: z.string(),
  parameter_name: z.string().optional(),
});
const PostbackParameterSchema = z.object({ type: upper(['POSTBACK']), payload: z.string() });
const UrlParameterSchema = z.object({ type: upper(['URL']), url: z.string() });

export const TemplateSendComponentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), parameters: z.array(TextParameterSchema).max(1) }),
  z.object({ type: z.literal('body'), parameters: z.array(TextParameterSchema).max(100) }),
  z.object({
    type: z.literal('buttons'),
    parameters: z.array(z.union([PostbackParameterSchema, UrlParameterSchema])).max(TEMPLATE_LIMITS.buttons),
  }),
]);
export type TemplateSendComponent = z.infer<typeof TemplateSendComponentSchema>;

/** `message.template` of a utility send; `language` is `{code}` (a bare string is accepted too). */
export const TemplateMessageSchema = z.object({
  template: z.object({
    name: TemplateNameSchema,
    language: z.union([
      z.object({ code: TemplateLanguageSchema }),
      TemplateLanguageSchema.transform((code) => ({ code })),
    ]),
    components: z
      .array(
        z.preprocess(
          (v) =>
            v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string'
              ? { ...v, type: (v as { type: string }).type.toLowerCase() }
              : v,
          TemplateSendComponentSchema,
        ),
      )
      .max(3)
      .default([]),
  }),
  metadata: z
    .string()
    .refine((s) => [...s].length < 1000, 'must be fewer than 1000 characters')
    .optional(),
});
export type TemplateMessage = z.infer<typeof TemplateMessageSchema>;
/** A utility `message` as a sender writes it. */
export type TemplateMessageInput = z.input<typeof TemplateMessageSchema>;

/**
 * What a utility message looks like once sent: the template filled in, stored and shown to
 * the customer as `attachment: {type: "template", payload: UtilityTemplatePayload}`. Buttons
 * use the Send API's button shapes, so every client renders them like a button template's.
 */
export interface UtilityTemplatePayload {
  template_type: 'utility';
  name: string;
  language: string;
  header?: string;
  text: string;
  footer?: string;
  buttons?: Array<
    | { type: 'postback'; title: string; payload: string }
    | { type: 'web_url'; title: string; url: string }
    | { type: 'phone_number'; title: string; payload: string }
  >;
}

// ---- webhook ---------------------------------------------------------------------------

/** `message_template_status_update`: the `value` of an `entry[].changes[]` item. */
export const MessageTemplateStatusUpdateSchema = z.object({
  event: TemplateStatusSchema,
  message_template_id: z.union([z.string(), z.number()]),
  message_template_name: z.string(),
  message_template_language: z.string(),
  message_template_category: z.string().optional(),
  reason: z.string(),
});
export type MessageTemplateStatusUpdate = z.infer<typeof MessageTemplateStatusUpdateSchema>;
