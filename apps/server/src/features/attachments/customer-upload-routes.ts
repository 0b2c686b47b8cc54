/**
 * `POST /api/conversations/:id/attachments`: the customer sends a file, the raw bytes as the
 * body (`?name=` carries its name), so the browser can report upload progress. And
 * `GET /platform/attachments/:id`: the business fetches a customer's file with its page
 * token (`access_token` or `Authorization: Bearer`, `appsecret_proof` when sent).
 */
import { MAX_CUSTOMER_UPLOAD_BYTES, PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerOf } from '../../http/customer-auth.js';
import { authenticate, bearerToken } from '../../http/graph-request.js';
import type { Pages } from '../pages/pages.js';
import type { CustomerUploads } from './customer-uploads.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function customerUploadRoutes(uploads: CustomerUploads, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    // This scope takes any body as bytes: the file's type is read from its content.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_CUSTOMER_UPLOAD_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    app.withTypeProvider<ZodTypeProvider>().post(
      '/api/conversations/:id/attachments',
      {
        preHandler: auth,
        bodyLimit: MAX_CUSTOMER_UPLOAD_BYTES,
        schema: {
          tags: ['conversations'],
          params: z.object({ id: z.string().min(1).max(64) }),
          querystring: z.object({ name: z.string().max(255).optional() }),
        },
      },
      async (request, reply) => {
        const data = request.body;
        if (!Buffer.isBuffer(data))
          throw new PlatformError('BAD_REQUEST', { message: 'Send the file as the request body.' });
        const message = await uploads.send(customerOf(request).id, request.params.id, data, request.query.name);
        return reply.status(201).send(message);
      },
    );
  };
}

export function customerFileRoutes(uploads: CustomerUploads, pages: Pages) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
      '/platform/attachments/:id',
      { schema: { hide: true } },
      async (request, reply) => {
        const token =
          typeof request.query['access_token'] === 'string' ? request.query['access_token'] : bearerToken(request);
        const proof =
          typeof request.query['appsecret_proof'] === 'string' ? request.query['appsecret_proof'] : undefined;
        const principal = await authenticate(pages, token, proof);
        if (!/^\d{1,32}$/.test(request.params.id)) throw new PlatformError('UNKNOWN_OBJECT');
        const file = await uploads.openForPage(principal, request.params.id);
        const filename = file.name.replace(/[^\w.-]/g, '_');
        void reply
          .header('cache-control', 'private, no-store')
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header(
            'content-disposition',
            `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
          )
          .type(file.mime);
        return reply.send(file.data);
      },
    );
  };
}
