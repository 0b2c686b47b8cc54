/**
 * The PostgreSQL connection pool behind Kysely, hardened for a link that fails silently.
 * `query_timeout` makes a query with no answer fail, but pg leaves that query in flight on
 * its connection: returned to the pool, the connection would hold every later query behind
 * it (each timing out in turn) and, once the link is back, could resume in the middle of an
 * abandoned transaction. So a connection whose query timed out is closed at once, and the
 * pool opens a fresh one for the next caller.
 *
 * More happens on the way to pg:
 * - statements are pipelined (pg's `pipeline`, pg ≥ 8.23): a transaction's BEGIN goes out with
 *   the statement after it, and its COMMIT right behind the statement marked last
 *   (storage/pipelined-commit.ts), so a group commit costs two round trips fewer; each pair goes
 *   in one write to the socket, not two: on loopback a write costs the hub some 50 µs of CPU
 *   whatever its size (the kernel delivers it and wakes the backend on the hub's time), more
 *   than the statements' own JavaScript (bench send-api-pg);
 * - a deferrable statement (storage/deferred.ts) of a transaction is answered at once and goes
 *   out with the transaction's next statement, in the same write; its answer comes with
 *   `answerOf`;
 * - the SQL of a prepared query (storage/prepared.ts) goes as a named statement, parsed and
 *   planned once per connection;
 * - a COMMIT that PostgreSQL answers with ROLLBACK (the transaction had been aborted by an
 *   error some caller swallowed) fails, instead of reporting success for writes that are gone;
 * - each connection keeps a statement tally for the write queue (storage/statement-tally.ts).
 */
import type { Writable } from 'node:stream';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';
import { deferredRows, isDeferrable } from './deferred.js';
import { preparedStatementName } from './prepared.js';
import { COMMIT_AFTER_NEXT_SQL, CommitOutcomeUnknownError } from './pipelined-commit.js';
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
    // Each statement goes out at once, behind those still unanswered (pg ≥ 8.23).
    pipeline: true,
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
        wrapper = pooledConnection(client);
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

const BEGIN_SENT = { command: 'BEGIN', rowCount: null, rows: [] } as unknown as PostgresQueryResult<never>;
const ENDED = { command: 'ROLLBACK', rowCount: null, rows: [] } as unknown as PostgresQueryResult<never>;
const COMMITTED = { command: 'COMMIT', rowCount: null, rows: [] } as unknown as PostgresQueryResult<never>;
const PIPELINED = {
  command: 'SELECT',
  rowCount: 1,
  rows: [{ pipelined: true }],
} as unknown as PostgresQueryResult<never>;
const ignore = (): undefined => undefined;

/** How a deferred statement's answer is settled once it is sent (`answerOf`, storage/deferred.ts). */
interface Settle {
  resolve: (result: PostgresQueryResult<unknown>) => void;
  reject: (err: unknown) => void;
}

/** The client's socket, to cork (absent from a stand-in client). */
const socketOf = (client: pg.PoolClient) =>
  (client as { connection?: { stream?: Partial<Pick<Writable, 'cork' | 'uncork'>> } }).connection?.stream;

export function pooledConnection(client: pg.PoolClient): PostgresPoolClient {
  const connection = new PipelinedConnection(client);
  return {
    // Kysely passes a cursor only when the dialect is given `cursor`, which the hub never does.
    query: ((text: string, parameters: ReadonlyArray<unknown>) =>
      connection.query(text, parameters)) as PostgresPoolClient['query'],
    // pg-pool sets `release` on the client at every checkout: call the current one.
    release: () => {
      connection.reset();
      client.release();
    },
  };
}

/**
 * One pooled connection as Kysely's: the statement tally, named statements, and what pg's
 * pipelining allows: the transaction's BEGIN goes out without waiting (with the statement after
 * it), deferrable statements with the statement after them, and COMMIT right behind the
 * statement the caller marks as its last (storage/pipelined-commit.ts), each group in one write.
 */
class PipelinedConnection {
  readonly #client: pg.PoolClient;
  readonly #tally: StatementTally = { writes: 0, errors: 0 };
  readonly #tallyResult: PostgresQueryResult<never>;
  /** BEGIN was asked and is not sent yet: it goes out with the transaction's first statement. */
  #beginHeld = false;
  /** Deferrable statements of the transaction not sent yet: they go out with its next statement. */
  #held: Array<{ text: string; parameters: ReadonlyArray<unknown>; settle: Settle }> = [];
  /** The transaction's BEGIN, sent without waiting: its answer is checked at COMMIT. */
  #begun: Promise<unknown> | undefined;
  /** COMMIT_AFTER_NEXT_SQL was asked: the next statement gets COMMIT right behind it. */
  #commitNext = false;
  /** The COMMIT sent behind the last statement, for Kysely's own COMMIT (or ROLLBACK) to take. */
  #sentCommit: Promise<PostgresQueryResult<never>> | undefined;
  /** The transaction ended on the server already (its pipelined COMMIT was answered). */
  #ended = false;

  constructor(client: pg.PoolClient) {
    this.#client = client;
    this.#tallyResult = {
      command: 'SELECT',
      rowCount: 1,
      rows: [this.#tally],
    } as unknown as PostgresQueryResult<never>;
  }

  reset(): void {
    this.#begun = this.#sentCommit = undefined;
    this.#commitNext = this.#ended = this.#beginHeld = false;
    // Never sent: the transaction ended (rolled back, or its connection released) before.
    for (const { settle } of this.#held.splice(0))
      settle.reject(new Error('deferred statement not sent: the transaction ended'));
  }

  query<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    if (text === TALLY_SQL) return Promise.resolve(this.#tallyResult);
    if (text === COMMIT_AFTER_NEXT_SQL) {
      this.#commitNext = true;
      return Promise.resolve(PIPELINED);
    }
    if (text === 'begin') {
      // pg pipelines (`pipeline: true`): BEGIN goes out with the next statement, in one write.
      this.#beginHeld = true;
      return Promise.resolve(BEGIN_SENT);
    }
    if (text === 'commit' || text === 'rollback') return this.#end<R>(text, parameters);
    if (isDeferrable(text) && (this.#beginHeld || this.#begun !== undefined) && !this.#ended) {
      let settle: Settle = { resolve: ignore, reject: ignore };
      const answer = new Promise<PostgresQueryResult<unknown>>((resolve, reject) => (settle = { resolve, reject }));
      answer.catch(ignore);
      this.#held.push({ text, parameters, settle });
      // Whoever awaits its answer before sending another statement does not wait forever.
      if (this.#held.length === 1) setImmediate(() => this.#held.length > 0 && this.#corked(ignore));
      return Promise.resolve({ command: 'SELECT', rowCount: 0, rows: deferredRows(answer) } as PostgresQueryResult<R>);
    }
    return this.#corked(() => {
      if (!this.#commitNext) return this.#send<R>(text, parameters);
      this.#commitNext = false;
      return this.#sendThenCommit<R>(text, parameters);
    });
  }

  /**
   * Runs `send` with the socket corked: what it sends, behind the held BEGIN if any, leaves in
   * one write when it returns (pg itself corks each statement's messages, not several statements).
   */
  #corked<T>(send: () => T): T {
    const stream = socketOf(this.#client);
    stream?.cork?.();
    try {
      if (this.#beginHeld) {
        this.#beginHeld = false;
        const opened = this.#send('begin', []);
        opened.catch(ignore);
        this.#begun = opened;
      }
      for (const { text, parameters, settle } of this.#held.splice(0))
        this.#send(text, parameters).then(settle.resolve, settle.reject);
      return send();
    } finally {
      stream?.uncork?.();
    }
  }

  async #send<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    const client = this.#client;
    if (mayWrite(text)) this.#tally.writes += 1;
    try {
      const name = preparedStatementName(text);
      const result = await (name === undefined
        ? client.query(text, parameters as unknown[])
        : client.query({ name, text, values: parameters as unknown[] }));
      if (result.command === 'ROLLBACK' && text === 'commit') throw new CommitRolledBackError();
      return result as unknown as PostgresQueryResult<R>;
    } catch (err) {
      this.#tally.errors += 1;
      // end() drops the socket of a connection with a query in flight (pg ≥ 8.23): queries
      // queued behind it fail now, and the pool removes the client when it is released.
      if (isQueryTimeout(err)) client.end().catch(ignore);
      throw err;
    }
  }

  /** The last statement, with COMMIT pipelined behind it. */
  async #sendThenCommit<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    const statement = this.#send<R>(text, parameters);
    const commit = this.#send<never>('commit', []);
    commit.catch(ignore);
    this.#sentCommit = commit;
    try {
      return await statement;
    } catch (err) {
      this.#sentCommit = undefined;
      this.#ended = true;
      const outcome = await commit.then(ignore, (commitError: unknown) => commitError);
      // Aborted by the statement's failure, the transaction ended in ROLLBACK: nothing kept.
      if (outcome instanceof CommitRolledBackError) throw err;
      throw new CommitOutcomeUnknownError(err, outcome ?? new Error('COMMIT succeeded after its statement failed'));
    }
  }

  /** COMMIT or ROLLBACK: the one pipelined behind the last statement when there is one. */
  async #end<R>(text: 'commit' | 'rollback', parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    // Deferred statements not sent yet go out before COMMIT (a ROLLBACK drops them: reset).
    if (text === 'commit' && this.#held.length > 0) this.#corked(ignore);
    const [held, opened, pending, over] = [this.#beginHeld, this.#begun, this.#sentCommit, this.#ended];
    this.reset();
    // Nothing of the transaction reached the server, not even its BEGIN: nothing to end there.
    if (held) return (text === 'commit' ? COMMITTED : ENDED) as PostgresQueryResult<R>;
    // A BEGIN that failed on a live link would have let the statements behind it run on their own.
    const beginError = opened === undefined ? undefined : await opened.then(ignore, (err: unknown) => err);
    if (text === 'commit') {
      if (beginError !== undefined) throw beginError instanceof Error ? beginError : new Error('BEGIN failed');
      return pending === undefined ? this.#send<R>(text, parameters) : ((await pending) as PostgresQueryResult<R>);
    }
    if (pending !== undefined) {
      // The caller failed after its last statement succeeded: the COMMIT already sent decides.
      const committed = await pending.then(
        () => true,
        () => false,
      );
      if (committed)
        throw new CommitOutcomeUnknownError(new Error('ROLLBACK asked after COMMIT was sent'), 'committed');
      return ENDED;
    }
    return over ? ENDED : this.#send<R>(text, parameters);
  }
}
