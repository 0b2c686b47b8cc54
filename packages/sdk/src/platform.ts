/**
 * @module platform
 * The SDK's entry point: one object holding a resource client per Platform API area
 * over a shared {@link HttpTransport}.
 */
import { ApprovalsClient } from './clients/approvals-client.js';
import { AttachmentsClient } from './clients/attachments-client.js';
import { HandoverClient } from './clients/handover-client.js';
import { LinkingClient } from './clients/linking-client.js';
import { MessagesClient } from './clients/messages-client.js';
import { ProfileClient } from './clients/profile-client.js';
import { ConsentClient } from './clients/consent-client.js';
import { TranscriptsClient } from './clients/transcripts-client.js';
import { TemplatesClient } from './clients/templates-client.js';
import { HttpTransport, type HttpTransportOptions } from './transport/http-transport.js';

/** Options of {@link Platform}; see {@link HttpTransportOptions} for each field. */
export type PlatformOptions = HttpTransportOptions;

/**
 * A client of one page on a Confide hub (or any Messenger-compatible Graph endpoint).
 * @example
 * import { Platform, retryLink } from '@confide/sdk';
 *
 * const platform = new Platform({
 *   baseUrl: 'https://hub.example.com',
 *   accessToken: process.env.PAGE_TOKEN!,
 *   appSecret: process.env.APP_SECRET, // adds appsecret_proof
 *   links: [retryLink()],
 * });
 * await platform.messages.sendText(psid, 'Hello from your bank');
 */
export class Platform {
  /** The shared transport, for calls no resource client covers. */
  readonly transport: HttpTransport;
  /** Send API. */
  readonly messages: MessagesClient;
  /** Attachment Upload API. */
  readonly attachments: AttachmentsClient;
  /** Messenger Profile and User Profile APIs. */
  readonly profile: ProfileClient;
  /** Account linking. */
  readonly linking: LinkingClient;
  /** Handover protocol. */
  readonly handover: HandoverClient;
  /** Utility message templates and utility sends. */
  readonly templates: TemplatesClient;
  /** Consent requests the hub renders in the thread. */
  readonly consent: ConsentClient;
  /** Signed conversation transcripts. */
  readonly transcripts: TranscriptsClient;
  /** Four-eyes approval requests to the page's inbox supervisors. */
  readonly approvals: ApprovalsClient;

  constructor(options: PlatformOptions) {
    this.transport = new HttpTransport(options);
    this.messages = new MessagesClient(this.transport);
    this.attachments = new AttachmentsClient(this.transport);
    this.profile = new ProfileClient(this.transport);
    this.linking = new LinkingClient(this.transport);
    this.handover = new HandoverClient(this.transport);
    this.templates = new TemplatesClient(this.transport);
    this.consent = new ConsentClient(this.transport);
    this.transcripts = new TranscriptsClient(this.transport);
    this.approvals = new ApprovalsClient(this.transport);
  }
}
