/**
 * Random bytes for values that are unique but not secret (message ids, AES-GCM nonces,
 * request ids), drawn from the CSPRNG in 4 KiB refills instead of one call each. A
 * `randomBytes` call costs microseconds of fixed overhead; under Send API load the three
 * calls per message were 11% of the hub's CPU (bench/README.md). Secrets (keys, tokens)
 * keep using `randomBytes` directly so their bytes never sit in a shared buffer.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function reserve(n: number): number {
  if (n > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} pooled random bytes per call`);
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += n;
  return at;
}

/** Writes `n` fresh random bytes into `target` at `at` (never handed out twice), with no buffer of their own. */
export function pooledRandomFill(target: Buffer, at: number, n: number): void {
  const from = reserve(n);
  pool.copy(target, at, from, from + n);
}

/** `n` fresh random bytes as base64url text. */
export function pooledRandomBase64url(n: number): string {
  const at = reserve(n);
  return pool.toString('base64url', at, at + n);
}
