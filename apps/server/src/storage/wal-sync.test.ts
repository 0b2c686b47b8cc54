import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupSync, WalFile } from './wal-sync.js';

/** A flush the test finishes by hand. */
function gatedFlushes() {
  const calls: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  const flush = () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, flush };
}

function track(promise: Promise<void>) {
  const state = { settled: false as false | 'resolved' | 'rejected', error: undefined as unknown };
  promise.then(
    () => (state.settled = 'resolved'),
    (err: unknown) => {
      state.settled = 'rejected';
      state.error = err;
    },
  );
  return state;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupSync', () => {
  it('answers a request only with a flush that began after it, one flush in flight and one waiting', async () => {
    const { calls, flush } = gatedFlushes();
    const group = new GroupSync(flush);
    const a = track(group.sync());
    expect(calls).toHaveLength(1);
    // Made while the first flush runs: they need a second one, which they share.
    const b = track(group.sync());
    const c = track(group.sync());
    await turn();
    expect(calls).toHaveLength(1);
    expect([a.settled, b.settled, c.settled]).toEqual([false, false, false]);
    calls[0]?.resolve();
    await turn();
    expect(a.settled).toBe('resolved');
    expect([b.settled, c.settled]).toEqual([false, false]);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve();
    await turn();
    expect([b.settled, c.settled]).toEqual(['resolved', 'resolved']);
    // Idle again: the next request starts a flush at once.
    const d = track(group.sync());
    expect(calls).toHaveLength(3);
    calls[2]?.resolve();
    await turn();
    expect(d.settled).toBe('resolved');
  });

  it('fails for good after a flush fails, even if a later flush would succeed', async () => {
    const { calls, flush } = gatedFlushes();
    const group = new GroupSync(flush);
    const a = track(group.sync());
    const b = track(group.sync());
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    calls[0]?.reject(eio);
    await turn();
    await turn();
    expect(a).toEqual({ settled: 'rejected', error: eio });
    // The waiting request never gets a flush of its own: a success after EIO proves nothing.
    expect(b).toEqual({ settled: 'rejected', error: eio });
    expect(calls).toHaveLength(1);
    await expect(group.sync()).rejects.toBe(eio);
    expect(group.failure).toEqual({ error: eio });
  });
});

describe('WalFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("flushes the database's -wal file, which keeps its inode while another connection opens and closes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-wal-'));
    dirs.push(dir);
    const file = path.join(dir, 'x.db');
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (v integer)');
    const flushed: number[] = [];
    const wal = new WalFile(file, async (fd) => {
      flushed.push(fs.fstatSync(fd).ino);
      await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    });
    db.prepare('insert into t values (1)').run();
    await wal.flush();
    const inode = fs.statSync(`${file}-wal`).ino;
    expect(flushed).toEqual([inode]);
    // A second connection (the CLI is another process on the same file) that closes does not
    // delete the WAL while the first is open, nor does a full checkpoint and WAL reset.
    const other = new SQLite(file);
    other.prepare('insert into t values (2)').run();
    other.close();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.prepare('insert into t values (3)').run();
    await wal.flush();
    expect(fs.statSync(`${file}-wal`).ino).toBe(inode);
    expect(flushed).toEqual([inode, inode]);
    await wal.close();
    await expect(wal.flush()).rejects.toThrow(/closed/);
    db.close();
  });
});
