/**
 * The persona (human agent) a page message was sent under, as the customer and the page's
 * agents see it: its name and picture. Deleted personas still name their past messages.
 */
import type { MessagePersona } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

/** A persona row as messages show it. */
export const presentPersona = (row: { id: string; name: string; profile_picture_url: string }): MessagePersona => ({
  id: row.id,
  name: row.name,
  // Agents' personas are created without a picture.
  profile_picture_url: row.profile_picture_url === '' ? null : row.profile_picture_url,
});

/** The personas in `ids`, by id. */
export async function findPersonas(db: Kysely<Database>, ids: Iterable<string>): Promise<Map<string, MessagePersona>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('personas')
    .select(['id', 'name', 'profile_picture_url'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.id, presentPersona(r)]));
}

/** The personas of message rows that were sent under one, by persona id. */
export function personasOfRows(
  db: Kysely<Database>,
  rows: readonly { persona_id: string | null }[],
): Promise<Map<string, MessagePersona>> {
  return findPersonas(
    db,
    rows.flatMap((r) => (r.persona_id === null ? [] : [r.persona_id])),
  );
}

/** The persona of a message row, or null. */
export const personaOf = (
  row: { persona_id: string | null },
  personas: Map<string, MessagePersona>,
): MessagePersona | null => (row.persona_id === null ? null : (personas.get(row.persona_id) ?? null));
