/**
 * Isolation: every Platform API endpoint tried with another page's PSID, mid, persona or
 * attachment answers exactly as if the id did not exist (same code, subcode and message),
 * and changes nothing. Runs on both dialects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, DIALECTS, type TestHub } from '../helpers.js';
import { buildGraphFixture, countRows, customerMessages, textSend, type GraphFixture } from './graph-fixtures.js';

const UNKNOWN_PSID = '1000000000000001';

for (const dialect of DIALECTS) {
  describe(`${dialect}: Platform API isolation between pages`, () => {
    let hub: TestHub;
    let mine: GraphFixture;
    let theirs: GraphFixture;
    let theirMid: string;
    let theirPersona: string;
    let theirAttachment: string;

    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      mine = await buildGraphFixture(hub);
      theirs = await buildGraphFixture(hub);
      theirMid = (await customerMessages(hub, theirs))[0]!.mid;
      const t = theirs.page.page_access_token;
      theirPersona = (
        await hub.app.inject({
          method: 'POST',
          url: `/me/personas?access_token=${t}`,
          payload: { name: 'Eve', profile_picture_url: 'https://shop.example/eve.png' },
        })
      ).json().id;
      theirAttachment = (
        await hub.app.inject({
          method: 'POST',
          url: `/me/message_attachments?access_token=${t}`,
          payload: {
            message: {
              attachment: { type: 'image', payload: { url: 'https://shop.example/x.png', is_reusable: true } },
            },
          },
        })
      ).json().attachment_id;
    });
    afterEach(async () => {
      await hub.dispose();
    });

    /** Calls with my token; answers the error without its trace id. */
    async function errorOf(
      method: 'GET' | 'POST' | 'DELETE',
      path: string,
      payload?: object,
    ): Promise<Record<string, unknown>> {
      const res = await hub.app.inject({
        method,
        url: `${path}${path.includes('?') ? '&' : '?'}access_token=${mine.page.page_access_token}`,
        ...(payload === undefined ? {} : { payload }),
      });
      expect(res.statusCode, `${method} ${path}`).toBe(400);
      const { fbtrace_id: _trace, ...rest } = res.json().error as Record<string, unknown>;
      return rest;
    }

    /** `build(id)` with their id must answer like `build(unknown)`. */
    async function expectSameAsUnknown(
      theirId: string,
      unknownId: string,
      call: (id: string) => Promise<Record<string, unknown>>,
    ): Promise<void> {
      const foreign = await call(theirId);
      const unknown = await call(unknownId);
      expect(foreign).toEqual(unknown);
    }

    it('PSIDs of another page look unknown on every endpoint that takes one', async () => {
      const psidCalls: Array<(psid: string) => Promise<Record<string, unknown>>> = [
        (psid) => errorOf('POST', '/v25.0/me/messages', textSend(psid)),
        (psid) => errorOf('POST', `/v25.0/${mine.page.page_id}/messages`, textSend(psid)),
        (psid) => errorOf('POST', '/me/messages', { recipient: { id: psid }, sender_action: 'typing_on' }),
        (psid) => errorOf('POST', '/me/messages', { recipient: { id: psid }, sender_action: 'mark_seen' }),
        (psid) =>
          errorOf('POST', '/me/pass_thread_control', { recipient: { id: psid }, target_app_id: '263902037430900' }),
        (psid) => errorOf('POST', '/me/take_thread_control', { recipient: { id: psid } }),
        (psid) => errorOf('POST', '/me/request_thread_control', { recipient: { id: psid } }),
        (psid) => errorOf('POST', '/me/release_thread_control', { recipient: { id: psid } }),
        (psid) => errorOf('GET', `/me/thread_owner?recipient=${psid}`),
        (psid) => errorOf('GET', `/v6.0/${psid}?fields=first_name`),
        (psid) => errorOf('DELETE', `/v6.0/${psid}`),
      ];
      for (const call of psidCalls) await expectSameAsUnknown(theirs.psid, UNKNOWN_PSID, call);
    });

    it('mids, personas and attachments of another page look unknown', async () => {
      await expectSameAsUnknown(theirMid, 'm_doesnotexist', (mid) =>
        errorOf('POST', '/me/messages', { ...textSend(mine.psid), reply_to: { mid } }),
      );
      await expectSameAsUnknown(theirPersona, '1234567', (id) =>
        errorOf('POST', '/me/messages', { ...textSend(mine.psid), persona_id: id }),
      );
      await expectSameAsUnknown(theirPersona, '1234567', (id) => errorOf('GET', `/v6.0/${id}`));
      await expectSameAsUnknown(theirPersona, '1234567', (id) => errorOf('DELETE', `/v6.0/${id}`));
      await expectSameAsUnknown(theirAttachment, '7654321', (id) =>
        errorOf('POST', '/me/messages', {
          ...textSend(mine.psid),
          message: { attachment: { type: 'image', payload: { attachment_id: id } } },
        }),
      );
      await expectSameAsUnknown(theirs.page.page_id, '999999999999999', (id) => errorOf('GET', `/v6.0/${id}`));
      await expectSameAsUnknown(theirs.page.page_id, '999999999999999', (id) =>
        errorOf('POST', `/v6.0/${id}/messages`, textSend(mine.psid)),
      );
      await expectSameAsUnknown(theirs.page.page_id, '999999999999999', (id) =>
        errorOf('GET', `/v6.0/${id}/messenger_profile`),
      );
    });

    it('nothing of the other page changed: its thread, persona and messages are intact', async () => {
      await errorOf('POST', '/me/pass_thread_control', {
        recipient: { id: theirs.psid },
        target_app_id: '263902037430900',
      });
      await errorOf('DELETE', `/v6.0/${theirPersona}`);
      const t = theirs.page.page_access_token;
      expect(
        (
          await hub.app.inject({ method: 'GET', url: `/me/thread_owner?recipient=${theirs.psid}&access_token=${t}` })
        ).json().data[0].thread_owner.app_id,
      ).toBe(theirs.page.app_id);
      expect(
        (await hub.app.inject({ method: 'GET', url: `/v6.0/${theirPersona}?access_token=${t}` })).json().name,
      ).toBe('Eve');
      expect(await countRows(hub, 'messages')).toBe(2);
      expect(await countRows(hub, 'message_attachments')).toBe(0);
    });
  });
}
