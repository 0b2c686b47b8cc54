import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * OpenID Connect single sign-on (features/sso) for agents and console members: the
 * provider's `sub` an operator or owner linked to the account (unique, null when not
 * linked), and on each session signed in through the provider its refresh token (sealed
 * under the service key) and when the provider last confirmed it, for the re-check that
 * ends the session once the provider refuses it.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  for (const table of ['agents', 'org_members']) {
    await db.schema.alterTable(table).addColumn('oidc_subject', 'text').execute();
    await db.schema.createIndex(`${table}_oidc_subject`).unique().on(table).column('oidc_subject').execute();
  }
  for (const table of ['agent_sessions', 'org_sessions']) {
    await db.schema.alterTable(table).addColumn('sso_refresh', 'text').execute();
    await db.schema.alterTable(table).addColumn('sso_checked_at', 'bigint').execute();
  }
}
