/**
 * The SMS carrier port: send a text, and the carrier's webhooks (replies and delivery
 * status) in the Twilio format, signed with `X-Twilio-Signature`: base64 HMAC-SHA1, keyed
 * with the auth token, over the full webhook URL followed by every POST parameter's name and
 * value, sorted by name. Both implementations (twilio.ts, fake-carrier.ts) speak it.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../crypto/tokens.js';

export interface SmsProvider {
  /** Sends `body` to `to` (E.164) from the hub's one sender; answers the carrier's message id. */
  send(to: string, body: string, statusCallback: string): Promise<{ sid: string }>;
  /** The secret the carrier signs its webhooks with. */
  readonly authToken: string;
}

/** The X-Twilio-Signature of a webhook POST. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Checks a webhook's signature in constant time. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string | undefined,
): boolean {
  if (signature === undefined || signature === '') return false;
  return safeEqual(twilioSignature(authToken, url, params), signature);
}
