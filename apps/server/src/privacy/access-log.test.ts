import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, openConversation, signUp, type TestHub } from '../../test/helpers.js';

describe('GET /api/privacy/access-log', () => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await buildTestHub();
  });
  afterEach(async () => {
    await hub.dispose();
  });

  it('lists who accessed the customer’s data and why, newest first, ids only, never another customer’s', async () => {
    const alice = await signUp(hub);
    const bob = await signUp(hub);
    const bank = await createPage(hub);
    const conv = await openConversation(hub, alice.cookie, bank.page_id);
    await hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${conv.id}/messages`,
      headers: { cookie: alice.cookie },
      payload: { text: 'canary-access-log' },
    });
    const exported = await hub.app.inject({
      method: 'GET',
      url: '/api/privacy/export',
      headers: { cookie: alice.cookie },
    });
    expect(exported.statusCode).toBe(200);

    const res = await hub.app.inject({
      method: 'GET',
      url: '/api/privacy/access-log?limit=50',
      headers: { cookie: alice.cookie },
    });
    expect(res.statusCode).toBe(200);
    const entries = res.json().data as Array<{ seq: number; action: string; purpose: string | null }>;
    expect(entries.some((e) => e.action === 'customer.export' && e.purpose === 'customer_export')).toBe(true);
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => b - a));
    expect(res.body).not.toContain('canary-access-log');

    const bobs = await hub.app.inject({
      method: 'GET',
      url: '/api/privacy/access-log',
      headers: { cookie: bob.cookie },
    });
    expect(bobs.json().data.some((e: { action: string }) => e.action === 'customer.export')).toBe(false);
    expect((await hub.app.inject({ method: 'GET', url: '/api/privacy/access-log' })).statusCode).toBe(401);
    expect(
      (
        await hub.app.inject({
          method: 'GET',
          url: '/api/privacy/access-log?limit=0',
          headers: { cookie: alice.cookie },
        })
      ).statusCode,
    ).toBe(400);
  });
});
