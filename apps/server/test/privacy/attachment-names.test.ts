/**
 * Issue 13 #9: an uploaded file's name is sealed with the file (under its own key), so the
 * raw database bytes (SQLite file and WAL, or every PostgreSQL row) never hold it, while the
 * customer still downloads the file under its name and finds it in their export. Names
 * stored in clear before are sealed by `confide keys rekey-attachments`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.js';
import { buildTestHub, DIALECTS, testClock, type TestHub } from '../helpers.js';
import { customerSays, rawPostgresText, rawSqliteBytes, scene, type Scene } from './fixtures.js';

const canaryName = (ext: string) => `Statement-NAME${randomBytes(6).toString('hex').toUpperCase()}.${ext}`;

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

/** The business sends a single-use file with its message (Send API multipart); returns the attachment id. */
async function sendFile(hub: Hub, s: Scene, name: string): Promise<string> {
  const body = multipart(
    { recipient: { id: s.psid }, messaging_type: 'RESPONSE', message: { attachment: { type: 'file', payload: {} } } },
    { name, type: 'application/pdf', data: Buffer.from('%PDF-1.4 statement') },
  );
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
    ...body,
  });
  if (res.statusCode !== 200) throw new Error(`send failed: ${res.statusCode} ${res.body}`);
  const link = await hub.ctx.storage.db
    .selectFrom('message_attachments')
    .select('attachment_id')
    .where('mid', '=', res.json().message_id)
    .executeTakeFirstOrThrow();
  return link.attachment_id;
}

/** The business uploads a reusable file (Attachment Upload API), then sends it by id. */
async function uploadAndSend(hub: Hub, s: Scene, name: string): Promise<string> {
  const body = multipart(
    { message: { attachment: { type: 'file', payload: { is_reusable: true } } } },
    { name, type: 'application/pdf', data: Buffer.from('brochure') },
  );
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/message_attachments?access_token=${s.page.page_access_token}`,
    ...body,
  });
  if (res.statusCode !== 200) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  const id: string = res.json().attachment_id;
  const sent = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/messages?access_token=${s.page.page_access_token}`,
    payload: {
      recipient: { id: s.psid },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'file', payload: { attachment_id: id } } },
    },
  });
  if (sent.statusCode !== 200) throw new Error(`send failed: ${sent.statusCode} ${sent.body}`);
  return id;
}

const download = (hub: Hub, s: Scene, id: string) =>
  hub.app.inject({ method: 'GET', url: `/api/attachments/${id}`, headers: { cookie: s.customer.cookie } });

for (const dialect of DIALECTS) {
  describe(`${dialect}: attachment file names at rest`, () => {
    let hub: TestHub | undefined;
    let dataDir: string | undefined;
    afterEach(async () => {
      await hub?.dispose();
      if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true });
      hub = undefined;
      dataDir = undefined;
    });

    it('keeps uploaded file names out of the stored bytes; the download and the export carry them', async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-names-'));
      const h = await buildTestHub({ dialect, dataDir, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      hub = h;
      const s = await scene(h);
      await customerSays(h, s, 'send my statement please');
      const single = canaryName('pdf');
      const reusable = canaryName('pdf');
      const singleId = await sendFile(h, s, single);
      const reusableId = await uploadAndSend(h, s, reusable);

      for (const [id, name] of [
        [singleId, single],
        [reusableId, reusable],
      ] as const) {
        const got = await download(h, s, id);
        expect(got.statusCode, got.body).toBe(200);
        expect(got.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
      }
      const exported = await h.app.inject({
        method: 'GET',
        url: '/api/privacy/export',
        headers: { cookie: s.customer.cookie },
      });
      expect(exported.json().conversations[0].attachments.map((a: { filename: string }) => a.filename)).toEqual([
        single,
        reusable,
      ]);

      const rows = await h.ctx.storage.db.selectFrom('attachments').select(['filename', 'filename_enc']).execute();
      expect(rows).toHaveLength(2);
      for (const r of rows) expect(r).toMatchObject({ filename: null, filename_enc: expect.stringMatching(/^n1\./) });

      if (dialect === 'sqlite') {
        // While the hub runs (the WAL holds the latest pages) and after it closed.
        expect(fs.existsSync(path.join(dataDir, 'confide.db-wal'))).toBe(true);
        for (const bytes of [rawSqliteBytes(dataDir), await h.close().then(() => rawSqliteBytes(dataDir as string))]) {
          expect(bytes.includes(Buffer.from(s.conversationId))).toBe(true);
          for (const name of [single, reusable]) expect(bytes.includes(Buffer.from(name)), name).toBe(false);
        }
      } else {
        const text = await rawPostgresText(h);
        expect(text).toContain(s.conversationId);
        for (const name of [single, reusable]) expect(text.includes(name), name).toBe(false);
      }
    });

    it('rekey-attachments seals names stored in clear before; the download keeps the name', async () => {
      const h = await buildTestHub({ dialect, clock: testClock(), env: { SERVICES: 'api,realtime' } });
      hub = h;
      const s = await scene(h);
      await customerSays(h, s, 'hello');
      const name = canaryName('pdf');
      const singleId = await sendFile(h, s, name);
      const reusableId = await uploadAndSend(h, s, 'brochure.pdf');
      // Rows as stored before migration 013: the name in clear.
      await h.ctx.storage.db
        .updateTable('attachments')
        .set({ filename: name, filename_enc: null })
        .where('id', '=', singleId)
        .execute();
      await h.ctx.storage.db
        .updateTable('attachments')
        .set({ filename: 'old-brochure.pdf', filename_enc: null })
        .where('id', '=', reusableId)
        .execute();
      expect((await download(h, s, singleId)).headers['content-disposition']).toBe(`attachment; filename="${name}"`);

      expect(await h.services.privacy.rekeyAttachments()).toMatchObject({ rekeyed: 0, failed: 0, namesSealed: 2 });
      const rows = await h.ctx.storage.db
        .selectFrom('attachments')
        .select(['id', 'filename', 'filename_enc'])
        .orderBy('id')
        .execute();
      for (const r of rows) expect(r).toMatchObject({ filename: null, filename_enc: expect.stringMatching(/^n1\./) });
      expect((await download(h, s, singleId)).headers['content-disposition']).toBe(`attachment; filename="${name}"`);
      expect((await download(h, s, reusableId)).headers['content-disposition']).toBe(
        'attachment; filename="old-brochure.pdf"',
      );
      expect(await h.services.privacy.rekeyAttachments()).toMatchObject({ namesSealed: 0 });
    });
  });
}
