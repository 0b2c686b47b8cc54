/**
 * A Twilio-compatible carrier: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`,
 * form-encoded `To`, `From`, `Body`, `StatusCallback`, with HTTP Basic auth (SID and token).
 */
import type { SmsProvider } from './provider.js';

export interface TwilioOptions {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  timeoutMs: number;
}

export class SmsSendError extends Error {
  override readonly name = 'SmsSendError';
  readonly status: number | null;
  constructor(status: number | null) {
    super(`SMS carrier answered ${status ?? 'nothing'}`);
    this.status = status;
  }
}

export class TwilioSms implements SmsProvider {
  readonly #o: TwilioOptions;

  constructor(options: TwilioOptions) {
    this.#o = options;
  }

  get authToken(): string {
    return this.#o.authToken;
  }

  async send(to: string, body: string, statusCallback: string): Promise<{ sid: string }> {
    const { baseUrl, accountSid, authToken, from, timeoutMs } = this.#o;
    const url = `${baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: to, From: from, Body: body, StatusCallback: statusCallback }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new SmsSendError(null);
    }
    const answer = (await res.json().catch(() => ({}))) as { sid?: unknown };
    if (!res.ok || typeof answer.sid !== 'string') throw new SmsSendError(res.status);
    return { sid: answer.sid };
  }
}
