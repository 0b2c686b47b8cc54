/**
 * One set of migrations for both dialects. Each migration receives the dialect for the
 * few places where SQL differs (auto-increment keys). Add a file per change, named
 * `NNN-what.ts`, and list it here; never edit a migration that has shipped.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m001 from './001-core.js';
import * as m002 from './002-platform.js';
import * as m003 from './003-webhooks.js';
import * as m004 from './004-consent.js';
import * as m005 from './005-agents.js';
import * as m006 from './006-privacy.js';
import * as m007 from './007-privacy-audit-marks.js';
import * as m008 from './008-send-rate-windows.js';
import * as m009 from './009-attachment-keys.js';
import * as m010 from './010-outbox-one-queue-index.js';
import * as m011ConsentTokens from './011-consent-reminder-tokens.js';
import * as m012LoginAttempts from './012-login-attempts.js';
import * as m013MessageTemplates from './013-message-templates.js';
import * as m014ErasedCustomers from './014-erased-customers.js';
import * as m015AttachmentNameSealed from './015-attachment-name-sealed.js';
import * as m016SigningKeysKek from './016-signing-keys-kek.js';
import * as m017MessageAnswers from './017-message-answers.js';
import * as m018StandardWebhooks from './018-standard-webhooks.js';
import * as m019ProfileSharing from './019-customer-profile-sharing.js';
import * as m020AssistantGrants from './020-assistant-grants.js';
import * as m021Push from './021-push.js';
import * as m022Sms from './022-sms.js';
import * as m023EscalationPolicies from './023-escalation-policies.js';
import * as m024CustomerAttachments from './024-customer-attachments.js';
import * as m025ConsentRequests from './025-consent-requests.js';
import * as m026Console from './026-console.js';
import * as m027InboxStates from './027-inbox-states.js';
import * as m028InboxSupervision from './028-inbox-supervision.js';
import * as m029Sso from './029-sso.js';
import * as m030EscalationContacts from './030-escalation-contacts.js';
import * as m031PagePictures from './031-page-pictures.js';
import * as m032InboxCsat from './032-inbox-csat.js';
import * as m033ApprovalPromptedBy from './033-approval-prompted-by.js';

export type DialectName = 'sqlite' | 'postgres';
export interface MigrationContext {
  dialect: DialectName;
}
type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

const MIGRATIONS: Record<string, MigrationModule> = {
  '001-core': m001,
  '002-platform': m002,
  '003-webhooks': m003,
  '004-consent': m004,
  '005-agents': m005,
  '006-privacy': m006,
  '007-privacy-audit-marks': m007,
  '008-send-rate-windows': m008,
  '009-attachment-keys': m009,
  '010-outbox-one-queue-index': m010,
  '011-consent-reminder-tokens': m011ConsentTokens,
  '012-login-attempts': m012LoginAttempts,
  '013-message-templates': m013MessageTemplates,
  '014-erased-customers': m014ErasedCustomers,
  '015-attachment-name-sealed': m015AttachmentNameSealed,
  '016-signing-keys-kek': m016SigningKeysKek,
  '017-message-answers': m017MessageAnswers,
  '018-standard-webhooks': m018StandardWebhooks,
  '019-customer-profile-sharing': m019ProfileSharing,
  '020-assistant-grants': m020AssistantGrants,
  '021-push': m021Push,
  '022-sms': m022Sms,
  '023-escalation-policies': m023EscalationPolicies,
  '024-customer-attachments': m024CustomerAttachments,
  '025-consent-requests': m025ConsentRequests,
  '026-console': m026Console,
  '027-inbox-states': m027InboxStates,
  '028-inbox-supervision': m028InboxSupervision,
  '029-sso': m029Sso,
  '030-escalation-contacts': m030EscalationContacts,
  '031-page-pictures': m031PagePictures,
  '032-inbox-csat': m032InboxCsat,
  '033-approval-prompted-by': m033ApprovalPromptedBy,
};

class StaticProvider implements MigrationProvider {
  private readonly ctx: MigrationContext;
  constructor(ctx: MigrationContext) {
    this.ctx = ctx;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) out[name] = { up: (db) => mod.up(db, this.ctx) };
    return out;
  }
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  // Kysely looks for its tables in every schema unless told which: pin the current one, so
  // a database holding several hubs' schemas (search_path per hub) migrates each on its own.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: new StaticProvider({ dialect }),
    migrationTableName: 'confide_migrations',
    migrationLockTableName: 'confide_migrations_lock',
    // Features add migrations independently; a database may already have run a later one.
    allowUnorderedMigrations: true,
  });
  // Kysely's introspection reads the catalogue of every schema; on PostgreSQL a schema or
  // table dropped concurrently by someone else (e.g. another test run) can fail that read
  // (3F000, 42P01, 42703, XX000 "cache lookup failed"). When no migration ran, nothing was
  // applied, so trying again is safe.
  let { error, results } = await migrator.migrateToLatest();
  for (let attempt = 1; error !== undefined && isCatalogueRace(error, results) && attempt <= 8; attempt++) {
    await new Promise((r) => setTimeout(r, 50 * attempt));
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

const CATALOGUE_RACE_CODES = new Set(['3F000', '42P01', '42703', 'XX000']);

function isCatalogueRace(error: unknown, results: readonly { status: string }[] | undefined): boolean {
  const ran = (results ?? []).some((r) => r.status !== 'NotExecuted');
  return !ran && CATALOGUE_RACE_CODES.has(String((error as { code?: unknown }).code));
}
