/**
 * Prepared queries for the hot paths. Kysely builds and compiles a query on every call:
 * under Send API load that was about 15% of the hub's CPU (operation-node cloning, freezing
 * and visiting; bench/README.md). A prepared query is written with the ordinary, typed
 * query builder once, with named placeholders where the values go; it is compiled once per
 * dialect and then executed with an array of parameters, so the SQL text is identical on
 * every call (and the SQLite statement cache reuses the prepared statement).
 *
 *   const byPsid = prepare<{ pageId: string; psid: string }>()((db, p) =>
 *     db.selectFrom('conversations').selectAll().where('page_id', '=', p('pageId')).where('psid', '=', p('psid')));
 *   const conv = await byPsid.takeFirst(tx.db, { pageId, psid });
 *
 * Placeholders may stand for values only (not for identifiers, list lengths or SQL). The
 * builder also receives the dialect, for statements written differently on each (PostgreSQL
 * can do in one statement, with a data-modifying CTE, what takes SQLite two).
 *
 * On PostgreSQL the statement is named (storage/pg-pool.ts): each connection parses and plans
 * it once, and later calls send only the parameters.
 */
import {
  PostgresAdapter,
  sql,
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type QueryResult,
  type RawBuilder,
} from 'kysely';
import type { DialectName } from './migrations/index.js';
import type { Database } from './schema.js';

/** The dialect behind `db` (a Kysely instance or a transaction). */
export function dialectOf(db: Kysely<Database>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** SQL text of every prepared query → its statement name. */
const statementNames = new Map<string, string>();

/** The name PostgreSQL knows a prepared query's SQL by, or undefined for any other SQL. */
export function preparedStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

/** Marks where a named parameter goes; never reaches the database. */
class Placeholder {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

export type ParamFn<P> = <K extends keyof P & string>(name: K) => P[K];

interface Template {
  compiled: CompiledQuery;
  /** Positions in `compiled.parameters` that take a named parameter. */
  slots: Array<{ index: number; name: string }>;
}

export class PreparedQuery<P extends Record<string, unknown>, O> {
  readonly #build: (db: Kysely<Database>, param: ParamFn<P>, dialect: DialectName) => Compilable<O>;
  /** One template per dialect adapter class (SQLite and PostgreSQL compile differently). */
  readonly #templates = new Map<unknown, Template>();

  constructor(build: (db: Kysely<Database>, param: ParamFn<P>, dialect: DialectName) => Compilable<O>) {
    this.#build = build;
  }

  /** Runs the query on `db` (a Kysely instance or a transaction) with `params`. */
  run(db: Kysely<Database>, params: P): Promise<QueryResult<O>> {
    const template = this.#template(db);
    const parameters = template.compiled.parameters.slice();
    for (const slot of template.slots) parameters[slot.index] = params[slot.name];
    return db.executeQuery<O>({ ...template.compiled, parameters });
  }

  /** The SQL text it runs on `db`'s dialect. */
  sql(db: Kysely<Database>): string {
    return this.#template(db).compiled.sql;
  }

  /** The rows. */
  async rows(db: Kysely<Database>, params: P): Promise<O[]> {
    return (await this.run(db, params)).rows;
  }

  /** The first row, or undefined. */
  async takeFirst(db: Kysely<Database>, params: P): Promise<O | undefined> {
    return (await this.run(db, params)).rows[0];
  }

  /** The first row; throws when there is none. */
  async takeFirstOrThrow(db: Kysely<Database>, params: P): Promise<O> {
    const row = (await this.run(db, params)).rows[0];
    if (row === undefined) throw new Error('prepared query returned no row');
    return row;
  }

  #template(db: Kysely<Database>): Template {
    const key = db.getExecutor().adapter.constructor;
    const known = this.#templates.get(key);
    if (known !== undefined) return known;
    const compiled = this.#build(
      db,
      ((name: string) => new Placeholder(name)) as unknown as ParamFn<P>,
      dialectOf(db),
    ).compile();
    const slots: Template['slots'] = [];
    compiled.parameters.forEach((value, index) => {
      if (value instanceof Placeholder) slots.push({ index, name: value.name });
    });
    const template = { compiled, slots };
    this.#templates.set(key, template);
    if (!statementNames.has(compiled.sql)) statementNames.set(compiled.sql, `confide_${statementNames.size + 1}`);
    return template;
  }
}

/**
 * Declares a prepared query with parameters `P`:
 * `prepare<{ id: string }>()((db, p) => db.selectFrom('pages').selectAll().where('id', '=', p('id')))`.
 */
export function prepare<P extends Record<string, unknown>>() {
  return <O>(
    build: (db: Kysely<Database>, param: ParamFn<P>, dialect: DialectName) => Compilable<O>,
  ): PreparedQuery<P, O> => new PreparedQuery<P, O>(build);
}

/**
 * A list bound as one parameter, so a prepared query's SQL does not vary with its length: a
 * JSON array on SQLite, an array on PostgreSQL. Pair it with `inList` in the query.
 */
export function listParam<T extends string | number>(db: Kysely<Database>, values: readonly T[]): string | T[] {
  return dialectOf(db) === 'postgres' ? [...values] : JSON.stringify(values);
}

/**
 * Rows of two `listParam`s of the same length, paired by position, as a table `(k, v)` to join
 * or update from: `unnest` on PostgreSQL; on SQLite the keys' `json_each`, each with the value at
 * its index (`->>`). Not a join of two `json_each`: SQLite scans one list per row of the other
 * (a virtual table gets no automatic index): 0.36 ms at 100 pairs, 31 ms at 1,000, against
 * 0.06 and 1.7 ms.
 */
export function pairsTable(
  keys: unknown,
  values: unknown,
  pgTypes: readonly ['bigint' | 'text', 'bigint' | 'text'],
  dialect: DialectName,
): RawBuilder<{ k: unknown; v: unknown }> {
  return dialect === 'postgres'
    ? sql`(select * from unnest(${keys}::${sql.raw(pgTypes[0])}[], ${values}::${sql.raw(pgTypes[1])}[]) as t(k, v))`
    : sql`(select a.value as k, ${values} ->> a.key as v from json_each(${keys}) as a)`;
}

/** `column IN list` for a `listParam`: `json_each` on SQLite, `= any($n::type[])` on PostgreSQL. */
export function inList(
  column: string,
  list: unknown,
  pgType: 'bigint' | 'text',
  dialect: DialectName,
): RawBuilder<boolean> {
  return dialect === 'postgres'
    ? sql<boolean>`${sql.ref(column)} = any(${list}::${sql.raw(pgType)}[])`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${list}))`;
}
