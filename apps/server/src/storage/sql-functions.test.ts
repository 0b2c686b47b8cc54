/** The dialect-spelled SQL functions (sql-functions.ts) answer the same on SQLite and PostgreSQL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, type TestHub } from '../../test/helpers.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: storage.sql`, () => {
    let hub: TestHub;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      for (const name of ['Northwind Bank', '50% Off_Shop', 'Contoso']) await createPage(hub, { name });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const namesContaining = async (term: string) =>
      (
        await hub.ctx.storage.db
          .selectFrom('pages')
          .select('name')
          .where(hub.ctx.storage.sql.contains('name_lower', term))
          .orderBy('name_lower')
          .execute()
      ).map((r) => r.name);

    it('contains: a plain substring as stored, pattern characters taken literally', async () => {
      expect(await namesContaining('north')).toEqual(['Northwind Bank']);
      expect(await namesContaining('o')).toEqual(['50% Off_Shop', 'Contoso', 'Northwind Bank']);
      expect(await namesContaining('%')).toEqual(['50% Off_Shop']);
      expect(await namesContaining('f_s')).toEqual(['50% Off_Shop']);
      expect(await namesContaining('n_r')).toEqual([]);
      // Compared as stored: name_lower holds the lowered name.
      expect(await namesContaining('North')).toEqual([]);
      expect(await namesContaining("' or 1=1 --")).toEqual([]);
    });
  });
}
