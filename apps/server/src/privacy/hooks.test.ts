import { describe, expect, it } from 'vitest';
import type { WriteTx } from '../storage/write-queue.js';
import { PrivacyHookRegistry, type PrivacyHooks } from './hooks.js';

const tx = {} as WriteTx;

describe('PrivacyHookRegistry', () => {
  it('runs every erasure hook in registration order, sums their files and runs their after-commit work only when asked', async () => {
    const calls: string[] = [];
    const registry = new PrivacyHookRegistry();
    registry.register(
      {
        async customerErased(_tx, { customerId, conversationIds }) {
          calls.push(`files ${customerId} ${conversationIds.join(',')}`);
          return { attachments: 2, afterCommit: async () => void calls.push('delete blobs') };
        },
      },
      {
        async customerErased(_tx, { customerId }) {
          calls.push(`streams ${customerId}`);
        },
      },
      { customerIdByUsername: async () => undefined },
    );
    const outcome = await registry.customerErased(tx, { customerId: 'u1', conversationIds: ['c1', 'c2'] });
    expect(outcome.attachments).toBe(2);
    expect(calls).toEqual(['files u1 c1,c2', 'streams u1']);
    await outcome.afterCommit();
    expect(calls).toEqual(['files u1 c1,c2', 'streams u1', 'delete blobs']);
    // No conversation hook registered: nothing removed, nothing to do after commit.
    const none = await registry.conversationErased(tx, { customerId: 'u1', conversationId: 'c1' });
    expect(none.attachments).toBe(0);
    await none.afterCommit();
    expect(calls).toHaveLength(3);
  });

  it('answers look-ups with the first feature that knows, and undefined when none does', async () => {
    const registry = new PrivacyHookRegistry();
    expect(await registry.customerIdByUsername('alice')).toBeUndefined();
    registry.register(
      { customerIdByUsername: async () => undefined },
      { customerIdByUsername: async (u) => (u === 'alice' ? 'u1' : undefined) },
      { conversationWith: async (customer, page) => `${customer}/${page}` },
    );
    expect(await registry.customerIdByUsername('alice')).toBe('u1');
    expect(await registry.customerIdByUsername('bob')).toBeUndefined();
    expect(await registry.conversationWith('u1', 'p1')).toBe('u1/p1');
  });

  it('collects export attachments and retention counts across features, and finds the re-keying feature', async () => {
    const registry = new PrivacyHookRegistry();
    expect(registry.rekeyLegacyFiles).toBeUndefined();
    const budget = { embedded: 0, limit: 10 };
    const file = (id: string) => ({
      id,
      mid: 'm',
      type: 'file',
      filename: null,
      content_type: null,
      size: 1,
      sent_at: 0,
      url: `/api/attachments/${id}`,
      content_base64: null,
    });
    const hooks: PrivacyHooks = {
      messagesExpired: async (before, batch) => ({ attachments: before + batch }),
      exportAttachments: async (_customer, conversation, _access, b) => {
        b.embedded += 1;
        return [file(`${conversation}-a`)];
      },
      rekeyLegacyFiles: async () => ({ rekeyed: 1, missing: 0, failed: 0, remaining: 0, namesSealed: 0 }),
    };
    registry.register(hooks, { exportAttachments: async () => [] });
    expect(await registry.messagesExpired(5, 10)).toEqual({ attachments: 15 });
    const access = { purpose: 'customer_export', actor: 'customer:u1' } as const;
    expect((await registry.exportAttachments('u1', 'c1', access, budget)).map((a) => a.id)).toEqual(['c1-a']);
    expect(budget.embedded).toBe(1);
    expect(await registry.rekeyLegacyFiles?.()).toMatchObject({ rekeyed: 1 });
  });
});
