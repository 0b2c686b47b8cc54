import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { kekFromBytes } from '../crypto/kek.js';
import { SqliteKeyStore } from './keystore.js';
import { Vault, type AccessEvent } from './vault.js';
import { ContentErasedError, PurposeDeniedError, type Access } from './purposes.js';
import { AttachmentFiles } from './attachment-files.js';
import type { BlobStore } from '../storage/blob-store.js';

const toCustomer: Access = { purpose: 'deliver_to_customer', actor: 'customer:u1' };

function vault() {
  const keystore = new SqliteKeyStore(null);
  return { keystore, vault: new Vault({ keystore, kek: kekFromBytes(randomBytes(32)) }) };
}

describe('Vault', () => {
  it('seals under a per-conversation key that only the owning customer opens', async () => {
    const { vault: v } = vault();
    const sealed = await v.sealMessage('u1', 'c_1', { text: 'hello' });
    expect(sealed).toMatch(/^c1\.c_1\./);
    expect(sealed).not.toContain('hello');
    await expect(v.openMessage(toCustomer, 'u1', sealed)).resolves.toEqual({ text: 'hello' });
    await expect(v.openMessage(toCustomer, 'u2', sealed)).rejects.toThrow();
    // A flipped byte fails authentication.
    const tampered = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
    await expect(v.openMessage(toCustomer, 'u1', tampered)).rejects.toThrow();
  });

  it('refuses a purpose outside the closed list and reports the attempt', async () => {
    const { vault: v } = vault();
    const events: AccessEvent[] = [];
    v.observe((e) => events.push(e));
    const sealed = await v.sealPayload('u1', 'c_1', { a: 1 });
    const marketing = { purpose: 'marketing', actor: 'app:9' } as unknown as Access;
    await expect(v.openPayload(marketing, 'u1', sealed)).rejects.toBeInstanceOf(PurposeDeniedError);
    await expect(v.openPayload({ purpose: 'deliver_to_business', actor: 'app:9' }, 'u1', sealed)).resolves.toEqual({
      a: 1,
    });
    expect(events).toEqual([
      { kind: 'denied', purpose: 'marketing', actor: 'app:9', customerId: 'u1' },
      {
        kind: 'open',
        access: { purpose: 'deliver_to_business', actor: 'app:9' },
        customerId: 'u1',
        conversationId: 'c_1',
        column: 'webhook_outbox.payload',
      },
    ]);
  });

  it('opens a webhook payload as the JSON text its value serialises to, sealed or from before encryption', async () => {
    const { vault: v } = vault();
    const deliver: Access = { purpose: 'deliver_to_business', actor: 'app:9' };
    const value = { b: 'Grüße 👋 \u2028', 10: [1.5e21, -0, null], a: { z: 'x', 2: true } };
    const sealed = await v.sealPayload('u1', 'c_1', value);
    await expect(v.openPayloadJson(deliver, 'u1', sealed)).resolves.toBe(JSON.stringify(value));
    // A plain row written before encryption at rest, spaced: the same text as its value's.
    const plain = JSON.stringify(value, null, 2);
    await expect(v.openPayloadJson(deliver, 'u1', plain)).resolves.toBe(JSON.stringify(JSON.parse(plain)));
    await expect(
      v.openPayloadJson({ purpose: 'marketing', actor: 'app:9' } as unknown as Access, 'u1', sealed),
    ).rejects.toBeInstanceOf(PurposeDeniedError);
  });

  it('erasing a conversation or a customer makes their content unreadable', async () => {
    const { vault: v, keystore } = vault();
    const a = await v.sealMessage('u1', 'c_a', { text: 'a' });
    const b = await v.sealMessage('u1', 'c_b', { text: 'b' });
    await v.eraseConversation('u1', 'c_a');
    await expect(v.openMessage(toCustomer, 'u1', a)).rejects.toBeInstanceOf(ContentErasedError);
    await expect(v.openMessage(toCustomer, 'u1', b)).resolves.toEqual({ text: 'b' });
    await v.eraseCustomer('u1');
    await expect(v.openMessage(toCustomer, 'u1', b)).rejects.toBeInstanceOf(ContentErasedError);
    expect(await keystore.get('customer:u1')).toBeUndefined();
  });

  it('rotates the KEK by re-wrapping keys, without touching sealed data', async () => {
    const keystore = new SqliteKeyStore(null);
    const old = kekFromBytes(randomBytes(32));
    const sealed = await new Vault({ keystore, kek: old }).sealMessage('u1', 'c_1', { text: 'kept' });
    const before = await keystore.get('customer:u1');
    const next = kekFromBytes(randomBytes(32));
    // Without the old KEK the key cannot be unwrapped at all.
    await expect(new Vault({ keystore, kek: next }).openMessage(toCustomer, 'u1', sealed)).rejects.toThrow(
      /KEK_PREVIOUS/,
    );
    // During the rotation both work; rewrapAll moves every key to the new KEK.
    const rotating = new Vault({ keystore, kek: next, previousKeks: [old] });
    await expect(rotating.openMessage(toCustomer, 'u1', sealed)).resolves.toEqual({ text: 'kept' });
    expect(await rotating.rewrapAll()).toEqual({ rewrapped: 1, current: 0 });
    expect(await rotating.rewrapAll()).toEqual({ rewrapped: 0, current: 1 });
    const after = await keystore.get('customer:u1');
    expect(after?.kekId).toBe(next.id);
    expect(after?.material).not.toBe(before?.material);
    // The old KEK can now be destroyed.
    await expect(new Vault({ keystore, kek: next }).openMessage(toCustomer, 'u1', sealed)).resolves.toEqual({
      text: 'kept',
    });
  });
});

describe('Vault: attachment files', () => {
  const conv = (customerId: string, conversationId: string) =>
    ({ kind: 'conversation', customerId, conversationId }) as const;

  it('seals a file under its own key, wrapped per conversation and per page; erasure destroys the conversation copy only', async () => {
    const { vault: v } = vault();
    const events: AccessEvent[] = [];
    v.observe((e) => events.push(e));
    const { sealed, fileKey } = v.sealFile(Buffer.from('CANARY-IN-A-PDF'));
    expect(sealed.includes(Buffer.from('CANARY'))).toBe(false);
    expect(v.isSealedFile(sealed)).toBe(true);
    const forAlice = await v.wrapFileKey(conv('u1', 'c_1'), 'a1', fileKey);
    const forPage = await v.wrapFileKey({ kind: 'page', pageId: 'p1' }, 'a1', fileKey);
    expect(forAlice).not.toBe(forPage);

    const opened = await v.openFileKey(toCustomer, conv('u1', 'c_1'), 'a1', forAlice);
    expect(v.openFile(opened, sealed).toString()).toBe('CANARY-IN-A-PDF');
    expect(events).toEqual([
      { kind: 'open', access: toCustomer, customerId: 'u1', conversationId: 'c_1', column: 'blob' },
    ]);
    // Bound to its owner and attachment: another attachment id, conversation or customer does not open it.
    await expect(v.openFileKey(toCustomer, conv('u1', 'c_1'), 'a2', forAlice)).rejects.toThrow();
    await expect(v.openFileKey(toCustomer, conv('u1', 'c_2'), 'a1', forAlice)).rejects.toThrow();
    await expect(v.openFileKey(toCustomer, { kind: 'page', pageId: 'p1' }, 'a1', forAlice)).rejects.toThrow();
    const marketing = { purpose: 'marketing', actor: 'x' } as unknown as Access;
    await expect(v.openFileKey(marketing, conv('u1', 'c_1'), 'a1', forAlice)).rejects.toBeInstanceOf(
      PurposeDeniedError,
    );
    // A forged handle is not a key.
    expect(() => v.openFile({ kind: 'file-key' }, sealed)).toThrow(/not a file key/i);

    await v.eraseCustomer('u1');
    await expect(v.openFileKey(toCustomer, conv('u1', 'c_1'), 'a1', forAlice)).rejects.toBeInstanceOf(
      ContentErasedError,
    );
    // The page's own copy (a file it may send again) is not the customer's and still opens.
    expect(
      v.openFile(await v.openFileKey(toCustomer, { kind: 'page', pageId: 'p1' }, 'a1', forPage), sealed).toString(),
    ).toBe('CANARY-IN-A-PDF');
  });

  it('erasing one conversation history destroys that conversation copy', async () => {
    const { vault: v } = vault();
    const { sealed, fileKey } = v.sealFile(Buffer.from('statement'));
    const wrapped = await v.wrapFileKey(conv('u1', 'c_1'), 'a1', fileKey);
    await v.eraseConversation('u1', 'c_1');
    await expect(v.openFileKey(toCustomer, conv('u1', 'c_1'), 'a1', wrapped)).rejects.toBeInstanceOf(
      ContentErasedError,
    );
    expect(() => v.openFile(v.sealFile(Buffer.from('other')).fileKey, sealed)).toThrow();
  });
});

describe('AttachmentFiles', () => {
  it('writes only ciphertext to the store; a file opens with its own key, a legacy blob with the hub key', async () => {
    const inner = new Map<string, Buffer>();
    const store: BlobStore = {
      async put(data) {
        const key = String(inner.size);
        inner.set(key, data);
        return key;
      },
      async get(key) {
        return inner.get(key);
      },
      async delete(key) {
        inner.delete(key);
      },
      async dispose() {},
    };
    const { vault: v } = vault();
    const files = new AttachmentFiles(store, v);
    const { blobKey, fileKey } = await files.put(Buffer.from('CANARY-IN-A-PDF'));
    expect(inner.get(blobKey)?.includes(Buffer.from('CANARY-IN-A-PDF'))).toBe(false);
    expect((await files.read(blobKey, fileKey))?.toString()).toBe('CANARY-IN-A-PDF');
    // The legacy path (hub-wide blob key) never hands out a per-file sealed blob.
    expect(await files.readLegacy(toCustomer, blobKey)).toBeUndefined();
    const legacy = await store.put(await v.sealBlob(Buffer.from('old statement')));
    expect((await files.readLegacy(toCustomer, legacy))?.toString()).toBe('old statement');
    expect(await files.read('missing', fileKey)).toBeUndefined();
  });
});

describe('Vault across processes', () => {
  const setup = () => {
    const keystore = new SqliteKeyStore(null);
    const kek = kekFromBytes(randomBytes(32));
    const clock = { t: 1_000_000 };
    return {
      clock,
      a: new Vault({ keystore, kek, now: () => clock.t }),
      b: new Vault({ keystore, kek, now: () => clock.t }),
    };
  };

  it('opens content re-keyed by another process although its cached key is stale', async () => {
    const { a, b } = setup();
    await b.sealMessage('u1', 'c_1', { text: 'warms b' });
    await a.eraseConversation('u1', 'c_1');
    const fromA = await a.sealMessage('u1', 'c_1', { text: 'after erasure' });
    await expect(b.openMessage(toCustomer, 'u1', fromA)).resolves.toEqual({ text: 'after erasure' });
  });

  it('does not seal under a key another process erased once its cached copy is past the re-check age', async () => {
    const { clock, a, b } = setup();
    await b.sealMessage('u1', 'c_1', { text: 'warms b' });
    await a.eraseConversation('u1', 'c_1');
    clock.t += 6_000;
    const fromB = await b.sealMessage('u1', 'c_1', { text: 'from b' });
    await expect(a.openMessage(toCustomer, 'u1', fromB)).resolves.toEqual({ text: 'from b' });
  });
});
