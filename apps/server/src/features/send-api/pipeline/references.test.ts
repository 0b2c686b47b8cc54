/**
 * The references step on its own, on both dialects: what a message may refer to (a message of
 * its conversation, attachments of its page that may go to this conversation, the request's
 * one file), checked by reading only.
 */
import { randomBytes } from 'node:crypto';
import type { OutgoingMessage } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../../hub.js';
import { buildGraphFixture, customerMessages, type GraphFixture } from '../../../../test/contract/graph-fixtures.js';
import { buildTestHub, DIALECTS, type TestHub } from '../../../../test/helpers.js';
import { checkReferences } from './references.js';

/** An image the page uploads (multipart); single-use unless `reusable`. */
async function upload(hub: Hub, token: string, reusable: boolean): Promise<string> {
  const boundary = `----confide${randomBytes(4).toString('hex')}`;
  const message = JSON.stringify({ attachment: { type: 'image', payload: { is_reusable: reusable } } });
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\n${message}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="filedata"; filename="a.png"\r\n`),
    Buffer.from('Content-Type: image/png\r\n\r\n'),
    randomBytes(32),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v19.0/me/message_attachments?access_token=${token}`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
  if (res.statusCode !== 200) throw new Error(`upload failed: ${res.body}`);
  return res.json().attachment_id as string;
}

const image = (attachmentId: string): OutgoingMessage => ({
  attachment: { type: 'image', payload: { attachment_id: attachmentId } },
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: the references step`, () => {
    let hub: TestHub;
    let fx: GraphFixture;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      fx = await buildGraphFixture(hub);
    });
    afterEach(async () => {
      await hub.dispose();
    });

    const check = (f: GraphFixture, message: OutgoingMessage, extra: { replyTo?: string; hasFile?: boolean } = {}) =>
      checkReferences(hub.ctx.storage.db, {
        pageId: f.page.page_id,
        conv: { id: f.conversationId, page_id: f.page.page_id },
        message,
        replyTo: extra.replyTo,
        hasFile: extra.hasFile ?? false,
      });
    const param = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (err: { key?: string; detail?: { param?: string } }) => `${err.key} ${err.detail?.param}`,
      );

    it('reply_to: a message of this conversation only', async () => {
      const [mine] = await customerMessages(hub, fx);
      const other = await buildGraphFixture(hub, { page: fx.page });
      const [theirs] = await customerMessages(hub, other);
      expect(await param(check(fx, { text: 'x' }, { replyTo: mine!.mid }))).toBe('ok');
      expect(await param(check(fx, { text: 'x' }, { replyTo: theirs!.mid }))).toBe('INVALID_PARAMETER reply_to.mid');
    });

    it('attachment_id: this page’s, and a single-use file only to the conversation it went to', async () => {
      const token = fx.page.page_access_token;
      const reusable = await upload(hub, token, true);
      const refs = await check(fx, image(reusable));
      expect(refs.get('message.attachment')?.id).toBe(reusable);
      const elsewhere = await buildGraphFixture(hub);
      const foreign = await upload(hub, elsewhere.page.page_access_token, true);
      expect(await param(check(fx, image(foreign)))).toBe('INVALID_PARAMETER message.attachment.payload.attachment_id');

      const single = await upload(hub, token, false);
      const other = await buildGraphFixture(hub, { page: fx.page });
      expect(await param(check(other, image(single)))).toBe('ok');
      const sent = await hub.app.inject({
        method: 'POST',
        url: `/v19.0/me/messages?access_token=${token}`,
        payload: { recipient: { id: fx.psid }, messaging_type: 'RESPONSE', message: image(single) },
      });
      expect(sent.statusCode).toBe(200);
      expect(await param(check(fx, image(single)))).toBe('ok');
      expect(await param(check(other, image(single)))).toBe(
        'INVALID_PARAMETER message.attachment.payload.attachment_id',
      );
    });

    it('a media attachment without URL or id needs the request’s file, which serves one attachment', async () => {
      const file: OutgoingMessage = { attachment: { type: 'file', payload: {} } };
      expect(await param(check(fx, file))).toBe('INVALID_PARAMETER message.attachment.payload');
      expect(await param(check(fx, file, { hasFile: true }))).toBe('ok');
      const two: OutgoingMessage = {
        attachments: [
          { type: 'image', payload: {} },
          { type: 'image', payload: {} },
        ],
      };
      expect(await param(check(fx, two, { hasFile: true }))).toBe('INVALID_PARAMETER message.attachments.1.payload');
    });
  });
}
