/** The SMS carrier configuration asks for (SMS_PROVIDER), or null when texts are off. */
import type { Config } from '../../config.js';
import { FakeCarrier } from './fake-carrier.js';
import type { SmsProvider } from './provider.js';
import { TwilioSms } from './twilio.js';

/** The fake carrier's sender when SMS_FROM is not set (a Twilio test number). */
export const FAKE_FROM = '+15005550006';

/** @throws Error for `twilio` without its credentials and sender, or `fake` in production. */
export function smsCarrierFor(config: Config, now: () => number): SmsProvider | null {
  const kind = config.SMS_PROVIDER ?? (config.NODE_ENV === 'production' ? 'none' : 'fake');
  if (kind === 'none') return null;
  if (kind === 'fake') {
    if (config.NODE_ENV === 'production')
      throw new Error('SMS_PROVIDER=fake is for development and tests; production needs twilio or none');
    return new FakeCarrier(config.SMS_FROM ?? FAKE_FROM, now);
  }
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, SMS_FROM: from } = config;
  if (accountSid === undefined || authToken === undefined || from === undefined) {
    throw new Error('SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_FROM');
  }
  return new TwilioSms({
    baseUrl: config.TWILIO_API_URL,
    accountSid,
    authToken,
    from,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  });
}
