/**
 * NUL bytes and deep nesting are refused at the boundary with 400 in the surface's own
 * envelope, on both dialects (on PostgreSQL a NUL that reached SQL answered 500, and a
 * 5,000-deep persistent_menu overflowed the stack in JSON.stringify).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestHub, createPage, DIALECTS, openConversation, signUp, type TestHub } from '../helpers.js';

/** A menu item nested `levels` deep, written as JSON text (JSON.stringify itself would overflow). */
const deep = (levels: number): string =>
  '{"type":"nested","title":"x","call_to_actions":['.repeat(levels) +
  '{"type":"postback","title":"x","payload":"P"}' +
  ']}'.repeat(levels);

describe.each(DIALECTS)('input guard (%s)', (dialect) => {
  let hub: TestHub;
  let token: string;
  let pageId: string;
  let cookie: string;
  let conversationId: string;
  beforeEach(async () => {
    hub = await buildTestHub({ dialect });
    const page = await createPage(hub);
    token = page.page_access_token;
    pageId = page.page_id;
    cookie = (await signUp(hub)).cookie;
    conversationId = (await openConversation(hub, cookie, pageId)).id;
  });
  afterEach(() => hub.dispose());

  it('customer API: a NUL in a path id, a query or a body answers 400 BAD_REQUEST in the customer error shape', async () => {
    for (const [method, url, payload] of [
      ['GET', '/api/conversations/%00/messages', undefined],
      ['GET', '/api/pages?q=%00', undefined],
      ['POST', `/api/conversations/${conversationId}/messages`, { text: 'hi', reply_to: { mid: 'm_\u0000' } }],
      ['POST', '/api/conversations', { page_id: `${pageId}\u0000` }],
    ] as const) {
      const res = await hub.app.inject({
        method,
        url,
        headers: { cookie },
        ...(payload === undefined ? {} : { payload }),
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toMatchObject({
        code: 'BAD_REQUEST',
        status: 400,
        message: expect.stringMatching(/NUL/),
      });
    }
  });

  it('Platform API: NUL in a persona name and a 5,000-deep persistent_menu answer 400 in the Graph envelope', async () => {
    const persona = await hub.app.inject({
      method: 'POST',
      url: `/me/personas?access_token=${token}`,
      payload: { name: 'Da\u0000na', profile_picture_url: 'https://example.com/a.png' },
    });
    expect(persona.statusCode).toBe(400);
    expect(persona.json().error).toMatchObject({
      type: 'OAuthException',
      code: 100,
      message: expect.stringMatching(/NUL/),
    });
    const menu = `{"persistent_menu":[{"locale":"default","call_to_actions":[${deep(5000)}]}]}`;
    const res = await hub.app.inject({
      method: 'POST',
      url: `/me/messenger_profile?access_token=${token}`,
      headers: { 'content-type': 'application/json' },
      payload: menu,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 100, message: expect.stringMatching(/nested deeper/) });
    // An ordinary nested menu still passes.
    const ok = await hub.app.inject({
      method: 'POST',
      url: `/me/messenger_profile?access_token=${token}`,
      payload: {
        persistent_menu: [
          { locale: 'default', call_to_actions: [{ type: 'postback', title: 'Balance', payload: 'BALANCE' }] },
        ],
      },
    });
    expect(ok.json()).toEqual({ result: 'success' });
  });
});
