/**
 * A page's picture, as customers see it in the messenger (chat list, conversation header) and
 * businesses read it on `GET /{page-id}?fields=picture`. An owner or developer uploads it in the
 * console. The bytes decide what it is (PNG, JPEG or WebP by their signature, never the declared
 * header alone: SVG, HTML and anything else are refused), within MAX_PAGE_PICTURE_BYTES and
 * between MIN_PAGE_PICTURE_PX and MAX_PAGE_PICTURE_PX on each side. They are sealed with the
 * service key into the blob store; the hub serves them at `/api/page-pictures/{id}?v={version}`, the
 * version a hash of the bytes, so the URL can be cached for a year and changes with the picture.
 */
import { PlatformError } from '@confide/protocol';
import { createHash } from 'node:crypto';
import type { HubContext } from '../../context.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { imageSize } from './image-size.js';

export const MAX_PAGE_PICTURE_BYTES = 1024 * 1024;
export const MIN_PAGE_PICTURE_PX = 32;
export const MAX_PAGE_PICTURE_PX = 2048;
export const PAGE_PICTURE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type PagePictureType = (typeof PAGE_PICTURE_TYPES)[number];

/** The hub path of a page's picture at `version` (relative: the web app is on the hub's origin). */
export function pagePicturePath(pageId: string, version: string): string {
  return `/api/page-pictures/${encodeURIComponent(pageId)}?v=${version}`;
}

/** The picture URL of a page row, or null without a picture. */
export function pagePictureUrl(
  publicUrl: string | undefined,
  row: { id: string; picture_version: string | null },
): string | null {
  return row.picture_version === null ? null : `${publicUrl ?? ''}${pagePicturePath(row.id, row.picture_version)}`;
}

function sniff(data: Buffer): PagePictureType | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return undefined;
}

const refuse = (message: string) => new PlatformError('BAD_REQUEST', { message });

/**
 * Checks an upload by its bytes.
 * @throws PlatformError `PAYLOAD_TOO_LARGE`, or `BAD_REQUEST` (not PNG/JPEG/WebP, type mismatch, size).
 */
export function checkPagePicture(
  data: Buffer,
  declared: string | undefined,
): { type: PagePictureType; width: number; height: number } {
  if (data.length > MAX_PAGE_PICTURE_BYTES)
    throw new PlatformError('PAYLOAD_TOO_LARGE', {
      message: `A page picture may be at most ${MAX_PAGE_PICTURE_BYTES / 1024} KB.`,
    });
  const type = sniff(data);
  if (type === undefined) throw refuse('A page picture must be a PNG, JPEG or WebP image (not SVG or HTML).');
  const claimed = declared?.split(';')[0]?.trim().toLowerCase();
  if (claimed !== undefined && claimed !== type) throw refuse(`The picture is ${type}, not ${claimed}.`);
  const size = imageSize(data, type);
  if (size === undefined) throw refuse('The picture is damaged: its size cannot be read.');
  const { width, height } = size;
  if (Math.min(width, height) < MIN_PAGE_PICTURE_PX || Math.max(width, height) > MAX_PAGE_PICTURE_PX)
    throw refuse(
      `A page picture is ${MIN_PAGE_PICTURE_PX}–${MAX_PAGE_PICTURE_PX} pixels on each side; this one is ${width}×${height}.`,
    );
  return { type, width, height };
}

export class PagePictures {
  readonly #ctx: HubContext;
  readonly #blobs: BlobStore;

  constructor(ctx: HubContext, blobs: BlobStore) {
    this.#ctx = ctx;
    this.#blobs = blobs;
  }

  /** Stores the page's picture (replacing any); answers its new version. Checks first: nothing is written for bad bytes. */
  async set(pageId: string, data: Buffer, declared: string | undefined): Promise<string> {
    const { type, width, height } = checkPagePicture(data, declared);
    const version = createHash('sha256').update(data).digest('base64url').slice(0, 16);
    const key = await this.#blobs.put(
      Buffer.from(this.#ctx.secrets.seal(data.toString('base64'), `page-picture:${pageId}`)),
    );
    const old = await this.#ctx.storage.writes.run(async ({ db }) => {
      const row = await db.selectFrom('pages').select('picture_key').where('id', '=', pageId).executeTakeFirst();
      if (row === undefined) throw new PlatformError('NOT_FOUND', { message: 'No such page.' });
      await db
        .updateTable('pages')
        .set({
          picture_key: key,
          picture_type: type,
          picture_version: version,
          picture_width: width,
          picture_height: height,
        })
        .where('id', '=', pageId)
        .execute();
      return row.picture_key;
    });
    if (old !== null) await this.#blobs.delete(old);
    return version;
  }

  async clear(pageId: string): Promise<void> {
    const old = await this.#ctx.storage.writes.run(async ({ db }) => {
      const row = await db.selectFrom('pages').select('picture_key').where('id', '=', pageId).executeTakeFirst();
      await db
        .updateTable('pages')
        .set({
          picture_key: null,
          picture_type: null,
          picture_version: null,
          picture_width: null,
          picture_height: null,
        })
        .where('id', '=', pageId)
        .execute();
      return row?.picture_key ?? null;
    });
    if (old !== null) await this.#blobs.delete(old);
  }

  /** The picture's bytes, type and version, or undefined. */
  async read(pageId: string): Promise<{ data: Buffer; type: string; version: string } | undefined> {
    const row = await this.#ctx.storage.db
      .selectFrom('pages')
      .select(['picture_key', 'picture_type', 'picture_version'])
      .where('id', '=', pageId)
      .executeTakeFirst();
    if (row?.picture_key == null || row.picture_type === null || row.picture_version === null) return undefined;
    const sealed = await this.#blobs.get(row.picture_key);
    if (sealed === undefined) return undefined;
    const data = Buffer.from(this.#ctx.secrets.open(sealed.toString(), `page-picture:${pageId}`), 'base64');
    return { data, type: row.picture_type, version: row.picture_version };
  }
}
