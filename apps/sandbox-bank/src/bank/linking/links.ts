/**
 * PSID ↔ bank-customer mapping. A link starts as a one-time authorization code minted
 * on the bank's log-in page and becomes a link only when the hub's `account_linking`
 * webhook presents that code for the same PSID.
 */
import type { Kysely } from 'kysely';
import { newSecret } from '../../common/ids.js';
import type { BankDatabase } from '../schema.js';

/** How long a minted code waits for the hub's webhook. */
export const LINK_CODE_TTL_MS = 10 * 60_000;

export class Links {
  readonly #db: Kysely<BankDatabase>;

  constructor(db: Kysely<BankDatabase>) {
    this.#db = db;
  }

  /** Mints an unguessable authorization code for a PSID the hub vouched for. */
  async mintCode(psid: string, customerId: string, now: number): Promise<string> {
    const code = newSecret();
    await this.#db
      .insertInto('link_codes')
      .values({
        code,
        psid,
        customer_id: customerId,
        created_at: now,
        expires_at: now + LINK_CODE_TTL_MS,
        used_at: null,
      })
      .execute();
    return code;
  }

  /**
   * Confirms a link: the code must exist, be unused and unexpired, and belong to `psid`.
   * @returns the bank customer id, or undefined when the code does not check out.
   */
  async confirm(
    code: string,
    psid: string,
    now: number,
    consent?: { categories?: readonly string[]; expiresAt?: number },
  ): Promise<string | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('link_codes').selectAll().where('code', '=', code).executeTakeFirst();
      if (row === undefined || row.psid !== psid || row.used_at !== null || row.expires_at < now) return undefined;
      await trx.updateTable('link_codes').set({ used_at: now }).where('code', '=', code).execute();
      const values = {
        customer_id: row.customer_id,
        linked_at: now,
        consent_categories: consent?.categories === undefined ? null : JSON.stringify(consent.categories),
        consent_expires_at: consent?.expiresAt ?? null,
      };
      await trx
        .insertInto('links')
        .values({ psid, ...values })
        .onConflict((oc) => oc.column('psid').doUpdateSet(values))
        .execute();
      return row.customer_id;
    });
  }

  /** The bank customer behind a PSID, if linked. */
  async customerOf(psid: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('links').select('customer_id').where('psid', '=', psid).executeTakeFirst();
    return row?.customer_id;
  }

  /** The PSID a customer linked from most recently, if any. */
  async psidOf(customerId: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('links')
      .select('psid')
      .where('customer_id', '=', customerId)
      .orderBy('linked_at', 'desc')
      .executeTakeFirst();
    return row?.psid;
  }

  async unlink(psid: string): Promise<boolean> {
    const res = await this.#db.deleteFrom('links').where('psid', '=', psid).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }
}
