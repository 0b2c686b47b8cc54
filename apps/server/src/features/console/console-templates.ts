/**
 * A page's utility message templates in the console: list and create, through the same
 * use case as `POST|GET /{page-id}/message_templates` (automatic review, status webhook).
 */
import type { CreateMessageTemplateRequest, CreateMessageTemplateResponse, MessageTemplate } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { Privacy } from '../../privacy/privacy.js';
import { MessageTemplates } from '../templates/templates.js';
import { assertCan } from './access.js';
import type { ConsolePages } from './console-pages.js';
import type { Member } from './members.js';

export class ConsoleTemplates {
  readonly #pages: ConsolePages;
  readonly #privacy: Privacy;
  readonly #templates: MessageTemplates;

  constructor(ctx: HubContext, pages: ConsolePages, privacy: Privacy) {
    this.#pages = pages;
    this.#privacy = privacy;
    this.#templates = new MessageTemplates(ctx);
  }

  async list(member: Member, pageId: string): Promise<MessageTemplate[]> {
    const page = await this.#pages.get(member, pageId);
    return this.#templates.list(page.id, {});
  }

  async create(
    member: Member,
    pageId: string,
    request: CreateMessageTemplateRequest,
  ): Promise<CreateMessageTemplateResponse> {
    assertCan(member.role, 'templates.manage');
    const page = await this.#pages.get(member, pageId);
    const created = await this.#templates.create(page.id, request);
    await this.#privacy.record({
      actor: `member:${member.id}`,
      action: 'console.template_created',
      target: created.id,
      details: { page: page.id, status: created.status },
    });
    return created;
  }
}
