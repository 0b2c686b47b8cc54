/**
 * `GET /api/media/image` (customers) and `GET /inbox/api/media/image` (agents): a business's
 * image, fetched by the hub so the viewer's browser never contacts the business's host.
 * Only links the hub minted for this viewer are served (`media-links.ts`); anything else,
 * and any image the proxy refuses, answers 404.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { customerOf } from '../../http/customer-auth.js';
import { agentOf } from '../inbox/agent-auth.js';
import { ImageRefusedError } from './fetch-image.js';
import type { ImageProxy } from './image-proxy.js';
import { MEDIA_PATHS, SIGNATURE_LENGTH, type MediaLinks, type MediaViewer } from './media-links.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export const MediaQuerySchema = z.object({
  url: z.string().min(1).max(4096),
  sig: z.string().length(SIGNATURE_LENGTH),
});
type MediaQuery = z.infer<typeof MediaQuerySchema>;

export interface MediaRoutesOptions {
  links: MediaLinks;
  proxy: ImageProxy;
  customerAuth: Auth;
  agentAuth: Auth;
}

export function mediaRoutes({ links, proxy, customerAuth, agentAuth }: MediaRoutesOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    const serve = async (viewer: MediaViewer, query: MediaQuery, reply: FastifyReply) => {
      if (!links.isExternal(query.url) || !links.verify(viewer, query.url, query.sig))
        throw new PlatformError('NOT_FOUND');
      let image;
      try {
        image = await proxy.get(query.url);
      } catch (err) {
        if (err instanceof ImageRefusedError)
          throw new PlatformError('NOT_FOUND', { message: `Image unavailable: ${err.message}.` });
        throw err;
      }
      return reply
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cross-origin-resource-policy', 'same-origin')
        .header('content-disposition', 'inline')
        .type(image.type)
        .send(image.bytes);
    };
    const schema = { hide: true, querystring: MediaQuerySchema };
    app.get<{ Querystring: MediaQuery }>(MEDIA_PATHS.customer, { schema, preHandler: customerAuth }, (request, reply) =>
      serve({ kind: 'customer', id: customerOf(request).id }, request.query, reply),
    );
    app.get<{ Querystring: MediaQuery }>(MEDIA_PATHS.agent, { schema, preHandler: agentAuth }, (request, reply) =>
      serve({ kind: 'agent', id: agentOf(request).id }, request.query, reply),
    );
  };
}
