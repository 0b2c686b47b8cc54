import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createHub } from '../../src/hub.js';
import { buildTestHub, createPage, openConversation, signUp, DIALECTS } from '../helpers.js';

const kek = () => randomBytes(32).toString('base64url');

describe('a wrong KEK', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('fails loudly at start on SQLite, naming the mismatch, and the right KEK still opens everything', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-kek-'));
    dirs.push(dataDir);
    const right = kek();
    const hub = await buildTestHub({ dataDir, env: { KEK: right } });
    const alice = await signUp(hub);
    const bank = await createPage(hub);
    const conv = await openConversation(hub, alice.cookie, bank.page_id);
    await hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${conv.id}/messages`,
      headers: { cookie: alice.cookie },
      payload: { text: 'sealed' },
    });
    await hub.dispose();

    await expect(buildTestHub({ dataDir, env: { KEK: kek() } })).rejects.toThrow(/KEK mismatch/);

    const again = await buildTestHub({ dataDir, env: { KEK: right } });
    const res = await again.app.inject({
      method: 'GET',
      url: `/api/conversations/${conv.id}/messages`,
      headers: { cookie: alice.cookie },
    });
    expect(res.json().data[0].body.text).toBe('sealed');
    await again.dispose();
  });

  it.runIf(DIALECTS.includes('postgres'))('fails loudly at start on PostgreSQL', async () => {
    const right = kek();
    const hub = await buildTestHub({ dialect: 'postgres', env: { KEK: right } });
    const alice = await signUp(hub);
    const bank = await createPage(hub);
    const conv = await openConversation(hub, alice.cookie, bank.page_id);
    await hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${conv.id}/messages`,
      headers: { cookie: alice.cookie },
      payload: { text: 'sealed' },
    });
    const config = (key: string) =>
      loadConfig(
        {
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          PORT: '0',
          DATABASE_URL: hub.ctx.config.DATABASE_URL as string,
          KEK: key,
        },
        () => undefined,
      );
    try {
      await expect(createHub(config(kek()))).rejects.toThrow(/KEK mismatch/);
    } finally {
      await hub.dispose();
    }
  });
});
