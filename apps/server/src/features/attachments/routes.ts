/**
 * `POST /me/message_attachments` on the Graph API, and the customer's authenticated
 * download route `GET /api/attachments/:id`.
 */
import { AttachmentUploadRequestSchema, PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import { customerOf } from '../../http/customer-auth.js';
import type { MediaLinks } from '../media/media-links.js';
import type { Attachments } from './attachments.js';

export function attachmentUploadRoutes(attachments: Attachments): GraphRoutes {
  return (router) => {
    for (const base of PAGE_BASES) {
      router.route('POST', `${base}/message_attachments`, async (call) => {
        const { message } = parseParams(AttachmentUploadRequestSchema, call.params);
        const { type, payload } = message.attachment;
        const isReusable = payload.is_reusable ?? false;
        if (call.file !== undefined) {
          const row = await attachments.upload(call.principal, type, { kind: 'file', file: call.file }, isReusable);
          return { attachment_id: row.id };
        }
        if (payload.url === undefined) {
          throw new PlatformError('INVALID_PARAMETER', {
            message: 'param message[attachment][payload][url] or a filedata part is required',
            detail: { param: 'message.attachment.payload.url' },
          });
        }
        const row = await attachments.upload(call.principal, type, { kind: 'url', url: payload.url }, isReusable);
        return { attachment_id: row.id };
      });
    }
  };
}

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Customer API: an attachment sent in one of the customer's conversations. */
export function attachmentDownloadRoutes(attachments: Attachments, auth: Auth, links: MediaLinks) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string } }>(
      '/api/attachments/:id',
      { preHandler: auth, schema: { tags: ['attachments'] } },
      async (request, reply) => {
        const id = request.params.id;
        if (!/^\d{1,32}$/.test(id)) throw new PlatformError('NOT_FOUND');
        const customerId = customerOf(request).id;
        const { row, data, name } = await attachments.openForCustomer(customerId, id);
        void reply.header('cache-control', 'private, max-age=3600').header('x-content-type-options', 'nosniff');
        // A business's URL may hold non-ASCII or control characters: the header carries it percent-encoded.
        // An image by URL goes through the hub's image proxy, so the browser never contacts the business's host.
        if (data === undefined) {
          const url = new URL(row.url as string).href;
          return reply.redirect(
            row.type === 'image' ? links.link({ kind: 'customer', id: customerId }, url) : url,
            302,
          );
        }
        const mime = row.content_type ?? 'application/octet-stream';
        // Only media of the declared kind is shown inline; anything else downloads, sandboxed.
        const inline = row.type !== 'file' && mime.startsWith(`${row.type}/`);
        const filename = (name ?? 'attachment').replace(/[^\w.-]/g, '_');
        void reply
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${filename}"`)
          .type(inline ? mime : 'application/octet-stream');
        return reply.send(data);
      },
    );
  };
}
