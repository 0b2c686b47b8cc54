/**
 * The settings of every connection the hub opens on its SQLite file: the in-process one,
 * the main thread's reader and the writer thread's connection (sqlite-writer/). One list,
 * so the writer thread cannot drift from the rest.
 */

export const SQLITE_PRAGMAS: readonly string[] = [
  'journal_mode = WAL',
  // FULL: a commit is on disk before we acknowledge (and, in WAL mode, before another
  // connection can see it: the WAL is synced before the commit is published). Group commit
  // keeps this fast.
  'synchronous = FULL',
  'foreign_keys = ON',
  'busy_timeout = 5000',
  // The default page cache (2 MB) is smaller than the pages a busy hub touches between two
  // commits: reads then go to the OS for pages just written. 64 MB keeps them in process.
  'cache_size = -65536',
];

export function applyPragmas(db: { pragma(source: string): unknown }): void {
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
}
