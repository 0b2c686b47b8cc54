/**
 * `GET /api/page-pictures/{pageId}?v={version}`: a page's picture, public like the page's name (the
 * messenger's chat list and header, and the URL businesses read on `GET /{page-id}?fields=picture`).
 * A URL naming the current version is cacheable for a year (the version changes with the bytes);
 * without it, or with an older one, caches revalidate. An ETag answers conditional requests with 304.
 * The bytes go out with nosniff and a sandboxing CSP, so a browser only ever shows them as an image.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PagePictures } from './page-picture.js';

const Params = z.object({ pageId: z.string().min(1).max(64) });
const Query = z.object({ v: z.string().max(64).optional() });

export function pagePictureRoutes(pictures: PagePictures) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/api/page-pictures/:pageId',
      { schema: { tags: ['pages'], params: Params, querystring: Query } },
      async (request, reply) => {
        const picture = await pictures.read(request.params.pageId);
        if (picture === undefined) throw new PlatformError('NOT_FOUND', { message: 'This page has no picture.' });
        const etag = `"${picture.version}"`;
        const current = request.query.v === picture.version;
        reply
          .header('etag', etag)
          .header(
            'cache-control',
            current ? 'public, max-age=31536000, immutable' : 'public, max-age=60, must-revalidate',
          )
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cross-origin-resource-policy', 'cross-origin');
        if (request.headers['if-none-match'] === etag) return reply.status(304).send();
        return reply.header('content-type', picture.type).send(picture.data);
      },
    );
  };
}
