/**
 * Issue 13 #5 with several hub processes on one PostgreSQL database: there is no leader,
 * any hub may sign a checkpoint, and the checkpoint row is unique per seq. Only the hub
 * whose insert won appends the witness line, so a shared witness holds each head once and
 * verifies from every hub.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.js';
import {
  buildScaleHub,
  createSharedSchema,
  uniquePrefix,
  witnessFileFor,
  type SharedSchema,
} from '../scale/scale-helpers.js';

describe('postgres: audit checkpoints from two hubs on one database', () => {
  let schema: SharedSchema;
  let hubs: Hub[];
  beforeAll(async () => {
    schema = await createSharedSchema();
    const prefix = uniquePrefix();
    const first = await buildScaleHub(schema.url, prefix, { env: { SERVICES: 'api,realtime' } });
    hubs = [first, await buildScaleHub(schema.url, prefix, { env: { SERVICES: 'api,realtime' } })];
  });
  afterAll(async () => {
    for (const hub of hubs) await hub.close();
    await schema.drop();
  });

  it('both sign the same head at once: one checkpoint row, one witness line; both verify', async () => {
    const [a, b] = hubs as [Hub, Hub];
    await a.services.privacy.record({ actor: 'admin', action: 'keys.rotated' });
    await b.services.privacy.record({ actor: 'admin', action: 'keys.rotated' });
    const [sa, sb] = await Promise.all([a.services.privacy.checkpoint(), b.services.privacy.checkpoint()]);
    expect(sa).toBe(sb);
    await b.services.privacy.record({ actor: 'admin', action: 'keys.rotated' });
    await b.services.privacy.checkpoint();
    const rows = await a.ctx.storage.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq').execute();
    const lines = fs
      .readFileSync(witnessFileFor(schema.url), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).seq);
    expect(lines.sort((x, y) => x - y)).toEqual(rows.map((r) => Number(r.seq)));
    // Both hubs use the same signing key (the oldest trusted one).
    expect((await a.services.privacy.verify()).ok).toBe(true);
    expect(await b.services.privacy.verify()).toMatchObject({ ok: true, checkpoints: 2, witnessed: 2 });
  });
});
