/**
 * Dynamic registration is open to anyone (RFC 7591 §3), so it is bounded: per client IP,
 * at most `max` registrations per window (in this process; several hub processes each
 * allow as many), and public clients nobody connected within a day are deleted when the
 * next one registers, so abandoned registrations cannot pile up.
 */
import type { WriteTx } from '../../storage/write-queue.js';

export const REGISTRATIONS_PER_WINDOW = 20;
export const REGISTRATION_WINDOW_MS = 10 * 60_000;
export const UNUSED_CLIENT_TTL_MS = 86_400_000;

export class RegistrationLimit {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #max: number;
  readonly #windowMs: number;
  constructor(max = REGISTRATIONS_PER_WINDOW, windowMs = REGISTRATION_WINDOW_MS) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** Takes one registration for `ip`; returns the seconds to wait when the window is full. */
  take(ip: string, now: number): number | undefined {
    if (this.#windows.size > 10_000)
      for (const [k, w] of this.#windows) if (now - w.start >= this.#windowMs) this.#windows.delete(k);
    const w = this.#windows.get(ip);
    if (w === undefined || now - w.start >= this.#windowMs) {
      this.#windows.set(ip, { start: now, count: 1 });
      return undefined;
    }
    if (w.count >= this.#max) return Math.ceil((w.start + this.#windowMs - now) / 1000);
    w.count += 1;
    return undefined;
  }
}

/** Deletes public clients older than a day that no customer ever connected. */
export async function pruneUnusedClients(tx: WriteTx, now: number): Promise<void> {
  await tx.db
    .deleteFrom('oauth_clients')
    .where('token_endpoint_auth_method', '=', 'none')
    .where('created_at', '<', now - UNUSED_CLIENT_TTL_MS)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('assistant_grants as g').select('g.id').whereRef('g.client_id', '=', 'oauth_clients.client_id'),
        ),
      ),
    )
    .execute();
}
