/**
 * Customer API: `GET|PUT /api/profile`, `GET|PUT|DELETE /api/profile/picture`,
 * `GET /api/privacy/profile-sharing`, `PUT /api/privacy/businesses/:pageId/profile-sharing`;
 * and the signed picture URLs businesses receive, `GET /api/profile-pictures/:psid`.
 */
import {
  CustomerProfileSchema,
  MAX_PROFILE_PICTURE_BYTES,
  PlatformError,
  PROFILE_PICTURE_TYPES,
  ProfileSharingListSchema,
  ProfileSharingSchema,
  SetProfileSharingBodySchema,
  UpdateCustomerProfileBodySchema,
} from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerOf } from '../../http/customer-auth.js';
import type { CustomerProfiles } from './profiles.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
const PageParamsSchema = z.object({ pageId: z.string().min(1).max(64) });
const SignedPictureQuerySchema = z.object({
  page: z.string().regex(/^\d{1,32}$/),
  expires: z.coerce.number().int().min(0).max(99_999_999_999),
  sig: z.string().max(64),
});

/** An uploaded picture; its bytes are private so generic body walkers see an empty object. */
class PictureBody {
  readonly #data: Buffer;
  constructor(data: Buffer) {
    this.#data = data;
  }
  get data(): Buffer {
    return this.#data;
  }
}

/** Sends picture bytes so that a browser never runs or sniffs them. */
function sendPicture(reply: FastifyReply, picture: { data: Buffer; type: string }, cache: string) {
  return reply
    .header('content-type', picture.type)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', cache)
    .send(picture.data);
}

export function profileSharingRoutes(profiles: CustomerProfiles, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.addHook('preHandler', auth);
    r.get(
      '/api/profile',
      { schema: { tags: ['account'], response: { 200: CustomerProfileSchema } } },
      async (request) => profiles.get(customerOf(request).id),
    );
    r.put(
      '/api/profile',
      {
        schema: { tags: ['account'], body: UpdateCustomerProfileBodySchema, response: { 200: CustomerProfileSchema } },
      },
      async (request) => profiles.update(customerOf(request).id, request.body),
    );
    app.addContentTypeParser(
      [...PROFILE_PICTURE_TYPES],
      { parseAs: 'buffer', bodyLimit: MAX_PROFILE_PICTURE_BYTES + 1024 },
      (_request, body, done) => done(null, new PictureBody(body as Buffer)),
    );
    r.put(
      '/api/profile/picture',
      { schema: { tags: ['account'], response: { 200: CustomerProfileSchema } } },
      async (request) => {
        if (!(request.body instanceof PictureBody))
          throw new PlatformError('UNSUPPORTED_MEDIA_TYPE', {
            message: 'Send the picture as image/png, image/jpeg or image/webp.',
          });
        return profiles.setPicture(customerOf(request).id, request.body.data, request.headers['content-type']);
      },
    );
    r.delete(
      '/api/profile/picture',
      { schema: { tags: ['account'], response: { 200: CustomerProfileSchema } } },
      async (request) => profiles.clearPicture(customerOf(request).id),
    );
    r.get('/api/profile/picture', { schema: { tags: ['account'] } }, async (request, reply) => {
      const picture = await profiles.picture(customerOf(request).id);
      if (picture === undefined) throw new PlatformError('NOT_FOUND');
      return sendPicture(reply, picture, 'private, no-store');
    });
    r.get(
      '/api/privacy/profile-sharing',
      { schema: { tags: ['privacy'], response: { 200: ProfileSharingListSchema } } },
      async (request) => ({
        data: await profiles.sharing(customerOf(request).id),
      }),
    );
    r.put(
      '/api/privacy/businesses/:pageId/profile-sharing',
      {
        schema: {
          tags: ['privacy'],
          params: PageParamsSchema,
          body: SetProfileSharingBodySchema,
          response: { 200: ProfileSharingSchema },
        },
      },
      async (request) => profiles.share(customerOf(request).id, request.params.pageId, request.body.fields),
    );
  };
}

/**
 * `GET /api/profile-pictures/:psid?page&expires&sig`: the URL a business receives as
 * `profile_pic`. No session: the signature names the page and PSID, and the customer must
 * still share the picture with that page. Every refusal is the same 404.
 */
export function profilePictureRoutes(profiles: CustomerProfiles) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/api/profile-pictures/:psid',
      {
        schema: {
          tags: ['privacy'],
          params: z.object({ psid: z.string().regex(/^\d{1,32}$/) }),
          querystring: SignedPictureQuerySchema,
        },
      },
      async (request, reply) => {
        const { page, expires, sig } = request.query;
        const { psid } = request.params;
        const picture = profiles.pictureUrls.isValid(page, psid, expires, sig)
          ? await profiles.sharedPicture(page, psid)
          : undefined;
        if (picture === undefined) throw new PlatformError('NOT_FOUND');
        return sendPicture(reply, picture, 'private, max-age=300');
      },
    );
  };
}
