/**
 * `PUT|DELETE /console/api/pages/{pageId}/picture`: the page's picture, sent as the raw image
 * body. Every body is read as bytes (at most the picture limit) so that the bytes, not the
 * Content-Type, decide: SVG, HTML or anything else is refused with a clear error, nothing written.
 */
import { ConsolePageSchema, PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_PAGE_PICTURE_BYTES } from '../pages/page-picture.js';
import { memberOf } from './console-auth.js';
import type { ConsolePictures } from './console-pictures.js';

const tags = ['console'];
const PageParams = z.object({ pageId: z.string().min(1).max(64) });

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Raw upload bytes; private so generic body walkers see an empty object. */
class ImageBody {
  readonly #data: Buffer;
  constructor(data: Buffer) {
    this.#data = data;
  }
  get data(): Buffer {
    return this.#data;
  }
}

export function consolePictureRoutes(auth: Auth, pictures: ConsolePictures) {
  return async (app: FastifyInstance): Promise<void> => {
    // This plugin's routes only: any content type arrives as bytes, checked by their signature.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_PAGE_PICTURE_BYTES + 1 }, (_req, body, done) =>
      done(null, new ImageBody(body as Buffer)),
    );
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.put(
      '/console/api/pages/:pageId/picture',
      {
        schema: { tags, params: PageParams, response: { 200: ConsolePageSchema } },
        onRequest: auth,
      },
      async (request) => {
        if (!(request.body instanceof ImageBody) || request.body.data.length === 0)
          throw new PlatformError('BAD_REQUEST', { message: 'Send the picture as the body (PNG, JPEG or WebP).' });
        return pictures.set(
          memberOf(request),
          request.params.pageId,
          request.body.data,
          request.headers['content-type'],
        );
      },
    );
    r.delete(
      '/console/api/pages/:pageId/picture',
      { schema: { tags, params: PageParams, response: { 200: ConsolePageSchema } }, onRequest: auth },
      async (request) => pictures.clear(memberOf(request), request.params.pageId),
    );
  };
}
