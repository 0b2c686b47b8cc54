import { PlatformError } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../../test/helpers.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: WriteQueue (group commit)`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const insertPage = (id: string) => (tx: Parameters<Parameters<TestHub['ctx']['storage']['writes']['run']>[0]>[0]) =>
      tx.db.insertInto('pages').values({ id, name: id, name_lower: id, category: 'bank', description: '', privacy_policy_url: null, created_at: 1 }).execute();

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
      const results = await Promise.allSettled([hub.ctx.storage.writes.run(insertPage('dup')), hub.ctx.storage.writes.run(insertPage('fresh'))]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      const ids = (await hub.ctx.storage.db.selectFrom('pages').select('id').orderBy('id').execute()).map((r) => r.id);
      expect(ids).toEqual(['dup', 'fresh']);
    });
  });
}
