import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../../test/helpers.js';
import { listParam, pairsTable, prepare, preparedStatementName } from './prepared.js';

const insertPage = prepare<{ id: string; name: string; now: number }>()((db, p) =>
  db.insertInto('pages').values({
    id: p('id'),
    name: p('name'),
    name_lower: p('id'),
    category: 'bank',
    description: '',
    privacy_policy_url: null,
    created_at: p('now'),
  }),
);
const pageById = prepare<{ id: string }>()((db, p) =>
  db.selectFrom('pages').select(['id', 'name', 'created_at']).where('id', '=', p('id')),
);
const renameMany = prepare<{ ids: string | string[]; names: string | string[] }>()((db, p, dialect) =>
  db
    .updateTable('pages')
    .from(pairsTable(p('ids'), p('names'), ['text', 'text'], dialect).as('w'))
    .set({ name: sql<string>`w.v` })
    .whereRef('pages.id', '=', sql<string>`w.k`)
    .returning(['pages.id as id', 'pages.name as name']),
);
const renameAll = prepare<{ name: string; since: number }>()((db, p) =>
  db
    .updateTable('pages')
    .set({ name: p('name') })
    .where('created_at', '>=', p('since'))
    .returning(['id', 'name']),
);

for (const dialect of DIALECTS) {
  describe(`${dialect}: prepared queries`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    it('binds named parameters on every execution, inside and outside transactions', async () => {
      const db = hub.ctx.storage.db;
      await hub.ctx.storage.writes.run(async (tx) => {
        await insertPage.run(tx.db, { id: 'p1', name: 'First', now: 10 });
        await insertPage.run(tx.db, { id: 'p2', name: "O'Brien; drop table pages", now: 20 });
      });
      expect(await pageById.takeFirst(db, { id: 'p1' })).toEqual({ id: 'p1', name: 'First', created_at: 10 });
      expect(await pageById.takeFirst(db, { id: 'p2' })).toEqual({
        id: 'p2',
        name: "O'Brien; drop table pages",
        created_at: 20,
      });
      expect(await pageById.takeFirst(db, { id: 'nope' })).toBeUndefined();
      await expect(pageById.takeFirstOrThrow(db, { id: 'nope' })).rejects.toThrow();
      const renamed = await hub.ctx.storage.writes.run((tx) => renameAll.rows(tx.db, { name: 'Later', since: 15 }));
      expect(renamed).toEqual([{ id: 'p2', name: 'Later' }]);
      expect((await pageById.takeFirstOrThrow(db, { id: 'p1' })).name).toBe('First');
    });

    it('pairs two lists by position in one statement (pairsTable)', async () => {
      const n = 300;
      const ids = Array.from({ length: n }, (_, i) => `p${i}`);
      await hub.ctx.storage.writes.run(async (tx) => {
        for (const id of ids) await insertPage.run(tx.db, { id, name: 'old', now: 1 });
      });
      // Reversed, so position and not order pairs them; names that look like JSON and numbers stay text.
      const picked = ids.filter((_, i) => i % 3 === 0).reverse();
      const names = picked.map((id, i) => (i === 0 ? '{"a":1}' : i === 1 ? '42' : `new ${id}`));
      const renamed = await hub.ctx.storage.writes.run((tx) =>
        renameMany.rows(tx.db, { ids: listParam(tx.db, picked), names: listParam(tx.db, names) }),
      );
      const byId = new Map(renamed.map((r) => [r.id, r.name]));
      expect(byId.size).toBe(picked.length);
      picked.forEach((id, i) => expect(byId.get(id)).toBe(names[i]));
      expect((await pageById.takeFirstOrThrow(hub.ctx.storage.db, { id: 'p1' })).name).toBe('old');
    });

    it.runIf(dialect === 'postgres')('is a named statement on PostgreSQL, parsed once per connection', async () => {
      const name = preparedStatementName(pageById.sql(hub.ctx.storage.db));
      expect(name).toMatch(/^confide_\d+$/);
      const known = await hub.ctx.storage.writes.run(async (tx) => {
        await pageById.takeFirst(tx.db, { id: 'a' });
        await pageById.takeFirst(tx.db, { id: 'b' });
        return sql<{ name: string }>`select name from pg_prepared_statements`.execute(tx.db);
      });
      expect(known.rows.filter((r) => r.name === name)).toHaveLength(1);
    });
  });
}
