/**
 * @module send-api/buttons
 * Buttons of templates and the persistent menu (reference §4.4).
 */
import { z } from 'zod';
import { graphBoolean } from './graph-scalars.js';
import { HttpUrlSchema, maxChars } from './text.js';

const title = maxChars(20, 1);

/** Opens a URL in the webview. Without `title` it is a generic element's `default_action`. */
export const UrlButtonSchema = z.object({
  type: z.literal('web_url'),
  url: HttpUrlSchema,
  title,
  webview_height_ratio: z.enum(['compact', 'tall', 'full']).optional(),
  messenger_extensions: graphBoolean().optional(),
  fallback_url: HttpUrlSchema.optional(),
  webview_share_button: z.literal('hide').optional(),
});
export type UrlButton = z.infer<typeof UrlButtonSchema>;

/** A generic element's tap target: a URL button without a title. */
export const DefaultActionSchema = UrlButtonSchema.omit({ title: true });
export type DefaultAction = z.infer<typeof DefaultActionSchema>;

/** Tapping sends a `messaging_postbacks` webhook carrying `payload`. */
export const PostbackButtonSchema = z.object({ type: z.literal('postback'), title, payload: maxChars(1000, 1) });
export type PostbackButton = z.infer<typeof PostbackButtonSchema>;

/** Dials `payload`, an E.164 number with its leading `+`. */
export const PhoneNumberButtonSchema = z.object({
  type: z.literal('phone_number'),
  title,
  payload: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in E.164 format, e.g. +15105551234'),
});
export type PhoneNumberButton = z.infer<typeof PhoneNumberButtonSchema>;

/**
 * Starts account linking at `url`, which must be HTTPS (the hub also accepts
 * `http://localhost` and `http://127.0.0.1` outside production). No title: clients render "Log In".
 */
export const AccountLinkButtonSchema = z.object({ type: z.literal('account_link'), url: HttpUrlSchema });
export type AccountLinkButton = z.infer<typeof AccountLinkButtonSchema>;

/** Unlinks the account; clients render "Log Out". */
export const AccountUnlinkButtonSchema = z.object({ type: z.literal('account_unlink') });
export type AccountUnlinkButton = z.infer<typeof AccountUnlinkButtonSchema>;

export const ButtonSchema = z.discriminatedUnion('type', [
  UrlButtonSchema,
  PostbackButtonSchema,
  PhoneNumberButtonSchema,
  AccountLinkButtonSchema,
  AccountUnlinkButtonSchema,
]);
export type Button = z.infer<typeof ButtonSchema>;

/** True when `url` may be an account-link target: HTTPS, or plain HTTP on loopback when allowed. */
export function isAllowedAccountLinkUrl(url: string, allowLoopbackHttp: boolean): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  if (u.protocol === 'https:') return true;
  return allowLoopbackHttp && u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
}
