import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { buildTestHub, DIALECTS, PG_URL, type TestHub } from '../../test/helpers.js';
import { kekFromBytes } from '../crypto/kek.js';
import { PgKeyStore } from './keystore-postgres.js';
import { KeyWriter } from './keystore-writer.js';
import { SqliteKeyStore, type KeyRecord } from './keystore.js';
import { Vault } from './vault.js';

const record = (scope: string, material: string): KeyRecord => ({
  scope,
  customerId: 'u1',
  kekId: null,
  material,
  createdAt: 1,
});

describe('SqliteKeyStore', () => {
  it('commits concurrent inserts together, keeps the first key of a scope, and each resolves after its commit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-keys-'));
    const store = new SqliteKeyStore(path.join(dir, 'keys.db'));
    try {
      await store.insertIfAbsent(record('conversation:c0', 'first'));
      const before = store.insertCommits;
      await Promise.all([
        ...Array.from({ length: 200 }, (_, i) => store.insertIfAbsent(record(`conversation:c${i + 1}`, `m${i + 1}`))),
        store.insertIfAbsent(record('conversation:c0', 'second')),
      ]);
      expect(store.insertCommits - before).toBe(1);
      expect((await store.get('conversation:c0'))?.material).toBe('first');
      expect((await store.get('conversation:c200'))?.material).toBe('m200');
      // Committed to the file: a fresh handle sees every key.
      const reopened = new SqliteKeyStore(path.join(dir, 'keys.db'));
      expect((await reopened.get('conversation:c137'))?.material).toBe('m137');
      await reopened.close();
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file's inserts commit on the keystore's insert thread, one batch at a time, the next gathering meanwhile", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-keys-'));
    const store = new SqliteKeyStore(path.join(dir, 'keys.db'));
    const onThread = vi.spyOn(KeyWriter.prototype, 'insertBatch');
    try {
      const first = store.insertManyIfAbsent([record('conversation:a', 'a')]);
      // Asked for while the first batch is on the thread: they wait for it, then share one commit.
      const next = Promise.all(
        Array.from({ length: 50 }, (_, i) => store.insertIfAbsent(record(`conversation:b${i}`, `b${i}`))),
      );
      await Promise.all([first, next]);
      expect(onThread.mock.calls.map(([records]) => records.length)).toEqual([1, 50]);
      expect(store.insertCommits).toBe(2);
      // Committed when resolved: the main thread's connection reads them.
      expect((await store.getMany(['conversation:a', 'conversation:b49'])).size).toBe(2);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a first contact with many customers at once creates their keys in shared commits', async () => {
    const keystore = new SqliteKeyStore(null);
    const vault = new Vault({ keystore, kek: kekFromBytes(randomBytes(32)) });
    await Promise.all(Array.from({ length: 100 }, (_, i) => vault.warmKeys(`u${i}`, `c_${i}`)));
    // Data keys and conversation salts of all of them in one keystore commit.
    expect(keystore.insertCommits).toBe(1);
    expect(vault.keysWarm('u7', 'c_7')).toBe(true);
    expect(vault.keysWarm('u7', 'c_8')).toBe(false);
    const sealed = await vault.sealMessage('u7', 'c_7', { text: 'hi' });
    await expect(
      vault.openMessage({ purpose: 'deliver_to_customer', actor: 'customer:u7' }, 'u7', sealed),
    ).resolves.toEqual({ text: 'hi' });
    expect(keystore.insertCommits).toBe(1);
  });

  it("a fan-out's first contacts read their keys in one statement and create them in one commit", async () => {
    const keystore = new SqliteKeyStore(null);
    const kek = kekFromBytes(randomBytes(32));
    const vault = new Vault({ keystore, kek });
    const gets = vi.spyOn(keystore, 'get');
    const getMany = vi.spyOn(keystore, 'getMany');
    const pairs = Array.from({ length: 50 }, (_, i) => ({ customerId: `u${i}`, conversationId: `c_${i}` }));
    await vault.warmMany(pairs);
    // One read of the 100 scopes (data key and salt of each), one commit of the new keys, no read back.
    expect(getMany).toHaveBeenCalledTimes(1);
    expect(getMany.mock.calls[0]?.[0]).toHaveLength(100);
    expect(gets).not.toHaveBeenCalled();
    expect(keystore.insertCommits).toBe(1);
    expect(pairs.every((p) => vault.keysWarm(p.customerId, p.conversationId))).toBe(true);
    const sealed = await vault.sealMessage('u3', 'c_3', { text: 'hi' });
    expect(gets).not.toHaveBeenCalled();
    // Another process (a fresh vault on the same keystore) opens it: the keys stored are the ones used.
    await expect(
      new Vault({ keystore, kek }).openMessage({ purpose: 'deliver_to_customer', actor: 'customer:u3' }, 'u3', sealed),
    ).resolves.toEqual({ text: 'hi' });
    // A known customer's new conversation reads only the new salt.
    await vault.warmKeys('u3', 'c_3b');
    expect(getMany).toHaveBeenLastCalledWith(['conversation:c_3b']);
    expect(keystore.insertCommits).toBe(2);
  });

  it('batch warming leaves an erased customer cold and warms the others', async () => {
    const keystore = new SqliteKeyStore(null);
    const vault = new Vault({ keystore, kek: kekFromBytes(randomBytes(32)) });
    await keystore.deleteCustomer('u2');
    await vault.warmMany([
      { customerId: 'u1', conversationId: 'c_1' },
      { customerId: 'u2', conversationId: 'c_2' },
    ]);
    expect(vault.keysWarm('u1', 'c_1')).toBe(true);
    expect(vault.keysWarm('u2', 'c_2')).toBe(false);
    expect(await keystore.getMany(['customer:u1', 'customer:u2', 'conversation:c_2'])).toEqual(
      new Map([['customer:u1', expect.objectContaining({ customerId: 'u1' })]]),
    );
    await expect(vault.warmKeys('u2', 'c_2')).rejects.toThrow(/erased/);
  });

  it('keys whose insert answers after an erasure of their customer are not cached (crypto-shredding)', async () => {
    const keystore = new SqliteKeyStore(null);
    const vault = new Vault({ keystore, kek: kekFromBytes(randomBytes(32)) });
    // The batch commits, and its answer comes back only after the erasure has run (as from a thread).
    const insertMany = keystore.insertManyIfAbsent.bind(keystore);
    let answer: (() => void) | undefined;
    vi.spyOn(keystore, 'insertManyIfAbsent').mockImplementationOnce(async (records) => {
      const outcomes = await insertMany(records);
      await new Promise<void>((resolve) => (answer = resolve));
      return outcomes;
    });
    const warming = vault.warmMany([{ customerId: 'u1', conversationId: 'c_1' }]);
    await vi.waitFor(() => expect(answer).toBeDefined());
    await vault.eraseCustomer('u1');
    answer?.();
    await warming;
    expect(vault.keysWarm('u1', 'c_1')).toBe(false);
    await expect(vault.sealMessage('u1', 'c_1', { text: 'after erasure' })).rejects.toThrow(/erased/);
  });

  it('inserts a batch in one commit at once, set-based: duplicates keep the first key, an erased customer is refused', async () => {
    const keystore = new SqliteKeyStore(null);
    await keystore.insertIfAbsent(record('conversation:c0', 'existing'));
    await keystore.deleteCustomer('gone');
    const before = keystore.insertCommits;
    const pending = keystore.insertManyIfAbsent([
      record('conversation:c1', 'one'),
      record('conversation:c1', 'one again'),
      record('conversation:c0', 'late'),
      { ...record('conversation:c2', 'refused'), customerId: 'gone' },
      { ...record('hub:x', 'hub'), customerId: null },
    ]);
    // Committed before the caller's next turn: the batch does not wait for the next group of inserts.
    expect(keystore.insertCommits - before).toBe(1);
    const outcomes = await pending;
    expect(outcomes.map((o) => ('record' in o ? o.record.material : 'refused'))).toEqual([
      'one',
      'one',
      'existing',
      'refused',
      'hub',
    ]);
    expect([...(await keystore.getMany(['conversation:c1', 'conversation:c2', 'hub:x'])).keys()].sort()).toEqual([
      'conversation:c1',
      'hub:x',
    ]);
  });

  it("on the insert thread, a batch answers the key each scope holds: its own, another writer's, or refused", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-keys-'));
    const keystore = new SqliteKeyStore(path.join(dir, 'keys.db'));
    try {
      await keystore.insertIfAbsent(record('conversation:c0', 'existing'));
      await keystore.deleteCustomer('gone');
      const outcomes = await keystore.insertManyIfAbsent([
        record('conversation:c1', 'one'),
        record('conversation:c0', 'late'),
        record('conversation:c1', 'one again'),
        { ...record('conversation:c2', 'refused'), customerId: 'gone' },
        { ...record('hub:x', 'hub'), customerId: null },
      ]);
      expect(outcomes.map((o) => ('record' in o ? [o.record.scope, o.record.material] : 'refused'))).toEqual([
        ['conversation:c1', 'one'],
        ['conversation:c0', 'existing'],
        ['conversation:c1', 'one'],
        'refused',
        ['hub:x', 'hub'],
      ]);
      expect(outcomes[1]).toEqual({ record: { ...record('conversation:c0', 'existing') } });
    } finally {
      await keystore.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two writers creating the same keys at once end up with one key, the first one', async () => {
    const keystore = new SqliteKeyStore(null);
    const kek = kekFromBytes(randomBytes(32));
    const a = new Vault({ keystore, kek });
    const b = new Vault({ keystore, kek });
    // Both miss, both insert in the same keystore commit: the second insert answers with the first key.
    await Promise.all([a.warmKeys('u1', 'c_1'), b.warmKeys('u1', 'c_1')]);
    const sealed = await a.sealMessage('u1', 'c_1', { text: 'same key' });
    await expect(
      b.openMessage({ purpose: 'deliver_to_customer', actor: 'customer:u1' }, 'u1', sealed),
    ).resolves.toEqual({ text: 'same key' });
    const fresh = new Vault({ keystore, kek });
    await expect(
      fresh.openMessage({ purpose: 'deliver_to_customer', actor: 'customer:u1' }, 'u1', sealed),
    ).resolves.toEqual({ text: 'same key' });
  });

  it('an erased customer gets no new key, even from another handle on the same file (another process)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-keys-'));
    const a = new SqliteKeyStore(path.join(dir, 'keys.db'));
    const b = new SqliteKeyStore(path.join(dir, 'keys.db'));
    try {
      await a.insertIfAbsent(record('customer:u1', 'dek'));
      expect(await b.deleteCustomer('u1')).toBe(1);
      // The insert is refused in its own transaction; other customers and hub keys are untouched.
      const results = await Promise.allSettled([
        a.insertIfAbsent(record('conversation:c9', 'salt')),
        a.insertIfAbsent({ ...record('conversation:c10', 'other'), customerId: 'u2' }),
        a.insertIfAbsent({ ...record('hub:x', 'hub'), customerId: null }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
      expect(await a.get('conversation:c9')).toBeUndefined();
      expect(await a.get('conversation:c10')).toBeDefined();
    } finally {
      await a.close();
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when its insert thread stops, then commits inserts on the main thread', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-keys-'));
    const stopped: Error[] = [];
    process.env['CONFIDE_TEST_WRITER_CRASH_ON'] = 'insert into privacy_keys';
    const store = new SqliteKeyStore(path.join(dir, 'keys.db'), { onThreadStopped: (err) => stopped.push(err) });
    try {
      // The thread starts at the first insert and dies on it: that batch fails, and it is said once.
      await expect(store.insertIfAbsent(record('conversation:a', 'a'))).rejects.toThrow(/crash requested/);
      delete process.env['CONFIDE_TEST_WRITER_CRASH_ON'];
      expect(stopped.map((err) => err.message)).toEqual([expect.stringMatching(/crash requested/)]);
      const onThread = vi.spyOn(KeyWriter.prototype, 'insertBatch');
      onThread.mockClear(); // an earlier test's spy, if still in place
      await expect(store.insertIfAbsent(record('conversation:b', 'b'))).resolves.toMatchObject({ material: 'b' });
      await store.insertManyIfAbsent([record('conversation:c', 'c')]);
      expect(onThread).not.toHaveBeenCalled();
      expect(stopped).toHaveLength(1);
      expect((await store.getMany(['conversation:a', 'conversation:b', 'conversation:c'])).size).toBe(2);
    } finally {
      delete process.env['CONFIDE_TEST_WRITER_CRASH_ON'];
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the hub logs one line when the keystore's insert thread stops; keys are still created", async () => {
    process.env['CONFIDE_TEST_WRITER_CRASH_ON'] = 'insert into privacy_keys';
    const hub = await buildTestHub({ file: true });
    try {
      const warn = vi.spyOn(hub.ctx.log, 'warn');
      const vault = hub.ctx.storage.vault;
      await expect(vault.warmKeys('u1', 'c_1')).rejects.toThrow(/crash requested/);
      delete process.env['CONFIDE_TEST_WRITER_CRASH_ON'];
      await vault.warmKeys('u2', 'c_2');
      expect(vault.keysWarm('u2', 'c_2')).toBe(true);
      expect(warn.mock.calls).toEqual([[{ err: expect.any(Error) }, expect.stringMatching(/insert thread stopped/)]]);
    } finally {
      delete process.env['CONFIDE_TEST_WRITER_CRASH_ON'];
      await hub.dispose();
    }
  });
});

describe.runIf(DIALECTS.includes('postgres'))('PgKeyStore', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.dispose();
    hub = undefined;
  });
  const pgKeystore = async (): Promise<PgKeyStore> => {
    hub = await buildTestHub({ dialect: 'postgres' });
    const keystore = hub.ctx.storage.vault.keystore;
    if (!(keystore instanceof PgKeyStore)) throw new Error('expected the PostgreSQL keystore');
    return keystore;
  };

  it('inserts a batch in one transaction, set-based: duplicates keep the first key, an erased customer is refused', async () => {
    const keystore = await pgKeystore();
    await keystore.insertIfAbsent(record('conversation:c0', 'existing'));
    await keystore.deleteCustomer('gone');
    const before = keystore.insertCommits;
    const outcomes = await keystore.insertManyIfAbsent([
      { ...record('conversation:c2', 'refused'), customerId: 'gone' },
      record('conversation:c1', 'one'),
      record('conversation:c1', 'one again'),
      record('conversation:c0', 'late'),
      { ...record('conversation:c2', 'not theirs'), customerId: 'u2' },
      { ...record('hub:x', 'hub'), customerId: null },
    ]);
    expect(keystore.insertCommits - before).toBe(1);
    expect(outcomes.map((o) => ('record' in o ? o.record.material : String(o.error)))).toEqual([
      expect.stringMatching(/gone was erased/),
      'one',
      'one',
      'existing',
      'not theirs',
      'hub',
    ]);
    const stored = await keystore.getMany(['conversation:c1', 'conversation:c2', 'hub:x']);
    expect([...stored.values()].map((r) => [r.scope, r.material, r.createdAt])).toEqual(
      expect.arrayContaining([
        ['conversation:c1', 'one', 1],
        ['conversation:c2', 'not theirs', 1],
        ['hub:x', 'hub', 1],
      ]),
    );
  });

  it('concurrent single inserts share one transaction, and an erased customer is refused', async () => {
    const keystore = await pgKeystore();
    await keystore.deleteCustomer('gone');
    const before = keystore.insertCommits;
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => keystore.insertIfAbsent(record(`conversation:c${i}`, `m${i}`))),
      keystore.insertIfAbsent({ ...record('customer:gone', 'dek'), customerId: 'gone' }),
    ]);
    expect(keystore.insertCommits - before).toBe(1);
    expect(results.map((r) => r.status)).toEqual([...Array.from({ length: 20 }, () => 'fulfilled'), 'rejected']);
    expect(await keystore.get('customer:gone')).toBeUndefined();
  });

  it('batches of the same customers in opposite orders, at once, neither deadlock nor split a scope', async () => {
    const keystore = await pgKeystore();
    const run = randomBytes(4).toString('hex');
    const ids = Array.from({ length: 300 }, (_, i) => `dl-${run}-${i}`);
    const records = (tag: string) =>
      ids.map((id, i) => ({ ...record(`customer:${id}`, `${tag}${i}`), customerId: id }));
    // Another session holds one customer's lock in the middle of the list, so both batches are
    // under way (each holding some of the other's locks if taken in list order) when it is released.
    const blocker = new pg.Client({ connectionString: PG_URL });
    await blocker.connect();
    const middle = [`confide-keys:${ids[150] ?? ''}`];
    await blocker.query('select pg_advisory_lock(hashtextextended($1, 0))', middle);
    const both = Promise.all([
      keystore.insertManyIfAbsent(records('a')),
      keystore.insertManyIfAbsent(records('b').reverse()),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await blocker.query('select pg_advisory_unlock(hashtextextended($1, 0))', middle);
    await blocker.end();
    const [a, b] = await both;
    const materials = (outcomes: typeof a) =>
      new Map(
        outcomes.map((o) => {
          if ('error' in o) throw o.error;
          return [o.record.scope, o.record.material];
        }),
      );
    expect(materials(a)).toEqual(materials(b));
    expect((await keystore.getMany([...materials(a).keys()])).size).toBe(300);
  });
});
