/**
 * The hub's Fastify instance: plugins, one error handler, and every feature's routes.
 * Routes stay thin: they validate, call a use case and present the result.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import path from 'node:path';
import type { HubContext } from './context.js';
import { pooledRandomBase64url } from './crypto/random-pool.js';
import { Consents } from './features/consent/consents.js';
import { privacyRoutes } from './features/consent/routes.js';
import { CustomerProfiles } from './features/profile-sharing/profiles.js';
import { profilePictureRoutes, profileSharingRoutes } from './features/profile-sharing/routes.js';
import { consentSweeper } from './features/consent/sweeper.js';
import { Linking } from './features/linking/linking.js';
import { linkingRoutes, unlinkGraphRoutes } from './features/linking/routes.js';
import { oauthRoutes } from './features/oauth/routes.js';
import { Assistants } from './features/assistant/assistants.js';
import { AssistantRelay } from './features/assistant/relay.js';
import { assistantRoutes } from './features/assistant/routes.js';
import { alexaRoutes, type AlexaTrust } from './features/alexa/routes.js';
import { Accounts } from './features/customers/accounts.js';
import { customerRoutes } from './features/customers/routes.js';
import type { PasswordHasher } from './features/customers/passwords.js';
import { Conversations } from './features/conversations/conversations.js';
import { conversationRoutes } from './features/conversations/routes.js';
import { opsRoutes } from './features/ops/routes.js';
import { Pages } from './features/pages/pages.js';
import { LiveSessions } from './features/realtime/live-sessions.js';
import { DeliveryReceipts } from './features/realtime/delivery-receipts.js';
import { streamRoutes } from './features/realtime/stream.js';
import { FsBlobStore, type BlobStore } from './features/attachments/blob-store.js';
import type { Privacy } from './privacy/privacy.js';
import { privacyCenterRoutes } from './features/privacy-center/routes.js';
import { assemblePrivacy } from './services/privacy.js';
import type { Handover } from './features/handover/handover.js';
import { Agents } from './features/inbox/agents.js';
import { Inbox } from './features/inbox/inbox.js';
import { approvalGraphRoutes, inboxRoutes } from './features/inbox/routes.js';
import { inboxCustomerRoutes } from './features/inbox/customer-routes.js';
import { inboxStreamRoutes } from './features/inbox/stream.js';
import { requireAgent } from './features/inbox/agent-auth.js';
import { createPlatformApi } from './features/send-api/platform-api.js';
import type { PageRateLimiter } from './features/send-api/rate-limit.js';
import { transcriptRoutes } from './features/transcripts/routes.js';
import { WebhookSubscriptions } from './features/webhooks/subscriptions.js';
import { webRoutes } from './features/web/routes.js';
import { PushSubscriptions } from './features/push/subscriptions.js';
import { pushRoutes } from './features/push/routes.js';
import { loadVapidKeys } from './features/push/vapid.js';
import { webPushSender } from './features/push/sender.js';
import { PushWorker } from './features/push/worker.js';
import { PushAnswers } from './features/push/actions.js';
import { smsCarrierFor } from './features/sms/carrier-for.js';
import { EscalationPolicies } from './features/escalation/policies.js';
import { notificationPolicyRoutes } from './features/escalation/routes.js';
import { Phones } from './features/sms/phones.js';
import { SmsInbound } from './features/sms/inbound.js';
import { smsRoutes } from './features/sms/routes.js';
import { SmsWorker } from './features/sms/worker.js';
import type { SmsProvider } from './features/sms/provider.js';
import { ImageProxy } from './features/media/image-proxy.js';
import { mediaLinksFor } from './features/media/media-links.js';
import { mediaRoutes } from './features/media/routes.js';
import { egressPolicyFor } from './privacy/egress-guard.js';
import { requireCustomer } from './http/customer-auth.js';
import { graphPlugin } from './http/graph-request.js';
import { installErrorHandling, isCustomerApi, sendError, toPlatformError } from './http/errors.js';
import { installInputGuard } from './http/input-guard.js';
import { runsRole } from './services/roles.js';
import type { AuditWitness } from './privacy/audit-witness.js';
import { consoleRoutes, type ConsoleUseCases } from './features/console/routes.js';
import { assembleConsole } from './features/console/assemble.js';
import { pagePictureRoutes } from './features/pages/picture-routes.js';

/** The use cases, exposed for the CLI, the demo seeder and tests. */
export interface HubServices {
  accounts: Accounts;
  pages: Pages;
  conversations: Conversations;
  consents: Consents;
  linking: Linking;
  /** Handover protocol (thread control), used by the agent inbox. */
  handover: Handover;
  webhooks: WebhookSubscriptions;
  /** `message_deliveries` webhooks for business messages that reached a customer's device. */
  deliveries: DeliveryReceipts;
  /** Human agents of pages (`confide agent create`) and their inbox. */
  agents: Agents;
  inbox: Inbox;
  /** Audit log, erasure and export (privacy/). */
  privacy: Privacy;
  /** Web Push devices and choices (features/push). */
  push: PushSubscriptions;
  /** The push worker, in the worker role with VAPID keys (tests call `tick`). */
  pushWorker?: PushWorker;
  /** SMS fallback (features/sms), when a carrier is configured; `worker` in the worker role. */
  sms?: { carrier: SmsProvider; phones: Phones; inbound: SmsInbound; worker?: SmsWorker };
  /** The business console: organisations and members (`confide org create`), their pages. */
  console: ConsoleUseCases;
}

export interface BuiltApp {
  app: FastifyInstance;
  services: HubServices;
  /** Set while draining for shutdown: /healthz answers 503 so balancers stop routing here. */
  setDraining(value: boolean): void;
}

/** Options of the app beyond the context. */
export interface AppOptions {
  /** Where uploaded attachments are stored (sealed, per-file keys); defaults to DATA_DIR/blobs. */
  blobs?: BlobStore;
  /** Password hashing (argon2id unless a test counts calls). */
  passwords?: PasswordHasher;
  /** Where signed audit checkpoints are witnessed outside the database; defaults to AUDIT_WITNESS or DATA_DIR/audit-witness.jsonl. */
  witness?: AuditWitness;
  /** Certificates and roots for verifying Alexa requests (tests use a local CA); default: fetched, Mozilla roots. */
  alexa?: AlexaTrust;
  /** The Send API's per-page rate limit, picked at hub assembly for how the storage is shared (hub.ts). */
  sendRateLimiter: PageRateLimiter;
}

export async function buildApp(ctx: HubContext, options: AppOptions): Promise<BuiltApp> {
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.BODY_LIMIT,
    trustProxy: ctx.config.TRUST_PROXY,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : pooledRandomBase64url(12);
    },
    requestIdHeader: false,
    return503OnClosing: true,
    // Bad URLs and over-long path parameters get our error shapes, never the URL echoed back.
    frameworkErrors: (error, request, reply) =>
      sendError(request, reply, toPlatformError(error, isCustomerApi(request.url))),
  }) as unknown as FastifyInstance;
  // Hooks written with `done` rather than async: no promise per request on the hot path.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installInputGuard(app);

  let draining = false;
  const metrics = ctx.metrics;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });

  await app.register(cookie);
  await app.register(formbody);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // The OpenAPI document maps the whole surface: served only where configured (API_DOCS).
  if (ctx.config.apiDocs) {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Confide customer API',
          version: '0.1.0',
          description: 'The API the Confide web app uses. Session cookie authentication.',
        },
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  const blobs = options.blobs ?? new FsBlobStore(path.join(ctx.config.DATA_DIR, 'blobs'));
  const services: HubServices = {
    accounts: new Accounts(ctx, options.passwords),
    pages: new Pages(ctx),
    conversations: undefined as unknown as Conversations,
    consents: new Consents(ctx),
    linking: undefined as unknown as Linking,
    handover: undefined as unknown as Handover,
    webhooks: new WebhookSubscriptions(ctx),
    deliveries: new DeliveryReceipts(ctx),
    agents: new Agents(ctx, options.passwords),
    inbox: undefined as unknown as Inbox,
    privacy: assemblePrivacy(ctx, blobs, options.witness),
    push: new PushSubscriptions(ctx),
    console: undefined as unknown as HubServices['console'],
  };
  services.console = assembleConsole(ctx, { ...services, blobs, passwords: options.passwords });
  const vapid = loadVapidKeys(ctx.config, ctx.log);
  // Which customers have a socket open here (set below when this process runs the realtime role).
  let sessions: LiveSessions | undefined;
  await services.privacy.start({ retention: runsRole(ctx.config, 'worker') });
  services.conversations = new Conversations(ctx, services.pages, services.deliveries);
  services.linking = new Linking(ctx, services.pages);
  const auth = requireCustomer(services.accounts, ctx.config.publicUrl);
  const smsCarrier = smsCarrierFor(ctx.config, ctx.now);
  if (smsCarrier !== null) {
    const phones = new Phones(ctx, smsCarrier);
    const inbound = new SmsInbound(ctx, phones, smsCarrier, services.conversations);
    services.sms = { carrier: smsCarrier, phones, inbound };
  }
  const platform = createPlatformApi(ctx, services.pages, blobs, options.sendRateLimiter, [transcriptRoutes(ctx)]);
  services.handover = platform.handover;
  services.inbox = new Inbox(ctx, platform.handover, platform.sendApi, services.conversations);

  await app.register(opsRoutes(ctx, () => draining));
  // HTTP API routes (customer API, Platform API, web app) belong to the `api` role.
  if (runsRole(ctx.config, 'api')) {
    await app.register(customerRoutes(ctx, services.accounts));
    await app.register(conversationRoutes(services.pages, services.conversations, auth));
    await app.register(privacyRoutes(ctx, services.consents, auth, services.privacy));
    const profiles = new CustomerProfiles(ctx);
    await app.register(profileSharingRoutes(profiles, auth));
    await app.register(profilePictureRoutes(profiles));
    await app.register(privacyCenterRoutes(services.privacy, services.accounts, auth));
    if (services.sms !== undefined)
      await app.register(smsRoutes(ctx, services.sms.carrier, services.sms.phones, services.sms.inbound, auth));
    await app.register(pushRoutes(services.push, new PushAnswers(ctx, services.conversations), vapid, auth));
    await app.register(linkingRoutes(ctx, services.accounts, services.linking));
    // The customer's own assistants: OAuth 2.1 authorization server (features/oauth).
    await app.register(oauthRoutes(ctx, services.accounts, services.privacy));
    const relay = new AssistantRelay(ctx, services.conversations, services.privacy);
    await app.register(assistantRoutes(ctx, relay, new Assistants(ctx, services.privacy), auth));
    if (ctx.config.ALEXA_SKILL_ID !== undefined)
      await app.register(alexaRoutes(ctx, relay, ctx.config.ALEXA_SKILL_ID, options.alexa));
    await app.register(graphPlugin(services.pages, unlinkGraphRoutes(services.linking), approvalGraphRoutes(ctx)));
    await app.register(graphPlugin(services.pages, notificationPolicyRoutes(new EscalationPolicies(ctx))));
    await app.register(platform.customerRoutes(auth));
    await app.register(inboxRoutes(ctx, services.agents, services.inbox));
    await app.register(consoleRoutes(ctx, services.console));
    await app.register(pagePictureRoutes(services.console.pictures.store));
    await app.register(inboxCustomerRoutes(ctx, auth));
    // Businesses' images, fetched by the hub so customers' browsers never contact their hosts.
    await app.register(
      mediaRoutes({
        links: mediaLinksFor(ctx.config),
        proxy: new ImageProxy({ policy: egressPolicyFor(ctx.config) }),
        customerAuth: auth,
        agentAuth: requireAgent(services.agents, ctx.config.publicUrl),
      }),
    );
    // The Platform API (Graph-compatible); its numeric-id and version routes never shadow named paths.
    await app.register(platform.graph);
    // The customer web app (apps/web/dist) on its own client routes only.
    await app.register(webRoutes({ publicUrl: ctx.config.publicUrl }));
  }
  if (runsRole(ctx.config, 'worker')) await app.register(consentSweeper(ctx, services.consents));
  if (runsRole(ctx.config, 'worker')) {
    const worker = new PushWorker(ctx, {
      subscriptions: services.push,
      send: webPushSender(vapid, egressPolicyFor(ctx.config), ctx.config.WEBHOOK_TIMEOUT_MS),
      // Without the realtime role here, whether the customer is looking is unknown: wait for the read.
      presence: (customerId) => sessions?.hasOpen('customer', customerId),
      pollMs: ctx.config.PUSH_POLL_MS,
    }).start();
    services.pushWorker = worker;
    app.addHook('onClose', async () => worker.stop());
  }
  if (runsRole(ctx.config, 'worker') && services.sms !== undefined) {
    const worker = new SmsWorker(ctx, services.sms.carrier, services.sms.phones, ctx.config.PUSH_POLL_MS).start();
    services.sms.worker = worker;
    app.addHook('onClose', async () => worker.stop());
  }
  if (runsRole(ctx.config, 'realtime')) {
    // Every socket is closed when its session ends, whichever process ended it.
    const live = new LiveSessions(
      ctx,
      { customer: (ids) => services.accounts.liveSessions(ids), agent: (ids) => services.agents.liveSessions(ids) },
      ctx.config.SESSION_RECHECK_MS,
    );
    sessions = live;
    app.addHook('onClose', async () => live.close());
    await app.register(streamRoutes(ctx, auth, live, services.deliveries));
    await app.register(
      inboxStreamRoutes(ctx, requireAgent(services.agents, ctx.config.publicUrl), live, services.inbox),
    );
  }

  return { app, services, setDraining: (v) => (draining = v) };
}
