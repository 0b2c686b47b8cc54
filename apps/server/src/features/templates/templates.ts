/**
 * Utility message templates of a page: create (reviewed at once, the status change
 * announced on the `message_template_status_update` webhook in the same transaction),
 * list, get and delete (soft: messages sent from a template keep their meaning, and its
 * name and language become free again).
 */
import {
  PlatformError,
  type CreateMessageTemplateRequest,
  type CreateMessageTemplateResponse,
  type MessageTemplate,
  type TemplateComponent,
  type TemplateStatus,
} from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../context.js';
import { randomScopedId } from '../../crypto/tokens.js';
import type { Database, MessageTemplatesTable } from '../../storage/schema.js';
import { resolveTemplateRequest } from './library.js';
import { reviewTemplate } from './review.js';
import { enqueueTemplateStatus } from './status-webhook.js';

/** Filters of `GET /{page-id}/message_templates`, as Meta names them. */
export interface TemplateFilters {
  name?: string;
  language?: string;
  status?: string;
  category?: string;
  content?: string;
  name_or_content?: string;
}

export class MessageTemplates {
  private readonly ctx: HubContext;
  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  /**
   * Creates and reviews a template; the answer carries the review's outcome.
   * @throws PlatformError 100 for a template that cannot be created or whose name and language are taken.
   */
  async create(pageId: string, request: CreateMessageTemplateRequest): Promise<CreateMessageTemplateResponse> {
    const req = resolveTemplateRequest(request);
    const outcome = reviewTemplate(req);
    const id = randomScopedId();
    await this.ctx.storage.writes.run(async (tx) => {
      const now = this.ctx.now();
      if ((await liveByName(tx.db, pageId, req.name, req.language)) !== undefined) throw nameTaken(req);
      // Stored as submitted (PENDING), then moved to the review's outcome: the change is what the webhook announces.
      const inserted = tx.db
        .insertInto('message_templates')
        .values({
          id,
          page_id: pageId,
          name: req.name,
          language: req.language,
          status: 'PENDING',
          rejected_reason: null,
          components: JSON.stringify(req.components),
          notification_category: req.notification_category,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .execute();
      // Another process may have taken the name between the check and the insert: the unique index says so.
      await inserted.catch((err: unknown) => {
        throw isUniqueViolation(err) ? nameTaken(req) : err;
      });
      const reason = outcome.status === 'REJECTED' ? outcome.reason : null;
      await tx.db
        .updateTable('message_templates')
        .set({ status: outcome.status, rejected_reason: reason, updated_at: now })
        .where('id', '=', id)
        .execute();
      await enqueueTemplateStatus(
        tx,
        this.ctx.bus,
        pageId,
        {
          event: outcome.status,
          message_template_id: id,
          message_template_name: req.name,
          message_template_language: req.language,
          message_template_category: 'UTILITY',
          reason: reason ?? 'NONE',
        },
        now,
      );
    });
    return { id, status: outcome.status, category: 'UTILITY' };
  }

  /** The page's live templates matching the filters, oldest first. */
  async list(pageId: string, filters: TemplateFilters): Promise<MessageTemplate[]> {
    let query = this.ctx.storage.db
      .selectFrom('message_templates')
      .selectAll()
      .where('page_id', '=', pageId)
      .where('deleted_at', 'is', null);
    if (filters.name !== undefined) query = query.where('name', '=', filters.name);
    if (filters.language !== undefined) query = query.where('language', '=', filters.language);
    if (filters.status !== undefined) query = query.where('status', '=', filters.status.toUpperCase());
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    const category = filters.category?.toUpperCase();
    return rows
      .map(presentTemplate)
      .filter((t) => category === undefined || t.category === category)
      .filter((t) => filters.content === undefined || contentOf(t).includes(filters.content.toLowerCase()))
      .filter((t) => {
        const needle = filters.name_or_content?.toLowerCase();
        return needle === undefined || t.name.includes(needle) || contentOf(t).includes(needle);
      });
  }

  /** A live template of this page by id; undefined for another page's or a deleted one. */
  async find(pageId: string, id: string): Promise<MessageTemplate | undefined> {
    const row = await this.ctx.storage.db
      .selectFrom('message_templates')
      .selectAll()
      .where('id', '=', id)
      .where('page_id', '=', pageId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row === undefined ? undefined : presentTemplate(row);
  }

  /**
   * Deletes the template(s) named `name` (every language), or only the one with id `hsmId`.
   * @throws PlatformError 100 when nothing matches.
   */
  async delete(pageId: string, name: string | undefined, hsmId: string | undefined): Promise<{ success: true }> {
    if (name === undefined && hsmId === undefined) {
      throw new PlatformError('INVALID_PARAMETER', { message: 'param name is required', detail: { param: 'name' } });
    }
    const result = await this.ctx.storage.writes.run(async ({ db }) => {
      let query = db
        .updateTable('message_templates')
        .set({ deleted_at: this.ctx.now() })
        .where('page_id', '=', pageId)
        .where('deleted_at', 'is', null);
      if (name !== undefined) query = query.where('name', '=', name);
      if (hsmId !== undefined) query = query.where('id', '=', hsmId);
      return query.executeTakeFirst();
    });
    if (result.numUpdatedRows === 0n) {
      throw new PlatformError('INVALID_PARAMETER', {
        message: `Message template ${name ?? hsmId} does not exist`,
        detail: { param: name === undefined ? 'hsm_id' : 'name' },
      });
    }
    return { success: true };
  }
}

function nameTaken(req: CreateMessageTemplateRequest): PlatformError {
  return new PlatformError('INVALID_PARAMETER', {
    message: `Message template "${req.name}" already exists in language ${req.language}`,
    detail: { param: 'name' },
  });
}

/** A unique-index violation, on PostgreSQL (23505) or SQLite. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The live template a send names, whatever its status. */
export function liveByName(db: Kysely<Database>, pageId: string, name: string, language: string) {
  return db
    .selectFrom('message_templates')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('name', '=', name)
    .where('language', '=', language)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export function presentTemplate(row: MessageTemplatesTable): MessageTemplate {
  return {
    id: row.id,
    name: row.name,
    language: row.language,
    category: 'UTILITY',
    status: row.status as TemplateStatus,
    rejected_reason: (row.rejected_reason ?? 'NONE') as MessageTemplate['rejected_reason'],
    components: JSON.parse(row.components) as TemplateComponent[],
    parameter_format: 'POSITIONAL',
    notification_category: row.notification_category,
    creation_time: Math.floor(row.created_at / 1000),
    last_updated_time: new Date(row.updated_at).toISOString().replace(/\.\d{3}Z$/, '+0000'),
  };
}

function contentOf(t: MessageTemplate): string {
  return t.components
    .map((c) => ('text' in c ? c.text : ''))
    .join(' ')
    .toLowerCase();
}
