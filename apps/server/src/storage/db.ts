/**
 * Opens the hub's database: embedded SQLite (better-sqlite3, WAL, synchronous=FULL) by
 * default, PostgreSQL when a `postgres://` URL is given. Both speak the same Kysely
 * schema and migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest, type DialectName } from './migrations/index.js';
import { openPgPool } from './pg-pool.js';
import type { Database } from './schema.js';
import type { OpenedServices, StorageServices, StorageServicesOpener } from './services.js';
import { SQL_FUNCTIONS, type SqlFunctions } from './sql-functions.js';
import { withStatementTally } from './sqlite-tally.js';
import { withStatementCache } from './statement-cache.js';
import { WriteQueue, type WriteQueueOptions } from './write-queue.js';

/**
 * PostgreSQL's write transactions in flight by default (DATABASE_WRITE_CONCURRENCY): each
 * statement is a round trip, and batches of different customers do not wait on each other
 * (storage/pending-jobs.ts). Measured in bench/README.md (send-api-pg).
 */
export const PG_WRITE_CONCURRENCY = 4;

// int8 (bigint) columns hold epoch milliseconds and counters: all safe as JS numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export interface StorageOptions {
  /** `postgres://…`; absent means embedded SQLite. */
  databaseUrl?: string | undefined;
  /** Folder of the SQLite file (`confide.db`). */
  dataDir: string;
  /** Use an in-memory SQLite database (tests). */
  memory?: boolean;
  poolSize?: number;
  /** PostgreSQL: write transactions in flight at once (default below, capped at poolSize - 1; SQLite always 1). */
  writeConcurrency?: number;
  /** PostgreSQL client-side query timeout (ms); a silent link fails instead of hanging. */
  queryTimeoutMs?: number;
  /** Opens the services write jobs receive, the vault (privacy/vault-services.ts). */
  services: StorageServicesOpener;
}

/** The database handle, the group-commit write queue every write goes through, and the storage services (the vault). */
export interface Storage extends StorageServices {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** SQL spelled differently per dialect (storage/sql-functions.ts), the open dialect's. */
  readonly sql: SqlFunctions;
  readonly writes: WriteQueue;
  /** Cheap liveness probe used by /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  const { storage, opened } = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options)
    : openSqlite(options);
  try {
    await migrateToLatest(storage.db as Kysely<unknown>, storage.dialect);
    await opened.ready();
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  return storage;
}

interface Opening {
  storage: Storage;
  opened: OpenedServices;
}

function openSqlite(options: StorageOptions): Opening {
  let file = ':memory:';
  if (!options.memory) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, 'confide.db');
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we acknowledge. Group commit keeps this fast.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The default page cache (2 MB) is smaller than the pages a busy hub touches between two
  // commits: reads then go to the OS for pages just written. 64 MB keeps them in process.
  sqlite.pragma('cache_size = -65536');
  // Statements are tallied (sqlite-tally.ts), so jobs run without savepoints until one fails
  // (write-queue.ts): two statements fewer per job. One writer: one transaction at a time.
  const database = withStatementCache(withStatementTally(sqlite));
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const place = {
    dialect: 'sqlite',
    databaseUrl: undefined,
    dataDir: options.memory ? null : options.dataDir,
    queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
  } as const;
  return finish(db, 'sqlite', options.services(place), { optimistic: true });
}

function openPostgres(
  url: string,
  poolSize: number,
  keys: Pick<StorageOptions, 'services' | 'queryTimeoutMs' | 'writeConcurrency'>,
): Opening {
  const pool = openPgPool(url, { max: poolSize, queryTimeoutMs: keys.queryTimeoutMs ?? 30_000 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Every statement is a round trip: several group commits in flight, and jobs without a
  // savepoint each until one fails (storage/write-queue.ts). A write job may need a connection
  // of its own besides its transaction's (the Send API's rate-limit lease), so one stays free.
  const writes: WriteQueueOptions = {
    concurrency: Math.min(keys.writeConcurrency ?? PG_WRITE_CONCURRENCY, Math.max(1, poolSize - 1)),
    optimistic: true,
  };
  const place = {
    dialect: 'postgres',
    databaseUrl: url,
    dataDir: null,
    queryTimeoutMs: keys.queryTimeoutMs ?? 30_000,
  } as const;
  return finish(db, 'postgres', keys.services(place), writes);
}

function finish(
  db: Kysely<Database>,
  dialect: DialectName,
  opened: OpenedServices,
  writeOptions: WriteQueueOptions = {},
): Opening {
  const writes = new WriteQueue(db, opened.services, writeOptions);
  const storage: Storage = {
    ...opened.services,
    db,
    dialect,
    sql: SQL_FUNCTIONS[dialect],
    writes,
    async ping() {
      await db
        .selectFrom('pages')
        .select((eb) => eb.lit(1).as('one'))
        .limit(1)
        .execute();
    },
    async close() {
      await writes.drain();
      await db.destroy();
      await opened.close();
    },
  };
  return { storage, opened };
}
