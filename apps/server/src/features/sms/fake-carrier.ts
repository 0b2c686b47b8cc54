/**
 * A carrier in the hub's own process, for tests and the demo: texts "sent" are kept in
 * memory (the last 200) and listed on a page at /dev/sms, where a reply can be typed as if
 * from the phone. A reply goes to the hub's inbound webhook signed exactly as Twilio signs
 * it, so the same verification and handling run. Never served in production.
 */
import { randomSecret, newId } from '../../crypto/tokens.js';
import { twilioSignature, type SmsProvider } from './provider.js';

export interface FakeText {
  sid: string;
  to: string;
  from: string;
  body: string;
  at: number;
  direction: 'out' | 'in';
}

const KEEP = 200;

export class FakeCarrier implements SmsProvider {
  readonly authToken = randomSecret(24);
  readonly texts: FakeText[] = [];
  readonly #from: string;
  readonly #now: () => number;

  constructor(from: string, now: () => number) {
    this.#from = from;
    this.#now = now;
  }

  get from(): string {
    return this.#from;
  }

  async send(to: string, body: string): Promise<{ sid: string }> {
    const sid = newId('SM');
    this.#keep({ sid, to, from: this.#from, body, at: this.#now(), direction: 'out' });
    return { sid };
  }

  /** The form and signature a reply from `from` arrives with at `url` (the inbound webhook). */
  reply(url: string, from: string, body: string): { params: Record<string, string>; signature: string } {
    const sid = newId('SM');
    const params = { MessageSid: sid, From: from, To: this.#from, Body: body };
    this.#keep({ sid, to: this.#from, from, body, at: this.#now(), direction: 'in' });
    return { params, signature: twilioSignature(this.authToken, url, params) };
  }

  /** Texts sent to `to`, oldest first. */
  sentTo(to: string): FakeText[] {
    return this.texts.filter((t) => t.direction === 'out' && t.to === to);
  }

  #keep(text: FakeText): void {
    this.texts.push(text);
    if (this.texts.length > KEEP) this.texts.splice(0, this.texts.length - KEEP);
  }
}
