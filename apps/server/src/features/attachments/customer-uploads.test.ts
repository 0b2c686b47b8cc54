import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildGraphFixture, countRows } from '../../../test/contract/graph-fixtures.js';
import { buildTestHub, createPage, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { cleanFileName, sniffUploadType } from './customer-uploads.js';

// The smallest real files of each kind: a 1×1 PNG and a one-page PDF.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

describe('sniffUploadType and cleanFileName', () => {
  it('recognises photos and PDFs by their bytes only, and keeps names to a safe last segment', () => {
    expect(sniffUploadType(PNG)).toBe('image/png');
    expect(sniffUploadType(PDF)).toBe('application/pdf');
    expect(sniffUploadType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffUploadType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffUploadType(Buffer.from('MZ\x90\x00'))).toBeUndefined();
    expect(cleanFileName('C:\\fakepath\\receipt\u0007.pdf', 'application/pdf')).toBe('receipt.pdf');
    expect(cleanFileName('../', 'image/png')).toBe('photo.png');
    expect(cleanFileName(undefined, 'application/pdf')).toBe('document.pdf');
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: POST /api/conversations/:id/attachments and GET /platform/attachments/:id`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const upload = (
      cookie: string,
      conversationId: string,
      data: Buffer,
      name: string,
      type = 'application/octet-stream',
    ) =>
      hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conversationId}/attachments?name=${encodeURIComponent(name)}`,
        headers: { cookie, 'content-type': type },
        payload: data,
      });

    /** The webhook events queued for the page, opened as the delivery worker would. */
    const webhookMessages = async (customerId: string) => {
      const rows = await hub.ctx.storage.db
        .selectFrom('webhook_outbox')
        .select(['field', 'payload'])
        .where('field', '=', 'messages')
        .orderBy('id')
        .execute();
      return Promise.all(
        rows.map(
          async (r) =>
            (await hub.ctx.storage.vault.openPayload(
              { purpose: 'deliver_to_business', actor: 'test' },
              customerId,
              r.payload,
            )) as {
              message: { mid: string; text?: string; attachments?: Array<{ type: string; payload: { url: string } }> };
            },
        ),
      );
    };

    it('sends a photo and a PDF: the customer sees them, the page gets Messenger attachments events whose URLs open with its token only', async () => {
      const bank = await buildGraphFixture(hub, {
        page: await createPage(hub, { webhookUrl: 'https://bank.example/hook' }),
      });
      const photo = await upload(bank.customer.cookie, bank.conversationId, PNG, 'screenshot.png', 'image/png');
      expect(photo.statusCode, photo.body).toBe(201);
      expect(photo.json().body.attachments[0]).toMatchObject({
        type: 'image',
        payload: { name: 'screenshot.png', size: PNG.length },
      });
      const pdf = await upload(bank.customer.cookie, bank.conversationId, PDF, 'Receipt März.pdf');
      expect(pdf.statusCode, pdf.body).toBe(201);
      expect(pdf.json().body.attachments[0]).toMatchObject({ type: 'file', payload: { name: 'Receipt März.pdf' } });

      // The customer downloads their own files.
      const own = await hub.app.inject({
        method: 'GET',
        url: pdf.json().body.attachments[0].payload.url,
        headers: { cookie: bank.customer.cookie },
      });
      expect(own.statusCode).toBe(200);
      expect(own.rawPayload.equals(PDF)).toBe(true);

      const events = (await webhookMessages(bank.customer.id)).filter((e) => e.message.attachments !== undefined);
      expect(events.map((e) => e.message.attachments?.[0]?.type)).toEqual(['image', 'file']);
      expect(events[0]?.message.mid).toBe(photo.json().mid);
      const urls = events.map((e) => e.message.attachments?.[0]?.payload.url ?? '');
      for (const url of urls) expect(url).toMatch(/^http:\/\/localhost:\d+\/platform\/attachments\/\d+$/);
      const path = (url: string) => new URL(url).pathname;

      const withToken = await hub.app.inject({
        method: 'GET',
        url: path(urls[0]!),
        headers: { authorization: `Bearer ${bank.page.page_access_token}` },
      });
      expect(withToken.statusCode).toBe(200);
      expect(withToken.headers['content-type']).toBe('image/png');
      expect(withToken.rawPayload.equals(PNG)).toBe(true);
      const pdfByQuery = await hub.app.inject({
        method: 'GET',
        url: `${path(urls[1]!)}?access_token=${bank.page.page_access_token}`,
      });
      expect(pdfByQuery.statusCode).toBe(200);
      expect(pdfByQuery.headers['content-disposition']).toContain("filename*=UTF-8''Receipt%20M%C3%A4rz.pdf");
      expect(pdfByQuery.rawPayload.equals(PDF)).toBe(true);

      // Nobody else: no token, a bad token, another page's token, the customer's own cookie.
      const other = await createPage(hub, { name: 'Other Shop', category: 'merchant' });
      const noToken = await hub.app.inject({ method: 'GET', url: path(urls[0]!) });
      expect(noToken.statusCode).toBe(400);
      expect(noToken.json().error.code).toBe(190);
      expect(
        (await hub.app.inject({ method: 'GET', url: `${path(urls[0]!)}?access_token=${'x'.repeat(40)}` })).json().error
          .code,
      ).toBe(190);
      const foreign = await hub.app.inject({
        method: 'GET',
        url: `${path(urls[0]!)}?access_token=${other.page_access_token}`,
      });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error.code).toBe(100);
      expect(foreign.rawPayload.includes(PNG.subarray(8, 16))).toBe(false);
      expect(
        (await hub.app.inject({ method: 'GET', url: path(urls[0]!), headers: { cookie: bank.customer.cookie } })).json()
          .error.code,
      ).toBe(190);

      // The page can never send the customer's file as its own.
      const resend = await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${bank.page.page_access_token}`,
        payload: {
          recipient: { id: bank.psid },
          messaging_type: 'RESPONSE',
          message: {
            attachment: {
              type: 'image',
              payload: { attachment_id: photo.json().body.attachments[0].payload.attachment_id },
            },
          },
        },
      });
      expect(resend.statusCode).toBe(400);
    });

    it('stores the file sealed: neither its bytes nor its name appear in the blob store or the database', async () => {
      const bank = await buildGraphFixture(hub, {
        page: await createPage(hub, { webhookUrl: 'https://bank.example/hook' }),
      });
      const marker = Buffer.concat([PDF, Buffer.from('UNIQUE-MARKER-7f3a9')]);
      expect((await upload(bank.customer.cookie, bank.conversationId, marker, 'secret-name-q81.pdf')).statusCode).toBe(
        201,
      );
      const row = await hub.ctx.storage.db
        .selectFrom('attachments')
        .selectAll()
        .where('from_customer', '=', 1)
        .executeTakeFirstOrThrow();
      expect(row.filename).toBeNull();
      expect(row.filename_enc).not.toContain('secret-name');
      expect(row.key_enc).toBeNull();
      const blob = await hub.blobs.get(row.blob_key as string);
      expect(blob?.includes(Buffer.from('UNIQUE-MARKER'))).toBe(false);
      const messages = await hub.ctx.storage.db.selectFrom('messages').select('body').execute();
      expect(messages.some((m) => m.body.includes('secret-name'))).toBe(false);
    });

    it('refuses empty, unknown-type and oversized files, and conversations that are not the customer’s, writing nothing', async () => {
      const bank = await buildGraphFixture(hub, {
        page: await createPage(hub, { webhookUrl: 'https://bank.example/hook' }),
      });
      const other = await buildGraphFixture(hub);
      const before = await countRows(hub, 'attachments');
      const svg = await upload(
        bank.customer.cookie,
        bank.conversationId,
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        'x.svg',
        'image/svg+xml',
      );
      expect(svg.statusCode).toBe(415);
      expect(svg.json().error.message).toMatch(/photos .* PDF/);
      expect((await upload(bank.customer.cookie, bank.conversationId, Buffer.alloc(0), 'empty.png')).statusCode).toBe(
        400,
      );
      const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
      expect((await upload(bank.customer.cookie, bank.conversationId, big, 'big.pdf')).statusCode).toBe(413);
      expect((await upload(bank.customer.cookie, other.conversationId, PNG, 'x.png')).statusCode).toBe(404);
      const anonymous = await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${bank.conversationId}/attachments`,
        payload: PNG,
        headers: { 'content-type': 'image/png' },
      });
      expect(anonymous.statusCode).toBe(401);
      const crossSite = await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${bank.conversationId}/attachments`,
        payload: PNG,
        headers: { cookie: bank.customer.cookie, 'content-type': 'image/png', origin: 'https://evil.example' },
      });
      expect(crossSite.statusCode).toBe(403);
      expect(await countRows(hub, 'attachments')).toBe(before);
    });

    it('deleting the account shreds the file for the page too', async () => {
      const bank = await buildGraphFixture(hub, {
        page: await createPage(hub, { webhookUrl: 'https://bank.example/hook' }),
      });
      expect((await upload(bank.customer.cookie, bank.conversationId, PNG, 'a.png')).statusCode).toBe(201);
      const [event] = (await webhookMessages(bank.customer.id)).filter((e) => e.message.attachments !== undefined);
      const path = new URL(event?.message.attachments?.[0]?.payload.url ?? '').pathname;
      expect(
        (await hub.app.inject({ method: 'GET', url: `${path}?access_token=${bank.page.page_access_token}` }))
          .statusCode,
      ).toBe(200);
      const erased = await hub.app.inject({
        method: 'DELETE',
        url: '/api/account',
        headers: { cookie: bank.customer.cookie },
        payload: { password: 'correct horse battery' },
      });
      expect(erased.statusCode, erased.body).toBeLessThan(300);
      expect(
        (await hub.app.inject({ method: 'GET', url: `${path}?access_token=${bank.page.page_access_token}` }))
          .statusCode,
      ).toBe(400);
    });
  });
}
