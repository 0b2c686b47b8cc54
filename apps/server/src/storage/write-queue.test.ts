import { PlatformError } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, STORAGE_VARIANTS, type TestHub } from '../../test/helpers.js';
import type { ReadAheadSource } from './write-queue.js';

for (const { name, dialect, file } of STORAGE_VARIANTS) {
  describe(`${name}: WriteQueue (group commit)`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect, file });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const insertPage = (id: string) => (tx: Parameters<Parameters<TestHub['ctx']['storage']['writes']['run']>[0]>[0]) =>
      tx.db
        .insertInto('pages')
        .values({
          id,
          name: id,
          name_lower: id,
          category: 'bank',
          description: '',
          privacy_policy_url: null,
          created_at: 1,
        })
        .execute();

    it('commits concurrent writes in shared transactions, each acknowledged after commit', async () => {
      const before = hub.ctx.storage.writes.stats;
      await Promise.all(Array.from({ length: 200 }, (_, i) => hub.ctx.storage.writes.run(insertPage(`p${i}`))));
      const after = hub.ctx.storage.writes.stats;
      expect(after.jobs - before.jobs).toBe(200);
      expect(after.batches - before.batches).toBeLessThan(200);
      const rows = await hub.ctx.storage.db.selectFrom('pages').select('id').execute();
      expect(rows).toHaveLength(200);
    });

    it('rolls back only the failing job of a batch, and runs its post-commit effects only for committed jobs', async () => {
      const effects: string[] = [];
      const results = await Promise.allSettled([
        hub.ctx.storage.writes.run(async (tx) => {
          await insertPage('ok1')(tx);
          tx.afterCommit(() => effects.push('ok1'));
        }),
        hub.ctx.storage.writes.run(async (tx) => {
          await insertPage('bad')(tx);
          tx.afterCommit(() => effects.push('bad'));
          throw new PlatformError('BAD_REQUEST');
        }),
        hub.ctx.storage.writes.run(async (tx) => {
          await insertPage('ok2')(tx);
          tx.afterCommit(() => effects.push('ok2'));
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(PlatformError);
      const ids = (await hub.ctx.storage.db.selectFrom('pages').select('id').orderBy('id').execute()).map((r) => r.id);
      expect(ids).toEqual(['ok1', 'ok2']);
      expect(effects.sort()).toEqual(['ok1', 'ok2']);
    });

    it('a constraint violation in one job leaves the others committed', async () => {
      await hub.ctx.storage.writes.run(insertPage('dup'));
      const results = await Promise.allSettled([
        hub.ctx.storage.writes.run(insertPage('dup')),
        hub.ctx.storage.writes.run(insertPage('fresh')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      const ids = (await hub.ctx.storage.db.selectFrom('pages').select('id').orderBy('id').execute()).map((r) => r.id);
      expect(ids).toEqual(['dup', 'fresh']);
    });

    it('reads ahead for the jobs of a transaction in one load, and reads again for the jobs after a job that did not declare it', async () => {
      const names = ['ra1', 'ra2', 'ra3', 'ra4'];
      for (const id of names) await hub.ctx.storage.writes.run(insertPage(id));
      const loads: string[][] = [];
      const pageNames: ReadAheadSource<string> = {
        id: (key) => key,
        async load(db, keys) {
          loads.push([...keys].sort());
          const rows = await db.selectFrom('pages').select(['id', 'name']).where('id', 'in', keys).execute();
          return new Map(rows.map((r) => [r.id, r.name]));
        },
      };
      const seen: Array<{ key: string; ahead: unknown }> = [];
      const reader = (key: string) =>
        hub.ctx.storage.writes.run(
          async (tx) => {
            seen.push({ key, ahead: tx.ahead });
          },
          { readAhead: { source: pageNames, key } },
        );
      // Same tick: one transaction. The job in the middle renames a page without declaring the
      // read-ahead, so the two readers after it must not be handed what was read before it: the
      // rows are read again for both, in one load, after the rename.
      await Promise.all([
        reader('ra1'),
        reader('missing'),
        hub.ctx.storage.writes.run((tx) =>
          tx.db.updateTable('pages').set({ name: 'renamed' }).where('id', '=', 'ra3').execute(),
        ),
        reader('ra3'),
        reader('ra4'),
      ]);
      expect(loads).toEqual([
        ['missing', 'ra1', 'ra3', 'ra4'],
        ['ra3', 'ra4'],
      ]);
      expect(seen).toEqual([
        { key: 'ra1', ahead: { row: 'ra1' } },
        { key: 'missing', ahead: { row: undefined } },
        { key: 'ra3', ahead: { row: 'renamed' } },
        { key: 'ra4', ahead: { row: 'ra4' } },
      ]);
      // A lone job reads for itself.
      await reader('ra2');
      expect(seen.at(-1)).toEqual({ key: 'ra2', ahead: undefined });
      expect(loads).toHaveLength(2);
    });
  });
}
