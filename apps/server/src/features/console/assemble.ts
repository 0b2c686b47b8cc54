/**
 * Builds the console's use cases over the hub's services (app.ts calls it once): members and
 * sessions, pages and credentials, webhooks, consent, people and teams, templates, metrics and
 * the page picture, each scoped to the member's organisation.
 */
import type { HubContext } from '../../context.js';
import type { Privacy } from '../../privacy/privacy.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { Consents } from '../consent/consents.js';
import type { PasswordHasher } from '../customers/passwords.js';
import type { Agents } from '../inbox/agents.js';
import { PagePictures } from '../pages/page-picture.js';
import type { Pages } from '../pages/pages.js';
import type { WebhookSubscriptions } from '../webhooks/subscriptions.js';
import { ConsoleConsent } from './console-consent.js';
import { ConsoleMetrics } from './console-metrics.js';
import { ConsolePages } from './console-pages.js';
import { ConsolePeople } from './console-people.js';
import { ConsolePictures } from './console-pictures.js';
import { ConsoleTeams } from './console-teams.js';
import { ConsoleTemplates } from './console-templates.js';
import { ConsoleWebhooks } from './console-webhooks.js';
import { ConsoleMembers } from './members.js';
import type { ConsoleUseCases } from './routes.js';

export interface ConsoleDeps {
  pages: Pages;
  webhooks: WebhookSubscriptions;
  consents: Consents;
  agents: Agents;
  privacy: Privacy;
  blobs: BlobStore;
  passwords?: PasswordHasher | undefined;
}

export function assembleConsole(ctx: HubContext, deps: ConsoleDeps): ConsoleUseCases {
  const { privacy } = deps;
  const members = new ConsoleMembers(ctx, privacy, deps.passwords);
  const pages = new ConsolePages(ctx, deps.pages, members, privacy);
  const people = new ConsolePeople(ctx, pages, deps.agents, privacy);
  return {
    members,
    pages,
    webhooks: new ConsoleWebhooks(ctx, pages, deps.pages, deps.webhooks, privacy),
    consent: new ConsoleConsent(ctx, pages, deps.consents, privacy),
    people,
    templates: new ConsoleTemplates(ctx, pages, privacy),
    metrics: new ConsoleMetrics(ctx, pages),
    teams: new ConsoleTeams(ctx, pages, people, privacy),
    pictures: new ConsolePictures(pages, new PagePictures(ctx, deps.blobs), privacy),
  };
}
