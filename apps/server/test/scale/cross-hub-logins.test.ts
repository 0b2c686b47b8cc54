/**
 * The login rate limit is held by the shared database, not by one process: a burst of wrong
 * passwords split between two hubs on one PostgreSQL schema verifies at most
 * LOGIN_MAX_ATTEMPTS passwords between them, and the right password is then refused on both.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword, type PasswordHasher } from '../../src/features/customers/passwords.js';
import type { Hub } from '../../src/hub.js';
import { signUp } from '../helpers.js';
import { buildScaleHub, createSharedSchema, uniquePrefix, type SharedSchema } from './scale-helpers.js';

const MAX = 5;
const PASSWORD = 'correct horse battery';

describe('login attempts shared by hubs on one PostgreSQL schema', () => {
  let schema: SharedSchema;
  const hubs: Hub[] = [];
  beforeEach(async () => {
    schema = await createSharedSchema();
  });
  afterEach(async () => {
    for (const h of hubs.splice(0)) await h.close();
    await schema.drop();
  });

  it('verifies at most LOGIN_MAX_ATTEMPTS of a burst split between two hubs', async () => {
    let verifies = 0;
    const passwords: PasswordHasher = {
      hash: hashPassword,
      verify: async (stored, password) => {
        verifies += 1;
        return verifyPassword(stored, password);
      },
    };
    const prefix = uniquePrefix();
    const options = { env: { SERVICES: 'api', LOGIN_MAX_ATTEMPTS: String(MAX) }, passwords };
    // One after the other: the first applies the migrations.
    const a = await buildScaleHub(schema.url, prefix, options);
    hubs.push(a);
    const b = await buildScaleHub(schema.url, prefix, options);
    hubs.push(b);
    await signUp(a, 'alice', PASSWORD);
    verifies = 0;
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? a : b).app
          .inject({
            method: 'POST',
            url: '/api/login',
            payload: { username: 'alice', password: 'not the password' },
            remoteAddress: `10.0.0.${i}`,
          })
          .then((r) => r.statusCode),
      ),
    );
    expect(verifies).toBe(MAX);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100 - MAX);
    for (const hub of [a, b]) {
      const right = await hub.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'alice', password: PASSWORD },
        remoteAddress: '10.1.0.1',
      });
      expect(right.statusCode).toBe(429);
    }
    expect(verifies).toBe(MAX);
  });
});
