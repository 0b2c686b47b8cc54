/**
 * Attachment files under per-file keys: a file sent to a customer opens only through the
 * copy of its key wrapped for their conversation, so erasing the customer (or that
 * history) makes it unreadable, even from copies of the blob and the rows taken before.
 * Reusable files stay the page's (page key); single-use files belong to the conversation
 * they were sent to. Files stored before per-file keys keep working and are re-sealed by
 * `confide keys rekey-attachments`, after which the hub-wide blob key is destroyed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ContentErasedError } from '../../src/privacy/purposes.js';
import type { Hub } from '../../src/hub.js';
import { buildTestHub, DIALECTS, openConversation, signUp, testClock, type TestHub } from '../helpers.js';
import { customerSays, scene, type Scene } from './fixtures.js';

const toCustomer = { purpose: 'deliver_to_customer', actor: 'test' } as const;

/** A multipart body: JSON fields plus one `filedata` part. */
function multipart(fields: Record<string, unknown>, file: { name: string; type: string; data: Buffer }) {
  const boundary = `----confide${randomBytes(4).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([k, v]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${typeof v === 'string' ? v : JSON.stringify(v)}\r\n`,
  );
  const payload = Buffer.concat([
    Buffer.from(
      `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload };
}

/** The business sends a file with its message (Send API multipart); returns the attachment id. */
async function sendFile(hub: Hub, s: Scene, data: Buffer, reusable: boolean): Promise<string> {
  const body = multipart(
    {
      recipient: { id: s.psid },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'file', payload: { is_reusable: reusable } } },
    },
    { name: 'statement.pdf', type: 'application/pdf', data },
  );
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
    ...body,
  });
  if (res.statusCode !== 200) throw new Error(`send failed: ${res.statusCode} ${res.body}`);
  const last = await hub.ctx.storage.db
    .selectFrom('message_attachments')
    .select('attachment_id')
    .where('mid', '=', res.json().message_id)
    .executeTakeFirstOrThrow();
  return last.attachment_id;
}

/** The business uploads a file (Attachment Upload API); returns its id. */
async function upload(hub: Hub, s: Scene, data: Buffer, reusable: boolean): Promise<string> {
  const body = multipart(
    { message: { attachment: { type: 'image', payload: { is_reusable: reusable } } } },
    { name: 'card.png', type: 'image/png', data },
  );
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/message_attachments?access_token=${s.page.page_access_token}`,
    ...body,
  });
  if (res.statusCode !== 200) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  return res.json().attachment_id;
}

/** The business sends an uploaded attachment by id to `psid`; returns the HTTP response. */
function sendById(hub: Hub, s: Scene, psid: string, attachmentId: string) {
  return hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
    payload: {
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'image', payload: { attachment_id: attachmentId } } },
    },
  });
}

/** Another customer of the same page, who wrote first (so the page may answer). */
async function customerOf(hub: Hub, s: Scene) {
  const customer = await signUp(hub);
  const conv = await openConversation(hub, customer.cookie, s.page.page_id);
  const psid = (
    await hub.ctx.storage.db
      .selectFrom('conversations')
      .select('psid')
      .where('id', '=', conv.id)
      .executeTakeFirstOrThrow()
  ).psid;
  await customerSays(hub, { ...s, customer, conversationId: conv.id, psid }, 'hello');
  return { ...customer, psid, conversationId: conv.id };
}

const download = (hub: Hub, cookie: string, id: string) =>
  hub.app.inject({ method: 'GET', url: `/api/attachments/${id}`, headers: { cookie } });

for (const dialect of DIALECTS) {
  describe(`${dialect}: attachments under per-file keys`, () => {
    let hub: TestHub | undefined;
    afterEach(async () => {
      await hub?.dispose();
      hub = undefined;
    });
    const start = async () => {
      hub = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      return hub;
    };
    const row = (h: Hub, id: string) =>
      h.ctx.storage.db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
    const copies = (h: Hub, id: string) =>
      h.ctx.storage.db.selectFrom('attachment_keys').selectAll().where('attachment_id', '=', id).execute();

    it('DELETE /api/account: before, the customer downloads and exports the files; after, the download fails and the copies taken before do not open', async () => {
      const h = await start();
      const s = await scene(h, 'my long password');
      await customerSays(h, s, 'please send my statement');
      const statement = Buffer.from('%PDF-1.4 CANARY-STATEMENT for alice');
      const brochure = Buffer.from('PNG CANARY-BROCHURE for everyone');
      const single = await sendFile(h, s, statement, false);
      const shared = await upload(h, s, brochure, true);
      expect((await sendById(h, s, s.psid, shared)).statusCode).toBe(200);

      // Before: both download; the store holds ciphertext only.
      const got = await download(h, s.customer.cookie, single);
      expect(got.statusCode).toBe(200);
      expect(got.rawPayload.equals(statement)).toBe(true);
      expect((await download(h, s.customer.cookie, shared)).rawPayload.equals(brochure)).toBe(true);
      const singleRow = await row(h, single);
      const sharedRow = await row(h, shared);
      // The single-use file has no page copy of its key: only the conversation's.
      expect(singleRow?.key_enc).toBeNull();
      expect(sharedRow?.key_enc).toMatch(/^f1\./);
      const stolenBlob = await h.blobs.get(singleRow?.blob_key ?? '');
      expect(stolenBlob?.includes(Buffer.from('CANARY'))).toBe(false);
      expect((await h.blobs.get(sharedRow?.blob_key ?? ''))?.includes(Buffer.from('CANARY'))).toBe(false);
      const stolenCopies = await copies(h, single);
      expect(stolenCopies).toMatchObject([{ conversation_id: s.conversationId, customer_id: s.customer.id }]);
      const owner = { kind: 'conversation', customerId: s.customer.id, conversationId: s.conversationId } as const;
      const vault = h.ctx.storage.vault;
      // With the keystore as it is now, the copies taken here open.
      const key = await vault.openFileKey(toCustomer, owner, single, stolenCopies[0]?.key_enc ?? '');
      expect(vault.openFile(key, stolenBlob ?? Buffer.alloc(0)).equals(statement)).toBe(true);

      // The export embeds both files, opened for customer_export.
      const exported = await h.app.inject({
        method: 'GET',
        url: '/api/privacy/export',
        headers: { cookie: s.customer.cookie },
      });
      expect(exported.statusCode).toBe(200);
      const conversation = exported.json().conversations[0];
      expect(conversation.attachments).toEqual([
        expect.objectContaining({
          id: single,
          type: 'file',
          filename: 'statement.pdf',
          url: `/api/attachments/${single}`,
          content_base64: statement.toString('base64'),
        }),
        expect.objectContaining({
          id: shared,
          type: 'image',
          size: brochure.length,
          content_base64: brochure.toString('base64'),
        }),
      ]);
      expect(JSON.stringify(conversation.messages)).toContain(`/api/attachments/${single}`);
      await h.services.privacy.flush();
      const fileAccesses = await h.ctx.storage.db
        .selectFrom('audit_log')
        .select(['purpose', 'details'])
        .where('action', '=', 'content.access')
        .where('customer_id', '=', s.customer.id)
        .execute();
      expect(fileAccesses.filter((r) => JSON.parse(r.details).column === 'blob').map((r) => r.purpose)).toEqual(
        expect.arrayContaining(['deliver_to_customer', 'customer_export']),
      );

      const res = await h.app.inject({
        method: 'DELETE',
        url: '/api/account',
        headers: { cookie: s.customer.cookie },
        payload: { password: 'my long password' },
      });
      expect(res.statusCode).toBe(204);

      // After: no download, and the copies taken before no longer open with the hub's KEK.
      expect((await download(h, s.customer.cookie, single)).statusCode).toBe(401);
      await expect(vault.openFileKey(toCustomer, owner, single, stolenCopies[0]?.key_enc ?? '')).rejects.toBeInstanceOf(
        ContentErasedError,
      );
      // The single-use file was the customer's alone: its row, key copies and blob are gone.
      expect(await row(h, single)).toBeUndefined();
      expect(await copies(h, single)).toEqual([]);
      expect(await copies(h, shared)).toEqual([]);
      expect(await h.blobs.get(singleRow?.blob_key ?? '')).toBeUndefined();
      const audit = await h.ctx.storage.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'customer.erased')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(audit.details)).toMatchObject({ attachments: 1 });

      // The reusable file is the page's: it still goes to, and opens for, another customer.
      const bob = await customerOf(h, s);
      expect((await sendById(h, s, bob.psid, shared)).statusCode).toBe(200);
      expect((await download(h, bob.cookie, shared)).rawPayload.equals(brochure)).toBe(true);
    });

    it('retention: a single-use file goes with the last message that carried it; reusable files and unsent uploads stay', async () => {
      const clock = testClock();
      const DAY = 86_400_000;
      hub = await buildTestHub({
        dialect,
        clock,
        env: { SERVICES: 'api,realtime', RETENTION_MESSAGE_DAYS: '30', SESSION_TTL_HOURS: String(24 * 90) },
      });
      const h = hub;
      const s = await scene(h);
      await customerSays(h, s, 'send me the statement');
      const single = await sendFile(h, s, Buffer.from('CANARY-OLD-STATEMENT'), false);
      const shared = await upload(h, s, Buffer.from('CANARY-BROCHURE'), true);
      expect((await sendById(h, s, s.psid, shared)).statusCode).toBe(200);
      const unsent = await upload(h, s, Buffer.from('CANARY-NOT-SENT-YET'), false);
      const blobKey = (await row(h, single))?.blob_key ?? '';
      expect(await h.blobs.get(blobKey)).toBeDefined();

      clock.advance(31 * DAY);
      await customerSays(h, s, 'the brochure again, please');
      expect((await sendById(h, s, s.psid, shared)).statusCode).toBe(200);
      const report = await h.services.privacy.sweepRetention();
      expect(report).toEqual({ messages: 3, webhooks: 0, attachments: 1 });

      // The statement's only message is gone, and the file with it: row, key copy and blob.
      expect(await row(h, single)).toBeUndefined();
      expect(await copies(h, single)).toEqual([]);
      expect(await h.blobs.get(blobKey)).toBeUndefined();
      expect((await download(h, s.customer.cookie, single)).statusCode).toBe(404);
      // The brochure was sent again since: it stays, with the conversation's copy of its key.
      expect(await row(h, shared)).toBeDefined();
      expect(await copies(h, shared)).toHaveLength(1);
      expect((await download(h, s.customer.cookie, shared)).rawPayload.equals(Buffer.from('CANARY-BROCHURE'))).toBe(
        true,
      );
      // An upload no message has carried yet is not retention's to delete.
      expect(await row(h, unsent)).toBeDefined();
      // Nothing left to sweep.
      expect(await h.services.privacy.sweepRetention()).toEqual({ messages: 0, webhooks: 0, attachments: 0 });
    });

    it('unlink with erase_history shreds the files of that conversation; the conversation goes on', async () => {
      const h = await start();
      const s = await scene(h);
      await customerSays(h, s, 'hi');
      const statement = Buffer.from('CANARY-HISTORY-FILE');
      const single = await sendFile(h, s, statement, false);
      expect((await download(h, s.customer.cookie, single)).statusCode).toBe(200);
      const before = await copies(h, single);
      const blobKey = (await row(h, single))?.blob_key ?? '';

      const res = await h.app.inject({
        method: 'POST',
        url: `/api/privacy/businesses/${s.page.page_id}/unlink`,
        headers: { cookie: s.customer.cookie },
        payload: { erase_history: true },
      });
      expect(res.statusCode).toBe(200);
      expect((await download(h, s.customer.cookie, single)).statusCode).toBe(404);
      const owner = { kind: 'conversation', customerId: s.customer.id, conversationId: s.conversationId } as const;
      await expect(
        h.ctx.storage.vault.openFileKey(toCustomer, owner, single, before[0]?.key_enc ?? ''),
      ).rejects.toBeInstanceOf(ContentErasedError);
      expect(await h.blobs.get(blobKey)).toBeUndefined();
      // A new file in the same conversation is under the new key and opens.
      const again = await sendFile(h, s, Buffer.from('after erasure'), false);
      expect((await download(h, s.customer.cookie, again)).body).toBe('after erasure');
    });

    it('a single-use upload belongs to the first conversation it is sent to; reusable ones go to anyone of the page', async () => {
      const h = await start();
      const alice = await scene(h);
      await customerSays(h, alice, 'hi');
      const bob = await customerOf(h, alice);
      const [bobCookie, bobPsid] = [bob.cookie, bob.psid];

      const once = await upload(h, alice, Buffer.from('one-off'), false);
      // Uploaded, not sent yet: the page holds the key.
      expect((await row(h, once))?.key_enc).toMatch(/^f1\./);
      expect((await sendById(h, alice, alice.psid, once)).statusCode).toBe(200);
      expect((await row(h, once))?.key_enc).toBeNull();
      expect((await sendById(h, alice, alice.psid, once)).statusCode).toBe(200);
      const refused = await sendById(h, alice, bobPsid, once);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toMatch(/attachment_id\] is not a valid attachment/);
      expect((await download(h, alice.customer.cookie, once)).body).toBe('one-off');
      expect((await download(h, bobCookie, once)).statusCode).toBe(404);

      const many = await upload(h, alice, Buffer.from('for all'), true);
      for (const psid of [alice.psid, bobPsid]) expect((await sendById(h, alice, psid, many)).statusCode).toBe(200);
      expect((await copies(h, many)).map((c) => c.customer_id).sort()).toEqual([alice.customer.id, bob.id].sort());
      expect((await download(h, bobCookie, many)).body).toBe('for all');
    });

    it('files stored the old way (hub-wide key) still download, and rekey-attachments moves them to per-file keys', async () => {
      const h = await start();
      const s = await scene(h);
      // A legacy file: sealed under the hub-wide blob key, no key copies, linked to a message.
      await customerSays(h, s, 'old statement please');
      const mid = (
        await h.ctx.storage.db
          .selectFrom('messages')
          .select('mid')
          .where('conversation_id', '=', s.conversationId)
          .executeTakeFirstOrThrow()
      ).mid;
      const legacyKey = await h.blobs.put(await h.ctx.storage.vault.sealBlob(Buffer.from('CANARY-LEGACY')));
      const id = '7000000000000001';
      await h.ctx.storage.db
        .insertInto('attachments')
        .values({
          id,
          page_id: s.page.page_id,
          app_id: s.page.app_id,
          type: 'file',
          blob_key: legacyKey,
          url: null,
          content_type: 'application/pdf',
          filename: 'old.pdf',
          size: 13,
          is_reusable: 0,
          created_at: 1,
          key_enc: null,
        })
        .execute();
      await h.ctx.storage.db
        .insertInto('message_attachments')
        .values({ attachment_id: id, conversation_id: s.conversationId, mid, created_at: 1 })
        .execute();
      expect((await download(h, s.customer.cookie, id)).body).toBe('CANARY-LEGACY');
      expect(await h.ctx.storage.vault.keystore.get('hub:blobs')).toBeDefined();

      const report = await h.services.privacy.rekeyAttachments();
      expect(report).toEqual({
        rekeyed: 1,
        missing: 0,
        failed: 0,
        remaining: 0,
        namesSealed: 1,
        legacyKeyDestroyed: true,
      });
      // The name was sealed with the file: the row holds no clear name any more.
      expect(await row(h, id)).toMatchObject({ filename: null, filename_enc: expect.stringMatching(/^n1\./) });
      expect(await h.ctx.storage.vault.keystore.get('hub:blobs')).toBeUndefined();
      expect(await h.blobs.get(legacyKey)).toBeUndefined();
      const moved = await row(h, id);
      expect(moved?.key_enc).toBeNull(); // single-use and already sent: the conversation's only
      expect(await copies(h, id)).toMatchObject([{ conversation_id: s.conversationId }]);
      expect((await download(h, s.customer.cookie, id)).body).toBe('CANARY-LEGACY');
      expect(await h.services.privacy.rekeyAttachments()).toMatchObject({ rekeyed: 0, remaining: 0 });

      // Now erasure shreds it like any other file.
      const stolen = await copies(h, id);
      await h.services.privacy.deleteCustomerByUsername(s.customer.username);
      const owner = { kind: 'conversation', customerId: s.customer.id, conversationId: s.conversationId } as const;
      await expect(
        h.ctx.storage.vault.openFileKey(toCustomer, owner, id, stolen[0]?.key_enc ?? ''),
      ).rejects.toBeInstanceOf(ContentErasedError);
      expect(await h.blobs.get(moved?.blob_key ?? '')).toBeUndefined();
    });
  });
}
