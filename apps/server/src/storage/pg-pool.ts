/**
 * The PostgreSQL connection pool behind Kysely, hardened for a link that fails silently.
 * `query_timeout` makes a query with no answer fail, but pg leaves that query in flight on
 * its connection: returned to the pool, the connection would hold every later query behind
 * it (each timing out in turn) and, once the link is back, could resume in the middle of an
 * abandoned transaction. So a connection whose query timed out is closed at once, and the
 * pool opens a fresh one for the next caller.
 *
 * Two more things happen on the way to pg:
 * - the SQL of a prepared query (storage/prepared.ts) goes as a named statement, parsed and
 *   planned once per connection;
 * - a COMMIT that PostgreSQL answers with ROLLBACK (the transaction had been aborted by an
 *   error some caller swallowed) fails, instead of reporting success for writes that are gone;
 * - each connection keeps a statement tally for the write queue (storage/statement-tally.ts).
 */
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { preparedStatementName } from './prepared.js';
import { mayWrite, TALLY_SQL, type StatementTally } from './statement-tally.js';

export interface PgPoolOptions {
  max: number;
  /** A query with no answer for this long fails and its connection is discarded. */
  queryTimeoutMs?: number | undefined;
}

/** pg's error for a query that outlived `query_timeout`. */
function isQueryTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === 'Query read timeout';
}

export function openPgPool(url: string, options: PgPoolOptions): PostgresPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    connectionTimeoutMillis: 5_000,
    ...(options.queryTimeoutMs === undefined ? {} : { query_timeout: options.queryTimeoutMs }),
  });
  // A lost connection must not crash the process; queries fail and the pool reconnects.
  pool.on('error', () => undefined);
  // The pool listens for errors only on idle clients: a socket reset while a client is checked
  // out (between two queries of a transaction) would otherwise be an uncaught exception.
  pool.on('connect', (client) => void client.on('error', () => undefined));
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = discardOnTimeout(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/** A COMMIT that ended in a rollback: SQLSTATE 25P02 like the statements refused in such a transaction. */
export class CommitRolledBackError extends Error {
  readonly code = '25P02';
  constructor() {
    super('COMMIT rolled back: the transaction had been aborted by an earlier error');
    this.name = 'CommitRolledBackError';
  }
}

function discardOnTimeout(client: pg.PoolClient): PostgresPoolClient {
  const tally: StatementTally = { writes: 0, errors: 0 };
  const tallyResult = { command: 'SELECT', rowCount: 1, rows: [tally] } as unknown as PostgresQueryResult<never>;
  const query = async <R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
    if (text === TALLY_SQL) return tallyResult;
    if (mayWrite(text)) tally.writes += 1;
    try {
      const name = preparedStatementName(text);
      const result = await (name === undefined
        ? client.query(text, parameters as unknown[])
        : client.query({ name, text, values: parameters as unknown[] }));
      if (result.command === 'ROLLBACK' && text === 'commit') throw new CommitRolledBackError();
      return result as unknown as PostgresQueryResult<R>;
    } catch (err) {
      tally.errors += 1;
      // end() drops the socket of a connection with a query in flight (pg ≥ 8.23): queries
      // queued behind it fail now, and the pool removes the client when it is released.
      if (isQueryTimeout(err)) client.end().catch(() => undefined);
      throw err;
    }
  };
  return {
    // Kysely passes a cursor only when the dialect is given `cursor`, which the hub never does.
    query: query as PostgresPoolClient['query'],
    // pg-pool sets `release` on the client at every checkout: call the current one.
    release: () => client.release(),
  };
}
