/**
 * The devices a customer turned Web Push on for, and the businesses' categories they keep
 * off push. Push is a delivery channel of a consent the customer already gave, never a
 * consent of its own: a category can be pushed only while it is granted, and muting it
 * here changes how it arrives, not whether.
 *
 * A subscription's endpoint (a capability URL at the browser vendor) and keys are personal:
 * they are sealed with the service key, and found again by a hash of the endpoint.
 */
import { PlatformError } from '@confide/protocol';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import type { Database } from '../../storage/schema.js';
import { newId } from '../../crypto/tokens.js';
import { assertEgressAllowed, egressPolicyFor, EgressRefusedError } from '../../privacy/egress-guard.js';
import type { PushSubscriptionBody } from './schemas.js';

/** Most devices per customer; a new one past it replaces the one pushed least recently. */
export const MAX_DEVICES = 10;

/** What is sealed for one device. */
export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushDevice {
  id: string;
  device: string;
  created_at: number;
  last_push_at: number | null;
}

export const endpointHash = (endpoint: string) => createHash('sha256').update(endpoint).digest('hex');
const aad = (id: string) => `push_subscriptions:${id}`;

export class PushSubscriptions {
  readonly #ctx: HubContext;

  constructor(ctx: HubContext) {
    this.#ctx = ctx;
  }

  /**
   * Stores (or refreshes) this device for the customer; the same endpoint signed in as
   * someone else moves to them. Answers the device's id.
   * @throws PlatformError `BAD_REQUEST` for an endpoint that is not https (production) or
   *   points at a private address (production).
   */
  async subscribe(customerId: string, body: PushSubscriptionBody): Promise<PushDevice> {
    await this.#assertEndpoint(body.endpoint);
    const now = this.#ctx.now();
    const hash = endpointHash(body.endpoint);
    const device = body.device ?? 'Browser';
    return this.#ctx.storage.writes.run(async (tx) => {
      const existing = await tx.db
        .selectFrom('push_subscriptions')
        .select(['id', 'created_at'])
        .where('endpoint_hash', '=', hash)
        .executeTakeFirst();
      const id = existing?.id ?? newId('ps');
      const sealed = this.#ctx.secrets.seal(
        JSON.stringify({ endpoint: body.endpoint, keys: body.keys } satisfies PushTarget),
        aad(id),
      );
      if (existing === undefined) {
        await tx.db
          .insertInto('push_subscriptions')
          .values({
            id,
            customer_id: customerId,
            endpoint_hash: hash,
            sealed,
            device,
            created_at: now,
            last_push_at: null,
          })
          .execute();
      } else {
        await tx.db
          .updateTable('push_subscriptions')
          .set({ customer_id: customerId, sealed, device })
          .where('id', '=', id)
          .execute();
        // Pushes queued for whoever held this device before are not theirs to see any more.
        await tx.db
          .deleteFrom('push_jobs')
          .where('subscription_id', '=', id)
          .where('customer_id', '<>', customerId)
          .execute();
      }
      const all = await tx.db
        .selectFrom('push_subscriptions')
        .select('id')
        .where('customer_id', '=', customerId)
        .orderBy('last_push_at', 'desc')
        .orderBy('created_at', 'desc')
        .execute();
      const excess = all
        .filter((r) => r.id !== id)
        .slice(MAX_DEVICES - 1)
        .map((r) => r.id);
      if (excess.length > 0) await removeDevices(tx.db, excess);
      return { id, device, created_at: Number(existing?.created_at ?? now), last_push_at: null };
    });
  }

  async list(customerId: string): Promise<PushDevice[]> {
    const rows = await this.#ctx.storage.db
      .selectFrom('push_subscriptions')
      .select(['id', 'device', 'created_at', 'last_push_at'])
      .where('customer_id', '=', customerId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      device: r.device,
      created_at: Number(r.created_at),
      last_push_at: r.last_push_at === null ? null : Number(r.last_push_at),
    }));
  }

  /** @throws PlatformError `NOT_FOUND` when the customer has no such device. */
  async remove(customerId: string, id: string): Promise<void> {
    await this.#ctx.storage.writes.run(async (tx) => {
      const row = await tx.db
        .selectFrom('push_subscriptions')
        .select('id')
        .where('id', '=', id)
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
      if (row === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such device.' });
      await removeDevices(tx.db, [id]);
    });
  }

  /** The categories of each business the customer keeps off push. */
  async muted(customerId: string): Promise<Array<{ page_id: string; category: string }>> {
    return this.#ctx.storage.db
      .selectFrom('push_muted')
      .select(['page_id', 'category'])
      .where('customer_id', '=', customerId)
      .orderBy('page_id')
      .orderBy('category')
      .execute();
  }

  /**
   * Turns push on or off for one granted category of one business.
   * @throws PlatformError `BAD_REQUEST` when the customer has not granted that category to the business.
   */
  async setPush(customerId: string, input: { page_id: string; category: string; push: boolean }): Promise<void> {
    const now = this.#ctx.now();
    await this.#ctx.storage.writes.run(async (tx) => {
      const state = await tx.db
        .selectFrom('consent_state')
        .select(['status', 'categories'])
        .where('customer_id', '=', customerId)
        .where('page_id', '=', input.page_id)
        .executeTakeFirst();
      const granted = state?.status === 'active' ? (JSON.parse(state.categories) as string[]) : [];
      if (!granted.includes(input.category)) {
        throw new PlatformError('BAD_REQUEST', {
          message: 'Push is a way to receive updates you allowed: allow this category for this business first.',
        });
      }
      await tx.db
        .deleteFrom('push_muted')
        .where('customer_id', '=', customerId)
        .where('page_id', '=', input.page_id)
        .where('category', '=', input.category)
        .execute();
      if (!input.push)
        await tx.db
          .insertInto('push_muted')
          .values({ customer_id: customerId, page_id: input.page_id, category: input.category, created_at: now })
          .execute();
    });
  }

  /** Opens a device's endpoint and keys (the push worker). */
  openTarget(id: string, sealed: string): PushTarget {
    return JSON.parse(this.#ctx.secrets.open(sealed, aad(id))) as PushTarget;
  }

  async #assertEndpoint(endpoint: string): Promise<void> {
    const url = new URL(endpoint);
    const production = this.#ctx.config.NODE_ENV === 'production';
    if (url.protocol !== 'https:' && (production || url.protocol !== 'http:')) {
      throw new PlatformError('BAD_REQUEST', { message: 'endpoint: a push endpoint must be an https URL.' });
    }
    try {
      await assertEgressAllowed(endpoint, egressPolicyFor(this.#ctx.config));
    } catch (err) {
      // A private address, or a host name that does not resolve.
      this.#ctx.log.info({ refused: err instanceof EgressRefusedError }, 'push endpoint refused');
      throw new PlatformError('BAD_REQUEST', {
        message: 'endpoint: that push endpoint is not reachable from this hub.',
      });
    }
  }
}

/** Deletes devices and the pushes queued for them. */
export async function removeDevices(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('push_jobs').where('subscription_id', 'in', ids).execute();
  await db.deleteFrom('push_subscriptions').where('id', 'in', ids).execute();
}
