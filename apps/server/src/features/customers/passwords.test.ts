/**
 * The hub hashes passwords with argon2id at the OWASP parameters (19 MiB, two passes, one lane).
 * Test hubs from buildTestHub use a cheaper argon2id (test/helpers.ts), so this file is where the
 * production cost is held: the hasher itself, and a hub assembled with createHub's defaults.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createHub } from '../../hub.js';
import { buildTestHub, signUp } from '../../../test/helpers.js';
import { argon2Passwords, hashPassword, verifyPassword } from './passwords.js';

const OWASP = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

describe('password hashing', () => {
  it('hashes with argon2id at the OWASP parameters and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(OWASP);
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword('not a hash', 'correct horse battery')).toBe(false);
    expect(argon2Passwords.hash).toBe(hashPassword);
  });

  it('a hub assembled without a hasher stores OWASP-cost hashes for customers, agents and console members', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' }, () => undefined);
    const hub = await createHub(config, { memory: true });
    try {
      await signUp(hub, 'owasp-customer');
      const page = await hub.services.pages.createPage({
        name: 'Hash Bank',
        category: 'bank',
        description: 'A test business',
        privacyPolicyUrl: null,
        webhookUrl: null,
        verifyToken: null,
      });
      await hub.services.agents.create({ pageId: page.page_id, username: 'owasp-agent', password: 'agent password 1' });
      await hub.services.console.members.createOrganisation(
        { name: 'Hash Org', username: 'owasp-owner', password: 'owner password 1' },
        'operator',
      );
      const db = hub.ctx.storage.db;
      const hashes = [
        (await db.selectFrom('customers').select('password_hash').executeTakeFirstOrThrow()).password_hash,
        (await db.selectFrom('agents').select('password_hash').executeTakeFirstOrThrow()).password_hash,
        (await db.selectFrom('org_members').select('password_hash').executeTakeFirstOrThrow()).password_hash,
      ];
      for (const stored of hashes) expect(stored).toMatch(OWASP);
    } finally {
      await hub.close();
    }
  });

  it('test hubs hash with argon2id too, at a lower cost, and log in with it', async () => {
    const hub = await buildTestHub();
    try {
      await signUp(hub, 'cheap-customer');
      const { password_hash } = await hub.ctx.storage.db
        .selectFrom('customers')
        .select('password_hash')
        .executeTakeFirstOrThrow();
      expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      const login = await hub.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'cheap-customer', password: 'correct horse battery' },
      });
      expect(login.statusCode).toBe(200);
    } finally {
      await hub.dispose();
    }
  });
});
