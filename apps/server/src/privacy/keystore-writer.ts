/**
 * Key inserts of the SQLite keystore's file on a thread of their own (storage/sqlite-writer/,
 * the thread the hub's SQLite file can write through), so a batch's commit (an fsync of
 * keys.db's log, and the index pages of every new key: 8% of the hub's main thread in a
 * fan-out to new customers) runs beside the main thread instead of stopping it. A batch is
 * one message: its transaction's statements, sent together and answered with its COMMIT.
 * Reads stay on the keystore's connection in the main thread, which sees a batch once it is
 * committed, and so durable (synchronous = FULL).
 *
 * The transaction is the one of keystore.ts, for another process's handle on the file:
 * IMMEDIATE, so the tombstones are read under the write lock an erasure needs; the insert
 * skips erased customers itself, and, in list order, keeps the first record of a scope.
 */
import { WriterThread } from '../storage/sqlite-writer/writer-thread.js';
import { toRecord, type KeyRecord, type KeyRow } from './keystore.js';

/** What a batch came to: each record's stored key, or `erased` for a refused one. */
export type BatchResult = Array<KeyRecord | 'erased'>;

/**
 * A batch's statements, the same on the thread and on an in-memory keystore (keystore.ts). Each
 * takes the batch's rows, one JSON list of `[scope, customer, kek, material, createdAt]`.
 */
export const BATCH_SQL = {
  erasedAmong:
    'select customer_id from privacy_erased_customers where customer_id in (select value->>1 from json_each(?))',
  // Rows go in list order, so of two records of one scope in the batch the first one stands.
  insert: `insert into privacy_keys (scope, customer_id, kek_id, material, created_at)
    select value->>0, value->>1, value->>2, value->>3, value->>4 from json_each(?)
    where value->>1 is null or value->>1 not in (select customer_id from privacy_erased_customers)
    order by key
    on conflict (scope) do nothing`,
  // Only the records that did not stand as sent (another writer's key, a scope's second record,
  // none for an erased customer), by position: a first contact's batch reads back nothing.
  notStored: `select r.key as i, k.* from json_each(?) as r left join privacy_keys as k on k.scope = r.value->>0
    where k.material is not r.value->>3`,
} as const;

/** A row of `BATCH_SQL.notStored`: the record at `i`, and what its scope holds (nulls for none). */
type NotStoredRow = { i: number } & ({ [K in keyof KeyRow]: KeyRow[K] } | { [K in keyof KeyRow]: null });

/** The batch's parameter: its rows as one JSON list. */
export function batchParameter(records: readonly KeyRecord[]): string {
  return JSON.stringify(records.map((r) => [r.scope, r.customerId, r.kekId, r.material, r.createdAt]));
}

/**
 * Each record's stored key (its own, or the one that stood), or `erased`, from the rows the
 * batch's reads answered (`BATCH_SQL.erasedAmong`, `BATCH_SQL.notStored`).
 */
export function batchResult(records: readonly KeyRecord[], erasedRows: unknown[], notStored: unknown[]): BatchResult {
  const erased = new Set((erasedRows as Array<{ customer_id: string }>).map((r) => r.customer_id));
  const result: BatchResult = records.slice();
  for (const row of notStored as NotStoredRow[]) {
    const r = records[row.i] as KeyRecord;
    if (r.customerId !== null && erased.has(r.customerId)) result[row.i] = 'erased';
    else if (row.scope === null) throw new Error(`key ${r.scope} was not stored`);
    else result[row.i] = toRecord(row);
  }
  return result;
}

export class KeyWriter {
  readonly #thread: WriterThread;

  private constructor(thread: WriterThread) {
    this.#thread = thread;
  }

  /** Starts the thread on `file` with the keystore's settings; `onFatal` when it stops unasked. */
  static async start(file: string, pragmas: readonly string[], onFatal: (err: Error) => void): Promise<KeyWriter> {
    return new KeyWriter(await WriterThread.start({ file, pragmas, onFatal }));
  }

  /** One transaction for the batch; one batch at a time (the caller's flushes do not overlap). */
  async insertBatch(records: readonly KeyRecord[]): Promise<BatchResult> {
    const rows = batchParameter(records);
    const t = this.#thread;
    const statements = [
      t.defer('begin immediate', []),
      t.defer(BATCH_SQL.erasedAmong, [rows]),
      t.defer(BATCH_SQL.insert, [rows]),
      t.defer(BATCH_SQL.notStored, [rows]),
    ];
    const settled = Promise.allSettled(statements);
    try {
      await t.run('commit', []);
    } catch (err) {
      await settled;
      await t.run('rollback', []).catch(() => undefined);
      throw err;
    }
    const [, erased, , notStored] = await Promise.all(statements);
    return batchResult(records, erased?.rows ?? [], notStored?.rows ?? []);
  }

  close(): Promise<void> {
    return this.#thread.close();
  }
}
