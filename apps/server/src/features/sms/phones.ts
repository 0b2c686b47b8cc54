/**
 * The customer's phone number for the SMS fallback: one per customer, stored sealed and
 * found again by a keyed hash, usable only once verified with a one-time code (6 digits,
 * 10 minutes, 5 tries, one new code per 30 s), removable at any time. A number that said
 * STOP gets no texts until it says START.
 */
import { PlatformError } from '@confide/protocol';
import { createHmac } from 'node:crypto';
import type { HubContext } from '../../context.js';
import { newId, randomDigits, safeEqual, sha256Hex } from '../../crypto/tokens.js';
import type { SmsProvider } from './provider.js';
import { codeText } from './texts.js';

const CODE_TTL_MS = 10 * 60_000;
const CODE_RESEND_MS = 30_000;
const CODE_TRIES = 5;

export interface PhoneView {
  /** The number with all but its last 3 digits hidden. */
  phone: string;
  verified: boolean;
  /** `stopped` after the customer texted STOP. */
  texts: 'on' | 'stopped';
}

export class Phones {
  readonly #ctx: HubContext;
  readonly #sms: SmsProvider;
  readonly #key: Buffer;

  constructor(ctx: HubContext, sms: SmsProvider) {
    this.#ctx = ctx;
    this.#sms = sms;
    this.#key = createHmac('sha256', ctx.config.serviceKey).update('confide sms phone lookup').digest();
  }

  /** The lookup hash of an E.164 number. */
  hashOf(phone: string): string {
    return createHmac('sha256', this.#key).update(phone).digest('hex');
  }

  openPhone(id: string, sealed: string): string {
    return this.#ctx.secrets.open(sealed, `sms_phones:${id}`);
  }

  async get(customerId: string): Promise<PhoneView | null> {
    const row = await this.#ctx.storage.db
      .selectFrom('sms_phones')
      .selectAll()
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    if (row === undefined) return null;
    const phone = this.openPhone(row.id, row.sealed);
    return {
      phone: `${phone.slice(0, 3)}${'•'.repeat(Math.max(phone.length - 6, 0))}${phone.slice(-3)}`,
      verified: row.verified_at !== null,
      texts: row.opted_out === 1 ? 'stopped' : 'on',
    };
  }

  /**
   * Sets the customer's number (unverified) and texts it a one-time code.
   * @throws PlatformError `BAD_REQUEST` when another account uses the number; `TOO_MANY_REQUESTS` for a code within 30 s of the last.
   */
  async start(customerId: string, phone: string): Promise<void> {
    const now = this.#ctx.now();
    const hash = this.hashOf(phone);
    const code = randomDigits(6);
    await this.#ctx.storage.writes.run(async (tx) => {
      const taken = await tx.db
        .selectFrom('sms_phones')
        .select('customer_id')
        .where('phone_hash', '=', hash)
        .executeTakeFirst();
      if (taken !== undefined && taken.customer_id !== customerId)
        throw new PlatformError('BAD_REQUEST', { message: 'That number is already used by another account.' });
      const mine = await tx.db
        .selectFrom('sms_phones')
        .select(['id', 'code_sent_at'])
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
      if (mine?.code_sent_at != null && now - Number(mine.code_sent_at) < CODE_RESEND_MS) {
        throw new PlatformError('TOO_MANY_REQUESTS', {
          message: 'A code was just sent. Wait half a minute before asking for another.',
        });
      }
      const id = mine?.id ?? newId('ph');
      const row = {
        phone_hash: hash,
        sealed: this.#ctx.secrets.seal(phone, `sms_phones:${id}`),
        verified_at: null,
        code_hash: sha256Hex(`${id}:${code}`),
        code_sent_at: now,
        code_attempts: 0,
        opted_out: 0,
      };
      if (mine === undefined)
        await tx.db
          .insertInto('sms_phones')
          .values({ id, customer_id: customerId, created_at: now, ...row })
          .execute();
      else await tx.db.updateTable('sms_phones').set(row).where('id', '=', id).execute();
    });
    await this.#sms.send(phone, codeText(code), `${this.#ctx.config.publicUrl}/sms/status`);
  }

  /**
   * Verifies the number with the code texted to it.
   * @throws PlatformError `BAD_REQUEST` for a wrong or expired code (after 5 wrong tries, a new code is needed).
   */
  async verify(customerId: string, code: string): Promise<void> {
    const now = this.#ctx.now();
    await this.#ctx.storage.writes
      .run(async (tx) => {
        const row = await tx.db
          .selectFrom('sms_phones')
          .selectAll()
          .where('customer_id', '=', customerId)
          .executeTakeFirst();
        if (row === undefined || row.code_hash === null || row.code_sent_at === null)
          throw new PlatformError('BAD_REQUEST', { message: 'Ask for a code first.' });
        if (now - Number(row.code_sent_at) > CODE_TTL_MS || Number(row.code_attempts) >= CODE_TRIES) {
          throw new PlatformError('BAD_REQUEST', { message: 'That code has expired. Ask for a new one.' });
        }
        if (!safeEqual(sha256Hex(`${row.id}:${code}`), row.code_hash)) {
          await tx.db
            .updateTable('sms_phones')
            .set({ code_attempts: Number(row.code_attempts) + 1 })
            .where('id', '=', row.id)
            .execute();
          return 'wrong' as const;
        }
        await tx.db
          .updateTable('sms_phones')
          .set({ verified_at: now, code_hash: null, code_attempts: 0 })
          .where('id', '=', row.id)
          .execute();
        return 'ok' as const;
      })
      .then((result) => {
        if (result === 'wrong') throw new PlatformError('BAD_REQUEST', { message: 'That code is not right.' });
      });
  }

  /** Removes the number, and any text waiting to go to it. */
  async remove(customerId: string): Promise<void> {
    await this.#ctx.storage.writes.run(async (tx) => {
      const removed = await tx.db.deleteFrom('sms_phones').where('customer_id', '=', customerId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) throw new PlatformError('NOT_FOUND', { message: 'No phone number.' });
      await tx.db.deleteFrom('sms_jobs').where('customer_id', '=', customerId).execute();
    });
  }
}
