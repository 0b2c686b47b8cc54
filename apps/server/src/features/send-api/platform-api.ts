/**
 * Composes the Platform API (the Messenger-compatible Graph endpoints) from its features,
 * so the app registers it in one place: Send API, attachments, handover, page objects,
 * Messenger Profile, subscriptions (page and app), personas, utility message templates, batch and retired features.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HubContext } from '../../context.js';
import { graphPlugin, type GraphRoutes } from '../../http/graph-request.js';
import { Attachments } from '../attachments/attachments.js';
import type { BlobStore } from '../attachments/blob-store.js';
import { attachmentDownloadRoutes, attachmentUploadRoutes } from '../attachments/routes.js';
import { customerFileRoutes, customerUploadRoutes } from '../attachments/customer-upload-routes.js';
import { CustomerUploads } from '../attachments/customer-uploads.js';
import { consentRequestCustomerRoutes, consentRequestGraphRoutes } from '../consent/consent-request-routes.js';
import { ConsentRequests } from '../consent/consent-requests.js';
import { MessengerProfiles } from '../graph/messenger-profile.js';
import { PageObjects } from '../graph/page-objects.js';
import { Personas } from '../graph/personas.js';
import { retiredFeatureRoutes } from '../graph/retired.js';
import { graphObjectRoutes } from '../graph/routes.js';
import { SubscribedApps } from '../graph/subscribed-apps.js';
import { Handover } from '../handover/handover.js';
import { mediaLinksFor } from '../media/media-links.js';
import { handoverRoutes } from '../handover/routes.js';
import type { Pages } from '../pages/pages.js';
import { messageTemplateRoutes } from '../templates/routes.js';
import { MessageTemplates } from '../templates/templates.js';
import { CustomerProfiles } from '../profile-sharing/profiles.js';
import { appSubscriptionRoutes } from '../webhooks/graph-routes.js';
import { WebhookSubscriptions } from '../webhooks/subscriptions.js';
import type { PageRateLimiter } from './rate-limit.js';
import { sendApiRoutes } from './routes.js';
import { SendApi } from './send-message.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface PlatformApi {
  readonly handover: Handover;
  readonly attachments: Attachments;
  /** The Send API use case, for in-process senders (the agent inbox sends as the page inbox). */
  readonly sendApi: SendApi;
  /** The Graph endpoints, as one plugin. */
  readonly graph: (app: FastifyInstance) => Promise<void>;
  /** Customer API routes the Platform API needs: attachment downloads and uploads (and the business's fetch of a customer's file), answers to consent requests. */
  customerRoutes(auth: Auth): (app: FastifyInstance) => Promise<void>;
}

/**
 * `limiter`: the Send API's per-page rate limit, picked at hub assembly (hub.ts) for how the
 * hub's storage is shared. `moreRoutes`: Graph endpoints of features that sit beside the
 * Platform API (the app passes them).
 */
export function createPlatformApi(
  ctx: HubContext,
  pages: Pages,
  blobs: BlobStore,
  limiter: PageRateLimiter,
  moreRoutes: GraphRoutes[] = [],
): PlatformApi {
  const attachments = new Attachments(ctx, blobs);
  const handover = new Handover(ctx);
  const personas = new Personas(ctx);
  const sendApi = new SendApi(ctx, attachments, limiter);
  const templates = new MessageTemplates(ctx);
  const consentRequests = new ConsentRequests(ctx);
  const graph = graphPlugin(
    pages,
    sendApiRoutes(sendApi),
    attachmentUploadRoutes(attachments),
    handoverRoutes(handover),
    messageTemplateRoutes(templates),
    consentRequestGraphRoutes(consentRequests),
    graphObjectRoutes({
      objects: new PageObjects(ctx, personas, new CustomerProfiles(ctx), templates),
      personas,
      profiles: new MessengerProfiles(ctx),
      subscriptions: new SubscribedApps(ctx),
    }),
    appSubscriptionRoutes(new WebhookSubscriptions(ctx)),
    ...moreRoutes,
    retiredFeatureRoutes(),
  );
  const uploads = new CustomerUploads(ctx, attachments);
  const customerRoutes = (auth: Auth) => async (app: FastifyInstance) => {
    await app.register(attachmentDownloadRoutes(attachments, auth, mediaLinksFor(ctx.config)));
    await app.register(customerUploadRoutes(uploads, auth));
    await app.register(customerFileRoutes(uploads, pages));
    await app.register(consentRequestCustomerRoutes(consentRequests, auth));
  };
  return { handover, attachments, sendApi, graph, customerRoutes };
}
