/**
 * Personas: human-agent identities a page sends under (`persona_id`). Deleting one keeps
 * its row (soft delete) so past messages still know who wrote them.
 */
import { PlatformError, type CreatePersonaRequest, type Persona } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { randomScopedId } from '../../crypto/tokens.js';

export class Personas {
  private readonly ctx: HubContext;
  constructor(ctx: HubContext) {
    this.ctx = ctx;
  }

  async create(pageId: string, input: CreatePersonaRequest): Promise<{ id: string }> {
    const id = randomScopedId();
    await this.ctx.storage.writes.run(({ db }) =>
      db
        .insertInto('personas')
        .values({
          id,
          page_id: pageId,
          name: input.name,
          profile_picture_url: input.profile_picture_url,
          created_at: this.ctx.now(),
          deleted_at: null,
        })
        .execute(),
    );
    return { id };
  }

  /** A live persona of this page, or undefined (another page's persona looks unknown). */
  async find(pageId: string, id: string): Promise<Persona | undefined> {
    const row = await this.ctx.storage.db
      .selectFrom('personas')
      .select(['id', 'name', 'profile_picture_url'])
      .where('id', '=', id)
      .where('page_id', '=', pageId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row;
  }

  async list(pageId: string): Promise<Persona[]> {
    return this.ctx.storage.db
      .selectFrom('personas')
      .select(['id', 'name', 'profile_picture_url'])
      .where('page_id', '=', pageId)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** @throws PlatformError `UNKNOWN_OBJECT` for an unknown, deleted or other-page persona. */
  async delete(pageId: string, id: string): Promise<void> {
    const result = await this.ctx.storage.writes.run(({ db }) =>
      db
        .updateTable('personas')
        .set({ deleted_at: this.ctx.now() })
        .where('id', '=', id)
        .where('page_id', '=', pageId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst(),
    );
    if (result.numUpdatedRows === 0n) throw new PlatformError('UNKNOWN_OBJECT');
  }
}
