import type { MessageBody, ServerFrame } from '@confide/protocol';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MediaLinks } from './media-links.js';

const links = new MediaLinks(randomBytes(32), 'https://hub.example');
const alice = { kind: 'customer', id: 'cus_alice' } as const;
const bob = { kind: 'customer', id: 'cus_bob' } as const;
const agent = { kind: 'agent', id: 'agt_ada' } as const;
const proxied = (url: string) =>
  expect.stringMatching(
    new RegExp(`^/api/media/image\\?url=${encodeURIComponent(url).replace(/[.?]/g, '\\$&')}&sig=[\\w-]{22}$`),
  );

describe('MediaLinks', () => {
  it('signs per viewer: a link verifies for its viewer and URL only', () => {
    const url = 'https://cdn.bank.example/card.png';
    const sig = links.sign(alice, url);
    expect(links.verify(alice, url, sig)).toBe(true);
    expect(links.verify(bob, url, sig)).toBe(false);
    expect(links.verify({ kind: 'agent', id: alice.id }, url, sig)).toBe(false);
    expect(links.verify(alice, `${url}?x`, sig)).toBe(false);
    expect(new MediaLinks(randomBytes(32), 'https://hub.example').verify(alice, url, sig)).toBe(false);
    expect(links.link(agent, url)).toMatch(/^\/inbox\/api\/media\/image\?/);
  });

  it('proxies every external image of a body (attachments, template elements, quick replies) and leaves the rest, without changing the input', () => {
    const body: MessageBody = {
      text: 'https://cdn.bank.example/not-an-image-field.png',
      attachments: [
        { type: 'image', payload: { url: 'http://cdn.bank.example/a.png', is_reusable: true } },
        { type: 'image', payload: { attachment_id: '123', url: 'https://hub.example/api/attachments/123' } },
        { type: 'file', payload: { url: 'https://cdn.bank.example/statement.pdf' } },
        {
          type: 'template',
          payload: {
            template_type: 'generic',
            elements: [{ title: 'A', image_url: 'https://cdn.bank.example/b.png' }, { title: 'B' }, 'junk'],
          },
        },
        {
          type: 'template',
          payload: { template_type: 'receipt', elements: [{ title: 'Coffee', image_url: 'javascript:alert(1)' }] },
        },
      ],
      quick_replies: [
        { content_type: 'text', title: 'Yes', image_url: 'https://cdn.bank.example/yes.png' },
        { content_type: 'text', title: 'No' },
      ],
    };
    const before = structuredClone(body);
    const out = links.body(alice, body);
    expect(body).toEqual(before);
    expect(out).toEqual({
      text: body.text,
      attachments: [
        { type: 'image', payload: { url: proxied('http://cdn.bank.example/a.png'), is_reusable: true } },
        { type: 'image', payload: { attachment_id: '123', url: 'https://hub.example/api/attachments/123' } },
        { type: 'file', payload: { url: 'https://cdn.bank.example/statement.pdf' } },
        {
          type: 'template',
          payload: {
            template_type: 'generic',
            elements: [{ title: 'A', image_url: proxied('https://cdn.bank.example/b.png') }, { title: 'B' }, 'junk'],
          },
        },
        {
          type: 'template',
          payload: { template_type: 'receipt', elements: [{ title: 'Coffee', image_url: 'javascript:alert(1)' }] },
        },
      ],
      quick_replies: [
        { content_type: 'text', title: 'Yes', image_url: proxied('https://cdn.bank.example/yes.png') },
        { content_type: 'text', title: 'No' },
      ],
    });
  });

  it('proxies a persona picture and a message frame, and passes other frames through', () => {
    expect(links.persona(alice, null)).toBeNull();
    expect(links.persona(alice, { id: 'p', name: 'Dana', profile_picture_url: null })).toEqual({
      id: 'p',
      name: 'Dana',
      profile_picture_url: null,
    });
    const frame: ServerFrame = {
      type: 'message',
      cursor: 3,
      message: {
        mid: 'm_1',
        conversation_id: 'c_1',
        direction: 'out',
        created_at: 1,
        tag: null,
        body: { attachment: { type: 'image', payload: { url: 'https://cdn.bank.example/a.png' } } },
        persona: { id: 'p', name: 'Dana', profile_picture_url: 'https://cdn.bank.example/dana.png' },
      },
    };
    const out = links.frame(alice, frame);
    expect(out).toMatchObject({
      message: {
        body: { attachment: { payload: { url: proxied('https://cdn.bank.example/a.png') } } },
        persona: { profile_picture_url: proxied('https://cdn.bank.example/dana.png') },
      },
    });
    expect(frame.type === 'message' && frame.message.persona?.profile_picture_url).toBe(
      'https://cdn.bank.example/dana.png',
    );
    const typing: ServerFrame = { type: 'typing', conversation_id: 'c_1', on: true };
    expect(links.frame(alice, typing)).toBe(typing);
  });

  it('passes a message frame with nothing to proxy through as it is (no copy per stream), and proxies a persona picture alone', () => {
    const message = {
      mid: 'm_2',
      conversation_id: 'c_1',
      direction: 'out' as const,
      created_at: 2,
      tag: null,
      body: { text: 'See https://cdn.bank.example/a.png' },
      persona: { id: 'p', name: 'Dana', profile_picture_url: null },
    };
    const text: ServerFrame = { type: 'message', cursor: 4, message };
    expect(links.frame(alice, text)).toBe(text);
    const pictured: ServerFrame = {
      type: 'message',
      cursor: 5,
      message: { ...message, persona: { ...message.persona, profile_picture_url: 'https://cdn.bank.example/d.png' } },
    };
    expect(links.frame(alice, pictured)).toMatchObject({
      message: { persona: { profile_picture_url: proxied('https://cdn.bank.example/d.png') } },
    });
    const replies: ServerFrame = {
      type: 'message',
      cursor: 6,
      message: {
        ...message,
        body: {
          text: 'Pick',
          quick_replies: [{ content_type: 'text', title: 'Y', image_url: 'https://cdn.bank.example/y.png' }],
        },
      },
    };
    expect(links.frame(alice, replies)).toMatchObject({
      message: { body: { quick_replies: [{ image_url: proxied('https://cdn.bank.example/y.png') }] } },
    });
  });
});
