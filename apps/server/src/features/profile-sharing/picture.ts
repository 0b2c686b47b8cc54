/**
 * Profile pictures: checked by their bytes (PNG, JPEG or WebP, matching the declared type, at
 * most MAX_PROFILE_PICTURE_BYTES), stored sealed with the service key, and served by the hub
 * only: a business receives on `GET /{psid}` a URL to the hub signed for its page and that
 * customer, valid for an hour, and the hub checks at every fetch that the customer still
 * shares the picture with that page.
 */
import { MAX_PROFILE_PICTURE_BYTES, PlatformError, PROFILE_PICTURE_TYPES } from '@confide/protocol';
import { createHmac } from 'node:crypto';
import type { HubContext } from '../../context.js';
import { safeEqual } from '../../crypto/tokens.js';

export type PictureType = (typeof PROFILE_PICTURE_TYPES)[number];

/** How long a signed picture URL stays valid. */
export const PICTURE_URL_TTL_S = 3600;

/** The type the bytes really have, or undefined. */
export function sniffPicture(data: Buffer): PictureType | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (
    data.length >= 12 &&
    data.subarray(0, 4).toString('latin1') === 'RIFF' &&
    data.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return undefined;
}

/**
 * Checks an upload.
 * @throws PlatformError `PAYLOAD_TOO_LARGE` or `BAD_REQUEST` (empty, not an image, type mismatch).
 */
export function checkPicture(data: Buffer, declared: string | undefined): PictureType {
  if (data.length > MAX_PROFILE_PICTURE_BYTES)
    throw new PlatformError('PAYLOAD_TOO_LARGE', {
      message: `A profile picture may be at most ${MAX_PROFILE_PICTURE_BYTES / 1024} KB.`,
    });
  const type = sniffPicture(data);
  if (type === undefined)
    throw new PlatformError('BAD_REQUEST', { message: 'A profile picture must be a PNG, JPEG or WebP image.' });
  if (declared !== undefined && declared.split(';')[0]?.trim().toLowerCase() !== type) {
    throw new PlatformError('BAD_REQUEST', { message: `The picture is ${type}, not ${declared}.` });
  }
  return type;
}

/** Signs and checks the hub URLs of shared pictures (HMAC-SHA256 keyed from the service key). */
export class PictureUrls {
  readonly #key: Buffer;
  readonly #ctx: HubContext;
  constructor(ctx: HubContext) {
    this.#ctx = ctx;
    this.#key = createHmac('sha256', ctx.config.serviceKey).update('confide/profile-picture-url/v1').digest();
  }

  #sign(pageId: string, psid: string, expires: number): string {
    return createHmac('sha256', this.#key).update(`${pageId}.${psid}.${expires}`).digest('base64url');
  }

  /** The URL a business receives as `profile_pic`; it expires at the end of the next hour. */
  url(pageId: string, psid: string): string {
    const now = Math.floor(this.#ctx.now() / 1000);
    const expires = (Math.floor(now / PICTURE_URL_TTL_S) + 2) * PICTURE_URL_TTL_S;
    const query = new URLSearchParams({
      page: pageId,
      expires: String(expires),
      sig: this.#sign(pageId, psid, expires),
    });
    return `${this.#ctx.config.publicUrl}/api/profile-pictures/${psid}?${query.toString()}`;
  }

  /** Whether a fetched URL is one the hub signed and still valid. */
  isValid(pageId: string, psid: string, expires: number, sig: string): boolean {
    const valid = safeEqual(sig, this.#sign(pageId, psid, expires));
    return valid && expires * 1000 > this.#ctx.now();
  }
}
