/**
 * Opens the hub's database: embedded SQLite (better-sqlite3, WAL, synchronous=FULL) by
 * default, PostgreSQL when a `postgres://` URL is given. Both speak the same Kysely
 * schema and migrations.
 *
 * A SQLite file may get a writer thread (sqlite-writer/, `writerThread: true`): the
 * write queue's transactions run there, COMMIT and its fsync off the event loop, while
 * `storage.db` reads on the main thread without waiting for them and sends the writer thread
 * whatever else it is given (sqlite-writer/split-dialect.ts). An in-memory database cannot
 * be shared between threads: it stays one connection on the main thread.
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
import { applyPragmas } from './sqlite-writer/pragmas.js';
import { SplitDriver } from './sqlite-writer/split-dialect.js';
import { SqliteDialectOver, WriterDriver } from './sqlite-writer/writer-dialect.js';
import { WriterThread } from './sqlite-writer/writer-thread.js';
import { withStatementCache } from './statement-cache.js';
import { WriteQueue, type WriteQueueOptions } from './write-queue.js';

/**
 * PostgreSQL's write transactions in flight by default (DATABASE_WRITE_CONCURRENCY): a group
 * commit still waits on round trips (its read-ahead, then its batch with COMMIT pipelined behind
 * it: storage/pg-pool.ts), and batches of different customers do not wait on each other
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
  /** A SQLite file: write through a writer thread (SQLITE_WRITER_THREAD; default false). */
  writerThread?: boolean;
  /** The writer thread stopped without being asked to: the hub must stop (hub.ts). Default: an uncaught error. */
  onFatal?: (err: Error) => void;
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
    : await openSqlite(options);
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

async function openSqlite(options: StorageOptions): Promise<Opening> {
  let file = ':memory:';
  if (!options.memory) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, 'confide.db');
  }
  // Opened first, so the file is in WAL mode before the writer thread opens it.
  const sqlite = new SQLite(file);
  applyPragmas(sqlite);
  const place = {
    dialect: 'sqlite',
    databaseUrl: undefined,
    dataDir: options.memory ? null : options.dataDir,
    queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
  } as const;
  if (options.memory || options.writerThread !== true) {
    // Statements are tallied (sqlite-tally.ts), so jobs run without savepoints until one fails
    // (write-queue.ts): two statements fewer per job. One writer: one transaction at a time.
    const database = withStatementCache(withStatementTally(sqlite));
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    return finish(db, 'sqlite', options.services(place), { optimistic: true });
  }
  let thread: WriterThread;
  try {
    thread = await WriterThread.start({ file, onFatal: options.onFatal ?? crash });
  } catch (err) {
    sqlite.close();
    throw err;
  }
  const writer = new WriterDriver(thread);
  const db = new Kysely<Database>({
    dialect: new SqliteDialectOver(new SplitDriver(withStatementCache(sqlite), writer)),
  });
  const writeDb = new Kysely<Database>({ dialect: new SqliteDialectOver(writer) });
  // The writer's driver keeps the tally on this side (writer-dialect.ts): jobs run without savepoints too.
  return finish(
    db,
    'sqlite',
    options.services(place),
    { optimistic: true },
    { db: writeDb, close: () => thread.close() },
  );
}

/** Without a handler, a dead writer thread ends the process as an uncaught error would. */
function crash(err: Error): void {
  process.nextTick(() => {
    throw err;
  });
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

/** Where the write queue writes when not on `db`: the SQLite writer thread. */
interface Writer {
  db: Kysely<Database>;
  close(): Promise<void>;
}

function finish(
  db: Kysely<Database>,
  dialect: DialectName,
  opened: OpenedServices,
  writeOptions: WriteQueueOptions = {},
  writer?: Writer,
): Opening {
  const writes = new WriteQueue(writer?.db ?? db, opened.services, writeOptions);
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
      // The thread's connection closes last: it checkpoints the WAL into the file.
      await writer?.db.destroy();
      await writer?.close();
      await opened.close();
    },
  };
  return { storage, opened };
}
