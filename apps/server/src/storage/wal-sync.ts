/**
 * The disk half of an SQLite group commit, off the main thread. The write queue's transactions
 * commit with `synchronous=NORMAL` (storage/db.ts): COMMIT writes the WAL frames but does not
 * fsync them. `GroupSync.sync()` then flushes the WAL file in libuv's thread pool and resolves
 * once every commit made before the call is on disk; the queue answers a batch only after that
 * (storage/write-queue.ts), so an acknowledgement keeps synchronous=FULL's meaning while the next
 * batch already runs its transaction.
 *
 * Why a flush of our own descriptor covers SQLite's writes: on Linux fsync/fdatasync flush the
 * file's (inode's) dirty pages whichever descriptor wrote them. The WAL keeps its inode while the
 * hub's connection is open: a checkpoint (which in NORMAL syncs the WAL before it copies pages
 * and the database after) and a WAL reset or `journal_size_limit` truncation rewrite the same
 * file; SQLite deletes it only when the last connection closes (a connection holds a shared lock
 * on the database while in WAL mode, so another process closing cannot), and the queue is
 * drained and this descriptor closed before the hub's connection closes. Opening and closing a
 * descriptor on the -wal file is safe with SQLite's POSIX locks: they are taken on the database
 * and -shm files, never on the WAL.
 *
 * A failed flush is final (after an fsync error Linux may mark the pages clean, so a later flush
 * that succeeds proves nothing): every later `sync()` rejects with the first error.
 */
import fs from 'node:fs';

/** Flushes the file to disk (fdatasync), resolving when it is there. */
export type FlushFile = (fd: number) => Promise<void>;

export const fdatasync: FlushFile = (fd) =>
  new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err === null ? resolve() : reject(err))));

/** Group fsync: at most one flush in flight and one waiting; each request is answered by a flush that began after it. */
export class GroupSync {
  readonly #flush: () => Promise<void>;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  constructor(flush: () => Promise<void>) {
    this.#flush = flush;
  }

  /** The flush error that made every later sync fail, if any. */
  get failure(): { error: unknown } | undefined {
    return this.#failure;
  }

  /** Resolves once everything written to the file before this call is on disk; rejects if that cannot be known. */
  sync(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    // A flush that has not started yet covers this request too.
    if (this.#queued !== undefined) return this.#queued;
    if (this.#running === undefined) return this.#start();
    // The running flush may have started before the caller's write: wait for it, then flush again.
    const next = () => {
      this.#queued = undefined;
      return this.#start();
    };
    this.#queued = this.#running.then(next, next);
    return this.#queued;
  }

  #start(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    const run: Promise<void> = this.#flush().then(
      () => {
        if (this.#running === run) this.#running = undefined;
      },
      (error: unknown) => {
        this.#failure ??= { error };
        if (this.#running === run) this.#running = undefined;
        throw error;
      },
    );
    this.#running = run;
    return run;
  }
}

/** A descriptor on an SQLite database's WAL file (`<file>-wal`), opened on first use. */
export class WalFile {
  readonly #path: string;
  readonly #flushFile: FlushFile;
  #fd: Promise<number> | undefined;
  #closed = false;

  constructor(databaseFile: string, flushFile: FlushFile = fdatasync) {
    this.#path = `${databaseFile}-wal`;
    this.#flushFile = flushFile;
  }

  /** Flushes the WAL file (after at least one commit in WAL mode, so it exists). */
  async flush(): Promise<void> {
    if (this.#closed) throw new Error('the WAL file descriptor is closed');
    this.#fd ??= new Promise((resolve, reject) =>
      fs.open(this.#path, 'r', (err, fd) => (err === null ? resolve(fd) : reject(err))),
    );
    await this.#flushFile(await this.#fd);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    const n = await fd.catch(() => undefined);
    if (n !== undefined) await new Promise<void>((resolve) => fs.close(n, () => resolve()));
  }
}
